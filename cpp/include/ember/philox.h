// Philox-4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel
// random numbers: as easy as 1, 2, 3" (SC'11), as in Random123's philox4x32_10. Its
// output is a pure function of (counter, key), so every backend that evaluates the same
// rounds produces the same stream, and elements can be generated in any order.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

namespace ember::philox {

using Counter = std::array<std::uint32_t, 4>;
using Key = std::array<std::uint32_t, 2>;

// Multipliers and Weyl key increments of Random123's philox4x32.
inline constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

// Ten rounds of Philox-4x32 on `ctr` with `key`; returns four random 32-bit words.
constexpr Counter philox4x32_10(Counter ctr, Key key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * ctr[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

// The global stream: a 64-bit seed (the Philox key) and a 64-bit block counter from
// which every random call without an explicit seed reserves its blocks.
void set_global_seed(std::uint64_t seed);
std::uint64_t global_seed();
// Reserves `blocks` consecutive counter blocks; returns the seed and the first block.
// Thread-safe: concurrent calls get disjoint ranges of the same seed's stream.
std::pair<std::uint64_t, std::uint64_t> reserve_global_blocks(std::uint64_t blocks);

}  // namespace ember::philox
