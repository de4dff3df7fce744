// Front-end numpy.fft family: defaults and checks, dtype choice, and N-D transforms as
// successive 1-D passes of the "fft" kernel, in the order of numpy.fft._pocketfft.
#include "ember/fft.h"

#include <cmath>
#include <limits>

#include "ops/common.h"

namespace ember::fft {

using detail::describe;

Norm parse_norm(const std::optional<std::string>& norm, const char* op) {
  if (!norm || *norm == "backward") return Norm::Backward;
  if (*norm == "ortho") return Norm::Ortho;
  if (*norm == "forward") return Norm::Forward;
  value_error(op, "invalid norm value '", *norm, "'; should be 'backward', 'ortho' or 'forward'");
}

namespace {

// The factor one pass of length n scales by (numpy.fft._pocketfft._raw_fft).
double scale(Norm norm, std::int64_t n, bool inverse) {
  if (norm == Norm::Ortho) return 1.0 / std::sqrt(static_cast<double>(n));
  const bool divide = inverse ? norm == Norm::Backward : norm == Norm::Forward;
  return divide ? 1.0 / static_cast<double>(n) : 1.0;
}

void require_real_input(const Tensor& x, const char* op) {
  if (is_complex(x.dtype())) type_error(op, "input must be real, got ", describe(x), "; use the complex transform");
}

// One 1-D transform of length n along the (normalised) axis.
Tensor pass(const Tensor& x, int axis, std::int64_t n, bool inverse, FftKind kind, Norm norm, const char* op) {
  static const OpEntry& kernel = detail::registered_op("fft");
  if (n < 1) value_error(op, "invalid number of data points (", n, ") specified");
  // kissfft indexes with int.
  if (n > std::numeric_limits<int>::max()) value_error(op, "transform length ", n, " exceeds 2**31 - 1");
  const DType cdtype = complex_dtype(x.dtype());
  const DType in_dtype = kind == FftKind::R2C ? real_dtype(cdtype) : cdtype;
  const DType out_dtype = kind == FftKind::C2R ? real_dtype(cdtype) : cdtype;
  Shape shape = x.shape();
  shape[axis] = kind == FftKind::R2C ? n / 2 + 1 : n;
  // numpy.fft computes the factor in the input's real dtype, so float16 input gets a
  // float16-rounded factor.
  const double factor = scale(norm, n, inverse);
  const Attrs attrs = encode(FftAttrs{axis, n, inverse, kind,
                                      x.dtype() == DType::Float16 ? static_cast<double>(static_cast<half>(factor)) : factor});
  const Tensor in = x.dtype() == in_dtype ? x : cast(x, in_dtype);
  const Tensor out = detail::run_to_new(kernel, x.device(), shape, out_dtype, {in}, attrs);
  // numpy.fft gives real output the precision of real input, float16 included.
  return kind == FftKind::C2R && x.dtype() == DType::Float16 ? cast(out, DType::Float16) : out;
}

// Normalised axes and lengths of an N-D transform (numpy.fft._pocketfft._cook_nd_args).
struct Plan {
  std::vector<int> axes;
  std::vector<std::int64_t> s;
};

Plan plan(const Tensor& x, const Lengths& s, const Axes& axes, bool inverse_real, const char* op) {
  Plan p;
  if (axes) {
    for (auto a : *axes) p.axes.push_back(normalize_axis(a, x.ndim(), op));
  } else {
    const auto k = static_cast<std::int64_t>(s ? s->size() : x.shape().size());
    for (std::int64_t a = -k; a < 0; ++a) p.axes.push_back(normalize_axis(a, x.ndim(), op));
  }
  if (s) {
    if (s->size() != p.axes.size()) {
      value_error(op, "shape and axes have different lengths (", s->size(), " and ", p.axes.size(), ")");
    }
    for (std::size_t i = 0; i < s->size(); ++i) p.s.push_back((*s)[i] == -1 ? x.shape()[p.axes[i]] : (*s)[i]);
  } else {
    for (int a : p.axes) p.s.push_back(x.shape()[a]);
    if (inverse_real && !p.axes.empty()) p.s.back() = 2 * (x.shape()[p.axes.back()] - 1);
  }
  return p;
}

Tensor c2c_nd(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, bool inverse, const char* op) {
  const Plan p = plan(x, s, axes, false, op);
  Tensor out = x;
  for (std::size_t i = p.axes.size(); i-- > 0;) out = pass(out, p.axes[i], p.s[i], inverse, FftKind::C2C, norm, op);
  return out;
}

void require_axes(const Plan& p, const char* op) {
  if (p.axes.empty()) value_error(op, "needs at least one axis to transform");
}

}  // namespace

Tensor fft(const Tensor& x, Length n, std::int64_t axis, Norm norm) {
  const int a = normalize_axis(axis, x.ndim(), "fft");
  return pass(x, a, n.value_or(x.shape()[a]), false, FftKind::C2C, norm, "fft");
}

Tensor ifft(const Tensor& x, Length n, std::int64_t axis, Norm norm) {
  const int a = normalize_axis(axis, x.ndim(), "ifft");
  return pass(x, a, n.value_or(x.shape()[a]), true, FftKind::C2C, norm, "ifft");
}

Tensor rfft(const Tensor& x, Length n, std::int64_t axis, Norm norm) {
  require_real_input(x, "rfft");
  const int a = normalize_axis(axis, x.ndim(), "rfft");
  return pass(x, a, n.value_or(x.shape()[a]), false, FftKind::R2C, norm, "rfft");
}

Tensor irfft(const Tensor& x, Length n, std::int64_t axis, Norm norm) {
  const int a = normalize_axis(axis, x.ndim(), "irfft");
  return pass(x, a, n.value_or(2 * (x.shape()[a] - 1)), true, FftKind::C2R, norm, "irfft");
}

Tensor fftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op) {
  return c2c_nd(x, s, axes, norm, false, op);
}

Tensor ifftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op) {
  return c2c_nd(x, s, axes, norm, true, op);
}

// The real transform runs first, on the last axis; the others follow as complex passes.
Tensor rfftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op) {
  require_real_input(x, op);
  const Plan p = plan(x, s, axes, false, op);
  require_axes(p, op);
  const std::size_t last = p.axes.size() - 1;
  Tensor out = pass(x, p.axes[last], p.s[last], false, FftKind::R2C, norm, op);
  for (std::size_t i = last; i-- > 0;) out = pass(out, p.axes[i], p.s[i], false, FftKind::C2C, norm, op);
  return out;
}

// Complex passes over every axis but the last, then the real output along the last.
Tensor irfftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op) {
  const Plan p = plan(x, s, axes, true, op);
  require_axes(p, op);
  const std::size_t last = p.axes.size() - 1;
  Tensor out = x;
  for (std::size_t i = 0; i < last; ++i) out = pass(out, p.axes[i], p.s[i], true, FftKind::C2C, norm, op);
  return pass(out, p.axes[last], p.s[last], true, FftKind::C2R, norm, op);
}

}  // namespace ember::fft
