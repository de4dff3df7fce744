#include "ember/tensor.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <sstream>

#include "ember/errors.h"
#include "ember/registry.h"

namespace ember {

namespace {
std::array<DeviceAllocator, kNumDeviceTypes>& device_allocators() {
  static std::array<DeviceAllocator, kNumDeviceTypes> a{};
  return a;
}
}  // namespace

void set_device_allocator(DeviceType type, DeviceAllocator allocator) {
  device_allocators()[static_cast<int>(type)] = allocator;
}

Storage::Storage(std::size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (device.type != DeviceType::CPU) {
    init_backends();  // backends register their allocators there
    const DeviceAllocator& alloc = device_allocators()[static_cast<int>(device.type)];
    if (!alloc.allocate) not_implemented("storage", "no allocator for device ", device.str());
    handle_ = alloc.allocate(nbytes, device.index);
    return;
  }
  // Large buffers get 2 MiB alignment and transparent huge pages, as NumPy does: first
  // touch of a fresh 40 MB output otherwise costs ~10k page faults, more than the op.
  constexpr std::size_t kHugePage = std::size_t{1} << 21;
  const bool huge = nbytes >= 2 * kHugePage;
  const std::size_t align = huge ? kHugePage : 64;
  const std::size_t rounded = std::max<std::size_t>(align, (nbytes + align - 1) / align * align);
  data_ = std::aligned_alloc(align, rounded);
  if (!data_) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (huge) madvise(data_, rounded, MADV_HUGEPAGE);
#endif
}

Storage::Storage(void* data, std::size_t nbytes, Device device, std::function<void()> release)
    : data_(data), nbytes_(nbytes), device_(device), release_(std::move(release)) {}

Storage::~Storage() {
  if (handle_) {
    device_allocators()[static_cast<int>(device_.type)].release(handle_, nbytes_, device_.index);
  } else if (release_) {
    release_();
  } else {
    std::free(data_);
  }
}

std::string shape_str(const Shape& shape) {
  std::ostringstream os;
  os << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) os << ", ";
    os << shape[i];
  }
  if (shape.size() == 1) os << ",";
  os << ")";
  return os.str();
}

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  std::int64_t s = 1;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= std::max<std::int64_t>(shape[i], 1);
  }
  return strides;
}

