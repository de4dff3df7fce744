// Bindings of NumPy indexing keys, gather / scatter, nonzero, sorting, scans and
// order statistics.
#include <pybind11/stl.h>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"

namespace ember::py_bind {

namespace {

// An index array from a list, NumPy array, tensor or NumPy bool scalar.
Tensor index_array(py::handle h, Device device) {
  const bool is_sequence = py::isinstance<py::list>(h) || py::isinstance<py::tuple>(h);
  Tensor a = to_tensor(h, device, std::nullopt, "index");
  // An empty list has no integer to infer from, and NumPy reads it as an empty integer index.
  if (is_sequence && a.numel() == 0 && a.dtype() != DType::Bool) a = cast(a, DType::Int64);
  if (!is_integral(a.dtype()) && a.dtype() != DType::Bool) {
    index_error("index", "only integers, slices (':'), ellipsis ('...'), None and integer or boolean arrays are "
                "valid indices, got ", py::repr(h).cast<std::string>());
  }
  return a;
}

// x[idx] with the items of `args` as the key (one item: the item itself).
py::object key_of(const py::args& idx) { return idx.size() == 1 ? py::object(idx[0]) : py::object(idx); }

Tensor tensor_arg(py::handle x, const char* op) { return to_tensor(x, device_of({x}), std::nullopt, op); }

}  // namespace

bool parse_basic_item(py::handle h, IndexItem& it) {
  if (h.is_none()) {
    it.kind = IndexItem::Kind::NewAxis;
  } else if (h.ptr() == Py_Ellipsis) {
    it.kind = IndexItem::Kind::Ellipsis;
  } else if (PySlice_Check(h.ptr())) {
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(h.ptr(), &start, &stop, &step) < 0) {
      const py::error_already_set err;  // takes the Python error (zero step, bad types)
      value_error("index", "invalid slice: ", err.what());
    }
    it.kind = IndexItem::Kind::Slice;
    it.start = start;
    it.stop = stop;
    it.step = step;
  } else if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    it.kind = IndexItem::Kind::Int;
    it.index = parse_int(h, "index", "index");
  } else if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()) && !py::isinstance<py::array>(h) &&
             !py::isinstance<Tensor>(h)) {
    it.kind = IndexItem::Kind::Int;  // NumPy integer scalars and other __index__ objects
    it.index = parse_int(h, "index", "index");
  } else {
    return false;
  }
  return true;
}

std::vector<TensorIndex> parse_index(py::handle key, Device device) {
  std::vector<py::handle> parts;
  if (py::isinstance<py::tuple>(key)) {
    for (py::handle h : py::reinterpret_borrow<py::tuple>(key)) parts.push_back(h);
  } else {
    parts.push_back(key);
  }
  std::vector<TensorIndex> items;
  for (py::handle h : parts) {
    TensorIndex ti;
    if (!parse_basic_item(h, ti.item)) ti.array = index_array(h, device);
    items.push_back(ti);
  }
  return items;
}

