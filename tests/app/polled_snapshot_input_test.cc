#include "app/polled_snapshot_input.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

using ::testing::ElementsAre;

std::string Document(std::string_view collected_at, std::string_view database) {
  return absl::StrCat(R"({"cluster":"c1","database":")", std::string(database),
                      R"(","collected_at":")", std::string(collected_at), R"(","tables":[]})");
}

class DatabaseRecorder final : public EventConsumer {
 public:
  absl::Status OnSnapshot(const ingest::Snapshot& s) override {
    seen.emplace_back(s.database);
    return absl::OkStatus();
  }
  absl::Status OnLogEvent(const ingest::LogEvent&) override { return absl::OkStatus(); }
  absl::Status Checkpoint(state::StateStore::Batch*,
                          std::vector<pipeline::AlertTransition>*) override {
    return absl::OkStatus();
  }
  std::vector<std::string> seen;
};

TEST(PolledSnapshotInputTest, HandsOverPushedSnapshotsInOrderAndIsIdleWhenEmpty) {
  testing::CollectingErrorSink errors;
  PolledSnapshotInput input(&errors);
  absl::StatusOr<DriverInput::State> state = input.Advance();
  ASSERT_OK(state);
  EXPECT_EQ(*state, DriverInput::State::kIdle);  // nothing polled yet: more will come

  input.Push(Document("2026-12-07T05:00:00Z", "shop"));
  input.Push("{not json");
  input.Push(Document("2026-12-07T05:00:01Z", "events"));
  DatabaseRecorder recorder;
  std::vector<absl::Time> times;
  while (true) {
    state = input.Advance();
    ASSERT_OK(state);
    if (*state != DriverInput::State::kReady) break;
    times.push_back(input.time());
    ASSERT_OK(input.FeedTo(&recorder));
  }
  EXPECT_EQ(*state, DriverInput::State::kIdle);  // never kEnded: the next round brings more
  EXPECT_THAT(recorder.seen, ElementsAre("shop", "events"));
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[1] - times[0], absl::Seconds(1));
  // The broken document is counted and reported, never dropped silently.
  EXPECT_EQ(input.counters().entries, 3);
  EXPECT_EQ(input.counters().snapshots, 2);
  EXPECT_EQ(input.counters().total_rejected(), 1);
  EXPECT_EQ(errors.errors.size(), 1u);
  EXPECT_TRUE(input.source_id().empty());  // live: not resumable
  EXPECT_TRUE(input.is_snapshot());
}

}  // namespace
}  // namespace vacwatch::app
