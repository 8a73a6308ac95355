// The driver with several sinks (driver.h, "Several sinks"): a position per sink in the state,
// outbox entries deleted only once every sink has them, a full or dead asynchronous sink that
// stalls neither the pipeline nor the others and is fed from the outbox from its own position,
// after a restart too; routes; the firing set handed to sinks at start.

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/driver.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "state/state_store.h"
#include "tests/testing/scripted_input.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

using testing::ScriptedInput;

// One firing transition per event (table "<input>@<second>"), in the outbox as alert JSON;
// severity critical when the second is a multiple of 10. `next_seq` continues across runs.
class AlertingConsumer final : public EventConsumer {
 public:
  explicit AlertingConsumer(uint64_t next_seq = 1) : seq_(next_seq - 1) {}
  absl::Status OnSnapshot(const ingest::Snapshot&) override { return absl::OkStatus(); }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    pipeline::AlertTransition t;
    t.seq = ++seq_;
    const int64_t second = absl::ToInt64Seconds(event.time - testing::ScriptSecond(0));
    t.alert.alert = "AutovacuumNotKeepingUp";
    t.alert.cluster = "c";
    t.alert.database = "d";
    t.alert.schema = "s";
    t.alert.table = absl::StrCat(std::string(event.table), "@", second);
    t.alert.severity =
        second % 10 == 0 ? pipeline::Severity::kCritical : pipeline::Severity::kWarning;
    t.alert.fingerprint = pipeline::AlertFingerprint("c", "d", "s", t.alert.table, t.alert.alert);
    pending_.push_back(t);
    return absl::OkStatus();
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    std::string json;
    for (pipeline::AlertTransition& t : pending_) {
      pipeline::WriteAlertJson(t.alert, &json);
      batch->PutOutbox(t.seq, json);
      emitted->push_back(std::move(t));
    }
    pending_.clear();
    return absl::OkStatus();
  }

 private:
  uint64_t seq_;
  std::vector<pipeline::AlertTransition> pending_;
};

class SyncSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    got.push_back(t.alert.table);
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  void Restore(const std::vector<pipeline::Alert>& firing) override { restored = firing; }
  std::vector<std::string> got;
  std::vector<pipeline::Alert> restored;
};

// An asynchronous sink whose deliveries the test completes by hand (Complete), with a
// bounded queue; nothing completes on its own, like a dead HTTP service.
class ManualAsyncSink final : public sinks::AlertSink {
 public:
  explicit ManualAsyncSink(size_t capacity) : capacity_(capacity) {}
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    if (queue_.size() >= capacity_) return absl::ResourceExhaustedError("full");
    queue_.push_back(t);
    last_offered_ = t.seq;
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  bool is_async() const override { return true; }
  uint64_t delivered_through() const override {
    return queue_.empty() ? last_offered_ : queue_.front().seq - 1;
  }
  std::string last_error() const override { return "connection refused"; }
  // Delivers the first `n` queued (all when n < 0).
  void Complete(int n = -1) {
    while (!queue_.empty() && n-- != 0) {
      got.push_back(queue_.front().alert.table);
      queue_.pop_front();
    }
  }
  size_t queued() const { return queue_.size(); }
  std::vector<std::string> got;

 private:
  size_t capacity_;
  std::deque<pipeline::AlertTransition> queue_;
  uint64_t last_offered_ = 0;
};

class DriverSinksTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto store = state::StateStore::Open(temp_.path() + "/state", state::StateStoreOptions());
    ASSERT_OK(store);
    store_ = *std::move(store);
    options_.checkpoint_every_events = 1;
  }
  std::vector<uint64_t> Outbox() {
    std::vector<uint64_t> seqs;
    EXPECT_OK(store_->ForEachOutbox([&](uint64_t seq, std::string_view) {
      seqs.push_back(seq);
      return true;
    }));
    return seqs;
  }
  std::optional<std::string> Position(const std::string& sink) {
    auto value = store_->GetMeta("sink:" + sink);
    EXPECT_OK(value);
    return value.ok() ? *value : std::nullopt;
  }

  testing::ScopedTempDir temp_;
  std::unique_ptr<state::StateStore> store_;
  DriverOptions options_;
};

TEST_F(DriverSinksTest, ADeadAsyncSinkStallsNeitherThePipelineNorTheOthers) {
  AlertingConsumer consumer;
  SyncSink stdout_sink;
  ManualAsyncSink dead(/*capacity=*/2);
  ScriptedInput input("t", {1, 2, 3, 4, 5});
  Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}, {"am", &dead}});
  ASSERT_OK(driver.RedeliverOutbox());
  ASSERT_OK(driver.AddInput(&input));
  ASSERT_OK(driver.Run());
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(stdout_sink.got, (std::vector<std::string>{"t@1", "t@2", "t@3", "t@4", "t@5"}));
  EXPECT_EQ(dead.queued(), 2u) << "its queue is full; the rest waits in the outbox";
  EXPECT_EQ(Outbox(), (std::vector<uint64_t>{1, 2, 3, 4, 5})) << "kept until the dead one has them";
  EXPECT_EQ(Position("stdout"), "5");
  EXPECT_EQ(Position("am"), std::nullopt) << "nothing confirmed";
  const auto behind = driver.Undelivered();
  ASSERT_EQ(behind.size(), 1u);
  EXPECT_EQ(behind[0].name, "am");
  EXPECT_EQ(behind[0].transitions, 5);
  EXPECT_EQ(behind[0].last_error, "connection refused");
}

