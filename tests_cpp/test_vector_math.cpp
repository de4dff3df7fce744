// The float sigmoid of the fused RNN kernels (sigmoid_fast_f32, backend/cpu/vector_math.h),
// which has no op of its own: its stated error bound against a long double reference, its
// clamp below -88, NaN, and the scalar tail.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "backend/cpu/vector_math.h"

namespace {

long double sigmoid_ref(float x) { return 1.0L / (1.0L + std::exp(-static_cast<long double>(x))); }

// |y - ref| in units of the last place of float at ref (normal range).
double ulps(float y, long double ref) {
  int e = 0;
  std::frexp(static_cast<double>(ref), &e);
  return static_cast<double>(std::fabs(static_cast<long double>(y) - ref) / std::ldexp(1.0L, e - 24));
}

TEST(VectorMath, SigmoidFastWithinThreeUlpAboveMinus87) {
  // Every 1031st float32 pattern in [-87, 88] (results normal floats), in a length that
  // leaves a scalar tail (n % 16 != 0).
  std::vector<float> x;
  const std::int64_t lo = std::bit_cast<std::uint32_t>(87.0f), hi = std::bit_cast<std::uint32_t>(88.0f);
  for (std::int64_t k = -lo; k <= hi; k += 1031) {
    const auto mag = static_cast<std::uint32_t>(k < 0 ? -k : k);
    x.push_back(std::bit_cast<float>(mag | (k < 0 ? 0x80000000u : 0u)));
  }
  x.resize(x.size() - x.size() % 16 + 7);
  std::vector<float> y(x.size());
  ember::cpu::sigmoid_fast_f32(x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  double worst = 0.0;
  float at = 0.0f;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double err = ulps(y[i], sigmoid_ref(x[i]));
    if (err > worst) worst = err, at = x[i];
  }
  EXPECT_LE(worst, 3.0) << "at x = " << at;
}

TEST(VectorMath, SigmoidFastClampsBelowMinus88AndPassesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> x(32, 0.0f);
  x[0] = -100.0f;
  x[1] = -inf;
  x[2] = inf;
  x[3] = nan;
  x[4] = 100.0f;
  x[17] = nan;  // the scalar tail (n = 18)
  std::vector<float> y(18);
  ember::cpu::sigmoid_fast_f32(x.data(), y.data(), 18);
  const float floor = static_cast<float>(sigmoid_ref(-88.0f));
  EXPECT_GT(y[0], 0.0f);
  EXPECT_LE(y[0], 1.01f * floor);
  EXPECT_LE(y[1], 1.01f * floor);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_TRUE(std::isnan(y[3]));
  EXPECT_EQ(y[4], 1.0f);
  EXPECT_EQ(y[5], 0.5f);
  EXPECT_TRUE(std::isnan(y[17]));
}

}  // namespace
