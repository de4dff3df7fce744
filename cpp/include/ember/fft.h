// Front-end discrete Fourier transforms with numpy.fft semantics (ember_ml.ops.fft ...).
//
// Dtypes: float32 input (and float16, bool, integers) transforms in single precision,
// giving complex64 (float32 for the irfft family); float64 gives complex128 (float64);
// complex input keeps its precision. NumPy gives complex128 for integer and bool input:
// Ember computes them in single precision, as its other float-valued ops.
// Lengths: `n` / `s` crop or zero-pad the input along each transformed axis; any length
// >= 1 works (kissfft's mixed radix; lengths with large prime factors cost O(n * p)).
// Multi-dimensional transforms are successive 1-D passes, in numpy's order.
// Errors name the op: n or s < 1 and a bad norm raise ValueError, axes out of range
// IndexError, complex input to the rfft family TypeError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ember/ops.h"

namespace ember::fft {

// Scaling of the forward / inverse pair: backward (1 and 1/n, the default), ortho
// (1/sqrt(n) each way) or forward (1/n and 1).
enum class Norm { Backward, Ortho, Forward };
// nullopt and "backward" -> Backward, "ortho", "forward"; anything else raises ValueError naming op.
Norm parse_norm(const std::optional<std::string>& norm, const char* op);

using Length = std::optional<std::int64_t>;  // nullopt: numpy's default length
using Lengths = std::optional<std::vector<std::int64_t>>;  // s; -1 entries keep the input length

// 1-D transforms along `axis`. fft / ifft: n points (default: the axis length) in and
// out. rfft: n real points in, n / 2 + 1 out. irfft: n real points out (default
// 2 * (m - 1) for an input axis of length m), reading the first n / 2 + 1 inputs.
Tensor fft(const Tensor& x, Length n, std::int64_t axis, Norm norm);
Tensor ifft(const Tensor& x, Length n, std::int64_t axis, Norm norm);
Tensor rfft(const Tensor& x, Length n, std::int64_t axis, Norm norm);
Tensor irfft(const Tensor& x, Length n, std::int64_t axis, Norm norm);

// N-D transforms over `axes` (nullopt: the last len(s) axes, or every axis without s)
// with lengths s (nullopt: the input's, except irfftn's last, 2 * (m - 1)). numpy's
// fft2 family is these with axes (-2, -1); `op` is the name errors carry, so the
// bindings pass "fft2" and so on.
Tensor fftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op = "fftn");
Tensor ifftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op = "ifftn");
Tensor rfftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op = "rfftn");
Tensor irfftn(const Tensor& x, const Lengths& s, const Axes& axes, Norm norm, const char* op = "irfftn");

}  // namespace ember::fft
