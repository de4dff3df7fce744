#include "ember/registry.h"

#include <deque>
#include <map>
#include <mutex>

#include "ember/errors.h"

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
