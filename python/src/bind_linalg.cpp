// Bindings of the front-end linear algebra as ember_ml._core.linalg; the documented
// Python surface is ember_ml.ops.linearalg.
#include <pybind11/stl.h>

#include <cmath>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"
#include "ember/linalg.h"

namespace ember::py_bind {

namespace {

Tensor arg(py::handle x, const char* op) { return to_tensor(x, device_of({x}), std::nullopt, op); }

// None, a number (inf allowed), 'fro' or 'nuc'.
linalg::NormOrd parse_ord(py::handle ord) {
  using Kind = linalg::NormOrd::Kind;
  if (ord.is_none()) return {};
  if (py::isinstance<py::str>(ord)) {
    const auto s = ord.cast<std::string>();
    if (s == "fro") return {Kind::Fro, 0.0};
    if (s == "nuc") return {Kind::Nuc, 0.0};
    value_error("norm", "invalid norm order '", s, "'; expected a number, 'fro' or 'nuc'");
  }
  const Scalar v = parse_scalar(ord, "norm");
  return {Kind::Number, v.f};
}

}  // namespace

void bind_linalg(py::module_& root) {
  py::module_ m = root.def_submodule("linalg", "Linear algebra kernels behind ember_ml.ops.linearalg.");
  m.def(
      "solve",
      [](py::handle a, py::handle b) {
        auto [ta, tb] = tensor_pair(a, b, "solve");
        return release_gil_if(ta.numel(), [&] { return linalg::solve(ta, tb); });
      },
      py::arg("a"), py::arg("b"));
  m.def(
      "inv", [](py::handle a) { const Tensor t = arg(a, "inv"); return release_gil_if(t.numel(), [&] { return linalg::inv(t); }); },
      py::arg("a"));
  m.def(
      "det", [](py::handle a) { const Tensor t = arg(a, "det"); return release_gil_if(t.numel(), [&] { return linalg::det(t); }); },
      py::arg("a"));
  m.def(
      "cholesky",
      [](py::handle a) {
        const Tensor t = arg(a, "cholesky");
        return release_gil_if(t.numel(), [&] { return linalg::cholesky(t); });
      },
      py::arg("a"));
  m.def(
      "eigh",
      [](py::handle a) {
        const Tensor t = arg(a, "eigh");
        const auto r = release_gil_if(t.numel(), [&] { return linalg::eigh(t); });
        return py::make_tuple(r.eigenvalues, r.eigenvectors);
      },
      py::arg("a"));
  m.def(
      "eig",
      [](py::handle a) {
        const Tensor t = arg(a, "eig");
        const auto r = release_gil_if(t.numel(), [&] { return linalg::eig(t); });
        return py::make_tuple(r.eigenvalues, r.eigenvectors);
      },
      py::arg("a"));
  m.def(
      "eigvals",
      [](py::handle a) {
        const Tensor t = arg(a, "eigvals");
        return release_gil_if(t.numel(), [&] { return linalg::eigvals(t); });
      },
      py::arg("a"));
  m.def(
      "svd",
      [](py::handle a, py::handle full_matrices_arg, py::handle compute_uv_arg) -> py::object {
        const Tensor t = arg(a, "svd");
        const bool full_matrices = parse_bool(full_matrices_arg, "svd", "full_matrices");
        const bool compute_uv = parse_bool(compute_uv_arg, "svd", "compute_uv");
        const auto r = release_gil_if(t.numel(), [&] { return linalg::svd(t, full_matrices, compute_uv); });
        if (!compute_uv) return py::cast(r.s);
        return py::make_tuple(r.u, r.s, r.vh);
      },
      py::arg("a"), py::arg("full_matrices") = true, py::arg("compute_uv") = true);
  m.def(
      "qr",
      [](py::handle a, py::handle mode) -> py::object {
        const Tensor t = arg(a, "qr");
        const std::string m = parse_str(mode, "qr", "mode");
        const auto r = release_gil_if(t.numel(), [&] { return linalg::qr(t, m); });
        if (!r.q.defined()) return py::cast(r.r);
        return py::make_tuple(r.q, r.r);
      },
      py::arg("a"), py::arg("mode") = "reduced");
  m.def(
      "lstsq",
      [](py::handle a, py::handle b, py::handle rcond) {
        auto [ta, tb] = tensor_pair(a, b, "lstsq");
        std::optional<double> rc;
        if (!rcond.is_none()) rc = parse_float(rcond, "lstsq", "rcond");
        const auto r = release_gil_if(ta.numel(), [&] { return linalg::lstsq(ta, tb, rc); });
        return py::make_tuple(r.x, r.residuals, r.rank, r.s);
      },
      py::arg("a"), py::arg("b"), py::arg("rcond") = py::none());
  m.def(
      "norm",
      [](py::handle x, py::handle ord, py::handle axis, py::handle keepdims_arg) {
        const bool keepdims = parse_bool(keepdims_arg, "norm", "keepdims");
        const Tensor t = arg(x, "norm");
        const auto o = parse_ord(ord);
        const Axes axes = axis.is_none() ? Axes{} : Axes{parse_int_list(axis, "norm", "shape")};
        return release_gil_if(t.numel(), [&] { return linalg::norm(t, o, axes, keepdims); });
      },
      py::arg("x"), py::arg("ord") = py::none(), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  m.def(
      "diag", [](py::handle x, py::handle k) { return linalg::diag(arg(x, "diag"), parse_int(k, "diag", "k")); },
      py::arg("x"),
      py::arg("k") = 0);
  m.def(
      "diagonal",
      [](py::handle x, py::handle offset, py::handle axis1, py::handle axis2) {
        const char* op = "diagonal";
        return linalg::diagonal(arg(x, op), parse_int(offset, op, "offset"), parse_int(axis1, op, "axis1"),
                                parse_int(axis2, op, "axis2"));
      },
      py::arg("x"), py::arg("offset") = 0, py::arg("axis1") = 0, py::arg("axis2") = 1);
  m.def(
      "orthogonal",
      [](py::handle shape, py::handle gain_arg, py::handle dtype, py::handle device, py::handle seed_arg) {
        const Shape s = parse_new_shape(shape, "orthogonal");
        const double gain = parse_float(gain_arg, "orthogonal", "gain");
        const auto seed_value = parse_optional_int(seed_arg, "orthogonal", "seed");
        if (seed_value && *seed_value < 0) value_error("orthogonal", "seed must be non-negative, got ", *seed_value);
        const auto seed = seed_value ? std::optional<std::uint64_t>(*seed_value) : std::nullopt;
        const DType d = parse_dtype(dtype, "orthogonal").value_or(default_dtype(DTypeKind::Float));
        const Device dev = device.is_none() ? default_device() : Device::parse(py::str(device).cast<std::string>());
        return linalg::orthogonal(s, gain, d, dev, seed);
      },
      py::arg("shape"), py::arg("gain") = 1.0, py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("seed") = py::none());
}

}  // namespace ember::py_bind
