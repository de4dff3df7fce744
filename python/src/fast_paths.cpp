#include "fast_paths.h"

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bindings.h"

namespace ember::py_bind::fast {

namespace {

// EmberTensor's pybind11 type record, when its instances use pybind11's simple layout
// (one bound C++ type, the holder stored in the instance), else nullptr.
const py::detail::type_info* simple_tensor_type() {
  static const py::detail::type_info* info = [] {
    const auto* i = py::detail::get_type_info(typeid(Tensor));
    const bool simple = py::detail::all_type_info(i->type).size() == 1 &&
                        i->holder_size_in_ptrs <= py::detail::instance_simple_holder_in_ptrs();
    return simple ? i : nullptr;
  }();
  return info;
}

}  // namespace

// pybind11's cast of a returned Tensor looks its type up by typeid twice, searches the
// registry of live instances for the pointer and adds the new one to it (a hash-map node
// allocated per object, erased again in the destructor): for a small op, more time than
// the op itself. Here the instance is made as pybind11_object_new and class_::init_instance
// make it, with the type looked up once per process, and is left out of the registry:
// the registry only serves casts of C++ pointers and references back to their Python
// object, and nothing hands out a pointer to a tensor that the fast paths create.
// pybind11's deallocator handles unregistered instances (clear_instance checks the flag).
PyObject* wrap(std::unique_ptr<Tensor> value) {
  const py::detail::type_info* info = simple_tensor_type();
  if (!info) return py::cast(std::move(*value), py::return_value_policy::move).release().ptr();
  PyObject* obj = info->type->tp_alloc(info->type, 0);
  if (!obj) throw py::error_already_set();
  auto* inst = reinterpret_cast<py::detail::instance*>(obj);
  inst->simple_layout = true;
  inst->simple_value_holder[0] = nullptr;
  inst->simple_holder_constructed = false;
  inst->simple_instance_registered = false;
  py::detail::value_and_holder v_h = inst->get_value_and_holder(info);
  v_h.value_ptr() = value.get();
  new (std::addressof(v_h.holder<std::unique_ptr<Tensor>>())) std::unique_ptr<Tensor>(std::move(value));
  v_h.set_holder_constructed();
  inst->owned = true;
  return obj;
}

namespace {

destructor general_dealloc = nullptr;

// tp_dealloc of EmberTensor. pybind11's deallocator finds the instance's type records
// through a hash map, guards the Python error state and takes the registry out of every
// instance; an instance that wrap() made needs only its holder destroyed and its memory
// freed. Every other instance (registered ones, subclasses, any with weak references or
// kept-alive patients) goes to pybind11's deallocator.
void dealloc(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  PyTypeObject* type = Py_TYPE(self);
  const py::detail::type_info* info = simple_tensor_type();
  if (!info || type != info->type || !inst->simple_layout || inst->simple_instance_registered ||
      !inst->simple_holder_constructed || inst->has_patients || inst->weakrefs) {
    general_dealloc(self);
    return;
  }
  {
    // A storage's release callback (memory borrowed through DLPack) may run Python code.
    py::error_scope keep_error;
    using Holder = std::unique_ptr<Tensor>;
    inst->get_value_and_holder(info).holder<Holder>().~Holder();
  }
  type->tp_free(self);
  Py_DECREF(type);  // heap types are referenced by their instances
}

}  // namespace

void install_dealloc(PyTypeObject* type) {
  // Types with a __dict__ or cyclic GC need pybind11's own clean-up of those.
  if (type->tp_dictoffset != 0 || PyType_HasFeature(type, Py_TPFLAGS_HAVE_GC)) return;
  general_dealloc = type->tp_dealloc;
  type->tp_dealloc = &dealloc;
}

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
    const std::int64_t numel = std::max(a->numel(), o.numel());
    return wrap_result([&] { return release_gil_if(numel, [&] { return fns[op](*a, o); }); });
  });
}

// mp_subscript: x[key] for keys made only of basic items; others (integer arrays,
// masks) go to __getitem__ through the generic slot.
binaryfunc general_getitem = nullptr;

// The list of a key's items is kept from call to call: allocating it costs a tenth of
// x[1:3]. The GIL is held throughout, and a call nested inside (from a key's __index__)
// finds the list in use and makes its own.
std::vector<IndexItem> spare_items;
bool spare_in_use = false;

PyObject* getitem(PyObject* self, PyObject* key) {
  const Tensor* x = as_tensor(self);
  if (!x) return general_getitem(self, key);
  std::vector<IndexItem> own;
  std::vector<IndexItem>& items = spare_in_use ? own : spare_items;
  const bool spare = !spare_in_use;
  spare_in_use = true;
  PyObject* result = guarded([&]() -> PyObject* {
    items.resize(PyTuple_Check(key) ? static_cast<std::size_t>(PyTuple_GET_SIZE(key)) : 1);
    for (std::size_t i = 0; i < items.size(); ++i) {
      items[i] = IndexItem{};
      PyObject* item = PyTuple_Check(key) ? PyTuple_GET_ITEM(key, static_cast<Py_ssize_t>(i)) : key;
      if (!parse_basic_item(item, items[i])) return nullptr;
    }
    return wrap_result([&] { return basic_index(*x, items); });
  });
  if (spare) spare_in_use = false;
  // nullptr without an error set: a key that is not basic (integer arrays, masks).
  if (!result && !PyErr_Occurred()) return general_getitem(self, key);
  return result;
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
