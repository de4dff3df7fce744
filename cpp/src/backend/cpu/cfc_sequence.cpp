// CPU kernels of the fused CfC sequence (front end: cpp/src/ops/cfc_sequence.cpp; math in
// ember/liquid.h). Each layer's four heads are one GEMM per step over the whole batch
// (Eigen), followed by the gate arithmetic on the (B, H) blocks.
//
// The backward pass recomputes each step's pre-activations P = z W^T + b from the saved
// states, then runs the layers in reverse:
//   default: df1 = dh (1 - s), df2 = dh s, ds = dh (tanh f2 - tanh f1);  no_gate: df1 = dh,
//   df2 = dh s, ds = dh tanh f2;  dP = [df1 (1 - tanh^2 f1), df2 (1 - tanh^2 f2), dq ts, dq]
//   with dq = ds s (1 - s);  dW += dP^T z, db += sum_b dP, dz = dP W, d ts += sum dq fa.
// dz splits into the gradient of the layer input (the previous layer's new state, or the
// sequence input) and of the layer's previous state (carried to step t - 1).
#include <Eigen/Core>
#include <vector>

#include "backend/cpu/kernels.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMap = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using MutMap = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;

template <class T>
struct Cfc {
  const T *x, *h0, *ts;
  std::int64_t batch, steps, c, total;
  bool no_gate;
  std::vector<std::int64_t> sizes, offsets, in_sizes;
  std::vector<Eigen::Map<const Mat<T>>> weights;
  std::vector<Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>> biases;

  Cfc(std::span<const Tensor> in, const Attrs& attrs)
      : x(in[0].data<T>()), h0(in[1].data<T>()), ts(in[2].data<T>()), batch(in[0].shape()[0]),
        steps(in[0].shape()[1]), c(in[0].shape()[2]), total(in[1].shape()[1]), no_gate(attrs.ints[0] == 1) {
    std::int64_t offset = 0, in_size = c;
    for (std::size_t l = 1; l < attrs.ints.size(); ++l) {
      const std::int64_t h = attrs.ints[l];
      sizes.push_back(h);
      offsets.push_back(offset);
      in_sizes.push_back(in_size);
      const Tensor& w = in[3 + 2 * (l - 1)];
      weights.emplace_back(w.data<T>(), 4 * h, in_size + h);
      biases.emplace_back(in[4 + 2 * (l - 1)].data<T>(), 4 * h);
      offset += h;
      in_size = h;
    }
  }
  std::size_t layers() const { return sizes.size(); }

  // Rows b of the (B, cols) block of a (B, T, width) array at step t, columns [col, col + cols).
  ConstMap<T> block(const T* base, std::int64_t width, std::int64_t t, std::int64_t col, std::int64_t cols) const {
    return ConstMap<T>(base + t * width + col, batch, cols, Eigen::OuterStride<>(steps * width));
  }
  // The state block of layer l before step t (h0 at t = 0).
  ConstMap<T> previous(const T* states, std::size_t l, std::int64_t t) const {
    if (t == 0) return ConstMap<T>(h0 + offsets[l], batch, sizes[l], Eigen::OuterStride<>(total));
    return block(states, total, t - 1, offsets[l], sizes[l]);
  }
  // The layer input at step t: the sequence input or the previous layer's new state.
  ConstMap<T> layer_input(const T* states, std::size_t l, std::int64_t t) const {
    return l == 0 ? block(x, c, t, 0, c) : block(states, total, t, offsets[l - 1], sizes[l - 1]);
  }
  // z = [input, previous state] and P = z W^T + b for layer l at step t.
  void heads(const T* states, std::size_t l, std::int64_t t, Mat<T>& z, Mat<T>& p) const {
    z.resize(batch, in_sizes[l] + sizes[l]);
    z.leftCols(in_sizes[l]) = layer_input(states, l, t);
    z.rightCols(sizes[l]) = previous(states, l, t);
    p.noalias() = z * weights[l].transpose();
    p.rowwise() += biases[l];
  }
  Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>, 0, Eigen::InnerStride<>> ts_at(std::int64_t t) const {
    return {ts + t, batch, Eigen::InnerStride<>(steps)};
  }
};

template <class T>
void forward_typed(std::span<const Tensor> in, Tensor& out, const Attrs& attrs) {
  const Cfc<T> p(in, attrs);
  T* states = out.data<T>();
  Mat<T> z, pre;
  for (std::int64_t t = 0; t < p.steps; ++t) {
    const auto ts_t = p.ts_at(t);
    for (std::size_t l = 0; l < p.layers(); ++l) {
      p.heads(states, l, t, z, pre);
      const std::int64_t h = p.sizes[l];
      const auto f1 = pre.leftCols(h).array().tanh();
      const auto f2 = pre.middleCols(h, h).array().tanh();
      const Mat<T> gate = ((pre.middleCols(2 * h, h).array().colwise() * ts_t.array()) +
                           pre.rightCols(h).array()).logistic().matrix();
      MutMap<T> next(states + t * p.total + p.offsets[l], p.batch, h, Eigen::OuterStride<>(p.steps * p.total));
      if (p.no_gate) {
        next.array() = f1 + gate.array() * f2;
      } else {
        next.array() = f1 * (1 - gate.array()) + gate.array() * f2;
      }
    }
  }
}

