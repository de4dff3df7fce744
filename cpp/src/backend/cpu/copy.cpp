// CPU kernels that write whole tensors: strided copy with cast, fill, arange, linspace.
#include <cmath>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// inputs: src (broadcast to dst's shape, any dtype); outputs: dst (any strides, any dtype).
void copy_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& src = in[0];
  const Tensor& dst = out[0];
  if (src.dtype() == dst.dtype() && src.is_contiguous() && dst.is_contiguous() &&
      src.strides() == dst.strides()) {
    const auto nbytes = static_cast<std::size_t>(src.numel()) * src.itemsize();
    parallel_range(static_cast<std::int64_t>(nbytes), 1 << 20, [&](std::int64_t b, std::int64_t e) {
      std::memcpy(static_cast<char*>(dst.raw_data()) + b, static_cast<const char*>(src.raw_data()) + b,
                  static_cast<std::size_t>(e - b));
    });
    return;
  }
  visit_dtype(src.dtype(), [&](auto stag) {
    using S = decltype(stag);
    visit_dtype(dst.dtype(), [&](auto dtag) {
      using D = decltype(dtag);
      StridedIter<2> it({&src, &dst});
      it.run_all([](const std::array<char*, 2>& p, const std::array<std::int64_t, 2>& s, std::int64_t n) {
        if (s[0] == sizeof(S) && s[1] == sizeof(D)) {
          const S* a = reinterpret_cast<const S*>(p[0]);
          D* o = reinterpret_cast<D*>(p[1]);
          for (std::int64_t i = 0; i < n; ++i) o[i] = convert<D>(a[i]);
        } else {
          for (std::int64_t i = 0; i < n; ++i) {
            *reinterpret_cast<D*>(p[1] + i * s[1]) = convert<D>(*reinterpret_cast<const S*>(p[0] + i * s[0]));
          }
        }
      });
    });
  });
}

// attrs: FillAttrs.
void fill_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor& dst = out[0];
  const FillAttrs a = decode<FillAttrs>(attrs);
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T value = std::is_integral_v<T> && !std::is_same_v<T, bool> ? convert<T>(a.int_value) : convert<T>(a.value);
    StridedIter<1> it({&dst});
    it.run_all([&](const std::array<char*, 1>& p, const std::array<std::int64_t, 1>& s, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = value;
    });
  });
}

// attrs: ArangeAttrs. Output contiguous.
void arange_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor& dst = out[0];
  const ArangeAttrs a = decode<ArangeAttrs>(attrs);
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = dst.data<T>();
    parallel_range(dst.numel(), kParallelGrain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          o[i] = static_cast<T>(a.int_start + i * a.int_step);
        } else {
          o[i] = convert<T>(a.start + static_cast<double>(i) * a.step);
        }
      }
    });
  });
}

// attrs: LinspaceAttrs. Computed in double as numpy.linspace.
void linspace_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor& dst = out[0];
  const LinspaceAttrs a = decode<LinspaceAttrs>(attrs);
  const std::int64_t n = dst.numel();
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = dst.data<T>();
    // Integer outputs floor, as numpy.linspace does (plain conversion truncates toward 0).
    auto value = [](double v) { return convert<T>(std::is_integral_v<T> ? std::floor(v) : v); };
    for (std::int64_t i = 0; i < n; ++i) o[i] = value(a.start + static_cast<double>(i) * a.step);
    if (a.endpoint && n > 1) o[n - 1] = value(a.stop);
  });
}

}  // namespace

void register_copy_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("copy").set_kernel(cpu, copy_kernel);
  op_entry("fill").set_kernel(cpu, fill_kernel);
  op_entry("arange").set_kernel(cpu, arange_kernel);
  op_entry("linspace").set_kernel(cpu, linspace_kernel);
}

}  // namespace ember::cpu
