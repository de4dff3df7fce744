#include "ember/registry.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <string_view>

#include "ember/errors.h"
#include "ember/op_list.h"

namespace ember {
namespace {
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
// deque keeps references stable as entries are added.
std::deque<OpEntry>& entries() {
  static std::deque<OpEntry> e;
  return e;
}
std::map<std::string, OpEntry*>& index() {
  static std::map<std::string, OpEntry*> i;
  return i;
}
}  // namespace

const std::vector<std::string>& declared_ops() {
#define EMBER_ROW_NAME(name, ...) #name,
#define EMBER_NAME(name) #name,
#define EMBER_COMPLEX_NAME(name) "complex_" #name,
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {EMBER_UNARY_OPS(EMBER_ROW_NAME) EMBER_BINARY_OPS(EMBER_ROW_NAME)
                                      EMBER_KERNEL_OPS(EMBER_NAME) EMBER_COMPLEX_OPS(EMBER_COMPLEX_NAME)};
    std::sort(v.begin(), v.end());
    return v;
  }();
#undef EMBER_ROW_NAME
#undef EMBER_NAME
#undef EMBER_COMPLEX_NAME
  return names;
}

bool is_declared_op(std::string_view name) {
  const auto& names = declared_ops();
  return std::binary_search(names.begin(), names.end(), name);
}

void OpEntry::set_kernel(DeviceType device, KernelFn fn) {
  if (!is_declared_op(name_)) {
    raise(ErrorKind::Runtime, "registry", "kernel registered for the undeclared op '", name_,
          "' (declare it in cpp/include/ember/op_list.h)");
  }
  kernels_[static_cast<int>(device)] = fn;
}

KernelFn OpEntry::kernel(Device device) const {
  const KernelFn fn = kernels_[static_cast<int>(device.type)];
  if (!fn) {
    const char* dev = device.type == DeviceType::CPU ? "cpu" : "opencl";
    not_implemented(name_, name_, " has no ", dev, " kernel");
  }
  return fn;
}

OpEntry& op_entry(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = index().find(name);
  if (it != index().end()) return *it->second;
  entries().emplace_back(name);
  OpEntry* e = &entries().back();
  index().emplace(name, e);
  return *e;
}

const OpEntry* find_op(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = index().find(name);
  return it == index().end() ? nullptr : it->second;
}

std::vector<std::string> registered_ops() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : index()) names.push_back(name);
  return names;
}

}  // namespace ember
