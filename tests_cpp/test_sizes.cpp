// Overflow-checked sizes, bounds-checked views, non-finite input to decompositions and
// NumPy 2's rules for Python ints outside a tensor's dtype.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "ember/errors.h"
#include "ember/linalg.h"
#include "ember/ops.h"
#include "ember/random.h"

#ifdef __SANITIZE_ADDRESS__
// Under AddressSanitizer an impossible allocation must fail as malloc does (null), so that
// the MemoryError path is what gets tested; ASan otherwise aborts the process.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }
#endif

namespace ember {
namespace {

const Device kCpu{};

// Runs fn, which must throw an Error of `kind` whose message starts with "[op]" and holds `part`.
template <class Fn>
void expect_error(Fn fn, ErrorKind kind, const std::string& op, const std::string& part) {
  try {
    fn();
    FAIL() << "expected an error from " << op;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("[" + op + "]", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Sizes, ElementCountsThatOverflowRaiseValueErrorNamingOpAndShape) {
  const std::int64_t big = std::int64_t{1} << 31;
  expect_error([&] { zeros({big, big, big}, DType::Float32, kCpu); }, ErrorKind::Value, "zeros",
               "(2147483648, 2147483648, 2147483648)");
  // 2**62 elements fit the count but not the bytes of a float32.
  expect_error([&] { ones({big, big}, DType::Float32, kCpu); }, ErrorKind::Value, "ones", "byte size");
  expect_error([&] { random_uniform({big, big}, 0, 1, DType::Float32, kCpu, 0); }, ErrorKind::Value,
               "random_uniform", "too big");
  expect_error([&] { linalg::orthogonal({big, big}, 1.0, DType::Float32, kCpu, 0); }, ErrorKind::Value,
               "orthogonal", "too big");
  // As NumPy: the other sizes may not overflow even next to a 0.
  expect_error([&] { shape_numel({0, big * big, big * big}, "t"); }, ErrorKind::Value, "t", "element count");
  EXPECT_EQ(shape_numel({0, big, big}, "t"), 0);
}

TEST(Sizes, AllocationsBeyondTheMachineRaiseMemoryErrorNamingOpAndBytes) {
  // 2**45 float32 = 128 TiB: beyond any x86-64 user address space, so it fails even
  // where the kernel overcommits memory.
  expect_error([] { full({std::int64_t{1} << 45}, Scalar::from_int(0), DType::Float32, kCpu); }, ErrorKind::Memory,
               "full", "140737488355328 bytes");
}

TEST(Sizes, ViewsOutsideTheirStorageRaiseIndexError) {
  const Tensor t = zeros({2, 3}, DType::Float32, kCpu);
  EXPECT_NO_THROW(t.as_strided({3, 2}, {1, 3}, 0));
  expect_error([&] { t.as_strided({2, 3}, {3, 1}, 1); }, ErrorKind::Index, "as_strided", "outside its storage");
  expect_error([&] { t.as_strided({2}, {-3}, 0); }, ErrorKind::Index, "as_strided", "outside its storage");
  expect_error([&] { t.as_strided({std::int64_t{1} << 40}, {std::int64_t{1} << 40}, 0); }, ErrorKind::Index,
               "as_strided", "outside its storage");
  EXPECT_NO_THROW(t.as_strided({0, 7}, {100, 100}, 50));  // an empty view reads nothing
}

Tensor matrix(std::initializer_list<double> values, std::int64_t n) {
  Tensor t = Tensor::empty({n, n}, DType::Float64, kCpu);
  double* p = t.data<double>();
  for (double v : values) *p++ = v;
  return t;
}

TEST(Sizes, DecompositionsOfNonFiniteInputRaiseLinAlgError) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor a = matrix({1, nan, 2, 3}, 2);
  expect_error([&] { linalg::svd(a, true, true); }, ErrorKind::LinAlg, "svd", "did not converge");
  expect_error([&] { linalg::eig(a); }, ErrorKind::LinAlg, "eig", "infs or NaNs");
  expect_error([&] { linalg::cholesky(matrix({4, 0, nan, 3}, 2)); }, ErrorKind::LinAlg, "cholesky",
               "positive definite");
  // eigh reads the lower triangle only and, like NumPy, answers NaN for a non-finite one.
  const auto upper_nan = linalg::eigh(matrix({2, nan, 1, 2}, 2));
  EXPECT_NEAR(upper_nan.eigenvalues.data<double>()[1], 3.0, 1e-12);
  const auto lower_nan = linalg::eigh(matrix({2, 1, nan, 2}, 2));
  EXPECT_TRUE(std::isnan(lower_nan.eigenvalues.data<double>()[0]));
}

Tensor python_int(std::int64_t v) {
  Tensor t = scalar_tensor(Scalar::from_int(v), DType::Int64, kCpu);
  t.set_wrapped_int(v);
  return t;
}

TEST(Sizes, PythonIntsOutsideTheDtypeFollowNumPy2) {
  Tensor u = Tensor::empty({4}, DType::UInt8, kCpu);
  const std::uint8_t values[4] = {0, 1, 100, 200};
  std::copy(values, values + 4, u.data<std::uint8_t>());
  const Tensor gt = greater(u, python_int(-1));
  const Tensor lt = less(python_int(300), u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(gt.data<bool>()[i]);
    EXPECT_FALSE(lt.data<bool>()[i]);
  }
  const Tensor clipped = clip(u, python_int(-2), python_int(300));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(clipped.data<std::uint8_t>()[i], values[i]);
  expect_error([&] { add(u, python_int(300)); }, ErrorKind::Overflow, "add", "300 out of bounds for uint8");
  expect_error([&] { maximum(u, python_int(256)); }, ErrorKind::Overflow, "maximum", "uint8");
}

}  // namespace
}  // namespace ember
