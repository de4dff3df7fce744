// Bindings of numpy's complex-part functions: real, imag, conj, angle.
#include "args.h"
#include "bindings.h"

namespace ember::py_bind {

namespace {

template <Tensor (*fn)(const Tensor&)>
void def_part(py::module_& m, const char* name, const char* doc) {
  m.def(
      name,
      [name](py::handle x) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, name);
        return release_gil_if(t.numel(), [&] { return fn(t); });
      },
      py::arg("x"), doc);
}

}  // namespace

void bind_complex(py::module_& m) {
  def_part<real>(m, "real", R"(The real part of x (numpy.real).

Args:
    x: EmberTensor or tensor-like of any shape and dtype.

Returns:
    EmberTensor of x's shape. For complex64 / complex128 input a float32 / float64
    *view* sharing x's memory (writing to it changes x, as numpy's ``x.real``); for
    real input x itself.

Raises:
    TypeError: x cannot be converted to a tensor (strings, arbitrary objects).
)");
  def_part<imag>(m, "imag", R"(The imaginary part of x (numpy.imag).

Args:
    x: EmberTensor or tensor-like of any shape and dtype.

Returns:
    EmberTensor of x's shape. For complex64 / complex128 input a float32 / float64
    view sharing x's memory; for real input zeros of x's dtype.

Raises:
    TypeError: x cannot be converted to a tensor (strings, arbitrary objects).
)");
  def_part<conj>(m, "conj", R"(The complex conjugate re - im*j of each element (numpy.conjugate).

Args:
    x: EmberTensor or tensor-like of any shape and dtype.

Returns:
    A new EmberTensor of x's shape and dtype; real input is copied unchanged, except
    bool, which becomes int8 as in numpy.

Raises:
    TypeError: x cannot be converted to a tensor (strings, arbitrary objects).
)");
  def_part<angle>(m, "angle", R"(The argument atan2(imag, real) of each element, in radians, in [-pi, pi] (numpy.angle).

Args:
    x: EmberTensor or tensor-like of any shape and dtype.

Returns:
    EmberTensor of x's shape: float32 for complex64 input, float64 for complex128.
    Real input is read as complex with zero imaginary part (0 for x >= +0, pi for
    x <= -0): float16 / float32 / float64 keep their dtype, integer and bool input
    gives float32 (numpy: float16 for 8-bit integers, float64 for wider ones).

Raises:
    TypeError: x cannot be converted to a tensor (strings, arbitrary objects).
)");
}

}  // namespace ember::py_bind
