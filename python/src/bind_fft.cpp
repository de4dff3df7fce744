// Bindings of the numpy.fft family as ember_ml._core.fft; ember_ml.ops exposes them.
#include <pybind11/stl.h>

#include <deque>
#include <string>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"
#include "ember/fft.h"

namespace ember::py_bind {

namespace {

fft::Length parse_length(py::handle n, const char* op) {
  return parse_optional_int(n, op, "n");
}

fft::Norm parse_norm(py::handle norm, const char* op) {
  if (norm.is_none()) return fft::parse_norm(std::nullopt, op);
  if (!py::isinstance<py::str>(norm)) {
    value_error(op, "invalid norm value ", py::repr(norm).cast<std::string>(),
                "; should be 'backward', 'ortho' or 'forward'");
  }
  return fft::parse_norm(norm.cast<std::string>(), op);
}

Tensor input(py::handle x, const char* op) { return to_tensor(x, device_of({x}), std::nullopt, op); }

// pybind11 keeps docstring pointers, so the texts live as long as the process.
const char* stored(std::string doc) {
  static std::deque<std::string> docs;
  return docs.emplace_back(std::move(doc)).c_str();
}

const char* const kDtypes = R"(
    Dtypes: float32 (and float16, bool, integer) input computes in single precision,
    float64 in double, complex input in its own precision. numpy computes integer and
    bool input in double precision instead.)";

const char* const kRaises = R"(

Raises:
    ValueError: a length below 1, lengths and axes of different counts, or a norm
        other than 'backward', 'ortho' or 'forward'.
    IndexError: an axis out of range.
    TypeError: non-numeric input, a non-integer length, or (rfft family) complex input.
)";

// The docstring of a 1-D transform: `what` describes it, `lengths` its n and output.
std::string doc_1d(const char* what, const char* lengths, const char* result) {
  return std::string(what) + R"(

Args:
    a: EmberTensor or tensor-like, at least 1-D.
    n: )" + lengths + R"(
    axis: the axis to transform (negative counts from the end), default the last.
    norm: 'backward' (default; the inverse scales by 1/n), 'ortho' (1/sqrt(n) both
        ways) or 'forward' (the forward transform scales by 1/n).

Returns:
    )" + result + kDtypes + kRaises;
}

std::string doc_nd(const char* what, const char* axes_default, const char* result) {
  return std::string(what) + R"( As successive 1-D transforms, in numpy's order.

Args:
    a: EmberTensor or tensor-like.
    s: lengths per transformed axis (crop or zero-pad; -1 keeps the input's length),
        default the input's lengths.
    axes: the axes to transform, )" + axes_default + R"(
    norm: 'backward' (default), 'ortho' or 'forward', applied per axis as in the 1-D
        transforms.

Returns:
    )" + result + kDtypes + kRaises;
}

using Fn1 = Tensor (*)(const Tensor&, fft::Length, std::int64_t, fft::Norm);
using FnN = Tensor (*)(const Tensor&, const fft::Lengths&, const Axes&, fft::Norm, const char*);

void def_1d(py::module_& m, const char* name, Fn1 fn, std::string doc) {
  m.def(
      name,
      [name, fn](py::handle a, py::handle n, py::handle axis, py::handle norm) {
        const Tensor x = input(a, name);
        const auto len = parse_length(n, name);
        const auto ax = parse_axis(axis, name);
        if (!ax) type_error(name, "axis must be an integer, got None");
        const auto nm = parse_norm(norm, name);
        return release_gil_if(x.numel(), [&] { return fn(x, len, *ax, nm); });
      },
      py::arg("a"), py::arg("n") = py::none(), py::arg("axis") = -1, py::arg("norm") = py::none(),
      stored(std::move(doc)));
}

void def_nd(py::module_& m, const char* name, FnN fn, bool two_d, std::string doc) {
  m.def(
      name,
      [name, fn](py::handle a, py::handle s, py::handle axes, py::handle norm) {
        const Tensor x = input(a, name);
        const fft::Lengths lengths = s.is_none() ? fft::Lengths{} : fft::Lengths{parse_int_list(s, name, "shape")};
        const Axes ax = parse_axes(axes, name);
        const auto nm = parse_norm(norm, name);
        return release_gil_if(x.numel(), [&] { return fn(x, lengths, ax, nm, name); });
      },
      py::arg("a"), py::arg("s") = py::none(),
      py::arg("axes") = two_d ? py::object(py::make_tuple(-2, -1)) : py::object(py::none()),
      py::arg("norm") = py::none(), stored(std::move(doc)));
}

}  // namespace

