// Tensor: a strided view (shape, strides, offset) of shared storage.
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/small_vector.h"

namespace ember {

namespace autograd {
struct AutogradMeta;
}

// Shapes and strides of up to kInlineDims axes allocate nothing (see small_vector.h).
inline constexpr std::size_t kInlineDims = 6;
using Shape = SmallVector<std::int64_t, kInlineDims>;
using Strides = SmallVector<std::int64_t, kInlineDims>;  // in elements, may be 0 (broadcast) or negative

inline constexpr int kMaxDims = 64;  // as NumPy

// Allocates and frees memory of a non-CPU device type; registered by its backend.
// `allocate` returns an opaque handle (an OpenCL cl_mem) or raises.
struct DeviceAllocator {
  void* (*allocate)(std::size_t nbytes, int device_index) = nullptr;
  void (*release)(void* handle, std::size_t nbytes, int device_index) = nullptr;
};
void set_device_allocator(DeviceType type, DeviceAllocator allocator);

// A block of device memory. CPU storage is 64-byte aligned host memory (data()); other
// devices hold an opaque handle() from their DeviceAllocator and no host pointer.
class Storage {
 public:
  Storage(std::size_t nbytes, Device device);
  // Wraps memory owned elsewhere (e.g. a DLPack producer); `release` runs on destruction.
  Storage(void* data, std::size_t nbytes, Device device, std::function<void()> release);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const noexcept { return data_; }
  void* handle() const noexcept { return handle_; }
  std::size_t nbytes() const noexcept { return nbytes_; }
  Device device() const noexcept { return device_; }
  // Counts in-place writes, so autograd can tell that a tensor it saved has changed.
  std::uint64_t version() const noexcept { return version_; }
  void bump_version() noexcept { ++version_; }

 private:
  void* data_ = nullptr;
  void* handle_ = nullptr;
  std::uint64_t version_ = 0;
  std::size_t nbytes_ = 0;
  Device device_;
  bool small_ = false;  // host buffer from the small-buffer cache (tensor.cpp)
  std::function<void()> release_;
};

std::string shape_str(const Shape& shape);  // "(2, 3)"

// Overflow-checked size arithmetic: every element count, byte size and stride of the
// library comes from these. A negative size, or a count or byte size beyond
// PTRDIFF_MAX (NumPy's limit), raises ValueError naming `op`, the shape and the bytes.
std::int64_t shape_numel(const Shape& shape, const char* op = "shape");
std::size_t shape_nbytes(const Shape& shape, DType dtype, const char* op);
Strides contiguous_strides(const Shape& shape, const char* op = "shape");

class Tensor {
 public:
  Tensor() = default;
  // A new, uninitialised, C-contiguous tensor. Sizes beyond the arithmetic raise
  // ValueError, sizes the machine cannot allocate MemoryError, both naming `op`.
  static Tensor empty(const Shape& shape, DType dtype, Device device, const char* op = "empty");
  // A tensor over existing storage (no copy).
  static Tensor from_storage(std::shared_ptr<Storage> storage, const Shape& shape, const Strides& strides,
                             std::int64_t offset, DType dtype);

  const Shape& shape() const noexcept { return shape_; }
  const Strides& strides() const noexcept { return strides_; }
  std::int64_t offset() const noexcept { return offset_; }
  DType dtype() const noexcept { return dtype_; }
  Device device() const noexcept { return storage_->device(); }
  int ndim() const noexcept { return static_cast<int>(shape_.size()); }
  std::int64_t numel() const noexcept { return numel_; }
  std::int64_t dim(int axis) const;  // negative axes count from the end
  std::size_t itemsize() const noexcept { return ember::itemsize(dtype_); }
  bool defined() const noexcept { return storage_ != nullptr; }
  bool is_contiguous() const noexcept;
  const std::shared_ptr<Storage>& storage() const noexcept { return storage_; }
  bool shares_storage(const Tensor& other) const noexcept { return storage_ == other.storage_; }
  // Broadcast views (and views of them) repeat elements, so writing through them is refused.
  bool is_read_only() const noexcept { return read_only_; }

  // True for 0-d tensors made from Python scalars: they take part in dtype promotion
  // by kind only, like PyTorch's wrapped numbers and NumPy 2's weak scalars.
  bool is_wrapped_number() const noexcept { return wrapped_number_; }
  void set_wrapped_number(bool value) noexcept { wrapped_number_ = value; }
  // A wrapped Python int also keeps its value on the host, so binary ops can apply NumPy
  // 2's rules for ints outside the other operand's dtype without reading device memory.
  void set_wrapped_int(std::int64_t value) noexcept {
    wrapped_number_ = true;
    wrapped_int_ = value;
  }
  std::optional<std::int64_t> wrapped_int() const noexcept {
    return wrapped_number_ ? wrapped_int_ : std::nullopt;
  }

  // Host memory of a CPU tensor; device tensors have none (move them with to_device).
  void* raw_data() const noexcept {
    assert(storage_->device().type == DeviceType::CPU);
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<std::int64_t>(itemsize());
  }
  template <class T>
  T* data() const noexcept { return static_cast<T*>(raw_data()); }

  // Zero-copy views. Every view is checked to lie inside its storage (IndexError).
  Tensor as_strided(const Shape& shape, const Strides& strides, std::int64_t offset) const;
  Tensor permute(const std::vector<int>& axes) const;  // axes must be a permutation
  Tensor transpose() const;                             // reverses all axes
  Tensor slice(int axis, std::int64_t start, std::int64_t stop, std::int64_t step) const;
  Tensor select(int axis, std::int64_t index) const;  // drops the axis
  Tensor broadcast_to(const Shape& shape) const;
  Tensor expand_dims(int axis) const;
  Tensor squeeze_axis(int axis) const;
  // A view with the new shape when the strides allow one (always for contiguous
  // tensors); otherwise an undefined Tensor, and the caller copies.
  Tensor view(const Shape& shape) const;

  // The same view of the same storage, outside any autograd graph.
  Tensor detach() const;
  // Autograd state (ember/autograd.h); null for tensors that never took part in it.
  const std::shared_ptr<autograd::AutogradMeta>& autograd_meta() const noexcept { return autograd_; }
  void set_autograd_meta(std::shared_ptr<autograd::AutogradMeta> meta) noexcept { autograd_ = std::move(meta); }

 private:
  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Strides strides_;
  std::int64_t offset_ = 0;
  std::int64_t numel_ = 0;
  DType dtype_ = DType::Float32;
  bool wrapped_number_ = false;
  bool read_only_ = false;
  std::optional<std::int64_t> wrapped_int_;
  std::shared_ptr<autograd::AutogradMeta> autograd_;
};

// Normalises a possibly negative axis for an op, raising IndexError naming the op.
int normalize_axis(std::int64_t axis, int ndim, const char* op);

}  // namespace ember
