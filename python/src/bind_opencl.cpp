// Bindings of the OpenCL runtime: discovery, synchronisation, memory and cache statistics.
#include <pybind11/stl.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/opencl.h"

namespace ember::py_bind {

namespace py = pybind11;

namespace {
int opencl_index(const std::string& device, const char* op) {
  const Device d = Device::parse(device);
  if (d.type != DeviceType::OpenCL) value_error(op, "expected an opencl device, got '", device, "'");
  return d.index;
}

py::dict counters(std::initializer_list<std::pair<const char*, std::uint64_t>> items) {
  py::dict d;
  for (const auto& [name, value] : items) d[name] = value;
  return d;
}
}  // namespace

void bind_opencl(py::module_& m) {
  m.def("opencl_available", &opencl::available, "True when an OpenCL device can be used.");
  m.def("opencl_unavailable_reason", &opencl::unavailable_reason,
        "Why OpenCL cannot be used ('' when it can): the failing call and OpenCL error name.");
  m.def("opencl_has_gpu", &opencl::has_gpu, "True when an OpenCL GPU is present.");
  m.def("opencl_devices", [] {
    std::vector<std::string> names;
    for (const auto& d : opencl::devices()) names.push_back("opencl:" + std::to_string(d.index));
    return names;
  }, "Device names 'opencl:N' of every OpenCL device.");
  m.def("opencl_device_info", [] {
    py::list out;
    for (const auto& d : opencl::devices()) {
      py::dict info;
      info["device"] = "opencl:" + std::to_string(d.index);
      info["name"] = d.name;
      info["vendor"] = d.vendor;
      info["platform"] = d.platform;
      info["version"] = d.version;
      info["driver_version"] = d.driver_version;
      info["type"] = d.type;
      info["fp64"] = d.fp64;
      info["global_mem_bytes"] = d.global_mem_bytes;
      info["compute_units"] = d.compute_units;
      out.append(info);
    }
    return out;
  }, "One dict per OpenCL device: device, name, vendor, platform, version, driver_version, type, fp64, "
     "global_mem_bytes, compute_units.");
  m.def("opencl_synchronize", [](const std::string& device) {
    py::gil_scoped_release release;
    opencl::synchronize(opencl_index(device, "synchronize"));
  }, py::arg("device"), "Waits for queued work on the device; raises errors kernels flagged meanwhile.");
  m.def("opencl_memory_info", [](const std::string& device) {
    const opencl::MemoryInfo i = opencl::memory_info(opencl_index(device, "memory_info"));
    return counters({{"in_use_bytes", i.in_use_bytes}, {"pooled_bytes", i.pooled_bytes},
                     {"peak_in_use_bytes", i.peak_in_use_bytes}, {"device_total_bytes", i.device_total_bytes},
                     {"allocations", i.allocations}, {"reuses", i.reuses}});
  }, py::arg("device"), "Buffer pool statistics of the device, in bytes and counts.");
  m.def("opencl_clear_cache", [](const std::string& device) {
    opencl::clear_cache(opencl_index(device, "clear_cache"));
  }, py::arg("device"), "Frees the pooled (unused) buffers of the device.");
  m.def("opencl_transfer_stats", [] {
    const opencl::TransferStats s = opencl::transfer_stats();
    return counters({{"host_to_device", s.host_to_device}, {"host_to_device_bytes", s.host_to_device_bytes},
                     {"device_to_host", s.device_to_host}, {"device_to_host_bytes", s.device_to_host_bytes}});
  }, "Counts and bytes of host <-> OpenCL copies so far.");
  m.def("opencl_reset_transfer_stats", &opencl::reset_transfer_stats, "Zeroes the transfer counters.");
  m.def("opencl_program_cache_stats", [] {
    const opencl::ProgramCacheStats s = opencl::program_cache_stats();
    return counters({{"memory_hits", s.memory_hits}, {"disk_hits", s.disk_hits}, {"builds", s.builds},
                     {"corrupt", s.corrupt}});
  }, "How program requests were served: memory_hits, disk_hits, builds, corrupt (rebuilt) entries.");
  m.def("opencl_compile_program", [](const std::string& source, const std::string& options, const std::string& device) {
    py::gil_scoped_release release;
    opencl::compile_program(opencl_index(device, "compile_program"), source, options);
  }, py::arg("source"), py::arg("options") = "", py::arg("device") = "opencl:0",
     "Builds OpenCL C source through the program cache; RuntimeError with the build log on failure.");
}

}  // namespace ember::py_bind
