// The allocation-free small paths: SmallVector (shapes and strides) against std::vector,
// and the small- and large-buffer caches of CPU storage against fresh allocations.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

#include "ember/ops.h"
#include "ember/small_vector.h"

namespace ember {
namespace {

using SV = SmallVector<std::int64_t, 4>;

// Asserts that sv holds exactly the elements of v.
void expect_same(const SV& sv, const std::vector<std::int64_t>& v) {
  ASSERT_EQ(sv.size(), v.size());
  EXPECT_TRUE(std::equal(sv.begin(), sv.end(), v.begin()));
}

TEST(SmallVector, ConstructorsMatchStdVector) {
  expect_same(SV(), {});
  expect_same(SV(3), std::vector<std::int64_t>(3));
  expect_same(SV(6, 7), std::vector<std::int64_t>(6, 7));  // spills to the heap
  expect_same(SV{1, 2, 3}, {1, 2, 3});
  const std::vector<std::int64_t> src{5, 4, 3, 2, 1};
  expect_same(SV(src.begin(), src.end()), src);
  expect_same(SV(src.begin(), src.begin() + 2), {5, 4});
  // (count, value) with two ints is a count, not an iterator range, as for std::vector.
  expect_same(SV(static_cast<int>(2), 9), {9, 9});
}

TEST(SmallVector, GrowsPastInlineCapacityAndShrinksBack) {
  SV sv;
  std::vector<std::int64_t> v;
  for (std::int64_t i = 0; i < 40; ++i) {
    sv.push_back(i * 3);
    v.push_back(i * 3);
    expect_same(sv, v);
  }
  EXPECT_GE(sv.capacity(), 40u);
  sv.resize(2);
  v.resize(2);
  expect_same(sv, v);
  sv.resize(6, -1);
  v.resize(6, -1);
  expect_same(sv, v);
}

TEST(SmallVector, InsertAndEraseMatchStdVector) {
  for (std::size_t start : {0u, 2u, 3u, 5u}) {  // inline, at capacity and on the heap
    std::vector<std::int64_t> v(start);
    std::iota(v.begin(), v.end(), 10);
    SV sv(v.begin(), v.end());
    for (std::size_t at = 0; at <= start; ++at) {
      SV s = sv;
      std::vector<std::int64_t> w = v;
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), 99);
      w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), 99);
      expect_same(s, w);
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), s.begin(), s.end());  // a range aliasing s
      const std::vector<std::int64_t> before = w;
      w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), before.begin(), before.end());
      expect_same(s, w);
      s.erase(s.begin() + static_cast<std::ptrdiff_t>(at));
      w.erase(w.begin() + static_cast<std::ptrdiff_t>(at));
      expect_same(s, w);
      s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at));
      w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(at));
      expect_same(s, w);
    }
  }
}

TEST(SmallVector, CopyAndMoveKeepElementsForInlineAndHeapStorage) {
  for (std::size_t n : {3u, 9u}) {
    std::vector<std::int64_t> v(n);
    std::iota(v.begin(), v.end(), 1);
    const SV original(v.begin(), v.end());
    SV copy = original;
    expect_same(copy, v);
    SV moved = std::move(copy);
    expect_same(moved, v);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty, as documented
    SV assigned{42};
    assigned = moved;
    expect_same(assigned, v);
    SV move_assigned(7, 1);
    move_assigned = std::move(moved);
    expect_same(move_assigned, v);
    EXPECT_EQ(move_assigned, original);
    EXPECT_NE(move_assigned, SV{});
  }
}

TEST(SmallVector, ShapesBeyondTheInlineDimsWork) {
  // 10-d tensors spill their shape and strides to the heap; views and ops still work.
  const Shape shape(10, 2);
  Tensor t = reshape(arange(0, 1024, 1, DType::Float32, Device{}), shape);
  EXPECT_EQ(t.shape(), shape);
  EXPECT_EQ(t.strides()[0], 512);
  const Tensor s = add(t, t).transpose();
  EXPECT_EQ(s.shape(), shape);
  EXPECT_EQ(s.strides()[0], 1);
  EXPECT_EQ(s.strides()[9], 512);
  // s[1, 0, ..., 0] is (t + t)[0, ..., 0, 1] = 2.
  EXPECT_EQ(s.data<float>()[s.strides()[0]], 2.0f);
}

// Small CPU buffers come from a per-thread cache: reused buffers must be aligned, of the
// requested size and independent of the tensors that held them before.
TEST(SmallBufferCache, ReusedBuffersAreAlignedAndIndependent) {
  for (int round = 0; round < 3; ++round) {
    std::vector<Tensor> live;
    for (std::int64_t n = 0; n <= 300; n += 7) {  // 0 to 1200 bytes: cached and uncached sizes
      Tensor t = full({n}, Scalar::from_double(static_cast<double>(n + round)), DType::Float32, Device{});
      if (n > 0) {
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 64, 0u) << n;
      }
      live.push_back(t);
    }
    for (const Tensor& t : live) {
      const float want = static_cast<float>(t.numel() + round);
      for (std::int64_t i = 0; i < t.numel(); ++i) ASSERT_EQ(t.data<float>()[i], want);
    }
  }
}

TEST(SmallBufferCache, BuffersFreedOnAnotherThreadAreReusableThere) {
  std::vector<Tensor> made;
  for (int i = 0; i < 32; ++i) made.push_back(full({16}, Scalar::from_double(i), DType::Float64, Device{}));
  std::thread other([&] {
    made.clear();  // frees into this thread's cache, destroyed when the thread ends
    Tensor t = full({16}, Scalar::from_double(3.0), DType::Float64, Device{});
    for (int i = 0; i < 16; ++i) ASSERT_EQ(t.data<double>()[i], 3.0);
  });
  other.join();
  const Tensor t = full({16}, Scalar::from_double(5.0), DType::Float64, Device{});
  for (int i = 0; i < 16; ++i) EXPECT_EQ(t.data<double>()[i], 5.0);
}

// Buffers of 4 MiB and more are kept for reuse when freed (tensor.cpp): a buffer of the size
// just freed comes back (a training loop's pattern), 2 MiB aligned, and a held buffer is never
// handed out twice, from any thread.
TEST(LargeBufferCache, ReusesFreedBuffersOfTheSameSize) {
  const std::int64_t n = (std::int64_t{6} << 20) / 4;  // 6 MiB of float32
  const void* first = nullptr;
  {
    const Tensor t = full({n}, Scalar::from_double(1.0), DType::Float32, Device{});
    first = t.raw_data();
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first) % (std::uintptr_t{1} << 21), 0u);
  }
  const Tensor again = full({n}, Scalar::from_double(2.0), DType::Float32, Device{});
  EXPECT_EQ(again.raw_data(), first);
  const Tensor other = full({n}, Scalar::from_double(3.0), DType::Float32, Device{});
  EXPECT_NE(other.raw_data(), again.raw_data());
  for (std::int64_t i = 0; i < n; i += 4099) {
    ASSERT_EQ(again.data<float>()[i], 2.0f);
    ASSERT_EQ(other.data<float>()[i], 3.0f);
  }
}

TEST(LargeBufferCache, ThreadsGetDistinctBuffers) {
  const std::int64_t n = (std::int64_t{5} << 20) / 8;  // 5 MiB of float64
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([n, k] {
      for (int round = 0; round < 20; ++round) {
        const Tensor t = full({n}, Scalar::from_double(k + round), DType::Float64, Device{});
        for (std::int64_t i = 0; i < n; i += 997) ASSERT_EQ(t.data<double>()[i], k + round);
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace
}  // namespace ember
