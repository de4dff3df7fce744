// CPU kernels of the fused optimizer updates (front end: cpp/src/ops/optim.cpp).
//
// Each element follows torch.optim's single-tensor code op by op, with the scalars cast
// to the element type first, as torch's CPU kernels do: add(x, alpha) is x + alpha * y,
// addcmul is x + value * a * b, addcdiv is x + value * a / b, and lerp(x, y, w) is
// x + w * (y - x) for |w| < 0.5, else y - (y - x) * (1 - w).
#include <algorithm>
#include <cmath>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/errors.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

template <class T>
T lerp(T x, T y, T w) {
  return std::abs(w) < T(0.5) ? x + w * (y - x) : y - (y - x) * (T(1) - w);
}

template <class Fn>
void for_float(const char* op, const Tensor& t, Fn&& fn) {
  switch (t.dtype()) {
    case DType::Float32: fn(float{}); break;
    case DType::Float64: fn(double{}); break;
    default: type_error(op, "kernel needs float32 or float64, got ", dtype_name(t.dtype()));
  }
}

template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// The loops below take __restrict pointers and branch only on loop-invariant flags
// (optional buffers are template parameters), so that GCC vectorises them, sqrt included.

template <class T, bool kMomentum>
void sgd_loop(const T* __restrict grad, T* __restrict param, T* __restrict buf, std::int64_t b, std::int64_t e,
              const SgdAttrs& a) {
  const T neg_lr = static_cast<T>(-a.lr), momentum = static_cast<T>(a.momentum);
  const T keep = static_cast<T>(1.0 - a.dampening), wd = static_cast<T>(a.weight_decay);
  const bool nesterov = a.nesterov, first = a.first_step, use_wd = a.weight_decay != 0;
  for (std::int64_t i = b; i < e; ++i) {
    const T p = param[i];
    T g = use_wd ? grad[i] + wd * p : grad[i];
    if constexpr (kMomentum) {
      const T next = first ? g : buf[i] * momentum + keep * g;
      buf[i] = next;
      g = nesterov ? g + momentum * next : next;
    }
    param[i] = p + neg_lr * g;
  }
}

// inputs: grad; outputs: param, momentum_buffer (may be undefined).
// attrs: SgdAttrs.
void sgd_step_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const SgdAttrs a = decode<SgdAttrs>(attrs);
  for_float("sgd_step", out[0], [&](auto tag) {
    using T = decltype(tag);
    const T* grad = in[0].data<T>();
    T* param = out[0].data<T>();
    T* buf = data_or_null<T>(out[1]);
    parallel_range(in[0].numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
      buf ? sgd_loop<T, true>(grad, param, buf, b, e, a) : sgd_loop<T, false>(grad, param, buf, b, e, a);
    });
  });
}

template <class T, bool kAmsgrad>
void adam_loop(const T* __restrict grad, T* __restrict param, T* __restrict m, T* __restrict v,
               T* __restrict vmax, std::int64_t b, std::int64_t e, const AdamAttrs& a) {
  const T neg_step = static_cast<T>(-a.step_size), bc2_sqrt = static_cast<T>(a.bias_correction2_sqrt);
  const T w1 = static_cast<T>(1.0 - a.beta1), beta2 = static_cast<T>(a.beta2);
  const T w2 = static_cast<T>(1.0 - a.beta2), eps = static_cast<T>(a.eps);
  const T wd = static_cast<T>(a.weight_decay), decay = static_cast<T>(a.decay);
  const bool use_wd = a.weight_decay != 0, use_decay = a.decay != 1.0;
  for (std::int64_t i = b; i < e; ++i) {
    const T p = use_decay ? param[i] * decay : param[i];
    const T g = use_wd ? grad[i] + wd * p : grad[i];
    const T m_new = lerp(m[i], g, w1);
    const T v_scaled = v[i] * beta2;
    const T v_new = v_scaled + w2 * g * g;
    m[i] = m_new;
    v[i] = v_new;
    T second = v_new;
    if constexpr (kAmsgrad) second = vmax[i] = std::max(vmax[i], v_new);
    const T denom = std::sqrt(second) / bc2_sqrt + eps;
    param[i] = p + neg_step * m_new / denom;
  }
}

