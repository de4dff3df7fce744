// The op registry: one kernel table per op, indexed by device type. Backends register
// their kernels explicitly from their init function, only for the names declared in
// op_list.h (any other raises RuntimeError there); a missing kernel raises
// NotImplementedError naming the op and the device.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "ember/device.h"
#include "ember/tensor.h"

namespace ember {

// Non-tensor arguments of a kernel call. Front-end ops fill only the fields they use.
struct Attrs {
  std::vector<std::int64_t> ints;
  std::vector<double> floats;
  DType dtype = DType::Float32;
};

using KernelFn = void (*)(std::span<const Tensor> inputs, std::span<Tensor> outputs, const Attrs& attrs);

class OpEntry {
 public:
  explicit OpEntry(std::string name) : name_(std::move(name)) {}
  const std::string& name() const noexcept { return name_; }
  // Raises RuntimeError when the name is not declared in op_list.h.
  void set_kernel(DeviceType device, KernelFn fn);
  bool has_kernel(DeviceType device) const { return kernels_[static_cast<int>(device)] != nullptr; }
  // Looks up the kernel for `device`; raises NotImplementedError if there is none.
  KernelFn kernel(Device device) const;
  void call(Device device, std::span<const Tensor> inputs, std::span<Tensor> outputs,
            const Attrs& attrs = {}) const {
    kernel(device)(inputs, outputs, attrs);
  }

 private:
  std::string name_;
  std::array<KernelFn, kNumDeviceTypes> kernels_{};
};

// Returns the entry of `name`, creating it on first use. Entries are never removed, so
// front-end ops may cache the reference in a function-local static.
OpEntry& op_entry(const std::string& name);
// The entry of `name` if one was created, else nullptr (creates nothing).
const OpEntry* find_op(const std::string& name);
std::vector<std::string> registered_ops();

// Registers every backend compiled in; idempotent and thread-safe.
void init_backends();

}  // namespace ember
