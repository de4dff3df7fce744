#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "ember/errors.h"
#include "ember/parallel.h"
#include "ember/ops.h"
#include "ember/registry.h"

namespace ember {
namespace {

const Device kCpu{};

Tensor iota(const Shape& shape, DType dtype = DType::Float32) {
  return reshape(arange(0, static_cast<double>(shape_numel(shape)), 1, dtype, kCpu), shape);
}

TEST(Tensor, EmptyIsContiguous) {
  Tensor t = Tensor::empty({2, 3, 4}, DType::Float32, kCpu);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.strides(), (Strides{12, 4, 1}));
  EXPECT_TRUE(t.is_contiguous());
}

TEST(Tensor, TransposeIsAViewSharingStorage) {
  Tensor t = iota({2, 3});
  Tensor tt = transpose(t, std::nullopt);
  EXPECT_TRUE(tt.shares_storage(t));
  EXPECT_EQ(tt.shape(), (Shape{3, 2}));
  EXPECT_EQ(tt.strides(), (Strides{1, 3}));
  EXPECT_FALSE(tt.is_contiguous());
  Tensor c = copy(tt);
  const float* p = c.data<float>();
  EXPECT_EQ(p[0], 0.f);
  EXPECT_EQ(p[1], 3.f);
  EXPECT_EQ(p[2], 1.f);
}

TEST(Tensor, SliceWithNegativeStepIsAView) {
  Tensor t = iota({10});
  Tensor s = basic_index(t, {IndexItem{IndexItem::Kind::Slice, 0, std::nullopt, std::nullopt, -3}});
  EXPECT_TRUE(s.shares_storage(t));
  EXPECT_EQ(s.shape(), (Shape{4}));
  Tensor c = copy(s);
  EXPECT_EQ(c.data<float>()[0], 9.f);
  EXPECT_EQ(c.data<float>()[3], 0.f);
}

TEST(Tensor, ContiguousReshapeIsAViewOtherwiseCopy) {
  Tensor t = iota({4, 6});
  EXPECT_TRUE(reshape(t, {2, -1, 3}).shares_storage(t));
  Tensor tt = transpose(t, std::nullopt);
  EXPECT_FALSE(reshape(tt, {24}).shares_storage(t));
  EXPECT_THROW(reshape(t, {5, -1}), Error);
}

TEST(Tensor, BroadcastToHasZeroStrides) {
  Tensor t = iota({3, 1});
  Tensor b = broadcast_to(t, {2, 3, 4});
  EXPECT_TRUE(b.shares_storage(t));
  EXPECT_EQ(b.strides(), (Strides{0, 1, 0}));
  EXPECT_THROW(broadcast_to(t, {2, 4}), Error);
}

TEST(Broadcast, ShapesFollowNumPy) {
  EXPECT_EQ(broadcast_shapes({2, 1, 3}, {4, 1}, "t"), (Shape{2, 4, 3}));
  EXPECT_EQ(broadcast_shapes({}, {5}, "t"), (Shape{5}));
  try {
    broadcast_shapes({2, 3}, {4}, "add");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("[add]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos);
  }
}

TEST(Promotion, MatchesNumPyTable) {
  EXPECT_EQ(promote_types(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(promote_types(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(promote_types(DType::Float16, DType::Int16), DType::Float32);
  EXPECT_EQ(promote_types(DType::Float32, DType::Int32), DType::Float64);
  EXPECT_EQ(promote_types(DType::Bool, DType::UInt16), DType::UInt16);
  EXPECT_EQ(promote_types(DType::UInt32, DType::Int16), DType::Int64);
}

TEST(Promotion, WrappedNumbersPromoteByKind) {
  Tensor i8 = zeros({2}, DType::Int8, kCpu);
  Tensor one = scalar_tensor(Scalar::from_int(1), DType::Int32, kCpu);
  one.set_wrapped_number(true);
  EXPECT_EQ(result_type(i8, one), DType::Int8);
  Tensor half_ = scalar_tensor(Scalar::from_double(0.5), DType::Float32, kCpu);
  half_.set_wrapped_number(true);
  EXPECT_EQ(result_type(i8, half_), DType::Float32);
}

TEST(Registry, MissingKernelRaisesNotImplemented) {
  op_entry("test_only_op");
  try {
    op_entry("test_only_op").kernel(Device{DeviceType::OpenCL, 0});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotImplemented);
    EXPECT_NE(std::string(e.what()).find("has no opencl kernel"), std::string::npos);
  }
}

void noop_kernel(std::span<const Tensor>, std::span<Tensor>, const Attrs&) {}

TEST(Registry, KernelForUndeclaredOpIsRejected) {
  init_backends();
  try {
    op_entry("test_undeclared_op").set_kernel(DeviceType::CPU, noop_kernel);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Runtime);
    EXPECT_NE(std::string(e.what()).find("[registry] kernel registered for the undeclared op 'test_undeclared_op'"),
              std::string::npos);
  }
  EXPECT_FALSE(op_entry("test_undeclared_op").has_kernel(DeviceType::CPU));
  EXPECT_FALSE(is_declared_op("complex_sigmoid"));  // no complex kernel is declared for sigmoid
  EXPECT_TRUE(is_declared_op("complex_exp"));
}

// The list holds no stale names: every declared op has a kernel on both backends, except
// transfer, which moves data between host and device and runs only on the OpenCL side.
TEST(Registry, EveryDeclaredOpHasCpuAndOpenclKernels) {
  init_backends();
  for (const std::string& name : declared_ops()) {
    const OpEntry* entry = find_op(name);
    ASSERT_NE(entry, nullptr) << name;
    EXPECT_EQ(entry->has_kernel(DeviceType::CPU), name != "transfer") << name;
    EXPECT_TRUE(entry->has_kernel(DeviceType::OpenCL)) << name;
  }
}

TEST(Kernels, AddBroadcastsAndPromotes) {
  Tensor a = iota({2, 3}, DType::Int32);
  Tensor b = iota({3}, DType::Float32);
  Tensor c = add(a, b);
  EXPECT_EQ(c.dtype(), DType::Float64);
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_DOUBLE_EQ(c.data<double>()[5], 5.0 + 2.0);
}

TEST(Kernels, SumLargeRowMatchesClosedForm) {
  const std::int64_t n = 1 << 20;
  Tensor t = arange(0, static_cast<double>(n), 1, DType::Float64, kCpu);
  Tensor s = sum(t, std::nullopt, false);
  EXPECT_DOUBLE_EQ(s.data<double>()[0], static_cast<double>(n) * (n - 1) / 2);
}

TEST(Kernels, ReduceOverMiddleAxis) {
  Tensor t = iota({2, 3, 4}, DType::Int32);
  Tensor s = sum(t, std::vector<std::int64_t>{1}, false);
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(s.shape(), (Shape{2, 4}));
  EXPECT_EQ(s.data<std::int64_t>()[0], 0 + 4 + 8);
  EXPECT_EQ(s.data<std::int64_t>()[7], 15 + 19 + 23);
}

TEST(Kernels, MatmulOfTransposedViewUsesStrides) {
  Tensor a = iota({3, 2});
  Tensor at = transpose(a, std::nullopt);  // [[0,2,4],[1,3,5]]
  Tensor m = matmul(at, a);                // 2x2
  EXPECT_EQ(m.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(m.data<float>()[0], 0 * 0 + 2 * 2 + 4 * 4);
  EXPECT_FLOAT_EQ(m.data<float>()[1], 0 * 1 + 2 * 3 + 4 * 5);
}

TEST(Kernels, IntegerDivisionByZeroDoesNotTrap) {
  Tensor a = iota({4}, DType::Int32);
  Tensor z = zeros({4}, DType::Int32, kCpu);
  Tensor q = floor_divide(a, z);
  Tensor r = mod(a, z);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(q.data<std::int32_t>()[i], 0);
    EXPECT_EQ(r.data<std::int32_t>()[i], 0);
  }
}

TEST(Devices, MixedDevicesRaiseNamingBoth) {
  Tensor a = zeros({2}, DType::Float32, kCpu);
  // A tensor labelled opencl:0 over host memory: the op must refuse it before any kernel
  // runs, so no OpenCL driver is touched.
  static float host[2] = {0, 0};
  auto storage = std::make_shared<Storage>(host, sizeof host, Device{DeviceType::OpenCL, 0}, [] {});
  Tensor b = Tensor::from_storage(storage, {2}, {1}, 0, DType::Float32);
  try {
    add(a, b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("cpu and opencl:0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

TEST(Parallel, ChunksCoverRangeAndRethrow) {
  std::vector<int> hits(1 << 20, 0);
  parallel_for(static_cast<std::int64_t>(hits.size()), 1024, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) ++hits[i];
  });
  for (int h : hits) ASSERT_EQ(h, 1);
  // The chunk that ends the range throws: on one thread too, where that chunk is the whole range.
  EXPECT_THROW(parallel_for(1 << 20, 1024,
                            [](std::int64_t, std::int64_t e) {
                              if (e == (1 << 20)) value_error("test", "chunk failed");
                            }),
               Error);
}

TEST(Parallel, ChunksAreDisjointAndAtLeastTheGrain) {
  constexpr std::int64_t n = 100003, grain = 1000;
  std::vector<std::atomic<int>> hits(n);
  std::atomic<int> short_chunks{0};
  parallel_for(n, grain, [&](std::int64_t b, std::int64_t e) {
    if (e - b < grain && e != n) ++short_chunks;
    for (std::int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
  });
  EXPECT_EQ(short_chunks.load(), 0);
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
}

// A pool whose workers are all busy (here: blocked inside another caller's chunks) must
// not stall parallel_for: the caller takes every chunk itself. (With EMBER_NUM_THREADS=1
// there are no workers to block, and the test checks only that every index is covered.)
TEST(Parallel, CallerRunsEveryChunkWhileThePoolIsBusy) {
  const int workers = num_threads() - 1;
  std::atomic<int> blocked{0};
  std::atomic<bool> release{false};
  const auto wait_until = [](const auto& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    return done();
  };
  std::thread occupier([&] {
    const auto self = std::this_thread::get_id();
    parallel_for(64, 1, [&](std::int64_t, std::int64_t) {
      if (std::this_thread::get_id() == self) {
        wait_until([&] { return blocked.load() == workers; });  // let every worker take a chunk
      } else {
        ++blocked;
        wait_until([&] { return release.load(); });
      }
    });
  });
  ASSERT_TRUE(wait_until([&] { return blocked.load() == workers; }));
  std::vector<int> hits(1 << 16, 0);
  parallel_for(static_cast<std::int64_t>(hits.size()), 1024, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) ++hits[i];
  });
  const bool workers_still_blocked = blocked.load() == workers && !release.load();
  release = true;
  occupier.join();
  EXPECT_TRUE(workers_still_blocked);
  for (int h : hits) ASSERT_EQ(h, 1);
}

TEST(Kernels, ArgmaxReturnsFirstNaNLikeNumPy) {
  Tensor t = arange(0, 6, 1, DType::Float32, Device{});
  t.data<float>()[2] = std::numeric_limits<float>::quiet_NaN();
  t.data<float>()[4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(argmax(t, std::nullopt, false).data<std::int64_t>()[0], 2);
  EXPECT_EQ(argmin(t, std::nullopt, false).data<std::int64_t>()[0], 2);
}

TEST(Kernels, WritesThroughBroadcastViewsAreRefused) {
  Tensor base = zeros({3}, DType::Float32, Device{});
  Tensor view = broadcast_to(base, {2, 3});
  EXPECT_TRUE(view.is_read_only());
  EXPECT_THROW(copy_into(view, ones({2, 3}, DType::Float32, Device{}), "setitem"), Error);
}

TEST(Kernels, EmptyTensorsReshapeAndReduce) {
  Tensor t = zeros({2, 0}, DType::Float32, Device{});
  EXPECT_EQ(reshape(t, {0}).shape(), (Shape{0}));
  Tensor s = sum(t, std::vector<std::int64_t>{1}, false);
  EXPECT_EQ(s.shape(), (Shape{2}));
  EXPECT_EQ(s.data<float>()[1], 0.f);
  EXPECT_THROW(max(t, std::vector<std::int64_t>{1}, false), Error);
}

TEST(Kernels, Arctan2QuadrantsSignedZerosAndIntegerInputs) {
  const double pi = std::acos(-1.0);
  Tensor y = reshape(linspace(-1, 1, 3, true, DType::Float64, kCpu), {3, 1});   // -1, 0, 1
  Tensor x = linspace(-1, 1, 3, true, DType::Float64, kCpu);                     // -1, 0, 1
  Tensor a = arctan2(y, x);
  ASSERT_EQ(a.shape(), (Shape{3, 3}));
  const double* p = a.data<double>();
  EXPECT_DOUBLE_EQ(p[0], -3 * pi / 4);  // (x, y) = (-1, -1)
  EXPECT_DOUBLE_EQ(p[1], -pi / 2);      // (0, -1)
  EXPECT_DOUBLE_EQ(p[5], 0.0);          // (1, 0)
  EXPECT_DOUBLE_EQ(p[3], pi);           // (-1, +0): +pi, as std::atan2 and numpy.arctan2
  Tensor neg_zero = full({1}, Scalar::from_double(-0.0), DType::Float64, kCpu);
  EXPECT_DOUBLE_EQ(arctan2(neg_zero, full({1}, Scalar::from_double(-1.0), DType::Float64, kCpu)).data<double>()[0],
                   -pi);
  Tensor i = arctan2(iota({2}, DType::Int32), ones({2}, DType::Int32, kCpu));
  EXPECT_EQ(i.dtype(), DType::Float32);  // integer inputs compute in float32, as divide
  EXPECT_FLOAT_EQ(i.data<float>()[1], static_cast<float>(pi / 4));
  EXPECT_THROW(arctan2(iota({2}), iota({3})), Error);
}

}  // namespace
}  // namespace ember
