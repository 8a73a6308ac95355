#include "app/replay_runner.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "state/source_offset.h"
#include "state/state_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

// Records the order it is fed in, and emits one firing transition per snapshot (numbered from
// the store's last outbox seq, as the pipeline does), so delivery can be followed.
class RecordingConsumer final : public ReplayConsumer {
 public:
  explicit RecordingConsumer(state::StateStore* store) : next_seq_(*store->LastOutboxSeq() + 1) {}

  absl::Status OnSnapshot(const ingest::Snapshot& snapshot) override {
    fed.push_back(
        absl::StrCat("S ", std::string(snapshot.database), " ", Clock(snapshot.collected_at)));
    pipeline::Alert alert;
    alert.status = pipeline::AlertStatus::kFiring;
    alert.alert = "TestAlert";
    alert.severity = pipeline::Severity::kInfo;
    alert.cluster = std::string(snapshot.cluster);
    alert.database = std::string(snapshot.database);
    alert.schema = "public";
    alert.table = "t";
    alert.event_time = snapshot.collected_at;
    alert.starts_at = snapshot.collected_at;
    pending_.push_back(std::move(alert));
    return absl::OkStatus();
  }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    fed.push_back(absl::StrCat("L ", std::string(event.cluster), " ", std::string(event.table), " ",
                               Clock(event.time)));
    return absl::OkStatus();
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    std::string json;
    for (pipeline::Alert& alert : pending_) {
      pipeline::AlertTransition t{next_seq_++, std::move(alert)};
      pipeline::WriteAlertJson(t.alert, &json);
      batch->PutOutbox(t.seq, json);
      emitted->push_back(std::move(t));
    }
    pending_.clear();
    return absl::OkStatus();
  }

  std::vector<std::string> fed;

 private:
  static std::string Clock(absl::Time t) {
    return absl::FormatTime("%H:%M:%S", t, absl::UTCTimeZone());
  }
  uint64_t next_seq_;
  std::vector<pipeline::Alert> pending_;
};

// Keeps what a Flush confirmed; can be told to fail its next Flush (a crash after the commit,
// before delivery was confirmed).
class RecordingSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    unconfirmed_.push_back(
        absl::StrCat(t.seq, " ", t.alert.database, " ",
                     absl::FormatTime("%H:%M:%S", t.alert.event_time, absl::UTCTimeZone())));
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    if (fail_next_flush) {
      fail_next_flush = false;
      unconfirmed_.clear();
      return absl::UnavailableError("sink down");
    }
    for (std::string& s : unconfirmed_) confirmed.push_back(std::move(s));
    unconfirmed_.clear();
    return absl::OkStatus();
  }

  bool fail_next_flush = false;
  std::vector<std::string> confirmed;

 private:
  std::vector<std::string> unconfirmed_;
};

std::string SkipLine(const std::string& time, const std::string& table) {
  return absl::StrCat(
      R"({"timestamp":")", time,
      R"( UTC","pid":13208,"error_severity":"LOG","message":"skipping vacuum of \")", table,
      R"(\" --- lock not available","backend_type":"autovacuum worker","dbname":"jobs"})", "\n");
}

std::string SnapshotLine(const std::string& time, const std::string& database) {
  return absl::StrCat(R"({"kind":"pg_stat_snapshot","cluster":"c1","database":")", database,
                      R"(","collected_at":"2026-11-23T)", time,
                      R"(+00:00","tables":[],"settings":{}})", "\n");
}

void WriteFile(const std::string& path, const std::string& text, bool append = false) {
  std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
  out << text;
}

class ReplayRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = state::StateStore::Open(Path("state"), state::StateStoreOptions());
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  std::string Path(const std::string& name) const { return absl::StrCat(temp_.path(), "/", name); }

  ReplayOptions Options(const std::vector<std::string>& logs,
                        const std::vector<std::string>& stats) {
    ReplayOptions options;
    for (const auto& p : logs) options.log_paths.push_back(Path(p));
    for (const auto& p : stats) options.stats_paths.push_back(Path(p));
    options.checkpoint_every_events = 2;
    return options;
  }

  absl::StatusOr<ReplayStats> Run(ReplayOptions options, RecordingConsumer* consumer,
                                  RecordingSink* sink) {
    ReplayRunner runner(std::move(options), consumer, store_.get(), sink);
    return runner.Run();
  }

  testing::ScopedTempDir temp_;
  std::unique_ptr<state::StateStore> store_;
};