void bind_fft(py::module_& root) {
  py::module_ m = root.def_submodule("fft", "Discrete Fourier transforms (numpy.fft semantics) behind ember_ml.ops.");
  constexpr const char* kComplexOut = "complex EmberTensor of a's shape with the axis length replaced by n.";
  def_1d(m, "fft", fft::fft,
         doc_1d("One-dimensional discrete Fourier transform, X[k] = sum_j a[j] exp(-2 pi i j k / n) (numpy.fft.fft).",
                "transform length (crop or zero-pad a along axis), default the axis length.", kComplexOut));
  def_1d(m, "ifft", fft::ifft,
         doc_1d("Inverse of fft: a[j] = 1/n sum_k X[k] exp(2 pi i j k / n) (numpy.fft.ifft).",
                "transform length (crop or zero-pad a along axis), default the axis length.", kComplexOut));
  def_1d(m, "rfft", fft::rfft,
         doc_1d("Discrete Fourier transform of real input: the n // 2 + 1 non-negative frequency terms "
                "(numpy.fft.rfft).",
                "number of real input points (crop or zero-pad a along axis), default the axis length.",
                "complex EmberTensor of a's shape with the axis length replaced by n // 2 + 1."));
  def_1d(m, "irfft", fft::irfft,
         doc_1d("Inverse of rfft: n real points from the n // 2 + 1 non-negative frequency terms, taken as "
                "Hermitian-symmetric (the imaginary parts of the zero and Nyquist terms are ignored; "
                "numpy.fft.irfft).",
                "length of the real output, default 2 * (m - 1) for an input axis of length m; the first "
                "n // 2 + 1 input terms are read (zero-padded if fewer).",
                "real EmberTensor (float32 / float64; float16 for float16 input, as numpy) of a's shape "
                "with the axis length replaced by n."));
  const char* all_axes = "default the last len(s) axes, or every axis when s is None.";
  const char* last_two = "default (-2, -1).";
  const char* nd_complex = "complex EmberTensor; each transformed axis has its length from s.";
  const char* nd_rfft = "complex EmberTensor; the last transformed axis has length s[-1] // 2 + 1, the others s.";
  const char* nd_irfft =
      "real EmberTensor; the last transformed axis has length s[-1] (default 2 * (m - 1)), the others s.";
  const char* fftn_what = "N-dimensional discrete Fourier transform (numpy.fft.fftn).";
  const char* ifftn_what = "N-dimensional inverse discrete Fourier transform (numpy.fft.ifftn).";
  const char* rfftn_what = "N-dimensional discrete Fourier transform of real input (numpy.fft.rfftn).";
  const char* irfftn_what = "Inverse of rfftn, with real output (numpy.fft.irfftn).";
  def_nd(m, "fftn", fft::fftn, false, doc_nd(fftn_what, all_axes, nd_complex));
  def_nd(m, "ifftn", fft::ifftn, false, doc_nd(ifftn_what, all_axes, nd_complex));
  def_nd(m, "rfftn", fft::rfftn, false, doc_nd(rfftn_what, all_axes, nd_rfft));
  def_nd(m, "irfftn", fft::irfftn, false, doc_nd(irfftn_what, all_axes, nd_irfft));
  def_nd(m, "fft2", fft::fftn, true, doc_nd("2-D discrete Fourier transform (numpy.fft.fft2).", last_two, nd_complex));
  def_nd(m, "ifft2", fft::ifftn, true,
         doc_nd("2-D inverse discrete Fourier transform (numpy.fft.ifft2).", last_two, nd_complex));
  def_nd(m, "rfft2", fft::rfftn, true,
         doc_nd("2-D discrete Fourier transform of real input (numpy.fft.rfft2).", last_two, nd_rfft));
  def_nd(m, "irfft2", fft::irfftn, true,
         doc_nd("Inverse of rfft2, with real output (numpy.fft.irfft2).", last_two, nd_irfft));
}

}  // namespace ember::py_bind
