// The OpenCL runtime as seen from outside the backend: discovery, synchronisation,
// memory and cache statistics. No OpenCL types appear here (the Python bindings and
// tests use it without the OpenCL headers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::opencl {

// True when at least one OpenCL device can be used in this process. Discovery runs
// once, on first call.
bool available();
// Why no device is usable ("" when available()): the failing OpenCL call and error name.
std::string unavailable_reason();
// True when one of the devices is a GPU (auto_select_backend prefers those).
bool has_gpu();

struct DeviceInfo {
  int index = 0;             // N of "opencl:N"
  std::string name;          // CL_DEVICE_NAME
  std::string vendor;        // CL_DEVICE_VENDOR
  std::string platform;      // CL_PLATFORM_NAME
  std::string version;       // CL_DEVICE_VERSION
  std::string driver_version;
  std::string type;          // "gpu", "cpu", "accelerator" or "other"
  bool fp64 = false;         // reports cl_khr_fp64
  std::uint64_t global_mem_bytes = 0;
  std::uint32_t compute_units = 0;
  std::uint64_t max_work_group_size = 0;  // CL_DEVICE_MAX_WORK_GROUP_SIZE
  std::uint64_t local_mem_bytes = 0;      // CL_DEVICE_LOCAL_MEM_SIZE
};
std::vector<DeviceInfo> devices();

// Waits for every command queued on opencl:index, then raises any error a kernel
// flagged asynchronously since the last synchronisation (naming the op).
void synchronize(int index);

struct MemoryInfo {
  std::uint64_t in_use_bytes = 0;      // held by live tensors (pool bucket sizes)
  std::uint64_t pooled_bytes = 0;      // released by tensors, kept for reuse
  std::uint64_t peak_in_use_bytes = 0;
  std::uint64_t device_total_bytes = 0;
  std::uint64_t allocations = 0;       // clCreateBuffer calls
  std::uint64_t reuses = 0;            // requests served from the pool
};
MemoryInfo memory_info(int index);
// Releases every pooled (unused) buffer of opencl:index.
void clear_cache(int index);

// Host <-> device copies since start (or the last reset), all devices together.
struct TransferStats {
  std::uint64_t host_to_device = 0, host_to_device_bytes = 0;
  std::uint64_t device_to_host = 0, device_to_host_bytes = 0;
};
TransferStats transfer_stats();
void reset_transfer_stats();

// How program requests were served since start, all devices together.
struct ProgramCacheStats {
  std::uint64_t memory_hits = 0;  // program already built in this process
  std::uint64_t disk_hits = 0;    // loaded from the on-disk cache
  std::uint64_t builds = 0;       // compiled from source
  std::uint64_t corrupt = 0;      // disk entries that failed to load and were rebuilt
};
ProgramCacheStats program_cache_stats();

// Compiles `source` with `options` for opencl:index through the program cache. Raises
// RuntimeError with the build log when it does not compile.
void compile_program(int index, const std::string& source, const std::string& options);

}  // namespace ember::opencl
