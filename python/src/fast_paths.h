// Fast entry points for the calls model code makes thousands of times on small tensors:
// the elementwise functions of ember_ml._core (ops.add(a, b), ops.exp(x)), EmberTensor's
// arithmetic operators and comparisons (a + b, a < 0.5) and x[key] with basic keys.
//
// pybind11 reaches a bound function through its generic dispatcher, and a Python
// operator on a class through the type's generic slot (look up __add__, make a bound
// method, dispatch): together more time than a small op itself. Each fast path takes
// the common argument forms (tensors, and Python numbers beside a tensor) straight from
// the CPython call and hands every other form to the general pybind11 binding, which
// stays the reference the fast path is tested against (tests_py/test_fast_paths.py).
#pragma once

#include <memory>
#include <utility>

#include "args.h"

namespace ember::py_bind {

using UnaryFn = Tensor (*)(const Tensor&);
using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

namespace fast {

// The new Python object holding `value` (an EmberTensor that pybind11's registry of
// instances does not list: see fast_paths.cpp).
PyObject* wrap(std::unique_ptr<Tensor> value);

// wrap() of the tensor make() returns, which is built straight on the heap: moving a
// Tensor there and destroying the original would cost a tenth of a small op.
template <class Make>
PyObject* wrap_result(Make&& make) {
  return wrap(std::unique_ptr<Tensor>(new Tensor(make())));
}

// Runs body (which returns a new reference) and turns a C++ exception into the Python
// exception pybind11 would raise for it (nullptr returned, error set).
template <class Body>
PyObject* guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}

// Replaces the function `name` of m by a METH_FASTCALL function whose positional calls
// go to `fast(general, name, args, nargs)`, and keyword calls to `general` (the pybind11
// function); `fast` calls `general` itself for the forms it does not take.
using FastCall = PyObject* (*)(PyObject* general, const char* name, PyObject* const* args, Py_ssize_t nargs);
void replace_function(py::module_& m, const char* name, const char* signature, const char* doc, FastCall fast);

// Calls the general binding with the original arguments.
PyObject* call_general(PyObject* general, PyObject* const* args, Py_ssize_t nargs);

template <UnaryFn fn>
PyObject* unary_call(PyObject* general, const char*, PyObject* const* args, Py_ssize_t nargs) {
  const Tensor* x = nargs == 1 ? as_tensor(args[0]) : nullptr;
  if (!x) return call_general(general, args, nargs);
  return guarded([&] {
    return wrap_result([&] { return release_gil_if(x->numel(), [&] { return fn(*x); }); });
  });
}

// An exact Python bool, int or float: the operand forms the fast paths convert
// themselves (as weak "wrapped numbers", like the general path).
inline bool is_python_number(PyObject* obj) {
  return PyFloat_CheckExact(obj) || PyLong_CheckExact(obj) || PyBool_Check(obj);
}

// fn(a, b) for tensors a and b, where either may instead be a Python number.
template <BinaryFn fn>
PyObject* run_binary(const Tensor* a, PyObject* a_obj, const Tensor* b, PyObject* b_obj, const char* name) {
  return guarded([&] {
    Tensor converted;
    const Tensor& ta = a ? *a : (converted = to_operand(a_obj, b->device(), name));
    const Tensor& tb = b ? *b : (converted = to_operand(b_obj, a->device(), name));
    const std::int64_t numel = std::max(ta.numel(), tb.numel());
    return wrap_result([&] { return release_gil_if(numel, [&] { return fn(ta, tb); }); });
  });
}

template <BinaryFn fn>
PyObject* binary_call(PyObject* general, const char* name, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs == 2) {
    const Tensor* a = as_tensor(args[0]);
    const Tensor* b = as_tensor(args[1]);
    if ((a && (b || is_python_number(args[1]))) || (b && is_python_number(args[0]))) {
      return run_binary<fn>(a, args[0], b, args[1], name);
    }
  }
  return call_general(general, args, nargs);
}

// The tensor in `obj` when its type uses `slot` for the number-protocol member `member`
// (an EmberTensor, or a subclass that does not redefine the operator), else nullptr.
template <class Slot>
const Tensor* slot_tensor(PyObject* obj, Slot PyNumberMethods::*member, Slot slot) {
  const PyNumberMethods* nm = Py_TYPE(obj)->tp_as_number;
  return nm && nm->*member == slot ? as_tensor(obj) : nullptr;
}

// Calls self.<method>(other): the general path of an operator slot.
PyObject* call_method(PyObject* self, PyObject* method, PyObject* other);

// nb_<op> of EmberTensor: tensor op tensor and tensor op Python number (either side).
// Other operands go to the __op__ / __rop__ methods pybind11 binds, as the type's
// generic slot did: CPython calls this slot for `a op b` when either operand's type has
// it, a first.
template <BinaryFn fn, binaryfunc PyNumberMethods::*member>
struct OperatorSlot {
  static inline const char* name = nullptr;
  static inline PyObject* method = nullptr;
  static inline PyObject* reflected = nullptr;

  static PyObject* call(PyObject* a, PyObject* b) {
    const Tensor* ta = slot_tensor(a, member, &call);
    const Tensor* tb = slot_tensor(b, member, &call);
    if ((ta && (tb || is_python_number(b))) || (tb && is_python_number(a))) return run_binary<fn>(ta, a, tb, b, name);
    if (ta) return call_method(a, method, b);
    if (tb) return call_method(b, reflected, a);
    Py_RETURN_NOTIMPLEMENTED;
  }
  // op: the front-end op's name; dunder / rdunder: the Python methods ("__add__", "__radd__").
  static void install(PyTypeObject* type, const char* op, const char* dunder, const char* rdunder) {
    name = op;
    method = PyUnicode_InternFromString(dunder);
    reflected = PyUnicode_InternFromString(rdunder);
    type->tp_as_number->*member = &call;
  }
};

// tp_richcompare of EmberTensor for the six comparisons, as OperatorSlot.
void install_richcompare(PyTypeObject* type);
// tp_dealloc of EmberTensor: instances made by wrap() freed without pybind11's lookups.
void install_dealloc(PyTypeObject* type);
// mp_subscript of EmberTensor: x[key] for keys of ints, slices, ..., and None.
void install_getitem(PyTypeObject* type);

}  // namespace fast
}  // namespace ember::py_bind
