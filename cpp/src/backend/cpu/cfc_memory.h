// The mixed memory's step of the fused CfC sequence on cpu (liquid::CfcMixedMemory, ncps's
// LSTMCell) on a block of rows, and its adjoint; the kernels' matrix types.
#pragma once

#include <Eigen/Core>

namespace ember::cpu::cfc {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Arr = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One step of the memory: from the gates' pre-activations z = [k, i, f, o] (rows, 4 H) and
// the states h and cells c before it,
//   c' = sigmoid(f + 1) c + sigmoid(i) tanh(k),   h_lstm = sigmoid(o) tanh(c').
template <class T>
struct MemoryStep {
  Mat<T> h, c;                         // before the step, set by the caller
  Arr<T> k, i, f, o, cell, tanh_cell;  // tanh(k), sigmoid(i), sigmoid(f + 1), sigmoid(o), c', tanh(c')
  Mat<T> h_lstm;

  void run(const Mat<T>& z) {
    const Eigen::Index n = c.cols();
    k = z.leftCols(n).array().tanh();
    i = z.middleCols(n, n).array().logistic();
    f = (z.middleCols(2 * n, n).array() + T(1)).logistic();
    o = z.rightCols(n).array().logistic();
    cell = f * c.array() + i * k;
    tanh_cell = cell.tanh();
    h_lstm = (o * tanh_cell).matrix();
  }

  // From the adjoints of h_lstm and of c' (dcell), the adjoint dz (rows, 4 H) of the gates'
  // pre-activations; dcell becomes the adjoint of c (the recurrent h's is dz W_hh).
  template <class Derived>
  void adjoint(const Eigen::ArrayBase<Derived>& dh_lstm, Arr<T>& dcell, Mat<T>& dz) const {
    const Eigen::Index n = c.cols();
    dcell += dh_lstm * o * (1 - tanh_cell.square());
    dz.resize(c.rows(), 4 * n);
    dz.leftCols(n).array() = dcell * i * (1 - k.square());
    dz.middleCols(n, n).array() = dcell * k * i * (1 - i);
    dz.middleCols(2 * n, n).array() = dcell * c.array() * f * (1 - f);
    dz.rightCols(n).array() = dh_lstm * tanh_cell * o * (1 - o);
    dcell *= f;
  }
};

}  // namespace ember::cpu::cfc
