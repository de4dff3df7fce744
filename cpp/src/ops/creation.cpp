// Front-end creation, copy and cast ops.
#include <cmath>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::registered_op;
using detail::run_to_new;

namespace {
Attrs scalar_attrs(Scalar value) {
  const bool is_int = value.kind == DTypeKind::Int;
  return encode(FillAttrs{is_int ? value.i : static_cast<std::int64_t>(value.f),
                          is_int ? static_cast<double>(value.i) : value.f, value.imag});
}
}  // namespace

void fill_(const Tensor& dst, Scalar value) {
  static const OpEntry& op = registered_op("fill");
  static const OpEntry& complex_op = registered_op("complex_fill");
  autograd::check_inplace(dst, "fill");
  detail::check_fill_value("fill", dst.dtype(), value);
  if (dst.numel() == 0) return;
  dst.storage()->bump_version();
  Tensor out = dst;
  (is_complex(dst.dtype()) ? complex_op : op).call(dst.device(), {}, std::span<Tensor>(&out, 1), scalar_attrs(value));
}

namespace {
Tensor filled(const Shape& shape, Scalar value, DType dtype, Device device, const char* op) {
  detail::check_fill_value(op, dtype, value);
  Tensor t = Tensor::empty(shape, dtype, device, op);
  fill_(t, value);
  return t;
}
}  // namespace

Tensor full(const Shape& shape, Scalar value, DType dtype, Device device) {
  return filled(shape, value, dtype, device, "full");
}
Tensor scalar_tensor(Scalar value, DType dtype, Device device) { return full({}, value, dtype, device); }
Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return filled(shape, Scalar::from_int(0), dtype, device, "zeros");
}
Tensor ones(const Shape& shape, DType dtype, Device device) {
  return filled(shape, Scalar::from_int(1), dtype, device, "ones");
}

Tensor eye(std::int64_t n, std::int64_t m, std::int64_t k, DType dtype, Device device) {
  if (n < 0 || m < 0) value_error("eye", "n and m must be non-negative, got n=", n, ", m=", m);
  Tensor t = zeros({n, m}, dtype, device);
  // The k-th diagonal is a strided view with step m + 1.
  const std::int64_t row0 = k >= 0 ? 0 : -k, col0 = k >= 0 ? k : 0;
  const std::int64_t len = std::max<std::int64_t>(0, std::min(n - row0, m - col0));
  if (len > 0) fill_(t.as_strided({len}, {m + 1}, row0 * m + col0), Scalar::from_int(1));
  return t;
}

Tensor arange(double start, double stop, double step, DType dtype, Device device) {
  static const OpEntry& op = registered_op("arange");
  if (is_complex(dtype)) type_error("arange", "complex dtypes are not supported, got ", dtype_name(dtype));
  if (step == 0) value_error("arange", "step must not be zero");
  if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step)) {
    value_error("arange", "start, stop and step must be finite, got ", start, ", ", stop, ", ", step);
  }
  const auto n = static_cast<std::int64_t>(std::max(0.0, std::ceil((stop - start) / step)));
  const ArangeAttrs attrs{static_cast<std::int64_t>(start), static_cast<std::int64_t>(step), start, step};
  return run_to_new(op, device, {n}, dtype, {}, encode(attrs));
}

Tensor linspace(double start, double stop, std::int64_t num, bool endpoint, DType dtype, Device device) {
  static const OpEntry& op = registered_op("linspace");
  if (is_complex(dtype)) type_error("linspace", "complex dtypes are not supported, got ", dtype_name(dtype));
  if (num < 0) value_error("linspace", "num must be non-negative, got ", num);
  const std::int64_t div = endpoint ? num - 1 : num;
  const LinspaceAttrs attrs{start, div > 0 ? (stop - start) / static_cast<double>(div) : 0.0, stop, endpoint};
  return run_to_new(op, device, {num}, dtype, {}, encode(attrs));
}

void copy_into(const Tensor& dst, const Tensor& src, const char* op_name) {
  static const OpEntry& op = registered_op("copy");
  static const OpEntry& complex_op = registered_op("complex_copy");
  detail::common_device(op_name, {&dst, &src});
  // NumPy drops the imaginary part with a ComplexWarning; Ember refuses.
  if (is_complex(src.dtype()) && !is_complex(dst.dtype())) {
    type_error(op_name, "cannot cast ", detail::describe(src), " to ", dtype_name(dst.dtype()),
               "; take ops.real, ops.imag or ops.abs first");
  }
  Shape shape = broadcast_shapes(dst.shape(), src.shape(), op_name);
  if (shape != dst.shape()) {
    value_error(op_name, "could not broadcast input of shape ", shape_str(src.shape()), " into shape ",
                shape_str(dst.shape()));
  }
  if (dst.numel() == 0) return;
  if (dst.is_read_only()) value_error(op_name, "the destination is a broadcast view (read-only); copy it first");
  autograd::check_inplace(dst, op_name);
  dst.storage()->bump_version();
  const Tensor in = src.broadcast_to(shape);
  Tensor out = dst;
  (is_complex(dst.dtype()) ? complex_op : op).call(dst.device(), std::span<const Tensor>(&in, 1),
                                                   std::span<Tensor>(&out, 1));
}

Tensor cast(const Tensor& x, DType dtype) {
  return autograd::differentiable(
      "cast", {x},
      [&] {
        Tensor out = Tensor::empty(x.shape(), dtype, x.device());
        copy_into(out, x, "cast");
        return out;
      },
      [&] { return autograd::identity_rule(x); });
}

Tensor copy(const Tensor& x) { return cast(x, x.dtype()); }

Tensor contiguous(const Tensor& x) { return x.is_contiguous() ? x : copy(x); }

// The "transfer" kernel is registered by the non-CPU backend, which owns the copy.
Tensor to_device(const Tensor& x, Device device) {
  static const OpEntry& op = registered_op("transfer");
  if (x.device() == device) return x;
  return autograd::differentiable(
      "to_device", {x},
      [&] {
        const Tensor src = contiguous(x);
        Tensor out = Tensor::empty(x.shape(), x.dtype(), device);
        if (out.numel() == 0) return out;
        op.call(device.type == DeviceType::CPU ? x.device() : device, std::span<const Tensor>(&src, 1),
                std::span<Tensor>(&out, 1));
        return out;
      },
      [&] { return autograd::identity_rule(x); });
}

}  // namespace ember
