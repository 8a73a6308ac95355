#include "app/driver.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "state/state_store.h"
#include "tests/testing/scripted_input.h"
#include "tests/testing/small_filesystem.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

using testing::ScriptedInput;

class RecordingConsumer final : public EventConsumer {
 public:
  absl::Status OnSnapshot(const ingest::Snapshot&) override { return absl::OkStatus(); }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    fed.push_back(absl::StrCat(std::string(event.table), "@",
                               absl::ToInt64Seconds(event.time - testing::ScriptSecond(0))));
    return absl::OkStatus();
  }
  absl::Status Checkpoint(state::StateStore::Batch*,
                          std::vector<pipeline::AlertTransition>*) override {
    return absl::OkStatus();
  }
  std::vector<std::string> fed;
};

class NullSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition&) override { return absl::OkStatus(); }
  absl::Status Flush() override { return absl::OkStatus(); }
};

class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = state::StateStore::Open(temp_.path() + "/state", state::StateStoreOptions());
    ASSERT_OK(store);
    store_ = *std::move(store);
    options_.clock = [this] { return now_; };
  }

  testing::ScopedTempDir temp_;
  std::unique_ptr<state::StateStore> store_;
  DriverOptions options_;
  absl::Time now_ = absl::FromUnixSeconds(1'900'000'000);
  RecordingConsumer consumer_;
  NullSink sink_;
};

TEST_F(DriverTest, MergesInEventTimeWithTiesToTheInputAddedFirst) {
  ScriptedInput a("a", {1, 3, 5});
  ScriptedInput b("b", {1, 2, 6});
  Driver driver(options_, &consumer_, store_.get(), &sink_);
  ASSERT_OK(driver.AddInput(&a));
  ASSERT_OK(driver.AddInput(&b));
  auto progress = driver.Run();
  ASSERT_OK(progress);
  EXPECT_EQ(*progress, Driver::Progress::kEnded);
  EXPECT_EQ(consumer_.fed, (std::vector<std::string>{"a@1", "b@1", "b@2", "a@3", "a@5", "b@6"}));
}

TEST_F(DriverTest, AnIdleInputBehindTheOthersHoldsEventTimeBackUntilItSpeaks) {
  ScriptedInput a("a", {10, 20});
  ScriptedInput idle("idle", {std::nullopt}, /*open=*/true);
  Driver driver(options_, &consumer_, store_.get(), &sink_);
  ASSERT_OK(driver.AddInput(&a));
  ASSERT_OK(driver.AddInput(&idle));
  auto progress = driver.Run();
  ASSERT_OK(progress);
  EXPECT_EQ(*progress, Driver::Progress::kWaiting);
  EXPECT_TRUE(consumer_.fed.empty()) << "an older item may still come from the idle input";

  idle.Push(5);  // it was behind: its item goes first
  idle.Push(15);
  progress = driver.Run();
  ASSERT_OK(progress);
  EXPECT_EQ(consumer_.fed, (std::vector<std::string>{"idle@5", "a@10", "idle@15"}));
  EXPECT_EQ(*progress, Driver::Progress::kWaiting) << "a@20 waits for the idle input again";
  idle.Close();
  progress = driver.Run();
  ASSERT_OK(progress);
  EXPECT_EQ(*progress, Driver::Progress::kEnded);
  EXPECT_EQ(consumer_.fed.back(), "a@20");
  EXPECT_EQ(driver.stats().late_items, 0);
}

TEST_F(DriverTest, AnInputIdleForLongerThanTheSkewNoLongerStallsTheOthers) {
  options_.max_input_skew = absl::Seconds(30);
  ScriptedInput a("a", {10, 20});
  ScriptedInput idle("idle", {std::nullopt}, /*open=*/true);
  Driver driver(options_, &consumer_, store_.get(), &sink_);
  ASSERT_OK(driver.AddInput(&a));
  ASSERT_OK(driver.AddInput(&idle));
  ASSERT_OK(driver.Run());
  EXPECT_TRUE(consumer_.fed.empty());
  now_ += absl::Seconds(29);
  ASSERT_OK(driver.Run());
  EXPECT_TRUE(consumer_.fed.empty());
  now_ += absl::Seconds(2);
  ASSERT_OK(driver.Run());
  EXPECT_EQ(consumer_.fed, (std::vector<std::string>{"a@10", "a@20"}));
  EXPECT_EQ(driver.stats().skew_timeouts, 1);

  // What it sends late is applied where it is, never reordered into what was applied.
  idle.Push(15);
  idle.Close();
  auto progress = driver.Run();
  ASSERT_OK(progress);
  EXPECT_EQ(*progress, Driver::Progress::kEnded);
  EXPECT_EQ(consumer_.fed.back(), "idle@15");
  EXPECT_EQ(driver.stats().late_items, 1);
}