TEST_F(ReplayRunnerTest, MergesByEventTimeWithTiesInInputOrder) {
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:18:01.000", "a1") +
                                SkipLine("2026-11-23 23:18:05.000", "a2") +
                                SkipLine("2026-11-23 23:18:09.000", "a3"));
  WriteFile(Path("b.json"),
            SkipLine("2026-11-23 23:18:02.000", "b1") + SkipLine("2026-11-23 23:18:05.000", "b2"));
  WriteFile(Path("s.jsonl"), SnapshotLine("23:18:00", "shop") + SnapshotLine("23:18:05", "shop") +
                                 SnapshotLine("23:18:10", "shop"));
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  auto stats = Run(Options({"a.json", "b.json"}, {"s.jsonl"}), &consumer, &sink);
  ASSERT_OK(stats);
  // The logs' cluster comes from the first snapshot; at 23:18:05 a2, b2 and the snapshot tie.
  EXPECT_EQ(consumer.fed,
            (std::vector<std::string>{"S shop 23:18:00", "L c1 a1 23:18:01", "L c1 b1 23:18:02",
                                      "L c1 a2 23:18:05", "L c1 b2 23:18:05", "S shop 23:18:05",
                                      "L c1 a3 23:18:09", "S shop 23:18:10"}));
  EXPECT_EQ(stats->log_events, 5);
  EXPECT_EQ(stats->snapshots, 3);
  EXPECT_EQ(stats->alerts_fired, 3);
  EXPECT_EQ(stats->rejected, 0);
  EXPECT_EQ(sink.confirmed,
            (std::vector<std::string>{"1 shop 23:18:00", "2 shop 23:18:05", "3 shop 23:18:10"}));
  // Everything delivered: the outbox is empty, the numbering kept.
  int outbox = 0;
  ASSERT_OK(store_->ForEachOutbox([&](uint64_t, std::string_view) { return ++outbox; }));
  EXPECT_EQ(outbox, 0);
  EXPECT_EQ(*store_->LastOutboxSeq(), 3u);
}

TEST_F(ReplayRunnerTest, ExplicitClusterWins) {
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:18:01.000", "a1"));
  WriteFile(Path("s.jsonl"), SnapshotLine("23:18:00", "shop"));
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  ReplayOptions options = Options({"a.json"}, {"s.jsonl"});
  options.cluster = "mine";
  ASSERT_OK(Run(std::move(options), &consumer, &sink));
  EXPECT_EQ(consumer.fed[1], "L mine a1 23:18:01");
}

TEST_F(ReplayRunnerTest, SecondRunContinuesFromStoredOffsetsAndNewFilesStartAtZero) {
  WriteFile(Path("a.json"),
            SkipLine("2026-11-23 23:18:01.000", "a1") + SkipLine("2026-11-23 23:18:03.000", "a2"));
  WriteFile(Path("s.jsonl"), SnapshotLine("23:18:02", "shop"));
  {
    RecordingConsumer consumer(store_.get());
    RecordingSink sink;
    ASSERT_OK(Run(Options({"a.json"}, {"s.jsonl"}), &consumer, &sink));
    EXPECT_EQ(consumer.fed.size(), 3u);
  }
  auto offset = store_->GetOffset(*state::MakeSourceId(state::SourceKind::kLog, Path("a.json")));
  ASSERT_OK(offset);
  EXPECT_EQ(offset->value_or(state::SourceOffset(-1)).value(),
            static_cast<int64_t>(SkipLine("2026-11-23 23:18:01.000", "a1").size() +
                                 SkipLine("2026-11-23 23:18:03.000", "a2").size()));

  // The log grows, the snapshot file stays, and a new snapshot file appears.
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:18:07.000", "a3"), /*append=*/true);
  WriteFile(Path("s2.jsonl"), SnapshotLine("23:18:06", "jobs"));
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  auto stats = Run(Options({"a.json"}, {"s.jsonl", "s2.jsonl"}), &consumer, &sink);
  ASSERT_OK(stats);
  EXPECT_EQ(consumer.fed, (std::vector<std::string>{"S jobs 23:18:06", "L c1 a3 23:18:07"}));
  EXPECT_EQ(stats->resumed_inputs, 2);
  EXPECT_EQ(sink.confirmed, (std::vector<std::string>{"2 jobs 23:18:06"}));
}

