// The state directory's disk fills up (a size-limited tmpfs): Commit says ResourceExhausted
// and keeps the batch, and once space is back the same batch commits at the next try, and
// nothing committed before or after is lost, across a reopen too.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "state/state_store.h"
#include "tests/testing/small_filesystem.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::state {
namespace {

constexpr char kSource[] = "kafka:pg.logs/0";

void PutStep(int step, StateStore::Batch* batch) {
  // 64 KiB a step: a few steps cross a page boundary of the write-ahead log.
  batch->PutTable(absl::StrCat("row/", step),
                  std::string(64 << 10, static_cast<char>('a' + step % 26)));
  batch->PutOutbox(static_cast<uint64_t>(step), absl::StrCat("alert ", step));
  batch->PutOffset(kSource, SourceOffset(step));
}

TEST(StateStoreDiskFullTest, CommitWaitsForSpaceAndLosesNothing) {
  auto fs = testing::SmallFilesystem::Mount(16 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status().message();
  const std::string dir = (*fs)->path() + "/state";
  int committed = 0;
  {
    auto store = StateStore::Open(dir, {});
    ASSERT_OK(store);
    StateStore::Batch batch;
    for (int step = 1; step <= 3; ++step) {
      PutStep(step, &batch);
      ASSERT_OK((*store)->Commit(&batch));
      committed = step;
    }
    ASSERT_OK((*fs)->Fill());
    absl::Status full;
    int step = committed + 1;
    for (; step < 200; ++step) {
      PutStep(step, &batch);
      full = (*store)->Commit(&batch);
      if (!full.ok()) break;
      committed = step;
    }
    ASSERT_TRUE(absl::IsResourceExhausted(full)) << full;
    EXPECT_GT(batch.count(), 0) << "the failed batch is kept for the retry";
    // Still full: still refused.
    EXPECT_TRUE(absl::IsResourceExhausted((*store)->Commit(&batch)));
    ASSERT_OK((*fs)->Unfill());
    // Space is back: the very next retry commits (no waiting for RocksDB's own recovery).
    ASSERT_OK((*store)->Commit(&batch));
    committed = step;
    PutStep(step + 1, &batch);
    ASSERT_OK((*store)->Commit(&batch));
    committed = step + 1;
  }
  auto store = StateStore::Open(dir, {});
  ASSERT_OK(store);
  auto offset = (*store)->GetOffset(kSource);
  ASSERT_OK(offset);
  EXPECT_EQ(offset->value_or(SourceOffset(0)).value(), committed);
  for (int step = 1; step <= committed; ++step) {
    std::string value;
    auto found = (*store)->GetTable(absl::StrCat("row/", step), &value);
    ASSERT_OK(found);
    EXPECT_TRUE(*found) << "row " << step;
    EXPECT_EQ(value.size(), 64u << 10);
  }
  int outbox = 0;
  ASSERT_OK((*store)->ForEachOutbox([&](uint64_t, std::string_view) {
    ++outbox;
    return true;
  }));
  EXPECT_EQ(outbox, committed);
}

}  // namespace
}  // namespace vacwatch::state