// inputs: grad; outputs: param, exp_avg, exp_avg_sq, max_exp_avg_sq (may be undefined).
// attrs: AdamAttrs (weight_decay coupled, decay the decoupled factor 1 - lr * weight_decay).
void adam_step_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const AdamAttrs a = decode<AdamAttrs>(attrs);
  for_float("adam_step", out[0], [&](auto tag) {
    using T = decltype(tag);
    const T* grad = in[0].data<T>();
    T *param = out[0].data<T>(), *m = out[1].data<T>(), *v = out[2].data<T>();
    T* vmax = a.amsgrad ? out[3].data<T>() : nullptr;
    parallel_range(in[0].numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
      vmax ? adam_loop<T, true>(grad, param, m, v, vmax, b, e, a) : adam_loop<T, false>(grad, param, m, v, vmax, b, e, a);
    });
  });
}

template <class T, bool kCentered, bool kMomentum>
void rmsprop_loop(const T* __restrict grad, T* __restrict param, T* __restrict sq, T* __restrict gavg,
                  T* __restrict buf, std::int64_t b, std::int64_t e, const RmspropAttrs& a) {
  const T neg_lr = static_cast<T>(-a.lr), alpha = static_cast<T>(a.alpha);
  const T w = static_cast<T>(1.0 - a.alpha), eps = static_cast<T>(a.eps);
  const T wd = static_cast<T>(a.weight_decay), momentum = static_cast<T>(a.momentum);
  const bool use_wd = a.weight_decay != 0;
  for (std::int64_t i = b; i < e; ++i) {
    const T p = param[i];
    const T g = use_wd ? grad[i] + wd * p : grad[i];
    const T sq_scaled = sq[i] * alpha;
    const T sq_new = sq_scaled + w * g * g;
    sq[i] = sq_new;
    T avg;
    if constexpr (kCentered) {
      const T ga = lerp(gavg[i], g, w);
      gavg[i] = ga;
      avg = std::sqrt(sq_new + T(-1) * ga * ga);
    } else {
      avg = std::sqrt(sq_new);
    }
    avg = avg + eps;
    if constexpr (kMomentum) {
      const T scaled = buf[i] * momentum;
      const T next = scaled + g / avg;
      buf[i] = next;
      param[i] = p + neg_lr * next;
    } else {
      param[i] = p + neg_lr * g / avg;
    }
  }
}

// inputs: grad; outputs: param, square_avg, grad_avg, momentum_buffer (the last two may be
// undefined). attrs: RmspropAttrs.
void rmsprop_step_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const RmspropAttrs a = decode<RmspropAttrs>(attrs);
  for_float("rmsprop_step", out[0], [&](auto tag) {
    using T = decltype(tag);
    const T* grad = in[0].data<T>();
    T *param = out[0].data<T>(), *sq = out[1].data<T>();
    T* gavg = a.centered ? out[2].data<T>() : nullptr;
    T* buf = a.momentum > 0 ? out[3].data<T>() : nullptr;
    parallel_range(in[0].numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
      if (gavg && buf) rmsprop_loop<T, true, true>(grad, param, sq, gavg, buf, b, e, a);
      else if (gavg) rmsprop_loop<T, true, false>(grad, param, sq, gavg, buf, b, e, a);
      else if (buf) rmsprop_loop<T, false, true>(grad, param, sq, gavg, buf, b, e, a);
      else rmsprop_loop<T, false, false>(grad, param, sq, gavg, buf, b, e, a);
    });
  });
}

}  // namespace

void register_optim_kernels() {
  op_entry("sgd_step").set_kernel(DeviceType::CPU, sgd_step_kernel);
  op_entry("adam_step").set_kernel(DeviceType::CPU, adam_step_kernel);
  op_entry("rmsprop_step").set_kernel(DeviceType::CPU, rmsprop_step_kernel);
}

}  // namespace ember::cpu
