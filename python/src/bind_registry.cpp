// The kernel registry seen from Python: which devices have a kernel for each op, so the
// test suite can check every registered op against its table of op rows.
#include <pybind11/stl.h>

#include <map>

#include "bindings.h"
#include "ember/registry.h"

namespace py = pybind11;

namespace ember::py_bind {

void bind_registry(py::module_& m) {
  m.def(
      "registered_kernels",
      [] {
        std::map<std::string, std::vector<std::string>> devices;
        for (const std::string& name : registered_ops()) {
          const OpEntry* entry = find_op(name);
          std::vector<std::string>& names = devices[name];
          if (entry->has_kernel(DeviceType::CPU)) names.emplace_back("cpu");
          if (entry->has_kernel(DeviceType::OpenCL)) names.emplace_back("opencl");
        }
        return devices;
      },
      "Every op of the kernel registry mapped to the device types ('cpu', 'opencl') that have a\n"
      "kernel for it, in that order; an op whose entry exists without kernels maps to [].");
}

}  // namespace ember::py_bind