template <class T>
void backward_typed(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Cfc<T> p(in, attrs);
  const T* states = in[in.size() - 2].data<T>();
  const T* grad_states = in[in.size() - 1].data<T>();
  T* dx = out[0].data<T>();
  T* dts = out[2].data<T>();
  std::vector<Mat<T>> dw(p.layers());
  std::vector<Eigen::Matrix<T, 1, Eigen::Dynamic>> db(p.layers());
  for (std::size_t l = 0; l < p.layers(); ++l) {
    dw[l] = Mat<T>::Zero(4 * p.sizes[l], p.in_sizes[l] + p.sizes[l]);
    db[l] = Eigen::Matrix<T, 1, Eigen::Dynamic>::Zero(4 * p.sizes[l]);
  }
  Mat<T> carry = Mat<T>::Zero(p.batch, p.total), dh_all(p.batch, p.total), z, pre, dpre, dz;
  for (std::int64_t t = p.steps - 1; t >= 0; --t) {
    dh_all = p.block(grad_states, p.total, t, 0, p.total);
    dh_all += carry;
    const auto ts_t = p.ts_at(t);
    Eigen::Matrix<T, Eigen::Dynamic, 1> dts_t = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(p.batch);
    for (std::size_t l = p.layers(); l-- > 0;) {
      const std::int64_t h = p.sizes[l], n_in = p.in_sizes[l];
      p.heads(states, l, t, z, pre);
      const Mat<T> f1 = pre.leftCols(h).array().tanh().matrix();
      const Mat<T> f2 = pre.middleCols(h, h).array().tanh().matrix();
      const Mat<T> fa = pre.middleCols(2 * h, h);
      const Mat<T> gate = ((fa.array().colwise() * ts_t.array()) + pre.rightCols(h).array()).logistic().matrix();
      const auto dh = dh_all.middleCols(p.offsets[l], h).array();
      dpre.resize(p.batch, 4 * h);
      auto df1 = dpre.leftCols(h).array();
      auto df2 = dpre.middleCols(h, h).array();
      const auto g = gate.array();
      Mat<T> dgate;
      if (p.no_gate) {
        df1 = dh;
        dgate = (dh * f2.array()).matrix();
      } else {
        df1 = dh * (1 - g);
        dgate = (dh * (f2.array() - f1.array())).matrix();
      }
      df2 = dh * g;
      df1 *= 1 - f1.array().square();
      df2 *= 1 - f2.array().square();
      const Mat<T> dq = (dgate.array() * g * (1 - g)).matrix();
      dpre.middleCols(2 * h, h).array() = dq.array().colwise() * ts_t.array();
      dpre.rightCols(h) = dq;
      dts_t += (dq.array() * fa.array()).rowwise().sum().matrix();
      dw[l].noalias() += dpre.transpose() * z;
      db[l] += dpre.colwise().sum();
      dz.noalias() = dpre * p.weights[l];
      if (l > 0) {
        dh_all.middleCols(p.offsets[l - 1], p.sizes[l - 1]) += dz.leftCols(n_in);
      } else {
        MutMap<T>(dx + t * p.c, p.batch, p.c, Eigen::OuterStride<>(p.steps * p.c)) = dz.leftCols(n_in);
      }
      carry.middleCols(p.offsets[l], h) = dz.rightCols(h);
    }
    for (std::int64_t b = 0; b < p.batch; ++b) dts[b * p.steps + t] = dts_t[b];
  }
  Eigen::Map<Mat<T>>(out[1].data<T>(), p.batch, p.total) = carry;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    Eigen::Map<Mat<T>>(out[3 + 2 * l].data<T>(), dw[l].rows(), dw[l].cols()) = dw[l];
    Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(out[4 + 2 * l].data<T>(), db[l].size()) = db[l];
  }
}

void cfc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (in[0].dtype() == DType::Float64) {
    forward_typed<double>(in, out[0], attrs);
  } else {
    forward_typed<float>(in, out[0], attrs);
  }
}

void cfc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (in[0].dtype() == DType::Float64) {
    backward_typed<double>(in, out, attrs);
  } else {
    backward_typed<float>(in, out, attrs);
  }
}

}  // namespace

void register_cfc_kernels() {
  op_entry("cfc_sequence").set_kernel(DeviceType::CPU, cfc_forward_kernel);
  op_entry("cfc_sequence_backward").set_kernel(DeviceType::CPU, cfc_backward_kernel);
}

}  // namespace ember::cpu
