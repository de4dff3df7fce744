#include "ember/tensor.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "core/slice_length.h"
#include "ember/errors.h"
#include "ember/registry.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

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

namespace {
// Host buffers of small tensors come from a per-thread cache of freed ones, as NumPy
// keeps a cache of small data buffers: a tiny op otherwise spends more time in
// malloc/free (an aligned allocation misses glibc's fast path) than computing. Buffers
// are 64-byte aligned in sizes of whole granules; a thread keeps a few of each size.
// Under AddressSanitizer a cached buffer is poisoned, so use after free is still caught.
constexpr std::size_t kGranule = 64;
constexpr std::size_t kCachedGranules = 16;  // buffers up to 1 KiB
constexpr std::size_t kCacheDepth = 8;

// Trivially destructible, so one TLS access reaches it (no guard); CacheRelease empties
// it when the thread ends.
struct SmallBufferCache {
  void* slots[kCachedGranules][kCacheDepth];
  std::size_t counts[kCachedGranules];
  bool armed;  // this thread's CacheRelease exists
  bool gone;   // released: buffers freed later (by thread_local or static tensors
               // destroyed after it) go straight back to the C library
};
thread_local SmallBufferCache cache{};

struct CacheRelease {
  ~CacheRelease() {
    cache.gone = true;
    for (std::size_t g = 0; g < kCachedGranules; ++g) {
      for (std::size_t i = 0; i < cache.counts[g]; ++i) {
        ASAN_UNPOISON_MEMORY_REGION(cache.slots[g][i], (g + 1) * kGranule);
        std::free(cache.slots[g][i]);
      }
      cache.counts[g] = 0;
    }
  }
};
thread_local CacheRelease cache_release;

std::size_t granules(std::size_t nbytes) { return std::max<std::size_t>(1, (nbytes + kGranule - 1) / kGranule); }

void* allocate_small(std::size_t nbytes) {
  const std::size_t g = granules(nbytes);
  SmallBufferCache& c = cache;
  if (c.counts[g - 1] > 0) {
    void* p = c.slots[g - 1][--c.counts[g - 1]];
    ASAN_UNPOISON_MEMORY_REGION(p, g * kGranule);
    return p;
  }
  return std::aligned_alloc(kGranule, g * kGranule);
}

void free_small(void* p, std::size_t nbytes) {
  const std::size_t g = granules(nbytes);
  SmallBufferCache& c = cache;
  if (!c.gone && c.counts[g - 1] < kCacheDepth) {
    if (!c.armed) {
      c.armed = true;
      [[maybe_unused]] CacheRelease* volatile release = &cache_release;  // constructs it: runs at thread end
    }
    ASAN_POISON_MEMORY_REGION(p, g * kGranule);
    c.slots[g - 1][c.counts[g - 1]++] = p;
    return;
  }
  std::free(p);
}

bool is_small(std::size_t nbytes) { return nbytes <= kCachedGranules * kGranule; }

// Large buffers get 2 MiB alignment and transparent huge pages, as NumPy does: first
// touch of a fresh 40 MB output otherwise costs ~10k page faults, more than the op.
constexpr std::size_t kHugePage = std::size_t{1} << 21;
bool is_huge(std::size_t nbytes) { return nbytes >= 2 * kHugePage; }
std::size_t huge_size(std::size_t nbytes) { return (nbytes + kHugePage - 1) / kHugePage * kHugePage; }

// Huge buffers freed are kept for reuse (exact size, most recently freed first), up to
// kLargeCacheBytes in all (the oldest go back to the C library first): a training loop asks
// for the same large buffers every step, and a fresh one costs the kernel's zeroing of each
// page on first touch (about 10 ms for the 90 MB of saved activations and adjoints of one
// Walker2d CfC training step). Leaked on purpose: tensors in static storage may be freed
// after any other static is destroyed.
constexpr std::size_t kLargeCacheBytes = std::size_t{256} << 20;
struct LargeBufferCache {
  std::mutex mutex;
  std::vector<std::pair<void*, std::size_t>> buffers;  // oldest first
  std::size_t bytes = 0;
};
LargeBufferCache& large_cache() {
  static LargeBufferCache* cache = new LargeBufferCache;
  return *cache;
}

void* allocate_huge(std::size_t size) {
  LargeBufferCache& c = large_cache();
  {
    const std::lock_guard<std::mutex> lock(c.mutex);
    for (auto it = c.buffers.rbegin(); it != c.buffers.rend(); ++it) {
      if (it->second != size) continue;
      void* p = it->first;
      c.bytes -= size;
      c.buffers.erase(std::next(it).base());
      ASAN_UNPOISON_MEMORY_REGION(p, size);
      return p;
    }
  }
  void* p = std::aligned_alloc(kHugePage, size);
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

void free_huge(void* p, std::size_t size) {
  if (size > kLargeCacheBytes) {
    std::free(p);
    return;
  }
  std::vector<void*> evicted;
  {
    LargeBufferCache& c = large_cache();
    const std::lock_guard<std::mutex> lock(c.mutex);
    ASAN_POISON_MEMORY_REGION(p, size);
    c.buffers.emplace_back(p, size);
    c.bytes += size;
    while (c.bytes > kLargeCacheBytes) {
      ASAN_UNPOISON_MEMORY_REGION(c.buffers.front().first, c.buffers.front().second);
      evicted.push_back(c.buffers.front().first);
      c.bytes -= c.buffers.front().second;
      c.buffers.erase(c.buffers.begin());
    }
  }
  for (void* q : evicted) std::free(q);
}
}  // namespace

Storage::Storage(std::size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (device.type != DeviceType::CPU) {
    init_backends();  // backends register their allocators there
    const DeviceAllocator& alloc = device_allocators()[static_cast<int>(device.type)];
    if (!alloc.allocate) not_implemented("storage", "no allocator for device ", device.str());
    handle_ = alloc.allocate(nbytes, device.index);
    return;
  }
  if (is_small(nbytes)) {
    data_ = allocate_small(nbytes);
    if (!data_) throw std::bad_alloc();
    small_ = true;
    return;
  }
  data_ = is_huge(nbytes) ? allocate_huge(huge_size(nbytes))
                          : std::aligned_alloc(kGranule, granules(nbytes) * kGranule);
  if (!data_) throw std::bad_alloc();
}

Storage::Storage(void* data, std::size_t nbytes, Device device, std::function<void()> release)
    : data_(data), nbytes_(nbytes), device_(device), release_(std::move(release)) {}

Storage::~Storage() {
  if (handle_) {
    device_allocators()[static_cast<int>(device_.type)].release(handle_, nbytes_, device_.index);
  } else if (release_) {
    release_();
  } else if (small_) {
    free_small(data_, nbytes_);
  } else if (is_huge(nbytes_)) {
    free_huge(data_, huge_size(nbytes_));
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

namespace {
constexpr std::int64_t kMaxBytes = std::numeric_limits<std::ptrdiff_t>::max();

[[noreturn]] void too_big(const Shape& shape, const char* op, const char* what) {
  value_error(op, "shape ", shape_str(shape), " is too big: its ", what, " exceeds ", kMaxBytes,
              " (the largest size the address space allows)");
}

// "8.00 TiB", as NumPy's allocation errors write sizes.
std::string human_bytes(std::size_t nbytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(nbytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(u == 0 ? 0 : 2);
  os << v << " " << units[u];
  return os.str();
}
}  // namespace

std::int64_t shape_numel(const Shape& shape, const char* op) {
  std::int64_t nonzero = 1;
  bool empty = false, overflow = false;
  for (auto d : shape) {
    if (d < 0) value_error(op, "negative dimensions are not allowed, got shape ", shape_str(shape));
    // As NumPy, a product of the other sizes that overflows is refused even next to a 0.
    if (d == 0) {
      empty = true;
    } else {
      overflow = overflow || __builtin_mul_overflow(nonzero, d, &nonzero);
    }
  }
  if (overflow) too_big(shape, op, "element count");
  return empty ? 0 : nonzero;
}

std::size_t shape_nbytes(const Shape& shape, DType dtype, const char* op) {
  std::int64_t nbytes = 0;
  if (__builtin_mul_overflow(shape_numel(shape, op), static_cast<std::int64_t>(itemsize(dtype)), &nbytes) ||
      nbytes > kMaxBytes) {
    too_big(shape, op, detail::concat("byte size (", dtype_name(dtype), ")").c_str());
  }
  return static_cast<std::size_t>(nbytes);
}

Strides contiguous_strides(const Shape& shape, const char* op) {
  Strides strides(shape.size());
  std::int64_t s = 1;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    if (__builtin_mul_overflow(s, std::max<std::int64_t>(shape[i], 1), &s)) too_big(shape, op, "stride");
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

// Refuses a view whose elements are not all inside its storage: a wrong stride or offset
// then raises instead of reading memory the tensor does not own.
// Returns the view's element count.
std::int64_t check_view(const Storage* storage, const Shape& shape, const Strides& strides, std::int64_t offset,
                        std::size_t item, const char* op) {
  const std::int64_t numel = shape_numel(shape, op);
  if (numel == 0 || !storage) return numel;
  std::int64_t lo = offset, hi = offset;
  bool overflow = strides.size() != shape.size();
  for (std::size_t i = 0; i < shape.size() && !overflow; ++i) {
    std::int64_t extent = 0;
    overflow = __builtin_mul_overflow(shape[i] - 1, strides[i], &extent) ||
               __builtin_add_overflow(extent < 0 ? lo : hi, extent, extent < 0 ? &lo : &hi);
  }
  std::int64_t end = 0;
  overflow = overflow || __builtin_add_overflow(hi, 1, &end) ||
             __builtin_mul_overflow(end, static_cast<std::int64_t>(item), &end);
  if (overflow || lo < 0 || static_cast<std::uint64_t>(end) > storage->nbytes()) {
    index_error(op, "a view of shape ", shape_str(shape), ", strides ", shape_str(strides), " and offset ", offset,
                " reaches outside its storage of ", storage->nbytes(), " bytes");
  }
  return numel;
}
}  // namespace

Tensor Tensor::from_storage(std::shared_ptr<Storage> storage, const Shape& shape, const Strides& strides,
                            std::int64_t offset, DType dtype) {
  check_ndim(shape, "from_storage");
  const std::int64_t numel = check_view(storage.get(), shape, strides, offset, ember::itemsize(dtype), "from_storage");
  Tensor t;
  t.storage_ = std::move(storage);
  t.shape_ = shape;
  t.strides_ = strides;
  t.offset_ = offset;
  t.numel_ = numel;
  t.dtype_ = dtype;
  return t;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device, const char* op) {
  check_ndim(shape, op);
  const std::size_t nbytes = shape_nbytes(shape, dtype, op);
  Tensor t;
  t.numel_ = shape_numel(shape, op);
  t.strides_ = contiguous_strides(shape, op);
  const auto out_of_memory = [&](const char* cause) {
    raise(ErrorKind::Memory, op, "unable to allocate ", human_bytes(nbytes), " (", nbytes, " bytes) for a tensor of shape ",
          shape_str(shape), " and dtype ", dtype_name(dtype), " on ", device.str(), cause);
  };
  try {
    t.storage_ = std::make_shared<Storage>(nbytes, device);
  } catch (const std::bad_alloc&) {
    out_of_memory("");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Memory) throw;
    out_of_memory(detail::concat(": ", e.what()).c_str());  // a device allocator's own reason
  }
  t.shape_ = shape;
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
  const std::int64_t numel = check_view(storage_.get(), shape, strides, offset, itemsize(), "as_strided");
  Tensor t;
  t.storage_ = storage_;
  t.shape_ = shape;
  t.strides_ = strides;
  t.offset_ = offset;
  t.numel_ = numel;
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
  const std::int64_t n = slice_length(start, stop, step);
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
  shape_numel(shape, "broadcast_to");
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
