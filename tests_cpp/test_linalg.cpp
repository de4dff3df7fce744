#include <gtest/gtest.h>

#include <cmath>

#include "ember/errors.h"
#include "ember/linalg.h"

namespace ember {
namespace {

const Device kCpu{};

Tensor matrix(std::initializer_list<double> values, const Shape& shape) {
  Tensor t = Tensor::empty(shape, DType::Float64, kCpu);
  double* p = t.data<double>();
  for (double v : values) *p++ = v;
  return t;
}

TEST(Linalg, SolveKnownSystem) {
  // 2x + y = 3, x + 3y = 5  ->  x = 0.8, y = 1.4
  const Tensor x = linalg::solve(matrix({2, 1, 1, 3}, {2, 2}), matrix({3, 5}, {2}));
  ASSERT_EQ(x.shape(), (Shape{2}));
  EXPECT_NEAR(x.data<double>()[0], 0.8, 1e-14);
  EXPECT_NEAR(x.data<double>()[1], 1.4, 1e-14);
}

TEST(Linalg, SingularRaisesLinAlgErrorNamingOp) {
  try {
    linalg::inv(matrix({1, 2, 2, 4}, {2, 2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::LinAlg);
    EXPECT_EQ(std::string(e.what()).rfind("[inv]", 0), 0u) << e.what();
  }
}

TEST(Linalg, DetOfBatchAndOfEmptyMatrix) {
  const Tensor d = linalg::det(matrix({1, 2, 3, 4, 2, 0, 0, 5}, {2, 2, 2}));
  ASSERT_EQ(d.shape(), (Shape{2}));
  EXPECT_NEAR(d.data<double>()[0], -2.0, 1e-14);
  EXPECT_NEAR(d.data<double>()[1], 10.0, 1e-14);
  EXPECT_EQ(linalg::det(zeros({0, 0}, DType::Float64, kCpu)).data<double>()[0], 1.0);
}

TEST(Linalg, CholeskyOfTransposedViewReadsLowerTriangle) {
  const Tensor a = matrix({4, 2, 2, 3}, {2, 2}).transpose();
  const Tensor l = linalg::cholesky(a);
  EXPECT_NEAR(l.data<double>()[0], 2.0, 1e-14);
  EXPECT_EQ(l.data<double>()[1], 0.0);
  EXPECT_NEAR(l.data<double>()[2], 1.0, 1e-14);
  EXPECT_NEAR(l.data<double>()[3], std::sqrt(2.0), 1e-14);
  EXPECT_THROW(linalg::cholesky(matrix({1, 2, 2, 1}, {2, 2})), Error);
}

TEST(Linalg, SingularValuesOfDiagonalMatrixAreSortedMagnitudes) {
  const auto r = linalg::svd(matrix({1, 0, 0, -3}, {2, 2}), true, false);
  EXPECT_FALSE(r.u.defined());
  EXPECT_NEAR(r.s.data<double>()[0], 3.0, 1e-14);
  EXPECT_NEAR(r.s.data<double>()[1], 1.0, 1e-14);
}

TEST(Linalg, DiagonalIsAStridedView) {
  const Tensor x = matrix({0, 1, 2, 3, 4, 5}, {2, 3});
  const Tensor d = linalg::diagonal(x, 1, 0, 1);
  EXPECT_TRUE(d.shares_storage(x));
  ASSERT_EQ(d.shape(), (Shape{2}));
  EXPECT_EQ(d.strides(), (Strides{4}));
  EXPECT_EQ(d.data<double>()[0], 1.0);
}

TEST(Linalg, OrthogonalIsSeededAndOrthogonal) {
  const Tensor q = linalg::orthogonal({3, 3}, 1.0, DType::Float64, kCpu, 42);
  const Tensor gram = matmul(q.transpose(), q);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(gram.data<double>()[i * 3 + j], i == j ? 1.0 : 0.0, 1e-12);
  }
  const Tensor again = linalg::orthogonal({3, 3}, 1.0, DType::Float64, kCpu, 42);
  EXPECT_TRUE(allclose(q, again, 0.0, 0.0, false));
}

}  // namespace
}  // namespace ember
