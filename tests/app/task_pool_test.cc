#include "app/task_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace vacwatch::app {
namespace {

TEST(TaskPoolTest, EveryIndexRunsOnceInEveryBatch) {
  TaskPool pool(3);
  EXPECT_EQ(pool.threads(), 3);
  for (size_t n : {0, 1, 2, 7, 100}) {
    for (int batch = 0; batch < 50; ++batch) {
      std::vector<std::atomic<int>> runs(n);
      pool.Run(n, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << "n " << n << " index " << i;
    }
  }
}

TEST(TaskPoolTest, OneThreadRunsEverythingInTheCaller) {
  TaskPool pool(0);
  EXPECT_EQ(pool.threads(), 1);
  const std::thread::id caller = std::this_thread::get_id();
  std::set<std::thread::id> seen;
  pool.Run(5, [&](size_t) { seen.insert(std::this_thread::get_id()); });
  EXPECT_EQ(seen, std::set<std::thread::id>{caller});
}

TEST(TaskPoolTest, TasksRunAtTheSameTime) {
  // Two tasks that each wait for the other to have started: they finish only if they run on
  // two threads at once (each waits with a deadline, so a pool that serializes fails, not
  // hangs).
  TaskPool pool(2);
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  std::atomic<int> met{0};
  pool.Run(2, [&](size_t) {
    std::unique_lock<std::mutex> lock(mu);
    ++started;
    cv.notify_all();
    if (cv.wait_for(lock, std::chrono::seconds(10), [&] { return started == 2; })) ++met;
  });
  EXPECT_EQ(met.load(), 2);
}

}  // namespace
}  // namespace vacwatch::app
