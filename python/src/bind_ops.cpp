// Bindings of the front-end ops as functions of ember_ml._core.
#include <pybind11/stl.h>

#include <deque>
#include <mutex>
#include <string>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"
#include "fast_paths.h"

namespace ember::py_bind {

namespace {

Device parse_device(py::handle device) {
  if (device.is_none()) return default_device();
  return Device::parse(py::str(device).cast<std::string>());
}

DType dtype_or(py::handle dtype, DType fallback, const char* op) { return parse_dtype(dtype, op).value_or(fallback); }

// Creation functions infer a dtype from a fill value the way Python scalars convert.
DType dtype_for_scalar(const Scalar& s) { return default_dtype(s.kind); }

// Full Google-style docstrings for the op families; pybind keeps the char pointers, so
// the strings live for the whole process.
const char* keep(std::string doc) {
  static std::deque<std::string> docs;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  return docs.emplace_back(std::move(doc)).c_str();
}

const char* unary_doc(const char* summary) {
  return keep(std::string(summary) + R"(

Args:
    x: EmberTensor or tensor-like (NumPy array, nested sequence, Python scalar), any shape.

Returns:
    EmberTensor of x's shape, on x's device; dtype as described above.

Raises:
    TypeError: x's dtype is not supported by this op (the message names it).
)");
}

const char* binary_doc(const char* summary) {
  return keep(std::string(summary) + R"(

Args:
    x: EmberTensor or tensor-like (NumPy array, nested sequence, Python scalar).
    y: EmberTensor or tensor-like. x and y broadcast with NumPy's rules.

Returns:
    EmberTensor of the broadcast shape, on the device of the tensor operands. Unless
    stated above, its dtype is NumPy's promotion of x and y (numpy.promote_types), with
    Python scalars weak: they adopt the tensor's dtype when of the same kind.

Raises:
    ValueError: the shapes do not broadcast, or the tensors are on different devices.
    TypeError: the promoted dtype is not supported by this op.
)");
}

const char* reduce_doc(const char* summary) {
  return keep(std::string(summary) + R"(

Args:
    x: EmberTensor or tensor-like of any shape.
    axis: int, sequence of ints (negative counts from the end) or None for every axis.
    keepdims: keep reduced axes with size 1.

Returns:
    EmberTensor of x's shape without (or with size-1) reduced axes.

Raises:
    IndexError: an axis is out of range.
    ValueError: a repeated axis.
)");
}

// The general binding (any argument form, keywords) behind a fast path for tensors
// (fast_paths.h).
template <UnaryFn fn>
void def_unary(py::module_& m, const char* name, const char* summary) {
  const char* doc = unary_doc(summary);
  m.def(
      name,
      [name](py::handle x) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, name);
        return release_gil_if(t.numel(), [&] { return fn(t); });
      },
      py::arg("x"), doc);
  fast::replace_function(m, name, "(x)", doc, &fast::unary_call<fn>);
}

template <BinaryFn fn>
void def_binary(py::module_& m, const char* name, const char* summary) {
  const char* doc = binary_doc(summary);
  m.def(
      name,
      [name](py::handle x, py::handle y) {
        auto [a, b] = tensor_pair(x, y, name);
        return release_gil_if(std::max(a.numel(), b.numel()), [&] { return fn(a, b); });
      },
      py::arg("x"), py::arg("y"), doc);
  fast::replace_function(m, name, "(x, y)", doc, &fast::binary_call<fn>);
}

using ReduceFn = Tensor (*)(const Tensor&, const Axes&, bool);
template <ReduceFn fn>
void def_reduce(py::module_& m, const char* name, const char* doc) {
  m.def(
      name,
      [name](py::handle x, py::handle axis, py::handle keepdims_arg) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, name);
        const Axes axes = parse_axes(axis, name);
        const bool keepdims = parse_bool(keepdims_arg, name, "keepdims");
        return release_gil_if(t.numel(), [&] { return fn(t, axes, keepdims); });
      },
      py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false, reduce_doc(doc));
}

}  // namespace

