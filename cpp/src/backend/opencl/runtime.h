// The OpenCL runtime inside the backend: one context and one in-order queue per device,
// a program cache (memory and disk), a size-bucketed buffer pool, blocking host
// transfers, and kernel launches. Launches are asynchronous; the host waits only where
// it needs data (reads, synchronize).
#pragma once

#include <CL/cl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/errors.h"
#include "ember/opencl.h"
#include "ember/tensor.h"

namespace ember::opencl {

// The name of an OpenCL error code, e.g. "CL_OUT_OF_RESOURCES".
const char* error_name(cl_int err);
// Raises RuntimeError "[op] <call> failed: <error name> (<code>)".
[[noreturn]] void raise_cl(cl_int err, const char* call, const std::string& op);
inline void check(cl_int err, const char* call, const std::string& op) {
  if (err != CL_SUCCESS) raise_cl(err, call, op);
}

// Free buffers kept for reuse, keyed by bucket size. Requests are rounded up to a
// bucket (8 buckets per power of two, at least 256 bytes) so that freed buffers fit
// later requests of similar size. Reuse needs no event tracking: every command that
// used a buffer was enqueued before any later command that reuses it, on the same
// in-order queue.
class BufferPool {
 public:
  static std::size_t bucket(std::size_t nbytes);
  cl_mem acquire(cl_context context, std::size_t nbytes);
  void release(cl_mem buffer, std::size_t nbytes);
  void clear();
  MemoryInfo info() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::size_t, std::vector<cl_mem>> free_;
  MemoryInfo info_;
};

struct DeviceContext {
  int index = 0;
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  DeviceInfo info;
  std::string identity;  // device, platform and driver versions: part of program cache keys
  BufferPool pool;
  // One int on the device: 0, or the code of the first error a kernel flagged since the
  // last synchronisation (see flag_error_code).
  cl_mem error_flag = nullptr;
  // Guards kernel objects (their arguments), the kernel and program maps and enqueueing.
  std::recursive_mutex mutex;
  std::unordered_map<std::string, cl_kernel> kernels;  // by variant key
  std::unordered_map<std::string, cl_program> programs;  // by options + source
};

// The context of opencl:index, created on first use; raises RuntimeError naming `op`
// when OpenCL is unavailable or the index is out of range.
DeviceContext& context(int index, const std::string& op);
DeviceContext& context_of(const Tensor& t, const std::string& op);

inline cl_mem buffer_of(const Tensor& t) { return static_cast<cl_mem>(t.storage()->handle()); }

// The program for `source` built with `options`, from memory, disk or a fresh build.
// Call with ctx.mutex held.
cl_program get_program(DeviceContext& ctx, const std::string& source, const std::string& options,
                       const std::string& op);

// A code kernels write into the device error flag to report `message` for `op` at the
// next synchronisation, raised as an Error of `kind`.
int flag_error_code(ErrorKind kind, const std::string& op, const std::string& message);

// Blocking copies between host memory and a device buffer (counted in transfer_stats).
void write_buffer(DeviceContext& ctx, cl_mem buffer, std::size_t offset, std::size_t nbytes, const void* host,
                  const std::string& op);
// Waits for queued work, copies, and raises any flagged asynchronous error.
void read_buffer(DeviceContext& ctx, cl_mem buffer, std::size_t offset, std::size_t nbytes, void* host,
                 const std::string& op);

// One kernel launch: holds the device lock from lookup to enqueue, since kernel
// arguments are state shared by every launch of that kernel.
class Launch {
 public:
  // `key` names the kernel variant; `source` generates its program source on a miss;
  // `name` is the kernel function in that program.
  Launch(DeviceContext& ctx, const std::string& key, const std::function<std::string()>& source,
         const std::string& op, const std::string& name = "ember_kernel");
  Launch& buffer(cl_mem buffer) { return raw(&buffer, sizeof(cl_mem)); }
  Launch& tensor(const Tensor& t) { return buffer(buffer_of(t)); }
  template <class T>
  Launch& scalar(T value) { return raw(&value, sizeof(T)); }
  Launch& raw(const void* data, std::size_t size);
  // `v` as a double, or as a float on devices without cl_khr_fp64 (see wide_float_type).
  Launch& wide_float(double v);
  // Enqueues `global` work-items (rounded up to whole work-groups of `local`).
  void run(std::size_t global, std::size_t local = 64);

 private:
  DeviceContext& ctx_;
  std::lock_guard<std::recursive_mutex> lock_;
  cl_kernel kernel_ = nullptr;
  cl_uint next_arg_ = 0;
  std::string op_;
};

// The widest float type of the device: "double" with cl_khr_fp64, else "float".
const char* wide_float_type(const DeviceContext& ctx);

// The build options every generated program uses on `ctx` (enables fp64 when present).
std::string build_options(const DeviceContext& ctx);

// Raises TypeError when `dtype` is float64 and the device lacks cl_khr_fp64.
void require_dtype(const DeviceContext& ctx, DType dtype, const std::string& op);

}  // namespace ember::opencl
