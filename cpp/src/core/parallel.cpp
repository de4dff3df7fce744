#include "ember/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ember {
namespace {

thread_local bool t_in_pool_task = false;

class ThreadPool {
 public:
  explicit ThreadPool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
    for (auto& t : threads_) t.detach();  // the pool lives for the whole process
  }
  void submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void loop() {
    t_in_pool_task = true;
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
};

int compute_num_threads() {
  if (const char* env = std::getenv("EMBER_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool& pool() {
  // Leaked on purpose: worker threads may outlive static destruction at exit.
  static ThreadPool* p = new ThreadPool(num_threads() - 1);
  return *p;
}

// One parallel_for call: its chunks, claimed one at a time by whichever threads get
// there (the caller first). A worker that starts late, because the other cores are busy,
// finds every chunk taken and returns at once, so a busy machine runs the loop at the
// speed of one thread instead of waiting for the worker to be scheduled.
struct Job {
  const std::function<void(std::int64_t, std::int64_t)>* fn = nullptr;  // valid while chunks remain
  std::int64_t n = 0, per = 0;
  int chunks = 0;
  std::atomic<int> next{0};
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  std::exception_ptr error;

  // Runs chunks until none is left; fn is not touched once every chunk is claimed.
  void work() {
    for (int c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
      std::exception_ptr e;
      try {
        const std::int64_t begin = c * per, end = std::min(n, begin + per);
        if (begin < end) (*fn)(begin, end);
      } catch (...) {
        e = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (e && !error) error = e;
      if (++done == chunks) cv.notify_all();
    }
  }
};

// Chunks per thread: enough that a thread that starts late still finds work, few enough
// that claiming them costs nothing next to the chunk (each has at least `grain` items).
constexpr int kChunksPerThread = 4;

}  // namespace

int num_threads() {
  static const int n = compute_num_threads();
  return n;
}

void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  const std::int64_t max_chunks = grain > 0 ? n / grain : n;
  const int threads = static_cast<int>(std::min<std::int64_t>(num_threads(), max_chunks));
  if (threads <= 1 || t_in_pool_task) {
    fn(0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  job->chunks = static_cast<int>(std::min<std::int64_t>(max_chunks, std::int64_t{threads} * kChunksPerThread));
  job->per = (n + job->chunks - 1) / job->chunks;
  for (int t = 1; t < threads; ++t) pool().submit([job] { job->work(); });
  t_in_pool_task = true;
  job->work();
  t_in_pool_task = false;
  std::unique_lock<std::mutex> lock(job->mutex);
  job->cv.wait(lock, [&] { return job->done == job->chunks; });
  if (job->error) std::rethrow_exception(job->error);
}

}  // namespace ember
