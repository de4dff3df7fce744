#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "ember/errors.h"
#include "ember/ops.h"
#include "ember/philox.h"
#include "ember/random.h"

namespace ember {
namespace {

const Device kCpu{};

// Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
TEST(Philox, Random123KnownAnswers) {
  EXPECT_EQ(philox::philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (philox::Counter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(philox::philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
            (philox::Counter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(philox::philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
            (philox::Counter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

// Compile-time evaluation: the generator is a pure function of (counter, key).
static_assert(philox::philox4x32_10({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5u);

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

TEST(Random, UniformFollowsTheDocumentedStreamLayout) {
  const std::uint64_t seed = 0x0123456789abcdefull;
  const Tensor t = random_uniform({10}, 0.0, 1.0, DType::Float32, kCpu, seed);
  for (std::int64_t i = 0; i < 10; ++i) {
    const auto b = static_cast<std::uint32_t>(i / 4);
    const auto words = philox::philox4x32_10({b, 0, 0, 1}, {0x89abcdefu, 0x01234567u});
    EXPECT_EQ(t.data<float>()[i], static_cast<float>(words[i % 4] >> 8) * 0x1p-24f) << i;
  }
}

TEST(Random, SameSeedSameValuesAndGlobalStreamAdvances) {
  const Shape shape{1000};
  EXPECT_EQ(values(random_normal(shape, 0, 1, DType::Float32, kCpu, 7)),
            values(random_normal(shape, 0, 1, DType::Float32, kCpu, 7)));
  set_seed(42);
  EXPECT_EQ(get_seed(), 42u);
  const auto a = values(random_uniform(shape, 0, 1, DType::Float32, kCpu, std::nullopt));
  const auto b = values(random_uniform(shape, 0, 1, DType::Float32, kCpu, std::nullopt));
  EXPECT_NE(a, b);
  set_seed(42);
  EXPECT_EQ(values(random_uniform(shape, 0, 1, DType::Float32, kCpu, std::nullopt)), a);
  // The second call starts right after the 250 blocks of the first.
  set_seed(42);
  const auto whole = values(random_uniform({2000}, 0, 1, DType::Float32, kCpu, std::nullopt));
  EXPECT_EQ(std::vector<float>(whole.begin() + 1000, whole.end()), b);
}

TEST(Random, LargeCallsDoNotDependOnChunking) {
  // Element i of a long call equals element i - 4k of a call started k blocks later.
  set_seed(3);
  const auto whole = values(random_normal({1 << 20}, 0, 1, DType::Float32, kCpu, std::nullopt));
  set_seed(3);
  random_normal({4 * 1000}, 0, 1, DType::Float32, kCpu, std::nullopt);
  const auto tail = values(random_normal({(1 << 20) - 4000}, 0, 1, DType::Float32, kCpu, std::nullopt));
  EXPECT_EQ(std::vector<float>(whole.begin() + 4000, whole.end()), tail);
}

TEST(Random, PermutationIsAPermutation) {
  const Tensor p = random_permutation(1000, DType::Int64, kCpu, 1);
  std::vector<std::int64_t> v(p.data<std::int64_t>(), p.data<std::int64_t>() + 1000);
  std::vector<std::int64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::int64_t> iota(1000);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(sorted, iota);
  EXPECT_NE(v, iota);
}

TEST(Random, BadArgumentsRaiseTypedErrors) {
  EXPECT_THROW(random_uniform({2}, 0, 1, DType::Int32, kCpu, 0), Error);
  EXPECT_THROW(random_bernoulli({2}, 1.5, DType::Float32, kCpu, 0), Error);
  EXPECT_THROW(random_gamma({2}, 0.0, 1.0, DType::Float32, kCpu, 0), Error);
  EXPECT_THROW(random_poisson({2}, -1.0, DType::Int64, kCpu, 0), Error);
  try {
    random_binomial({2}, -1, 0.5, DType::Int64, kCpu, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind("[random_binomial]", 0), 0u);
  }
}

}  // namespace
}  // namespace ember
