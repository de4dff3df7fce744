// The size-bucketed pool of device buffers.
#include <bit>

#include "backend/opencl/runtime.h"

namespace ember::opencl {

std::size_t BufferPool::bucket(std::size_t nbytes) {
  constexpr std::size_t kMin = 256;
  if (nbytes <= kMin) return kMin;
  const std::size_t step = std::max(kMin, std::bit_floor(nbytes) / 8);
  return (nbytes + step - 1) / step * step;
}

cl_mem BufferPool::acquire(cl_context context, std::size_t nbytes) {
  const std::size_t size = bucket(nbytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(size);
    if (it != free_.end() && !it->second.empty()) {
      cl_mem buffer = it->second.back();
      it->second.pop_back();
      info_.pooled_bytes -= size;
      info_.in_use_bytes += size;
      info_.peak_in_use_bytes = std::max(info_.peak_in_use_bytes, info_.in_use_bytes);
      ++info_.reuses;
      return buffer;
    }
  }
  cl_int err = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, size, nullptr, &err);
  if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES || err == CL_INVALID_BUFFER_SIZE) {
    clear();  // pooled buffers of other sizes may be what stands in the way
    buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, size, nullptr, &err);
    // Tensor::empty adds the op, shape and bytes to this MemoryError.
    if (err != CL_SUCCESS) raise(ErrorKind::Memory, "allocate", "clCreateBuffer failed: ", error_name(err), " (", err, ")");
  }
  check(err, "clCreateBuffer", "allocate");
  std::lock_guard<std::mutex> lock(mutex_);
  info_.in_use_bytes += size;
  info_.peak_in_use_bytes = std::max(info_.peak_in_use_bytes, info_.in_use_bytes);
  ++info_.allocations;
  return buffer;
}

void BufferPool::release(cl_mem buffer, std::size_t nbytes) {
  const std::size_t size = bucket(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  free_[size].push_back(buffer);
  info_.in_use_bytes -= size;
  info_.pooled_bytes += size;
}

void BufferPool::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  // OpenCL defers the actual free until queued commands using a buffer have finished.
  for (auto& [size, buffers] : free_) {
    for (cl_mem b : buffers) clReleaseMemObject(b);
  }
  free_.clear();
  info_.pooled_bytes = 0;
}

MemoryInfo BufferPool::info() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return info_;
}

}  // namespace ember::opencl