void bind_ops(py::module_& m) {
  // ---- elementwise (ember/op_list.h) ------------------------------------------------
#define EMBER_BIND_UNARY(name, kind, doc) def_unary<name>(m, #name, doc);
#define EMBER_BIND_BINARY(name, kind, doc) def_binary<name>(m, #name, doc);
  EMBER_UNARY_OPS(EMBER_BIND_UNARY)
  EMBER_BINARY_OPS(EMBER_BIND_BINARY)
#undef EMBER_BIND_UNARY
#undef EMBER_BIND_BINARY
  def_binary<power>(m, "pow", "Alias of power.");
  def_binary<matmul>(m, "matmul", "numpy.matmul: batched matrix product with broadcast batch axes.");
  def_binary<dot>(m, "dot", "numpy.dot: inner product / matrix product / sum over last and second-to-last axes.");

  m.def(
      "where",
      [](py::handle condition, py::handle x, py::handle y) {
        const Device d = device_of({condition, x, y});
        return where(to_tensor(condition, d, std::nullopt, "where"), to_operand(x, d, "where"),
                     to_operand(y, d, "where"));
      },
      py::arg("condition"), py::arg("x"), py::arg("y"), "Elementwise x where condition else y (broadcast).");
  m.def(
      "clip",
      [](py::handle x, py::handle min_val, py::handle max_val) {
        const Device d = device_of({x, min_val, max_val});
        const Tensor t = to_tensor(x, d, std::nullopt, "clip");
        const Tensor lo = min_val.is_none() ? Tensor() : to_operand(min_val, d, "clip");
        const Tensor hi = max_val.is_none() ? Tensor() : to_operand(max_val, d, "clip");
        return clip(t, lo, hi);
      },
      py::arg("x"), py::arg("min_val") = py::none(), py::arg("max_val") = py::none(),
      "Limits x to [min_val, max_val] (either may be None). ValueError when both are None.");
  m.def(
      "isclose",
      [](py::handle x, py::handle y, py::handle rtol, py::handle atol, py::handle equal_nan) {
        const char* op = "isclose";
        auto [a, b] = tensor_pair(x, y, op);
        return isclose(a, b, parse_float(rtol, op, "rtol"), parse_float(atol, op, "atol"),
                       parse_bool(equal_nan, op, "equal_nan"));
      },
      py::arg("x"), py::arg("y"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false,
      "Elementwise |x - y| <= atol + rtol * |y| (numpy.isclose); bool result.");
  m.def(
      "allclose",
      [](py::handle x, py::handle y, py::handle rtol, py::handle atol, py::handle equal_nan) {
        const char* op = "allclose";
        auto [a, b] = tensor_pair(x, y, op);
        return allclose(a, b, parse_float(rtol, op, "rtol"), parse_float(atol, op, "atol"),
                        parse_bool(equal_nan, op, "equal_nan"));
      },
      py::arg("x"), py::arg("y"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false,
      "True when isclose holds everywhere (a Python bool).");

  // ---- reductions --------------------------------------------------------------------
  m.def(
      "sum",
      [](py::handle x, py::handle axis, py::handle keepdims_arg, py::handle dtype) {
        const bool keepdims = parse_bool(keepdims_arg, "sum", "keepdims");
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "sum");
        const Axes axes = parse_axes(axis, "sum");
        const auto d = parse_dtype(dtype, "sum");
        return release_gil_if(t.numel(), [&] { return sum(t, axes, keepdims, d); });
      },
      py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false, py::arg("dtype") = py::none(),
      "Sum over axis (int, sequence or None). Bool/int inputs accumulate in int64 (uint64 for unsigned).");
  m.def(
      "mean",
      [](py::handle x, py::handle axis, py::handle keepdims_arg, py::handle dtype) {
        const bool keepdims = parse_bool(keepdims_arg, "mean", "keepdims");
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "mean");
        const Axes axes = parse_axes(axis, "mean");
        const auto d = parse_dtype(dtype, "mean");
        return release_gil_if(t.numel(), [&] { return mean(t, axes, keepdims, d); });
      },
      py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false, py::arg("dtype") = py::none(),
      "Arithmetic mean over axis; integer input gives float32.");
  for (const char* name : {"var", "std"}) {
    const bool is_var = std::string(name) == "var";
    m.def(
        name,
        [is_var, name](py::handle x, py::handle axis, py::handle keepdims_arg, py::handle ddof_arg) {
          const bool keepdims = parse_bool(keepdims_arg, name, "keepdims");
          const double ddof = parse_float(ddof_arg, name, "ddof");
          const Tensor t = to_tensor(x, device_of({x}), std::nullopt, name);
          const Axes axes = parse_axes(axis, name);
          return release_gil_if(t.numel(), [&] { return is_var ? var(t, axes, keepdims, ddof) : std(t, axes, keepdims, ddof); });
        },
        py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false, py::arg("ddof") = 0,
        is_var ? "Variance sum((x - mean)^2) / (N - ddof), two-pass (numpy.var)." : "Standard deviation sqrt(var).");
  }
  def_reduce<prod>(m, "prod", "Product over axis; bool/int inputs accumulate in 64-bit integers.");
  def_reduce<max>(m, "max", "Maximum over axis (NaN propagates). ValueError for an empty reduction.");
  def_reduce<min>(m, "min", "Minimum over axis (NaN propagates). ValueError for an empty reduction.");
  def_reduce<all>(m, "all", "True where every element along axis is nonzero; bool result.");
  def_reduce<any>(m, "any", "True where any element along axis is nonzero; bool result.");
  for (const char* name : {"argmax", "argmin"}) {
    const bool is_max = std::string(name) == "argmax";
    m.def(
        name,
        [is_max, name](py::handle x, py::handle axis, py::handle keepdims_arg) {
          const bool keepdims = parse_bool(keepdims_arg, name, "keepdims");
          const Tensor t = to_tensor(x, device_of({x}), std::nullopt, name);
          const auto a = parse_axis(axis, name);
          return release_gil_if(t.numel(), [&] { return is_max ? argmax(t, a, keepdims) : argmin(t, a, keepdims); });
        },
        py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false,
        "Index (int64) of the first extreme value along axis (None: of the flattened tensor).");
  }

  // ---- creation ------------------------------------------------------------------------
  m.def(
      "full",
      [](py::handle shape, py::handle fill_value, py::handle dtype, py::handle device) {
        const Scalar v = parse_scalar(fill_value, "full");
        return full(parse_new_shape(shape, "full"), v, dtype_or(dtype, dtype_for_scalar(v), "full"), parse_device(device));
      },
      py::arg("shape"), py::arg("fill_value"), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      "A tensor of `shape` filled with fill_value; dtype defaults from the value (float32, int32, bool).");
  for (const char* name : {"zeros", "ones"}) {
    const bool is_zeros = std::string(name) == "zeros";
    m.def(
        name,
        [is_zeros, name](py::handle shape, py::handle dtype, py::handle device) {
          const Shape s = parse_new_shape(shape, name);
          const DType d = dtype_or(dtype, DType::Float32, name);
          return is_zeros ? zeros(s, d, parse_device(device)) : ones(s, d, parse_device(device));
        },
        py::arg("shape"), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        is_zeros ? "A tensor of zeros (default float32)." : "A tensor of ones (default float32).");
  }
  m.def(
      "eye",
      [](py::handle n_arg, py::handle m_arg, py::handle k, py::handle dtype, py::handle device) {
        const std::int64_t n = parse_int(n_arg, "eye", "n");
        return eye(n, parse_optional_int(m_arg, "eye", "m").value_or(n), parse_int(k, "eye", "k"),
                   dtype_or(dtype, DType::Float32, "eye"), parse_device(device));
      },
      py::arg("n"), py::arg("m") = py::none(), py::arg("k") = 0, py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), "An (n, m) tensor with ones on the k-th diagonal (default float32).");
  m.def(
      "arange",
      [](py::handle start, py::handle stop, py::handle step, py::handle dtype, py::handle device) {
        Scalar a = parse_scalar(start, "arange");
        Scalar b = stop.is_none() ? a : parse_scalar(stop, "arange");
        if (stop.is_none()) a = Scalar::from_int(0);
        const Scalar s = parse_scalar(step, "arange");
        for (const Scalar& v : {a, b, s}) {
          if (v.kind == DTypeKind::Complex) type_error("arange", "complex arguments are not supported");
        }
        const bool all_int = a.kind != DTypeKind::Float && b.kind != DTypeKind::Float && s.kind != DTypeKind::Float;
        const DType d = dtype_or(dtype, all_int ? DType::Int32 : DType::Float32, "arange");
        return arange(a.f, b.f, s.f, d, parse_device(device));
      },
      py::arg("start"), py::arg("stop") = py::none(), py::arg("step") = 1, py::arg("dtype") = py::none(),
      py::arg("device") = py::none(),
      "Values start, start+step, ... below stop (numpy.arange); int32 for integer arguments, else float32.");
  m.def(
      "linspace",
      [](py::handle start, py::handle stop, py::handle num, py::handle endpoint, py::handle dtype, py::handle device) {
        const char* op = "linspace";
        return linspace(parse_float(start, op, "start"), parse_float(stop, op, "stop"), parse_int(num, op, "num"),
                        parse_bool(endpoint, op, "endpoint"), dtype_or(dtype, DType::Float32, op), parse_device(device));
      },
      py::arg("start"), py::arg("stop"), py::arg("num") = 50, py::arg("endpoint") = true,
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      "num evenly spaced values over [start, stop] (numpy.linspace); default float32.");

  // ---- copies, casts --------------------------------------------------------------------------
  m.def(
      "cast",
      [](py::handle x, py::handle dtype) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "cast");
        const auto d = parse_dtype(dtype, "cast");
        if (!d) type_error("cast", "dtype must not be None");
        return release_gil_if(t.numel(), [&] { return cast(t, *d); });
      },
      py::arg("x"), py::arg("dtype"), "A copy of x converted to dtype (floats to ints truncate; NaN gives 0).");
  m.def(
      "copy",
      [](py::handle x) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "copy");
        return release_gil_if(t.numel(), [&] { return copy(t); });
      },
      py::arg("x"), "A contiguous copy of x with the same dtype.");

  // ---- shape manipulation ------------------------------------------------------------------
  m.def(
      "reshape",
      [](py::handle x, py::handle shape) {
        return reshape(to_tensor(x, device_of({x}), std::nullopt, "reshape"), parse_shape(shape, "reshape"));
      },
      py::arg("x"), py::arg("shape"), "x with a new shape (one -1 inferred); a view when the layout allows.");
  m.def(
      "transpose",
      [](py::handle x, py::handle axes) {
        const auto a = axes.is_none() ? std::nullopt : parse_axes(axes, "transpose");
        return transpose(to_tensor(x, device_of({x}), std::nullopt, "transpose"), a);
      },
      py::arg("x"), py::arg("axes") = py::none(), "Permutes axes (default: reverses them); a view.");
  m.def(
      "expand_dims",
      [](py::handle x, py::handle axis) {
        return expand_dims(to_tensor(x, device_of({x}), std::nullopt, "expand_dims"), parse_int(axis, "expand_dims", "axis"));
      },
      py::arg("x"), py::arg("axis"), "Inserts a size-1 axis at `axis`; a view.");
  m.def(
      "squeeze",
      [](py::handle x, py::handle axis) {
        return squeeze(to_tensor(x, device_of({x}), std::nullopt, "squeeze"), parse_axes(axis, "squeeze"));
      },
      py::arg("x"), py::arg("axis") = py::none(), "Removes size-1 axes (all, or those named); a view.");
  m.def(
      "broadcast_to",
      [](py::handle x, py::handle shape) {
        return broadcast_to(to_tensor(x, device_of({x}), std::nullopt, "broadcast_to"), parse_shape(shape, "broadcast_to"));
      },
      py::arg("x"), py::arg("shape"), "A read-only broadcast view of x with `shape`.");
  m.def(
      "concatenate",
      [](py::handle xs, py::handle axis) {
        return concatenate(parse_tensor_list(xs, "concatenate"), parse_int(axis, "concatenate", "axis"));
      },
      py::arg("xs"), py::arg("axis") = 0, "Joins tensors along an existing axis (dtypes promote).");
  m.def(
      "stack",
      [](py::handle xs, py::handle axis) { return stack(parse_tensor_list(xs, "stack"), parse_int(axis, "stack", "axis")); },
      py::arg("xs"), py::arg("axis") = 0, "Joins same-shaped tensors along a new axis.");
  m.def(
      "vstack", [](py::handle xs) { return vstack(parse_tensor_list(xs, "vstack")); }, py::arg("xs"),
      "Stacks tensors row-wise (numpy.vstack).");
  m.def(
      "hstack", [](py::handle xs) { return hstack(parse_tensor_list(xs, "hstack")); }, py::arg("xs"),
      "Stacks tensors column-wise (numpy.hstack).");
  m.def(
      "split",
      [](py::handle x, py::handle num_or_size_splits, py::handle axis_arg) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "split");
        const std::int64_t axis = parse_int(axis_arg, "split", "axis");
        // A 0-d integer tensor / array counts as the number of parts, as an int does.
        const Tensor* parts = as_tensor(num_or_size_splits);
        const bool scalar = parts ? parts->ndim() == 0
                                  : PyIndex_Check(num_or_size_splits.ptr()) &&
                                        (!py::isinstance<py::array>(num_or_size_splits) ||
                                         num_or_size_splits.attr("ndim").cast<int>() == 0);
        if (scalar) return split_equal(t, parse_int(num_or_size_splits, "split", "num_or_size_splits"), axis);
        return split(t, parse_int_list(num_or_size_splits, "split", "shape"), axis);
      },
      py::arg("x"), py::arg("num_or_size_splits"), py::arg("axis") = 0,
      "Splits x along axis: an int gives that many equal parts, a list gives parts of those sizes. Views.");
  m.def(
      "tile",
      [](py::handle x, py::handle reps) {
        return tile(to_tensor(x, device_of({x}), std::nullopt, "tile"), parse_int_list(reps, "tile", "shape"));
      },
      py::arg("x"), py::arg("reps"), "Repeats x reps[i] times along each axis (numpy.tile).");
  m.def(
      "pad",
      [](py::handle x, py::handle paddings, py::handle mode, py::handle constant_values) {
        const Tensor t = to_tensor(x, device_of({x}), std::nullopt, "pad");
        return pad(t, parse_int_pairs(paddings, "pad", "paddings"), parse_str(mode, "pad", "mode"),
                   parse_scalar(constant_values, "pad"));
      },
      py::arg("x"), py::arg("paddings"), py::arg("mode") = "constant", py::arg("constant_values") = 0,
      "Pads x with (before, after) per axis; mode constant | reflect | symmetric | edge (numpy.pad).");
  m.def(
      "meshgrid",
      [](py::args xs, py::handle indexing) {
        return meshgrid(parse_tensor_list(xs, "meshgrid"), parse_str(indexing, "meshgrid", "indexing"));
      },
      py::arg("indexing") = "xy", "Coordinate grids from 1-D tensors (numpy.meshgrid, indexing 'xy' or 'ij').");
}

}  // namespace ember::py_bind
