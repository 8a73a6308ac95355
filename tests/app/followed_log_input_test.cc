#include "app/followed_log_input.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/driver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "state/state_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

using ::testing::ElementsAre;

// A jsonlog line whose event is a skipped vacuum of `table` (its line ends its entry, so
// positions fall exactly between lines).
std::string Line(std::string_view table) {
  return absl::StrCat(R"({"timestamp":"2026-11-23 23:18:33.481 UTC","pid":13245,)",
                      R"("error_severity":"LOG","message":"skipping vacuum of \")",
                      std::string(table),
                      R"(\" --- lock not available","backend_type":"autovacuum worker"})", "\n");
}

void Append(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

class RecordingConsumer final : public EventConsumer {
 public:
  absl::Status OnSnapshot(const ingest::Snapshot&) override { return absl::OkStatus(); }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    fed.emplace_back(event.table);
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

class FollowedLogInputTest : public ::testing::Test {
 protected:
  void OpenStore() {
    store_.reset();
    auto store = state::StateStore::Open(temp_.path() + "/state", state::StateStoreOptions());
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  std::unique_ptr<FollowedLogInput> OpenInput() {
    ingest::LogFollowerOptions options;
    options.reader.format = ingest::LogFormat::kJsonlog;
    options.reader.cluster = "c1";
    options.clock = [this] { return now_; };
    auto input = FollowedLogInput::Open(ingest::FollowTarget::File(log_), options, store_.get());
    EXPECT_OK(input);
    return input.ok() ? *std::move(input) : nullptr;
  }

  // Runs the driver until it waits, checkpointing with the input's file identity.
  std::vector<std::string> RunAndCheckpoint(FollowedLogInput* input) {
    RecordingConsumer consumer;
    DriverOptions options;
    options.before_commit = [input](state::StateStore::Batch* batch) {
      input->PutFileIdentity(batch);
      return absl::OkStatus();
    };
    Driver driver(options, &consumer, store_.get(), &sink_);
    EXPECT_OK(driver.RedeliverOutbox());
    EXPECT_OK(driver.AddInput(input));
    // A followed log never ends: the driver waits for it (quiet periods pass in between).
    for (int i = 0; i < 3; ++i) {
      absl::StatusOr<Driver::Progress> progress = driver.Run();
      EXPECT_OK(progress);
      if (progress.ok()) {
        EXPECT_EQ(*progress, Driver::Progress::kWaiting);
      }
      now_ += absl::Seconds(2);  // Run() advances an idle input again
    }
    EXPECT_OK(driver.Finish());
    return consumer.fed;
  }

  testing::ScopedTempDir temp_;
  std::string log_ = temp_.path() + "/postgresql.json";
  std::unique_ptr<state::StateStore> store_;
  NullSink sink_;
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(FollowedLogInputTest, IsIdleWhenCaughtUpAndNeverEnds) {
  OpenStore();
  auto input = OpenInput();
  ASSERT_NE(input, nullptr);
  absl::StatusOr<DriverInput::State> s = input->Advance();
  ASSERT_OK(s);
  EXPECT_EQ(*s, DriverInput::State::kIdle);  // no file yet: waiting for it
  Append(log_, Line("a"));
  s = input->Advance();
  ASSERT_OK(s);
  ASSERT_EQ(*s, DriverInput::State::kReady);
  EXPECT_EQ(input->resume_position().value(), 0);
  s = input->Advance();
  ASSERT_OK(s);
  EXPECT_EQ(*s, DriverInput::State::kIdle);
  EXPECT_EQ(input->resume_position().value(), static_cast<int64_t>(Line("a").size()));
  EXPECT_EQ(input->source_id(), "log:" + log_);
}

TEST_F(FollowedLogInputTest, ARestartContinuesInTheSameFile) {
  OpenStore();
  Append(log_, Line("a") + Line("b"));
  {
    auto input = OpenInput();
    ASSERT_NE(input, nullptr);
    EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("a", "b"));
  }
  OpenStore();  // as a new process would
  Append(log_, Line("c"));
  auto input = OpenInput();
  ASSERT_NE(input, nullptr);
  EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("c"));
  EXPECT_EQ(input->follower().follow_counters().resumed, 1);
}

TEST_F(FollowedLogInputTest, ARestartAfterRotationFinishesTheOldFileThenReadsTheNew) {
  OpenStore();
  Append(log_, Line("a"));
  {
    auto input = OpenInput();
    ASSERT_NE(input, nullptr);
    EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("a"));
  }
  // While vacwatch was down: more in the old file, then a rename rotation.
  Append(log_, Line("b"));
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_, Line("c"));
  OpenStore();
  {
    auto input = OpenInput();
    ASSERT_NE(input, nullptr);
    EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("b", "c"));
  }
  // The identity stored is the new file's: with the old one gone, nothing is read twice.
  std::filesystem::remove(log_ + ".1");
  Append(log_, Line("d"));
  OpenStore();
  auto input = OpenInput();
  ASSERT_NE(input, nullptr);
  EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("d"));
}

TEST_F(FollowedLogInputTest, AReplacedFileIsReadFromItsStart) {
  OpenStore();
  Append(log_, Line("a") + Line("b"));
  {
    auto input = OpenInput();
    ASSERT_NE(input, nullptr);
    EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("a", "b"));
  }
  std::filesystem::remove(log_);
  Append(log_, Line("c"));
  OpenStore();
  auto input = OpenInput();
  ASSERT_NE(input, nullptr);
  EXPECT_THAT(RunAndCheckpoint(input.get()), ElementsAre("c"));
  EXPECT_EQ(input->follower().follow_counters().resumed, 0);
}

TEST_F(FollowedLogInputTest, AStoredIdentityThatDoesNotParseIsDataLoss) {
  OpenStore();
  Append(log_, Line("a"));
  auto id = state::MakeSourceId(state::SourceKind::kLog, log_);
  ASSERT_OK(id);
  state::StateStore::Batch batch = store_->NewBatch();
  batch.PutOffset(*id, state::SourceOffset(3));
  batch.PutMeta(FollowedLogInput::FileIdentityKey(*id), "garbage");
  ASSERT_OK(store_->Commit(&batch));
  ingest::LogFollowerOptions options;
  auto input = FollowedLogInput::Open(ingest::FollowTarget::File(log_), options, store_.get());
  EXPECT_EQ(input.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vacwatch::app