TEST_F(ReplayRunnerTest, CrashBetweenCommitAndDeliveryRedeliversOnTheNextRun) {
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:18:01.000", "a1") +
                                SkipLine("2026-11-23 23:18:04.000", "a2") +
                                SkipLine("2026-11-23 23:18:08.000", "a3"));
  WriteFile(Path("s.jsonl"), SnapshotLine("23:18:00", "shop") + SnapshotLine("23:18:03", "jobs") +
                                 SnapshotLine("23:18:06", "events"));

  // The uninterrupted run, on a store of its own.
  std::vector<std::string> expected;
  {
    auto other = state::StateStore::Open(Path("other-state"), state::StateStoreOptions());
    ASSERT_OK(other);
    RecordingConsumer consumer(other->get());
    RecordingSink sink;
    ReplayRunner runner(Options({"a.json"}, {"s.jsonl"}), &consumer, other->get(), &sink);
    ASSERT_OK(runner.Run());
    expected = sink.confirmed;
  }
  ASSERT_EQ(expected.size(), 3u);

  // First run: the first batch with a transition commits, then its delivery fails.
  {
    RecordingConsumer consumer(store_.get());
    RecordingSink sink;
    sink.fail_next_flush = true;
    auto stats = Run(Options({"a.json"}, {"s.jsonl"}), &consumer, &sink);
    EXPECT_EQ(stats.status().code(), absl::StatusCode::kUnavailable) << stats.status();
    EXPECT_TRUE(sink.confirmed.empty());
  }
  std::vector<uint64_t> outbox;
  ASSERT_OK(store_->ForEachOutbox([&](uint64_t seq, std::string_view json) {
    outbox.push_back(seq);
    EXPECT_OK(pipeline::ParseAlertJson(json));
    return true;
  }));
  EXPECT_EQ(outbox, (std::vector<uint64_t>{1}));

  // Second run: the outbox first, then the rest from the stored offsets; all exactly once.
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  auto stats = Run(Options({"a.json"}, {"s.jsonl"}), &consumer, &sink);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->redelivered, 1);
  EXPECT_EQ(sink.confirmed, expected);
  outbox.clear();
  ASSERT_OK(store_->ForEachOutbox([&](uint64_t seq, std::string_view) {
    outbox.push_back(seq);
    return true;
  }));
  EXPECT_TRUE(outbox.empty());

  // A third run has nothing left to do.
  RecordingConsumer idle(store_.get());
  RecordingSink idle_sink;
  ASSERT_OK(Run(Options({"a.json"}, {"s.jsonl"}), &idle, &idle_sink));
  EXPECT_TRUE(idle.fed.empty());
  EXPECT_TRUE(idle_sink.confirmed.empty());
}

TEST_F(ReplayRunnerTest, ShorterFileThanTheStoredOffsetIsReadFromTheStart) {
  WriteFile(Path("a.json"),
            SkipLine("2026-11-23 23:18:01.000", "a1") + SkipLine("2026-11-23 23:18:02.000", "a2"));
  {
    RecordingConsumer consumer(store_.get());
    RecordingSink sink;
    ASSERT_OK(Run(Options({"a.json"}, {}), &consumer, &sink));
  }
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:19:00.000", "rotated"));
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  ASSERT_OK(Run(Options({"a.json"}, {}), &consumer, &sink));
  EXPECT_EQ(consumer.fed, (std::vector<std::string>{"L  rotated 23:19:00"}));
}

TEST_F(ReplayRunnerTest, InputErrors) {
  WriteFile(Path("a.json"), SkipLine("2026-11-23 23:18:01.000", "a1"));
  RecordingConsumer consumer(store_.get());
  RecordingSink sink;
  EXPECT_EQ(Run(Options({"a.json", "a.json"}, {}), &consumer, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(Options({"a.json"}, {"a.json"}), &consumer, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(Options({"missing.json"}, {}), &consumer, &sink).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Run(Options({}, {}), &consumer, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Snapshots given as a log are refused, not read as a jsonlog that gives nothing.
  WriteFile(Path("s.jsonl"), SnapshotLine("23:18:00", "shop"));
  EXPECT_EQ(Run(Options({"s.jsonl"}, {}), &consumer, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FormatReplayStatsTest, SaysWhatWasReadAndFired) {
  ReplayStats stats;
  stats.inputs_read = 100;
  stats.log_events = 7;
  stats.snapshots = 3;
  stats.skipped = 90;
  stats.rejected = 0;
  stats.alerts_fired = 2;
  stats.alerts_resolved = 1;
  EXPECT_EQ(FormatReplayStats(stats),
            "replay: 100 inputs read, 7 events, 3 snapshots, 90 skipped, 0 rejected; alerts: 2 "
            "fired, 1 resolved");
  stats.redelivered = 1;
  stats.resumed_inputs = 2;
  EXPECT_EQ(FormatReplayStats(stats),
            "replay: 100 inputs read, 7 events, 3 snapshots, 90 skipped, 0 rejected; alerts: 2 "
            "fired, 1 resolved (1 left undelivered by the last run); 2 input(s) continued where "
            "the last run stopped");
}

}  // namespace
}  // namespace vacwatch::app
