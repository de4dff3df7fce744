#include "ember/device.h"

#include <atomic>
#include <cstdlib>

#include "ember/errors.h"

namespace ember {
namespace {
std::atomic<int> g_default_type{0};
std::atomic<int> g_default_index{0};
}  // namespace

std::string Device::str() const {
  if (type == DeviceType::CPU) return "cpu";
  return "opencl:" + std::to_string(index);
}

Device Device::parse(const std::string& name) {
  if (name == "cpu" || name == "numpy") return Device{DeviceType::CPU, 0};
  if (name == "opencl") return Device{DeviceType::OpenCL, 0};
  if (name.rfind("opencl:", 0) == 0) {
    const std::string digits = name.substr(7);
    char* end = nullptr;
    const long index = std::strtol(digits.c_str(), &end, 10);
    if (!digits.empty() && end && *end == '\0' && index >= 0) {
      return Device{DeviceType::OpenCL, static_cast<int>(index)};
    }
  }
  value_error("device", "unknown device '", name, "'; expected 'cpu', 'opencl' or 'opencl:N'");
}

Device default_device() {
  return Device{static_cast<DeviceType>(g_default_type.load()), g_default_index.load()};
}

void set_default_device(Device device) {
  g_default_type.store(static_cast<int>(device.type));
  g_default_index.store(device.index);
}

}  // namespace ember
