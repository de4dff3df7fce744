// A small shared thread pool for splitting large kernels across cores.
#pragma once

#include <cstdint>
#include <functional>

namespace ember {

// Number of threads parallel_for uses (EMBER_NUM_THREADS, else the hardware count).
int num_threads();

// Runs fn(begin, end) over [0, n) in chunks of at least `grain` items, on the pool and
// the calling thread. Serial when n is small or when called from inside a pool task.
// The first exception thrown by any chunk is rethrown in the caller.
void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn);

}  // namespace ember
