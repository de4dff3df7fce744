// ember_ml._core: the one extension module of Ember ML.
#include <pybind11/stl.h>

#include "bindings.h"
#include "convert.h"
#include "ember/errors.h"
#include "ember/parallel.h"
#include "ember/registry.h"

namespace py = pybind11;
using namespace ember;

PYBIND11_MODULE(_core, m) {
  m.doc() = "Ember ML C++ engine: tensors, op kernels and dispatch.";
  // numpy.linalg.LinAlgError's place in the hierarchy; ember_ml.ops.linearalg exports it.
  static PyObject* lin_alg_error = PyErr_NewExceptionWithDoc(
      "ember_ml.ops.linearalg.LinAlgError",
      "A decomposition or solve failed: non-finite input, a singular matrix or no convergence "
      "(as numpy.linalg.LinAlgError, a ValueError subclass).",
      PyExc_ValueError, nullptr);
  m.attr("LinAlgError") = py::reinterpret_borrow<py::object>(lin_alg_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* type = PyExc_RuntimeError;
      switch (e.kind()) {
        case ErrorKind::Value: type = PyExc_ValueError; break;
        case ErrorKind::Type: type = PyExc_TypeError; break;
        case ErrorKind::Index: type = PyExc_IndexError; break;
        case ErrorKind::NotImplemented: type = PyExc_NotImplementedError; break;
        case ErrorKind::Runtime: break;
        case ErrorKind::Memory: type = PyExc_MemoryError; break;
        case ErrorKind::Overflow: type = PyExc_OverflowError; break;
        case ErrorKind::LinAlg: type = lin_alg_error; break;
      }
      PyErr_SetString(type, e.what());
    } catch (const std::bad_alloc&) {
      // Allocations other than tensors' (which name their op) only fail when memory is nearly gone.
      PyErr_SetString(PyExc_MemoryError, "[ember_ml] out of memory");
    }
  });
  init_backends();

  py_bind::bind_dtypes(m);
  py_bind::bind_tensor(m);
  py_bind::bind_ops(m);
  py_bind::bind_indexing(m);
  py_bind::bind_random(m);
  py_bind::bind_linalg(m);
  py_bind::bind_opencl(m);
  py_bind::bind_autograd(m);
  py_bind::bind_optim(m);
  py_bind::bind_complex(m);
  py_bind::bind_fft(m);
  py_bind::bind_liquid(m);
  py_bind::bind_registry(m);

  m.def("set_default_device", [](const std::string& name) { set_default_device(Device::parse(name)); },
        py::arg("device"), "Sets the device creation functions use ('cpu', 'opencl', 'opencl:N').");
  m.def("get_default_device", [] { return default_device().str(); }, "The current default device name.");
  m.def("num_threads", &num_threads, "Threads the CPU kernels split large work across.");
  m.def("registered_ops", &registered_ops, "Names of every op in the kernel registry.");
}