void bind_indexing(py::module_& m) {
  m.def(
      "index", [](py::handle x, py::args idx) {
        const Tensor t = tensor_arg(x, "index");
        return index(t, parse_index(key_of(idx), t.device()));
      },
      py::arg("x"), R"doc(Function form of x[idx]: index(x, 0, [1, 2]) is x[0, [1, 2]].

NumPy indexing: ints, slices, ..., None, integer arrays and boolean masks. Basic keys
give a view; keys with arrays give a new tensor. Raises IndexError for out-of-range indices.)doc");
  m.def(
      "index_update",
      [](py::handle x, py::args idx, py::handle value) {
        const Tensor t = tensor_arg(x, "index_update");
        return index_update(t, parse_index(key_of(idx), t.device()),
                            to_tensor(value, t.device(), std::nullopt, "index_update"));
      },
      py::arg("x"), py::kw_only(), py::arg("value"),
      "A copy of x with x[idx] = value (value broadcasts and is cast to x's dtype); x is unchanged.");
  m.def(
      "slice_update",
      [](py::handle x, py::handle slices, py::handle updates) {
        const Tensor t = tensor_arg(x, "slice_update");
        const auto items = parse_index(slices, t.device());
        if (updates.is_none()) return copy(index(t, items));
        return index_update(t, items, to_tensor(updates, t.device(), std::nullopt, "slice_update"), "slice_update");
      },
      py::arg("x"), py::arg("slices"), py::arg("updates") = py::none(),
      R"doc(Reads or replaces x[slices] (any NumPy key), returning a new tensor.

Without updates: a copy of x[slices]. With updates: a copy of x whose x[slices] is
updates (broadcast, cast to x's dtype). x itself is never modified.)doc");
  m.def(
      "slice_tensor",
      [](py::handle x, py::handle starts, py::handle sizes) {
        const Tensor t = tensor_arg(x, "slice_tensor");
        const Shape st = parse_shape(starts, "slice_tensor"), sz = parse_shape(sizes, "slice_tensor");
        if (st.size() != sz.size() || static_cast<int>(st.size()) > t.ndim()) {
          value_error("slice_tensor", "starts and sizes need one entry per leading axis of the tensor of shape ",
                      shape_str(t.shape()), "; got ", st.size(), " starts and ", sz.size(), " sizes");
        }
        std::vector<IndexItem> items(st.size());
        for (std::size_t d = 0; d < st.size(); ++d) {
          const std::int64_t len = t.shape()[d];
          const std::int64_t stop = sz[d] == -1 ? len : st[d] + sz[d];
          if (st[d] < 0 || st[d] > len || sz[d] < -1 || stop > len) {
            value_error("slice_tensor", "slice [", st[d], ", ", stop, ") does not fit axis ", d, " of size ", len);
          }
          items[d].kind = IndexItem::Kind::Slice;
          items[d].start = st[d];
          items[d].stop = stop;
        }
        return copy(basic_index(t, items));
      },
      py::arg("x"), py::arg("starts"), py::arg("sizes"),
      "tf.slice: a copy of x[starts[i]:starts[i]+sizes[i], ...]; a size of -1 runs to the end of the axis.");
  m.def(
      "gather",
      [](py::handle x, py::handle indices, py::handle axis) {
        const Tensor t = tensor_arg(x, "gather");
        return gather(t, to_tensor(indices, t.device(), std::nullopt, "gather"), parse_int(axis, "gather", "axis"));
      },
      py::arg("x"), py::arg("indices"), py::arg("axis") = 0,
      "numpy.take(x, indices, axis): negative indices wrap; out of range raises IndexError.");
  m.def(
      "scatter",
      [](py::handle data, py::handle indices, py::handle dim_size, py::handle aggr, py::handle axis) {
        const char* op = "scatter";
        const Tensor t = tensor_arg(data, op);
        return scatter(t, to_tensor(indices, t.device(), std::nullopt, op), parse_optional_int(dim_size, op, "dim_size"),
                       parse_str(aggr, op, "aggr"), parse_int(axis, op, "axis"));
      },
      py::arg("data"), py::arg("indices"), py::arg("dim_size") = py::none(), py::arg("aggr") = "add",
      py::arg("axis") = 0, R"doc(Segment reduction of data along axis (torch_scatter style).

The result has dim_size rows along axis (default max(indices) + 1); row j aggregates the
slices i of data with indices[i] == j using aggr: 'add', 'max', 'min' or 'mean'. Rows that
no index points at are 0. indices: 1-D integers in [0, dim_size), one per slice. The
dtype is data's; an integer 'mean' truncates toward zero, and for bool data 'add' and
'mean' are a logical or. Raises ValueError (bad aggr or shapes), IndexError (indices).)doc");
  m.def(
      "tensor_scatter_nd_update",
      [](py::handle x, py::handle indices, py::handle updates) {
        const Tensor t = tensor_arg(x, "tensor_scatter_nd_update");
        return tensor_scatter_nd_update(t, to_tensor(indices, t.device(), std::nullopt, "tensor_scatter_nd_update"),
                                        to_tensor(updates, t.device(), std::nullopt, "tensor_scatter_nd_update"));
      },
      py::arg("x"), py::arg("indices"), py::arg("updates"), R"doc(tf.tensor_scatter_nd_update: a new tensor.

indices: integers of shape [..., K] (1 <= K <= x.ndim), each row addressing x[i0, ..., iK-1];
updates: shape indices.shape[:-1] + x.shape[K:], cast to x's dtype. Repeated rows: the last
wins. Negative indices wrap (TensorFlow raises). Raises ValueError / IndexError.)doc");
  m.def(
      "nonzero",
      [](py::handle x) {
        const auto parts = nonzero(tensor_arg(x, "nonzero"));
        py::tuple out(parts.size());
        for (std::size_t i = 0; i < parts.size(); ++i) out[i] = py::cast(parts[i]);
        return out;
      },
      py::arg("x"), "numpy.nonzero: a tuple of int64 index tensors, one per axis. ValueError for 0-d x.");

  m.def(
      "sort",
      [](py::handle x, py::handle axis, py::handle descending) {
        return sort(tensor_arg(x, "sort"), parse_int(axis, "sort", "axis"), parse_bool(descending, "sort", "descending"));
      },
      py::arg("x"), py::arg("axis") = -1, py::arg("descending") = false,
      "Stable sort along axis; NaNs go last in both directions. Same dtype and shape as x.");
  m.def(
      "argsort",
      [](py::handle x, py::handle axis, py::handle descending) {
        return argsort(tensor_arg(x, "argsort"), parse_int(axis, "argsort", "axis"),
                       parse_bool(descending, "argsort", "descending"));
      },
      py::arg("x"), py::arg("axis") = -1, py::arg("descending") = false,
      "int64 indices that stably sort x along axis (ties keep their order; NaNs last).");
  m.def(
      "cumsum", [](py::handle x, py::handle axis) { return cumsum(tensor_arg(x, "cumsum"), parse_axis(axis, "cumsum")); },
      py::arg("x"), py::arg("axis") = py::none(),
      "numpy.cumsum (axis None: flattened). bool and signed ints give int64, unsigned uint64.");
  m.def(
      "median",
      [](py::handle x, py::handle axis, py::handle keepdims) {
        return median(tensor_arg(x, "median"), parse_axes(axis, "median"), parse_bool(keepdims, "median", "keepdims"));
      },
      py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false,
      "numpy.median; integer and bool input give float32. A NaN in a reduced slice, or none, gives NaN.");
  m.def(
      "percentile",
      [](py::handle x, py::handle q, py::handle axis, py::handle keepdims_arg) {
        const bool keepdims = parse_bool(keepdims_arg, "percentile", "keepdims");
        const Tensor qt = contiguous(to_device(to_tensor(q, Device{}, DType::Float64, "percentile"), Device{}));
        if (qt.ndim() > 1) value_error("percentile", "q must be a scalar or 1-D, got shape ", shape_str(qt.shape()));
        const std::vector<double> qs(qt.data<double>(), qt.data<double>() + qt.numel());
        return percentile(tensor_arg(x, "percentile"), qs, qt.ndim() == 0, parse_axes(axis, "percentile"), keepdims);
      },
      py::arg("x"), py::arg("q"), py::arg("axis") = py::none(), py::arg("keepdims") = false,
      R"doc(numpy.percentile with the 'linear' method. q: a scalar or 1-D, in [0, 100].

A 1-D q puts a leading axis of len(q) on the result. Integer and bool input give float32.
A reduced slice holding a NaN, or no elements, gives NaN (NumPy raises IndexError when empty).
Raises ValueError for q outside [0, 100] or of more than one dimension.)doc");
}

}  // namespace ember::py_bind
