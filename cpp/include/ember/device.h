// Devices a tensor can live on.
#pragma once

#include <string>

namespace ember {

enum class DeviceType : unsigned char { CPU = 0, OpenCL = 1 };
inline constexpr int kNumDeviceTypes = 2;

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  bool operator==(const Device&) const = default;
  std::string str() const;  // "cpu", "opencl:0"
  static Device parse(const std::string& name);  // "cpu", "opencl", "opencl:N"
};

// The device creation functions use when none is given; set by the Python backend switch.
Device default_device();
void set_default_device(Device device);

}  // namespace ember
