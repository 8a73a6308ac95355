// Crash consistency in the spirit of RocksDB's TEST_KILL_RANDOM: a child process commits
// batches that each write table state, an outbox entry and the input offset for the same step
// N; the parent SIGKILLs it mid-stream, reopens the store and checks that all three agree.
//
// The child is this test binary started again (fork + exec) with a filter that selects
// StateStoreCrashChild: a plain fork would inherit RocksDB's background thread pool of the
// parent's earlier tests as dead thread objects, and such a child could stall on a flush.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "state/coding.h"
#include "state/state_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace vacwatch::state {
namespace {

constexpr char kChildDirEnv[] = "VACWATCH_CRASH_CHILD_DIR";
constexpr char kChildFdEnv[] = "VACWATCH_CRASH_CHILD_FD";
constexpr char kSource[] = "log:/crash/postgresql.log";
constexpr int kRowsPerBatch = 64;
constexpr uint64_t kMaxSteps = 1'000'000;  // a child the parent never kills still ends

std::string RowKey(int row) { return "row/" + std::to_string(row); }

std::string EncodeStep(uint64_t step) {
  std::string value;
  PutVarint64(&value, step);
  // Padding so that a batch takes long enough to be caught in the middle.
  value.append(200, static_cast<char>('a' + step % 26));
  return value;
}

bool DecodeStep(std::string_view value, uint64_t* step) {
  return GetVarint64(&value, step) && value.size() == 200 &&
         value.find_first_not_of(static_cast<char>('a' + *step % 26)) == std::string_view::npos;
}

// Runs only as the child of StateStoreCrashTest: commits step after step, continuing from
// the step the store holds, and reports each committed step on the pipe.
TEST(StateStoreCrashChild, CommitsUntilKilled) {
  const char* dir = std::getenv(kChildDirEnv);
  const char* fd_text = std::getenv(kChildFdEnv);
  if (dir == nullptr || fd_text == nullptr) {
    GTEST_SKIP() << "runs only as the child process of StateStoreCrashTest";
  }
  const int progress_fd = std::atoi(fd_text);
  auto store = StateStore::Open(dir, StateStoreOptions());
  ASSERT_OK(store);
  auto offset = (*store)->GetOffset(kSource);
  ASSERT_OK(offset);
  const uint64_t first = static_cast<uint64_t>(offset->value_or(SourceOffset(0)).value()) + 1;
  StateStore::Batch batch;
  for (uint64_t step = first; step < first + kMaxSteps; ++step) {
    const std::string value = EncodeStep(step);
    batch.PutTable("counter", value);
    for (int row = 0; row < kRowsPerBatch; ++row) batch.PutTable(RowKey(row), value);
    batch.PutOutbox(step, "alert " + std::to_string(step));
    if (step > 2) batch.DeleteOutbox(step - 2);  // delivered two steps later
    batch.PutOffset(kSource, SourceOffset(static_cast<int64_t>(step)));
    ASSERT_OK((*store)->Commit(&batch));
    ASSERT_EQ(::write(progress_fd, &step, sizeof(step)), static_cast<ssize_t>(sizeof(step)));
  }
}

// Reads one reported step into `*step`; false at end of input (the child is gone).
bool ReadStep(int fd, uint64_t* step) {
  uint64_t value = 0;
  size_t got = 0;
  while (got < sizeof(value)) {
    const ssize_t n = ::read(fd, reinterpret_cast<char*>(&value) + got, sizeof(value) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  *step = value;
  return true;
}

class StateStoreCrashTest : public ::testing::Test {
 protected:
  // Starts the child, waits until it has committed step `until` or later, kills it, and
  // returns the last step it reported.
  uint64_t RunChildUntil(uint64_t until) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2: " << std::strerror(errno);
      return 0;
    }
    // Everything the child needs is built before fork: after it only async-signal-safe calls.
    const std::string dir_var = std::string(kChildDirEnv) + "=" + StateDir();
    const std::string fd_var = std::string(kChildFdEnv) + "=" + std::to_string(fds[1]);
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
    env.push_back(const_cast<char*>(dir_var.c_str()));
    env.push_back(const_cast<char*>(fd_var.c_str()));
    env.push_back(nullptr);
    std::string self = "/proc/self/exe";
    std::string filter = "--gtest_filter=StateStoreCrashChild.CommitsUntilKilled";
    char* argv[] = {self.data(), filter.data(), nullptr};
    const int dev_null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);

    const pid_t pid = ::fork();
    if (pid == 0) {
      ::fcntl(fds[1], F_SETFD, 0);  // keep the write end across exec
      if (dev_null >= 0) ::dup2(dev_null, STDOUT_FILENO);
      ::execve(self.c_str(), argv, env.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    if (dev_null >= 0) ::close(dev_null);
    if (pid < 0) {
      ::close(fds[0]);
      ADD_FAILURE() << "fork: " << std::strerror(errno);
      return 0;
    }

    uint64_t last = 0;
    bool open = true;
    while (open && last < until) open = ReadStep(fds[0], &last);
    ::kill(pid, SIGKILL);
    int wait_status = 0;
    ::waitpid(pid, &wait_status, 0);
    // Steps the child reported after `until` but before it died are in the pipe still.
    while (open) open = ReadStep(fds[0], &last);
    ::close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
        << "the child ended before it was killed, status " << wait_status << ", last step " << last;
    return last;
  }

  std::string StateDir() const { return temp_.path() + "/state"; }

  testing::ScopedTempDir temp_;
};

TEST_F(StateStoreCrashTest, KillMidCommitLeavesOffsetsTablesAndOutboxInAgreement) {
  uint64_t reported = 0;
  // Each round continues the store the previous kill left behind.
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    reported = RunChildUntil(reported + 50 + 37 * static_cast<uint64_t>(round));
    ASSERT_GT(reported, 0u);

    auto opened = StateStore::Open(StateDir(), StateStoreOptions());
    ASSERT_OK(opened);
    StateStore& store = **opened;

    auto offset = store.GetOffset(kSource);
    ASSERT_OK(offset);
    ASSERT_TRUE(offset->has_value());
    const uint64_t step = static_cast<uint64_t>((*offset)->value());
    // Every reported commit survived; besides them, at most the one in flight.
    EXPECT_GE(step, reported);
    EXPECT_LE(step, reported + 1);

    std::string value;
    uint64_t stored = 0;
    auto found = store.GetTable("counter", &value);
    ASSERT_OK(found);
    ASSERT_TRUE(*found);
    ASSERT_TRUE(DecodeStep(value, &stored));
    EXPECT_EQ(stored, step);
    int rows = 0;
    ASSERT_OK(store.ForEachTable([&](std::string_view key, std::string_view row_value) {
      if (key == "counter") return true;
      ++rows;
      uint64_t row_step = 0;
      EXPECT_TRUE(DecodeStep(row_value, &row_step)) << key;
      EXPECT_EQ(row_step, step) << key;
      return true;
    }));
    EXPECT_EQ(rows, kRowsPerBatch);

    auto last_seq = store.LastOutboxSeq();
    ASSERT_OK(last_seq);
    EXPECT_EQ(*last_seq, step);
    std::vector<uint64_t> outbox;
    ASSERT_OK(store.ForEachOutbox([&](uint64_t seq, std::string_view alert) {
      EXPECT_EQ(alert, "alert " + std::to_string(seq));
      outbox.push_back(seq);
      return true;
    }));
    const std::vector<uint64_t> expected =
        step == 1 ? std::vector<uint64_t>{1} : std::vector<uint64_t>{step - 1, step};
    EXPECT_EQ(outbox, expected);
    reported = step;
  }
}

}  // namespace
}  // namespace vacwatch::state
