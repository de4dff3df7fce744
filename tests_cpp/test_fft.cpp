// Complex dtypes, the FFT family and eig in the C++ core, without Python.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "ember/errors.h"
#include "ember/fft.h"
#include "ember/linalg.h"

namespace ember {
namespace {

using cd = std::complex<double>;
const Device kCpu{};

template <class T>
Tensor vec(std::initializer_list<T> values, const Shape& shape) {
  Tensor t = Tensor::empty(shape, dtype_of<T>::value, kCpu);
  T* p = t.data<T>();
  for (T v : values) *p++ = v;
  return t;
}

void expect_near(const Tensor& t, std::initializer_list<cd> want, double tol) {
  ASSERT_EQ(t.numel(), static_cast<std::int64_t>(want.size()));
  const Tensor c = contiguous(t);
  std::int64_t i = 0;
  for (cd w : want) {
    const cd got = c.data<cd>()[i++];
    EXPECT_NEAR(got.real(), w.real(), tol) << "element " << i - 1;
    EXPECT_NEAR(got.imag(), w.imag(), tol) << "element " << i - 1;
  }
}

TEST(Complex, PromotionFollowsNumpy) {
  EXPECT_EQ(promote_types(DType::Complex64, DType::Float64), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Int16, DType::Complex64), DType::Complex64);
  EXPECT_EQ(promote_types(DType::UInt64, DType::Complex64), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Bool, DType::Complex128), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Float16, DType::Complex64), DType::Complex64);
  EXPECT_EQ(dtype_from_name("complex128"), DType::Complex128);
  EXPECT_EQ(itemsize(DType::Complex64), 8u);
}

TEST(Complex, ArithmeticAndParts) {
  const Tensor a = vec<cd>({{1, 2}, {-3, 0.5}}, {2});
  const Tensor b = vec<cd>({{0, 1}, {2, -2}}, {2});
  expect_near(multiply(a, b), {cd(1, 2) * cd(0, 1), cd(-3, 0.5) * cd(2, -2)}, 1e-15);
  expect_near(divide(a, b), {cd(1, 2) / cd(0, 1), cd(-3, 0.5) / cd(2, -2)}, 1e-15);
  const Tensor re = real(a), im = imag(a);
  EXPECT_EQ(re.dtype(), DType::Float64);
  EXPECT_TRUE(re.shares_storage(a));
  EXPECT_EQ(contiguous(im).data<double>()[1], 0.5);
  EXPECT_EQ(abs(vec<cd>({{3, 4}}, {1})).data<double>()[0], 5.0);
}

TEST(Complex, CastToRealRaisesTypeErrorNamingCast) {
  try {
    cast(vec<cd>({{1, 1}}, {1}), DType::Float32);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
    EXPECT_EQ(std::string(e.what()).rfind("[cast]", 0), 0u) << e.what();
  }
}

TEST(Fft, KnownTransformOfFourPoints) {
  const Tensor x = vec<double>({1, 2, 3, 4}, {4});
  const Tensor y = fft::fft(x, std::nullopt, -1, fft::Norm::Backward);
  EXPECT_EQ(y.dtype(), DType::Complex128);
  expect_near(y, {{10, 0}, {-2, 2}, {-2, 0}, {-2, -2}}, 1e-12);
  const Tensor r = fft::rfft(x, std::nullopt, -1, fft::Norm::Backward);
  expect_near(r, {{10, 0}, {-2, 2}, {-2, 0}}, 1e-12);
  const Tensor back = fft::irfft(r, 4, -1, fft::Norm::Backward);
  ASSERT_EQ(back.dtype(), DType::Float64);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(back.data<double>()[i], i + 1.0, 1e-12);
}

TEST(Fft, PrimeLengthMatchesTheDefinition) {
  constexpr int n = 7;
  Tensor x = Tensor::empty({n}, DType::Complex128, kCpu);
  for (int j = 0; j < n; ++j) x.data<cd>()[j] = cd(std::cos(j * 0.3), j % 3 - 1.0);
  const Tensor y = contiguous(fft::fft(x, std::nullopt, 0, fft::Norm::Ortho));
  for (int k = 0; k < n; ++k) {
    cd want = 0;
    for (int j = 0; j < n; ++j) want += x.data<cd>()[j] * std::polar(1.0, -2 * std::numbers::pi * j * k / n);
    want /= std::sqrt(double(n));
    EXPECT_NEAR(std::abs(y.data<cd>()[k] - want), 0.0, 1e-12) << "k=" << k;
  }
}

TEST(Fft, BadLengthRaisesValueErrorNamingOp) {
  try {
    fft::ifft(vec<double>({1, 2}, {2}), 0, -1, fft::Norm::Backward);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind("[ifft]", 0), 0u) << e.what();
  }
}

TEST(Eig, RotationHasImaginaryEigenvalues) {
  const Tensor a = vec<double>({0, -1, 1, 0}, {2, 2});
  const linalg::EigResult r = linalg::eig(a);
  ASSERT_EQ(r.eigenvalues.dtype(), DType::Complex128);
  const cd w0 = r.eigenvalues.data<cd>()[0], w1 = r.eigenvalues.data<cd>()[1];
  EXPECT_NEAR(std::abs(w0 * w1 - cd(1, 0)), 0.0, 1e-12);  // +i and -i
  EXPECT_NEAR(std::abs(w0 + w1), 0.0, 1e-12);
  EXPECT_NEAR(std::abs(w0.imag()), 1.0, 1e-12);
  // a v = w v for the first eigenpair
  const cd* v = r.eigenvectors.data<cd>();
  EXPECT_NEAR(std::abs(-v[2] - w0 * v[0]), 0.0, 1e-12);
  EXPECT_NEAR(std::abs(v[0] - w0 * v[2]), 0.0, 1e-12);
}

TEST(Eig, RealSpectrumGivesRealDtype) {
  const Tensor w = linalg::eigvals(vec<double>({2, 0, 0, 3}, {2, 2}));
  ASSERT_EQ(w.dtype(), DType::Float64);
  EXPECT_EQ(std::min(w.data<double>()[0], w.data<double>()[1]), 2.0);
  EXPECT_EQ(std::max(w.data<double>()[0], w.data<double>()[1]), 3.0);
}

}  // namespace
}  // namespace ember
