#include "fast_paths.h"

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "bindings.h"

namespace ember::py_bind::fast {

PyObject* wrap(Tensor&& t) { return py::cast(std::move(t), py::return_value_policy::move).release().ptr(); }

PyObject* call_general(PyObject* general, PyObject* const* args, Py_ssize_t nargs) {
  return PyObject_Vectorcall(general, args, static_cast<std::size_t>(nargs), nullptr);
}

PyObject* call_method(PyObject* self, PyObject* method, PyObject* other) {
  PyObject* args[] = {self, other};
  return PyObject_VectorcallMethod(method, args, 2, nullptr);
}

namespace {

// One replaced function: its method definition (CPython keeps the pointer) and the fast
// path. Entries live for the whole process in a deque, whose elements never move.
struct Replacement {
  PyMethodDef def{};
  std::string name, doc;
  FastCall fast = nullptr;
};

std::deque<Replacement>& replacements() {
  static std::deque<Replacement> r;
  return r;
}

// The METH_FASTCALL entry of every replaced function; self is the tuple (general
// function, index of its Replacement). Keyword calls always take the general path.
PyObject* dispatch(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  PyObject* general = PyTuple_GET_ITEM(self, 0);
  if (kwnames && PyTuple_GET_SIZE(kwnames) > 0) {
    return PyObject_Vectorcall(general, args, static_cast<std::size_t>(nargs), kwnames);
  }
  const auto index = PyLong_AsSize_t(PyTuple_GET_ITEM(self, 1));
  const Replacement& r = replacements()[index];
  return r.fast(general, r.name.c_str(), args, nargs);
}

}  // namespace

void replace_function(py::module_& m, const char* name, const char* signature, const char* doc, FastCall fast) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  py::object general = m.attr(name);
  auto& r = replacements().emplace_back();
  r.name = name;
  // "add(x, y)\n--\n\n" gives the function a __text_signature__ (inspect.signature works).
  r.doc = std::string(name) + signature + "\n--\n\n" + doc;
  r.fast = fast;
  r.def = PyMethodDef{r.name.c_str(), reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&dispatch)),
                      METH_FASTCALL | METH_KEYWORDS, r.doc.c_str()};
  const py::tuple self = py::make_tuple(general, replacements().size() - 1);
  PyObject* fn = PyCFunction_NewEx(&r.def, self.ptr(), m.attr("__name__").ptr());
  if (!fn) throw py::error_already_set();
  m.attr(name) = py::reinterpret_steal<py::object>(fn);
}

namespace {

// tp_richcompare: the comparisons EmberTensor binds as __lt__ ... __ge__ (via the
// generic slot that looks them up, kept as the general path).
richcmpfunc general_richcompare = nullptr;

PyObject* richcompare(PyObject* self, PyObject* other, int op) {
  const Tensor* a = as_tensor(self);
  const Tensor* b = as_tensor(other);
  if (!a || (!b && !is_python_number(other))) return general_richcompare(self, other, op);
  static constexpr BinaryFn fns[] = {&less, &less_equal, &equal, &not_equal, &greater, &greater_equal};
  static constexpr const char* names[] = {"less", "less_equal", "equal", "not_equal", "greater", "greater_equal"};
  return guarded([&] {
    const Tensor o = b ? *b : to_operand(other, a->device(), names[op]);
    return wrap(release_gil_if(std::max(a->numel(), o.numel()), [&] { return fns[op](*a, o); }));
  });
}

// mp_subscript: x[key] for keys made only of basic items; others (integer arrays,
// masks) go to __getitem__ through the generic slot.
binaryfunc general_getitem = nullptr;

PyObject* getitem(PyObject* self, PyObject* key) {
  const Tensor* x = as_tensor(self);
  if (!x) return general_getitem(self, key);
  return guarded([&]() -> PyObject* {
    std::vector<IndexItem> items;
    if (PyTuple_Check(key)) {
      const Py_ssize_t n = PyTuple_GET_SIZE(key);
      items.resize(static_cast<std::size_t>(n));
      for (Py_ssize_t i = 0; i < n; ++i) {
        if (!parse_basic_item(PyTuple_GET_ITEM(key, i), items[i])) return general_getitem(self, key);
      }
    } else {
      items.resize(1);
      if (!parse_basic_item(key, items[0])) return general_getitem(self, key);
    }
    return wrap(basic_index(*x, items));
  });
}

}  // namespace

void install_richcompare(PyTypeObject* type) {
  general_richcompare = type->tp_richcompare;
  type->tp_richcompare = &richcompare;
}

void install_getitem(PyTypeObject* type) {
  general_getitem = type->tp_as_mapping->mp_subscript;
  type->tp_as_mapping->mp_subscript = &getitem;
}

}  // namespace ember::py_bind::fast