TEST_F(DriverSinksTest, ASinkThatComesBackCatchesUpFromTheOutboxAndThenEntriesGo) {
  AlertingConsumer consumer;
  SyncSink stdout_sink;
  ManualAsyncSink am(/*capacity=*/2);
  ScriptedInput input("t", {1, 2, 3, 4, 5});
  Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}, {"am", &am}});
  ASSERT_OK(driver.RedeliverOutbox());
  ASSERT_OK(driver.AddInput(&input));
  ASSERT_OK(driver.Run());
  // The service comes back: each checkpoint feeds it what the outbox holds past it.
  am.Complete();                   // 1, 2
  ASSERT_OK(driver.Checkpoint());  // feeds 3, 4 from the outbox
  am.Complete();
  ASSERT_OK(driver.Checkpoint());  // feeds 5
  am.Complete();
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(am.got, (std::vector<std::string>{"t@1", "t@2", "t@3", "t@4", "t@5"}));
  EXPECT_TRUE(driver.Undelivered().empty());
  EXPECT_EQ(Outbox(), std::vector<uint64_t>{}) << "every sink has every one";
  EXPECT_EQ(Position("am"), "5");
}

TEST_F(DriverSinksTest, AfterARestartEachSinkIsFedFromItsOwnPosition) {
  {
    AlertingConsumer consumer;
    SyncSink stdout_sink;
    ManualAsyncSink am(/*capacity=*/10);
    ScriptedInput input("t", {1, 2, 3});
    Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}, {"am", &am}});
    ASSERT_OK(driver.RedeliverOutbox());
    ASSERT_OK(driver.AddInput(&input));
    ASSERT_OK(driver.Run());
    am.Complete(1);  // only t@1 got through before the stop
    ASSERT_OK(driver.Finish());
    EXPECT_EQ(Position("am"), "1");
    EXPECT_EQ(Outbox(), (std::vector<uint64_t>{2, 3}));
  }
  Open();
  AlertingConsumer consumer(/*next_seq=*/4);
  SyncSink stdout_sink;
  ManualAsyncSink am(/*capacity=*/10);
  ScriptedInput input("t", {4});
  Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}, {"am", &am}});
  ASSERT_OK(driver.RedeliverOutbox());
  EXPECT_TRUE(stdout_sink.got.empty()) << "stdout had them: not again";
  am.Complete();
  EXPECT_EQ(am.got, (std::vector<std::string>{"t@2", "t@3"}));
  EXPECT_EQ(driver.stats().redelivered, 2);
  ASSERT_OK(driver.AddInput(&input));
  ASSERT_OK(driver.Run());
  am.Complete();
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(stdout_sink.got, std::vector<std::string>{"t@4"});
  EXPECT_EQ(am.got, (std::vector<std::string>{"t@2", "t@3", "t@4"}));
  EXPECT_EQ(Outbox(), std::vector<uint64_t>{});
}

TEST_F(DriverSinksTest, ARouteLeavesTransitionsOutAndThePositionMovesPastThem) {
  AlertingConsumer consumer;
  SyncSink stdout_sink;
  ManualAsyncSink pager(/*capacity=*/10);
  sinks::AlertRoute critical;
  critical.min_severity = pipeline::Severity::kCritical;
  ScriptedInput input("t", {9, 10, 11});
  Driver driver(options_, &consumer, store_.get(),
                {{"stdout", &stdout_sink}, {"pagerduty", &pager, &critical}});
  ASSERT_OK(driver.RedeliverOutbox());
  ASSERT_OK(driver.AddInput(&input));
  ASSERT_OK(driver.Run());
  pager.Complete();
  ASSERT_OK(driver.Finish());
  EXPECT_EQ(pager.got, std::vector<std::string>{"t@10"});
  EXPECT_EQ(stdout_sink.got.size(), 3u);
  EXPECT_EQ(Position("pagerduty"), "3");
  EXPECT_EQ(Outbox(), std::vector<uint64_t>{});
}

TEST_F(DriverSinksTest, SinksGetTheFiringSetAtStart) {
  {
    AlertingConsumer consumer;
    SyncSink stdout_sink;
    ScriptedInput input("t", {1, 2});
    Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}});
    ASSERT_OK(driver.RedeliverOutbox());
    EXPECT_TRUE(stdout_sink.restored.empty());
    ASSERT_OK(driver.AddInput(&input));
    ASSERT_OK(driver.Run());
    ASSERT_OK(driver.Finish());
  }
  Open();
  AlertingConsumer consumer(3);
  SyncSink stdout_sink;
  Driver driver(options_, &consumer, store_.get(), {{"stdout", &stdout_sink}});
  ASSERT_OK(driver.RedeliverOutbox());
  ASSERT_EQ(stdout_sink.restored.size(), 2u);
  std::vector<std::string> tables;
  for (const auto& a : stdout_sink.restored) tables.push_back(a.table);
  std::sort(tables.begin(), tables.end());
  EXPECT_EQ(tables, (std::vector<std::string>{"t@1", "t@2"}));
}

}  // namespace
}  // namespace vacwatch::app
