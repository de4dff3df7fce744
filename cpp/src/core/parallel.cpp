#include "ember/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
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

// Completion state shared by the chunks of one parallel_for call.
struct Join {
  std::mutex mutex;
  std::condition_variable cv;
  int remaining = 0;
  std::exception_ptr error;
  void finish(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (e && !error) error = e;
    if (--remaining == 0) cv.notify_all();
  }
};

}  // namespace

int num_threads() {
  static const int n = compute_num_threads();
  return n;
}

void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  const std::int64_t max_chunks = grain > 0 ? n / grain : n;
  const int chunks = static_cast<int>(std::min<std::int64_t>(num_threads(), max_chunks));
  if (chunks <= 1 || t_in_pool_task) {
    fn(0, n);
    return;
  }
  auto join = std::make_shared<Join>();
  join->remaining = chunks;
  const std::int64_t per = (n + chunks - 1) / chunks;
  for (int c = 1; c < chunks; ++c) {
    const std::int64_t begin = c * per, end = std::min(n, begin + per);
    pool().submit([join, &fn, begin, end] {
      std::exception_ptr e;
      try {
        if (begin < end) fn(begin, end);
      } catch (...) {
        e = std::current_exception();
      }
      join->finish(e);
    });
  }
  std::exception_ptr e;
  try {
    t_in_pool_task = true;
    fn(0, std::min(n, per));
  } catch (...) {
    e = std::current_exception();
  }
  t_in_pool_task = false;
  join->finish(e);
  std::unique_lock<std::mutex> lock(join->mutex);
  join->cv.wait(lock, [&] { return join->remaining == 0; });
  if (join->error) std::rethrow_exception(join->error);
}

}  // namespace ember
