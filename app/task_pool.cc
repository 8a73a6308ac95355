#include "app/task_pool.h"

namespace vacwatch::app {

TaskPool::TaskPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  start_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void TaskPool::Run(size_t n, absl::FunctionRef<void(size_t)> task) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = &task;
    n_ = n;
    next_ = 0;
    busy_ = static_cast<int>(workers_.size());
    ++batch_;
  }
  start_.notify_all();
  Drain(task, n);
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [this] { return busy_ == 0; });
  task_ = nullptr;
}

void TaskPool::Drain(absl::FunctionRef<void(size_t)> task, size_t n) {
  while (true) {
    size_t i = 0;
    {
      // Tasks are whole shards' work (milliseconds): a lock per take costs nothing beside them.
      std::lock_guard<std::mutex> lock(mu_);
      if (next_ >= n) return;
      i = next_++;
    }
    task(i);
  }
}

void TaskPool::Work() {
  uint64_t seen = 0;
  while (true) {
    absl::FunctionRef<void(size_t)>* task = nullptr;
    size_t n = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_.wait(lock, [&] { return stopping_ || batch_ != seen; });
      if (stopping_) return;
      seen = batch_;
      task = task_;
      n = n_;
    }
    Drain(*task, n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --busy_;
    }
    done_.notify_one();
  }
}

}  // namespace vacwatch::app
