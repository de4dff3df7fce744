// State of the global Philox stream.
#include "ember/philox.h"

#include <mutex>
#include <random>
#include <utility>

namespace ember::philox {
namespace {

std::uint64_t os_seed() {
  std::random_device device;
  const std::uint64_t hi = device();
  return (hi << 32) | device();
}

// Without set_seed the process draws from a nondeterministic seed, as numpy.random.default_rng().
struct GlobalStream {
  std::mutex mutex;
  std::uint64_t seed = os_seed();
  std::uint64_t next_block = 0;
};

GlobalStream& global_stream() {
  static GlobalStream stream;
  return stream;
}

}  // namespace

void set_global_seed(std::uint64_t seed) {
  GlobalStream& s = global_stream();
  std::lock_guard lock(s.mutex);
  s.seed = seed;
  s.next_block = 0;
}

std::uint64_t global_seed() {
  GlobalStream& s = global_stream();
  std::lock_guard lock(s.mutex);
  return s.seed;
}

// One lock keeps the seed and the counter consistent when set_seed races with a draw.
std::pair<std::uint64_t, std::uint64_t> reserve_global_blocks(std::uint64_t blocks) {
  GlobalStream& s = global_stream();
  std::lock_guard lock(s.mutex);
  const std::uint64_t first = s.next_block;
  s.next_block += blocks;
  return {s.seed, first};
}

}  // namespace ember::philox