int normalize_axis(std::int64_t axis, int ndim, const char* op) {
  if (axis < -ndim || axis >= ndim) {
    index_error(op, "axis ", axis, " is out of bounds for a tensor of dimension ", ndim);
  }
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

namespace {
void check_ndim(const Shape& shape, const char* op) {
  if (shape.size() > static_cast<std::size_t>(kMaxDims)) {
    value_error(op, "tensors have at most ", kMaxDims, " dimensions, got ", shape.size());
  }
}
}  // namespace

Tensor Tensor::from_storage(std::shared_ptr<Storage> storage, const Shape& shape, const Strides& strides,
                            std::int64_t offset, DType dtype) {
  check_ndim(shape, "from_storage");
  Tensor t;
  t.storage_ = std::move(storage);
  t.shape_ = shape;
  t.strides_ = strides;
  t.offset_ = offset;
  t.numel_ = shape_numel(shape);
  t.dtype_ = dtype;
  return t;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  check_ndim(shape, "empty");
  for (auto d : shape) {
    if (d < 0) value_error("empty", "negative dimension in shape ", shape_str(shape));
  }
  Tensor t;
  t.numel_ = shape_numel(shape);
  t.storage_ = std::make_shared<Storage>(static_cast<std::size_t>(t.numel_) * ember::itemsize(dtype), device);
  t.shape_ = shape;
  t.strides_ = contiguous_strides(shape);
  t.dtype_ = dtype;
  return t;
}

std::int64_t Tensor::dim(int axis) const { return shape_[normalize_axis(axis, ndim(), "dim")]; }

bool Tensor::is_contiguous() const noexcept {
  if (numel_ == 0) return true;
  std::int64_t expected = 1;
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

Tensor Tensor::as_strided(const Shape& shape, const Strides& strides, std::int64_t offset) const {
  check_ndim(shape, "as_strided");
  Tensor t;
  t.storage_ = storage_;
  t.shape_ = shape;
  t.strides_ = strides;
  t.offset_ = offset;
  t.numel_ = shape_numel(shape);
  t.dtype_ = dtype_;
  t.read_only_ = read_only_;
  return t;
}

Tensor Tensor::detach() const {
  Tensor t = *this;
  t.autograd_.reset();
  return t;
}

Tensor Tensor::permute(const std::vector<int>& axes) const {
  Shape shape(axes.size());
  Strides strides(axes.size());
  for (std::size_t i = 0; i < axes.size(); ++i) {
    shape[i] = shape_[axes[i]];
    strides[i] = strides_[axes[i]];
  }
  return as_strided(shape, strides, offset_);
}

Tensor Tensor::transpose() const {
  std::vector<int> axes(ndim());
  for (int i = 0; i < ndim(); ++i) axes[i] = ndim() - 1 - i;
  return permute(axes);
}

Tensor Tensor::slice(int axis, std::int64_t start, std::int64_t stop, std::int64_t step) const {
  // start/stop are already clamped by the caller (Python slice.indices semantics).
  Shape shape = shape_;
  Strides strides = strides_;
  std::int64_t n = 0;
  if (step > 0 && stop > start) n = (stop - start + step - 1) / step;
  if (step < 0 && stop < start) n = (start - stop - step - 1) / (-step);
  shape[axis] = n;
  strides[axis] = strides_[axis] * step;
  const std::int64_t offset = n > 0 ? offset_ + start * strides_[axis] : offset_;
  return as_strided(shape, strides, offset);
}

Tensor Tensor::select(int axis, std::int64_t index) const {
  Shape shape = shape_;
  Strides strides = strides_;
  const std::int64_t offset = offset_ + index * strides_[axis];
  shape.erase(shape.begin() + axis);
  strides.erase(strides.begin() + axis);
  return as_strided(shape, strides, offset);
}

Tensor Tensor::broadcast_to(const Shape& shape) const {
  if (shape == shape_) return *this;
  const int nd = static_cast<int>(shape.size());
  if (nd < ndim()) {
    value_error("broadcast_to", "cannot broadcast shape ", shape_str(shape_), " to ", shape_str(shape));
  }
  Strides strides(nd, 0);
  for (int i = 0; i < ndim(); ++i) {
    const int j = nd - ndim() + i;
    if (shape_[i] == shape[j]) {
      strides[j] = strides_[i];
    } else if (shape_[i] != 1) {
      value_error("broadcast_to", "cannot broadcast shape ", shape_str(shape_), " to ", shape_str(shape));
    }
  }
  Tensor t = as_strided(shape, strides, offset_);
  t.read_only_ = true;
  return t;
}

Tensor Tensor::expand_dims(int axis) const {
  Shape shape = shape_;
  Strides strides = strides_;
  shape.insert(shape.begin() + axis, 1);
  strides.insert(strides.begin() + axis, 0);
  return as_strided(shape, strides, offset_);
}

Tensor Tensor::squeeze_axis(int axis) const {
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + axis);
  strides.erase(strides.begin() + axis);
  return as_strided(shape, strides, offset_);
}

Tensor Tensor::view(const Shape& shape) const {
  if (shape_numel(shape) != numel_) return Tensor();
  if (is_contiguous()) return as_strided(shape, contiguous_strides(shape), offset_);
  // Non-contiguous: a view exists when each group of old axes that merges into new axes
  // is itself contiguous (NumPy's _attempt_nocopy_reshape, simplified to drop size-1 axes).
  Shape old_shape;
  Strides old_strides;
  for (int i = 0; i < ndim(); ++i) {
    if (shape_[i] != 1) {
      old_shape.push_back(shape_[i]);
      old_strides.push_back(strides_[i]);
    }
  }
  Strides new_strides(shape.size(), 0);
  std::size_t oi = 0, ni = 0;
  const std::size_t on = old_shape.size(), nn = shape.size();
  while (oi < on && ni < nn) {
    std::int64_t np = shape[ni], op = old_shape[oi];
    std::size_t oj = oi + 1, nj = ni + 1;
    while (np != op) {
      if (np < op) {
        np *= shape[nj++];
      } else {
        op *= old_shape[oj++];
      }
    }
    for (std::size_t k = oi; k + 1 < oj; ++k) {
      if (old_strides[k] != old_strides[k + 1] * old_shape[k + 1]) return Tensor();
    }
    new_strides[nj - 1] = old_strides[oj - 1];
    for (std::size_t k = nj - 1; k > ni; --k) new_strides[k - 1] = new_strides[k] * shape[k];
    ni = nj;
    oi = oj;
  }
  for (; ni < nn; ++ni) new_strides[ni] = 1;  // trailing size-1 axes
  return as_strided(shape, new_strides, offset_);
}

}  // namespace ember
