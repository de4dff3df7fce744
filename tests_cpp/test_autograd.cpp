#include <gtest/gtest.h>

#include <cmath>

#include "ember/autograd.h"
#include "ember/errors.h"
#include "ember/ops.h"

namespace ember {
namespace {

const Device kCpu{};

Tensor vector(std::initializer_list<double> values) {
  Tensor t = Tensor::empty({static_cast<std::int64_t>(values.size())}, DType::Float64, kCpu);
  double* p = t.data<double>();
  for (double v : values) *p++ = v;
  return t;
}

Tensor leaf(std::initializer_list<double> values) {
  Tensor t = vector(values);
  autograd::set_requires_grad(t, true);
  return t;
}

TEST(Autograd, NothingIsRecordedWithoutAnInputThatRequiresGrad) {
  const Tensor y = multiply(vector({1, 2}), vector({3, 4}));
  EXPECT_EQ(y.autograd_meta(), nullptr);
}

TEST(Autograd, BackwardAccumulatesIntoLeaves) {
  Tensor x = leaf({1, 2, 3});
  const Tensor loss = sum(multiply(x, x), std::nullopt, false);  // d/dx = 2x
  EXPECT_STREQ(autograd::grad_fn(loss)->name().c_str(), "sum");
  autograd::backward({loss}, {Tensor()}, false, false);
  const Tensor g = autograd::grad(x);
  ASSERT_TRUE(g.defined());
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(g.data<double>()[i], 2.0 * (i + 1));
}

TEST(Autograd, GradLeavesDotGradUntouchedAndPrunesOtherBranches) {
  Tensor x = leaf({2});
  Tensor w = leaf({5});
  const Tensor loss = sum(multiply(exp(x), w), std::nullopt, false);
  const auto grads = autograd::grad({loss}, {Tensor()}, {w}, false, false, false);
  EXPECT_DOUBLE_EQ(grads[0].data<double>()[0], std::exp(2.0));
  EXPECT_FALSE(autograd::grad(w).defined());
  EXPECT_FALSE(autograd::grad(x).defined());
}

TEST(Autograd, InPlaceChangeOfSavedTensorIsReported) {
  Tensor x = leaf({1, 2});
  const Tensor y = exp(x);
  const Tensor loss = sum(multiply(y, y), std::nullopt, false);
  {
    autograd::GradModeGuard no_grad(false);
    fill_(y, Scalar::from_double(0));
  }
  try {
    autograd::backward({loss}, {Tensor()}, false, false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_NE(std::string(e.what()).find("modified in place"), std::string::npos);
  }
}

TEST(Autograd, RequiresGradOnIntegerTensorIsATypeError) {
  Tensor t = zeros({2}, DType::Int32, kCpu);
  try {
    autograd::set_requires_grad(t, true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Type);
  }
}

}  // namespace
}  // namespace ember