TEST_F(DriverTest, ACheckpointStoresEveryInputsPositionWithTheState) {
  options_.checkpoint_every_events = 2;
  ScriptedInput a("a", {1, 2, 3});
  Driver driver(options_, &consumer_, store_.get(), &sink_);
  ASSERT_OK(driver.AddInput(&a));
  ASSERT_OK(driver.Run());
  ASSERT_OK(driver.Finish());
  auto stored = store_->GetOffset("test:a");
  ASSERT_OK(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->value(), 3);
  EXPECT_EQ(driver.stats().checkpoints, 2);
}

// A consumer that emits one transition per event and writes a 64 KiB state with it, so that
// every checkpoint needs a fresh page of the write-ahead log.
class EmittingConsumer final : public EventConsumer {
 public:
  absl::Status OnSnapshot(const ingest::Snapshot&) override { return absl::OkStatus(); }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    pipeline::AlertTransition t;
    t.seq = ++seq_;
    t.alert.table = absl::StrCat(std::string(event.table), "@",
                                 absl::ToInt64Seconds(event.time - testing::ScriptSecond(0)));
    pending_.push_back(t);
    return absl::OkStatus();
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    for (pipeline::AlertTransition& t : pending_) {
      batch->PutTable(t.alert.table, std::string(64 << 10, 'x'));
      batch->PutOutbox(t.seq, t.alert.table);
      emitted->push_back(std::move(t));
    }
    pending_.clear();
    return absl::OkStatus();
  }

 private:
  uint64_t seq_ = 0;
  std::vector<pipeline::AlertTransition> pending_;
};

class RecordingSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    delivered.push_back(t.alert.table);
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  std::vector<std::string> delivered;
};

TEST(DriverDiskFullTest, ACheckpointRetriedAfterAFullDiskDeliversWhatTheFailedOneEmitted) {
  auto fs = testing::SmallFilesystem::Mount(16 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status().message();
  auto store = state::StateStore::Open((*fs)->path() + "/state", state::StateStoreOptions());
  ASSERT_OK(store);
  DriverOptions options;
  options.checkpoint_every_events = 1;
  EmittingConsumer consumer;
  RecordingSink sink;
  ScriptedInput a("a", {1, 2, 3});
  Driver driver(options, &consumer, store->get(), &sink);
  ASSERT_OK(driver.AddInput(&a));
  ASSERT_OK((*fs)->Fill());
  auto progress = driver.Run();
  ASSERT_TRUE(absl::IsResourceExhausted(progress.status())) << progress.status();
  EXPECT_TRUE(sink.delivered.empty()) << "nothing is delivered before it is committed";
  EXPECT_TRUE(absl::IsResourceExhausted(driver.Checkpoint())) << "still full";
  ASSERT_OK((*fs)->Unfill());
  ASSERT_OK(driver.Checkpoint());
  EXPECT_EQ(sink.delivered, std::vector<std::string>{"a@1"});
  ASSERT_OK(driver.Run());
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(sink.delivered, (std::vector<std::string>{"a@1", "a@2", "a@3"}));
  int outbox = 0;
  ASSERT_OK((*store)->ForEachOutbox([&](uint64_t, std::string_view) {
    ++outbox;
    return true;
  }));
  EXPECT_EQ(outbox, 0) << "every delivered transition left the outbox";
  auto stored = (*store)->GetOffset("test:a");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->value_or(state::SourceOffset(0)).value(), 3);
}

TEST_F(DriverTest, ABeforeCommitErrorFailsTheCheckpointAndTheRetryDeliversOnce) {
  // The service flushes its dead letters there: when they are not acknowledged nothing is
  // committed (the positions past them would be), and the retry commits and delivers all.
  options_.checkpoint_every_events = 1;
  absl::Status before_commit = absl::UnavailableError("dead letters not acknowledged");
  options_.before_commit = [&before_commit](state::StateStore::Batch*) { return before_commit; };
  EmittingConsumer consumer;
  RecordingSink sink;
  ScriptedInput a("a", {1, 2});
  Driver driver(options_, &consumer, store_.get(), &sink);
  ASSERT_OK(driver.AddInput(&a));
  EXPECT_TRUE(absl::IsUnavailable(driver.Run().status()));
  EXPECT_TRUE(sink.delivered.empty());
  auto stored = store_->GetOffset("test:a");
  ASSERT_OK(stored);
  EXPECT_FALSE(stored->has_value()) << "nothing committed";
  before_commit = absl::OkStatus();
  ASSERT_OK(driver.Checkpoint());
  ASSERT_OK(driver.Run());
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(sink.delivered, (std::vector<std::string>{"a@1", "a@2"}));
}

}  // namespace
}  // namespace vacwatch::app
