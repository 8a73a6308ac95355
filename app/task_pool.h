#ifndef VACWATCH_APP_TASK_POOL_H_
#define VACWATCH_APP_TASK_POOL_H_

// TaskPool: runs a batch of independent tasks on a fixed set of threads and returns when every
// one has finished (fork-join). The calling thread takes part, so TaskPool(1) starts no thread
// and runs everything in the caller. `vacwatch run` drives its shards this way: the shards
// share nothing a task touches but thread-safe parts (the store's database, the dead-letter
// producer), and everything between two batches (polling Kafka, delivering, metrics) stays on
// the caller's thread.
//
//   TaskPool pool(2);
//   std::vector<absl::Status> done(shards.size());
//   pool.Run(shards.size(), [&](size_t i) { done[i] = shards[i]->driver->Run().status(); });
//
// Tasks are taken in index order by whichever thread is free; each index runs exactly once.
// Run() is called from one thread at a time and never from inside a task. The destructor
// stops and joins the threads.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace vacwatch::app {

class TaskPool {
 public:
  // `threads` >= 1 (less is taken as 1): the caller plus threads - 1 started here.
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(i) for every i in [0, n) and returns when all have returned.
  void Run(size_t n, absl::FunctionRef<void(size_t)> task);

 private:
  void Work();
  // Takes and runs tasks of the current batch until none is left.
  void Drain(absl::FunctionRef<void(size_t)> task, size_t n);

  std::mutex mu_;
  std::condition_variable start_;  // a batch is posted, or stopping
  std::condition_variable done_;   // a worker finished its part of the batch
  uint64_t batch_ = 0;             // increases with every posted batch
  bool stopping_ = false;
  absl::FunctionRef<void(size_t)>* task_ = nullptr;  // the current batch's, while posted
  size_t n_ = 0;
  size_t next_ = 0;  // the next index to take (under mu_)
  int busy_ = 0;     // workers still in the current batch
  std::vector<std::thread> workers_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_TASK_POOL_H_
