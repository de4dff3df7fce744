#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ember/errors.h"
#include "ember/indexing.h"

namespace ember {
namespace {

const Device kCpu{};

Tensor iota(const Shape& shape, DType dtype = DType::Float32) {
  return reshape(arange(0, static_cast<double>(shape_numel(shape)), 1, dtype, kCpu), shape);
}

Tensor int64s(const std::vector<std::int64_t>& v) {
  Tensor t = Tensor::empty({static_cast<std::int64_t>(v.size())}, DType::Int64, kCpu);
  std::copy(v.begin(), v.end(), t.data<std::int64_t>());
  return t;
}

template <class T>
std::vector<T> values(const Tensor& t) {
  const Tensor c = contiguous(t);
  return std::vector<T>(c.data<T>(), c.data<T>() + c.numel());
}

TensorIndex full_slice() {
  TensorIndex ti;
  ti.item.kind = IndexItem::Kind::Slice;
  return ti;
}

TensorIndex array(const Tensor& a) {
  TensorIndex ti;
  ti.array = a;
  return ti;
}

TEST(Indexing, ArraysSeparatedBySliceGoFirst) {
  // x[[0, 2], :, [1, 3]] on a (3, 2, 4) tensor has shape (2, 2): broadcast axis first.
  const Tensor x = iota({3, 2, 4});
  const Tensor out = index(x, {array(int64s({0, 2})), full_slice(), array(int64s({1, 3}))});
  EXPECT_EQ(out.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{1, 5, 19, 23}));
}

TEST(Indexing, AdjacentArraysStayInPlaceOnAStridedView) {
  const Tensor x = iota({3, 4}).transpose();  // (4, 3), non-contiguous
  const Tensor out = index(x, {full_slice(), array(int64s({2, -3}))});
  EXPECT_EQ(out.shape(), (Shape{4, 2}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{8, 0, 9, 1, 10, 2, 11, 3}));
}

TEST(Indexing, OutOfRangeRaisesIndexError) {
  const Tensor x = iota({3});
  try {
    index(x, {array(int64s({3}))});
    FAIL() << "expected IndexError";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Index);
    EXPECT_EQ(std::string(e.what()).rfind("[index]", 0), 0u);
  }
}

TEST(Indexing, IndexPutWritesThroughAView) {
  const Tensor base = iota({2, 6});
  const Tensor view = base.slice(1, 0, 6, 2);  // (2, 3), stride 2 along the last axis
  index_put(view, {full_slice(), array(int64s({0, 2}))}, scalar_tensor(Scalar::from_int(-1), DType::Int32, kCpu));
  EXPECT_EQ(values<float>(base), (std::vector<float>{-1, 1, 2, 3, -1, 5, -1, 7, 8, 9, -1, 11}));
}

TEST(Indexing, ScatterMeanLeavesEmptySegmentsZero) {
  const Tensor data = iota({4}, DType::Float64);
  const Tensor out = scatter(data, int64s({2, 0, 2, 2}), 4, "mean", 0);
  EXPECT_EQ(values<double>(out), (std::vector<double>{1, 0, 5.0 / 3.0, 0}));
}

TEST(Sorting, ArgsortIsStableWithNansLast) {
  Tensor x = Tensor::empty({5}, DType::Float32, kCpu);
  const float nan = std::nanf("");
  const float v[] = {1.f, nan, 0.f, 1.f, -2.f};
  std::copy(v, v + 5, x.data<float>());
  EXPECT_EQ(values<std::int64_t>(argsort(x, -1, false)), (std::vector<std::int64_t>{4, 2, 0, 3, 1}));
  EXPECT_EQ(values<std::int64_t>(argsort(x, 0, true)), (std::vector<std::int64_t>{0, 3, 2, 4, 1}));
}

TEST(Sorting, CumsumOfInt8WidensToInt64) {
  const Tensor out = cumsum(full({3}, Scalar::from_int(100), DType::Int8, kCpu), std::nullopt);
  EXPECT_EQ(out.dtype(), DType::Int64);
  EXPECT_EQ(values<std::int64_t>(out), (std::vector<std::int64_t>{100, 200, 300}));
}

TEST(Sorting, PercentileLinearAndMedian) {
  const Tensor x = iota({4}, DType::Float64);  // 0 1 2 3
  EXPECT_EQ(values<double>(percentile(x, {25.0, 100.0}, false, std::nullopt, false)),
            (std::vector<double>{0.75, 3.0}));
  EXPECT_EQ(values<double>(median(x, std::nullopt, false)), (std::vector<double>{1.5}));
}

}  // namespace
}  // namespace ember
