// Issue 15's robustness acceptance tests: `vacwatch run` as a child process (build/vacwatch)
// on librdkafka's mock cluster over TCP (app/dev_broker.h, in this process), fed the shared
// dataset as a shipper sends it (one message per log line, one per snapshot, keyed by
// cluster). Whatever happens to the service, the alert topic (read_committed) must end up
// holding exactly `vacwatch replay`'s transitions (tests/data/golden): every transition once,
// none twice.
//
//   - SIGKILLed at three random points (a fixed seed) and restarted on its state directory;
//   - the brokers down for 10 s mid-stream;
//   - the state directory's disk full (a 16 MiB tmpfs; skipped where mount is not permitted):
//     consumption stops with one error line and goes on when space is back;
//   - garbage on both topics (binary, truncated JSON, 5 MB messages) goes to the dead-letter
//     topic with its headers, and SIGTERM exits 0;
//   - with a checkpoint interval of an hour, a caught-up service still commits and delivers.
//
// The first three send the data in chunks of event time and wait for the service between
// them, so the stream pauses for a second or more each time. They run with one partition and
// --max-input-skew 10: after a pause longer than the skew, an idle input no longer holds event
// time back (driver.h), so whichever topic's messages the consumer hands over first would be
// merged ahead of the other's, and the transitions would differ from replay's for reasons
// that have nothing to do with what is tested. One partition, because an empty one holds
// event time back for the whole skew at every start.

#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/dev_broker.h"
#include "gtest/gtest.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/datasets.h"
#include "tests/testing/small_filesystem.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::testing {
namespace {

constexpr char kCluster[] = "prod-eu-1";
constexpr char kGroup[] = "crash";

class KafkaServiceCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    golden_ = ReadFile(SourceDir() + "/tests/data/golden/replay-pg15-prod-eu-1.jsonl");
    ASSERT_FALSE(golden_.empty());
    expected_ = Lines(golden_).size();
    config_ = dir_.path() + "/vacwatch.yaml";
    WriteServiceConfig(config_);
    log_ = dir_.path() + "/service.log";
    state_dir_ = dir_.path() + "/state";
  }

  // The broker, with `partitions` for pg.logs and pg.stats; `skew` is --max-input-skew.
  void StartBroker(int partitions, std::string skew) {
    partitions_ = partitions;
    skew_ = std::move(skew);
    app::DevBrokerOptions options;
    options.partitions = partitions;
    auto broker = app::DevBroker::Start(options);
    ASSERT_OK(broker);
    broker_ = *std::move(broker);
    bootstrap_ = broker_->bootstrap();
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- vacwatch run's output ----\n" << ReadFile(log_) << "---- end ----\n";
    }
  }

  std::unique_ptr<ServiceProcess> Start() {
    return std::make_unique<ServiceProcess>(
        RunCommand(bootstrap_, kGroup, state_dir_, config_, skew_), log_);
  }

  // A chunk's log lines and snapshots, arriving together.
  void Send(const DatasetChunk& chunk) {
    Producer producer(bootstrap_);
    producer.Send("pg.logs", kCluster, chunk.logs);
    producer.Send("pg.stats", kCluster, chunk.stats);
    producer.Flush();
  }

  // The service's log lines that contain `text`.
  int LogLinesWith(const std::string& text) {
    int n = 0;
    for (const std::string& line : Lines(ReadFile(log_))) {
      n += line.find(text) != std::string::npos ? 1 : 0;
    }
    return n;
  }

  ScopedTempDir dir_;
  std::unique_ptr<app::DevBroker> broker_;
  std::string bootstrap_, config_, log_, state_dir_, golden_, skew_;
  int partitions_ = 1;
  size_t expected_ = 0;
};

TEST_F(KafkaServiceCrashTest, KilledThreeTimesAndRestartedEveryTransitionOnceNoneTwice) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(1, "10"));
  constexpr int kChunks = 10;
  const std::vector<DatasetChunk> chunks = ChunkDataset(DatasetPath("pg15-prod-eu-1"), kChunks);
  // Fixed seed: the same kill points in every run. Two kills a short random delay after a chunk
  // was sent (before, while or after it is read and checkpointed), one early and one late in the
  // stream; one a short random delay after the alert topic grew (between the Kafka
  // transaction's commit and the deletion of its outbox entries, or just after).
  std::mt19937 rng(15);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int early_chunk = uniform(0, 3);
  const absl::Duration early_delay = absl::Milliseconds(uniform(0, 1000));
  const size_t alerts_at_kill = static_cast<size_t>(uniform(2, 5));
  const absl::Duration alert_delay = absl::Milliseconds(uniform(0, 300));
  const int late_chunk = uniform(6, 8);
  const absl::Duration late_delay = absl::Milliseconds(uniform(0, 1000));

  GroupProbe probe(bootstrap_, kGroup, partitions_);
  TopicTail alerts(bootstrap_, "vacwatch.alerts");
  std::unique_ptr<ServiceProcess> service = Start();
  int starts = 1;
  size_t log_lines_before_last_start = 0;
  std::vector<std::string> kills;
  auto kill_and_restart = [&](const std::string& when) {
    ASSERT_TRUE(service->Running()) << "exited with " << service->exit_code() << " before " << when;
    service->Kill();
    kills.push_back(when);
    log_lines_before_last_start = Lines(ReadFile(log_)).size();
    service = Start();
    ++starts;
  };
  bool alert_kill_done = false;
  // Checked while waiting: the third kill point.
  auto maybe_kill_after_alerts = [&] {
    if (alert_kill_done || alerts.Count() < alerts_at_kill) return;
    alert_kill_done = true;
    absl::SleepFor(alert_delay);  // the kill point: a random delay after the condition
    kill_and_restart(absl::StrCat(absl::FormatDuration(alert_delay), " after the alert topic held ",
                                  alerts_at_kill));
  };

  int64_t stats_sent = 0;
  for (int k = 0; k < kChunks; ++k) {
    Send(chunks[k]);
    stats_sent += static_cast<int64_t>(chunks[k].stats.size());
    if (k == early_chunk || k == late_chunk) {
      const absl::Duration delay = k == early_chunk ? early_delay : late_delay;
      absl::SleepFor(delay);  // the kill point: a random delay after the condition
      kill_and_restart(absl::StrCat(absl::FormatDuration(delay), " after chunk ", k, " was sent"));
    }
    // The snapshots sent so far are read and checkpointed (by whichever instance runs).
    ASSERT_TRUE(WaitFor(
        [&] {
          maybe_kill_after_alerts();
          return probe.Committed("pg.stats") >= stats_sent;
        },
        absl::Seconds(60)))
        << "chunk " << k << " was not read";
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        maybe_kill_after_alerts();
        return alert_kill_done && alerts.Count() >= expected_;
      },
      absl::Seconds(60)));
  // The last instance has delivered what its predecessor left in the partition's outbox (it
  // logs the assignment after that). An instance killed while it started may have logged
  // nothing, so only the last one's lines count.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::vector<std::string> lines = Lines(ReadFile(log_));
        for (size_t i = log_lines_before_last_start; i < lines.size(); ++i) {
          if (lines[i].find("vacwatch run: assigned ") != std::string::npos &&
              lines[i].find("pg.logs/0 from") != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(60)))
      << starts << " starts";
  for (const std::string& kill : kills) std::cerr << "killed " << kill << "\n";
  EXPECT_EQ(kills.size(), 3u);
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);
  EXPECT_TRUE(ReadTopic(bootstrap_, "vacwatch.dlq").empty());
}

TEST_F(KafkaServiceCrashTest, BrokersDownForTenSecondsMidStreamNoCrashNoLoss) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(1, "10"));
  const std::vector<DatasetChunk> chunks = ChunkDataset(DatasetPath("pg15-prod-eu-1"), 4);
  GroupProbe probe(bootstrap_, kGroup, partitions_);
  std::unique_ptr<ServiceProcess> service = Start();
  Send(chunks[0]);
  Send(chunks[1]);
  const int64_t half = static_cast<int64_t>(chunks[0].stats.size() + chunks[1].stats.size());
  ASSERT_TRUE(WaitFor([&] { return probe.Committed("pg.stats") >= half; }, absl::Seconds(60)));

  ASSERT_OK(broker_->SetBrokersDown(true));
  // The shippers go on sending: their producers hold the messages until the brokers are back.
  std::thread shipper([&] {
    Send(chunks[2]);
    Send(chunks[3]);
  });
  // The outage lasts 10 s (the scenario, not a wait for something); the service rides it out.
  const bool exited = WaitFor([&] { return !service->Running(); }, absl::Seconds(10));
  ASSERT_OK(broker_->SetBrokersDown(false));
  shipper.join();
  ASSERT_FALSE(exited) << "exited during the outage with code " << service->exit_code();

  const int64_t all = probe.End("pg.stats");
  ASSERT_TRUE(WaitFor(
      [&] {
        return probe.Committed("pg.stats") >= all &&
               ReadTopic(bootstrap_, "vacwatch.alerts").size() >= expected_;
      },
      absl::Seconds(90)))
      << "processing did not resume";
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);
  EXPECT_TRUE(ReadTopic(bootstrap_, "vacwatch.dlq").empty());
}

// Checkpoints wait for --checkpoint-interval only while input keeps coming: once the service
// has read everything it commits and delivers at once, so with an interval of an hour the
// alerts still arrive, and so does the position past a last message that was only garbage.
TEST_F(KafkaServiceCrashTest, CaughtUpItCommitsAndDeliversAtOnceWhateverTheInterval) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(1, "10"));
  const std::string dataset = DatasetPath("pg15-prod-eu-1");
  GroupProbe probe(bootstrap_, kGroup, partitions_);
  std::vector<std::string> command = RunCommand(bootstrap_, kGroup, state_dir_, config_, skew_);
  command.insert(command.end(), {"--checkpoint-interval", "3600"});
  ServiceProcess service(command, log_);
  Produce(bootstrap_, "pg.logs", kCluster, Lines(ReadFile(dataset + "/postgresql.log")));
  Produce(bootstrap_, "pg.stats", kCluster, Lines(ReadFile(dataset + "/snapshots.jsonl")));
  ASSERT_TRUE(WaitFor([&] { return ReadTopic(bootstrap_, "vacwatch.alerts").size() >= expected_; },
                      absl::Seconds(60)))
      << "no checkpoint once caught up";
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);

  Produce(bootstrap_, "pg.stats", kCluster, {R"({"kind": "pg_stat_snapshot", "clus)"});
  const int64_t all = probe.End("pg.stats");
  ASSERT_TRUE(WaitFor(
      [&] {
        return probe.Committed("pg.stats") >= all &&
               ReadTopic(bootstrap_, "vacwatch.dlq").size() == 1;
      },
      absl::Seconds(30)))
      << "the garbage's position was not committed";
  EXPECT_EQ(service.Terminate(), 0);
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);
}

TEST_F(KafkaServiceCrashTest, StateDiskFullStopsConsumingWithOneErrorAndResumes) {
  auto fs = SmallFilesystem::Mount(16 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status().message();
  state_dir_ = (*fs)->path() + "/state";
  ASSERT_NO_FATAL_FAILURE(StartBroker(1, "10"));
  const std::vector<DatasetChunk> chunks = ChunkDataset(DatasetPath("pg15-prod-eu-1"), 4);
  GroupProbe probe(bootstrap_, kGroup, partitions_);
  std::unique_ptr<ServiceProcess> service = Start();
  Send(chunks[0]);
  ASSERT_TRUE(WaitFor([&] { return probe.Committed("pg.stats") >= probe.End("pg.stats"); },
                      absl::Seconds(60)));

  // The disk fills up while data arrives: one error line, and consumption stops.
  ASSERT_OK((*fs)->Fill());
  Send(chunks[1]);
  constexpr char kError[] = " error vacwatch run: state directory ";
  ASSERT_TRUE(WaitFor([&] { return LogLinesWith(kError) >= 1; }, absl::Seconds(60)))
      << "no error line about the full state directory";
  // For the next 3 s (an observation window: nothing is expected to happen) the group's
  // position and the alert topic stay where they are, whatever arrives.
  const int64_t committed = probe.Committed("pg.stats");
  const size_t delivered = ReadTopic(bootstrap_, "vacwatch.alerts").size();
  Send(chunks[2]);
  EXPECT_FALSE(WaitFor(
      [&] {
        return !service->Running() || probe.Committed("pg.stats") != committed ||
               ReadTopic(bootstrap_, "vacwatch.alerts").size() != delivered;
      },
      absl::Seconds(3)))
      << "still consuming on a full disk, or exited (" << service->exit_code() << ")";
  EXPECT_LT(committed, probe.End("pg.stats"));

  // Space comes back: the same process goes on, with one line saying so.
  ASSERT_OK((*fs)->Unfill());
  ASSERT_TRUE(WaitFor([&] { return LogLinesWith("has space again") >= 1; }, absl::Seconds(60)))
      << "did not resume when space came back";
  ASSERT_TRUE(WaitFor([&] { return probe.Committed("pg.stats") >= probe.End("pg.stats"); },
                      absl::Seconds(60)));
  EXPECT_EQ(LogLinesWith(kError), 1) << "one clear error line, not one per retry";

  // Full again, and stopped while full: it exits with the error (it does not hang), and a
  // restart once there is space reads again what was not committed.
  ASSERT_OK((*fs)->Fill());
  Send(chunks[3]);
  ASSERT_TRUE(WaitFor([&] { return LogLinesWith(kError) >= 2; }, absl::Seconds(60)));
  EXPECT_GT(service->Terminate(), 0);
  EXPECT_EQ(LogLinesWith("vacwatch: commit"), 1) << "the error it ends with";
  ASSERT_OK((*fs)->Unfill());
  service = Start();
  ASSERT_TRUE(WaitFor(
      [&] {
        return probe.Committed("pg.stats") >= probe.End("pg.stats") &&
               ReadTopic(bootstrap_, "vacwatch.alerts").size() >= expected_;
      },
      absl::Seconds(60)));
  EXPECT_EQ(service->Terminate(), 0);
  EXPECT_EQ(LogLinesWith(kError), 2) << "one error line per time the disk was full";
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);
  EXPECT_TRUE(ReadTopic(bootstrap_, "vacwatch.dlq").empty());
}

TEST_F(KafkaServiceCrashTest, GarbageGoesToTheDeadLetterTopicWithItsHeadersAndSigtermExitsZero) {
  // Two partitions (the 5 MB messages go to the one the cluster does not use); the data is
  // sent at once, so the skew only bounds the wait for the empty partition at the start.
  ASSERT_NO_FATAL_FAILURE(StartBroker(2, "1"));
  const std::string dataset = DatasetPath("pg15-prod-eu-1");
  std::vector<std::string> logs = Lines(ReadFile(dataset + "/postgresql.log"));
  std::vector<std::string> stats = Lines(ReadFile(dataset + "/snapshots.jsonl"));
  const std::string binary("\x00\x01\xfe\xff binary \x00\x7f garbage", 22);
  const std::string truncated_log =
      R"({"log": "2026-11-23 23:20:00.000 UTC [1] LOG:  automatic vac)";
  const std::string truncated_snapshot = R"({"kind": "pg_stat_snapshot", "clus)";
  const std::string big_log(5'000'000, 'x');
  std::string big_snapshot = R"({"kind": "pg_stat_snapshot", "tables": [)";
  while (big_snapshot.size() < 5'000'000) big_snapshot += R"({"relname": "t", "n_dead_tup": 1},)";
  // Garbage among the cluster's messages, at a quarter and at half of each topic (the log's
  // before a report's head line, so that it cannot be taken for a report's continuation line):
  // its offset is its index.
  struct Garbage {
    std::string topic;
    int64_t offset;
    size_t size;
    bool big;
  };
  std::vector<Garbage> garbage;
  auto insert = [&](std::vector<std::string>* messages, const std::string& topic, size_t at,
                    const std::string& value) {
    if (topic == "pg.logs") {
      while (at < messages->size() && !absl::StartsWith((*messages)[at], "2026-")) ++at;
    }
    messages->insert(messages->begin() + static_cast<std::ptrdiff_t>(at), value);
    garbage.push_back({topic, static_cast<int64_t>(at), value.size(), false});
  };
  insert(&logs, "pg.logs", logs.size() / 4, binary);
  insert(&logs, "pg.logs", logs.size() / 2, truncated_log);
  insert(&stats, "pg.stats", stats.size() / 4, binary);
  insert(&stats, "pg.stats", stats.size() / 2, truncated_snapshot);

  GroupProbe probe(bootstrap_, kGroup, partitions_);
  std::unique_ptr<ServiceProcess> service = Start();
  Produce(bootstrap_, "pg.logs", kCluster, logs);
  Produce(bootstrap_, "pg.stats", kCluster, stats);
  // The 5 MB messages go to the other partition: the mock broker keeps at most 5 MiB per
  // partition and would drop the dataset's messages before them.
  const int32_t cluster_partition = probe.End("pg.stats", 0) > 0 ? 0 : 1;
  const int32_t other = 1 - cluster_partition;
  const std::vector<std::pair<std::string, std::string>> big = {{"message.max.bytes", "10000000"}};
  Produce(bootstrap_, "pg.logs", "prod-eu-2", {big_log}, big, other);
  Produce(bootstrap_, "pg.stats", "prod-eu-2", {big_snapshot}, big, other);
  garbage.push_back({"pg.logs", 0, big_log.size(), true});
  garbage.push_back({"pg.stats", 0, big_snapshot.size(), true});

  const int64_t all = probe.End("pg.stats");
  ASSERT_EQ(all, static_cast<int64_t>(stats.size() + 1));
  ASSERT_TRUE(WaitFor(
      [&] {
        return probe.Committed("pg.stats") >= all &&
               ReadTopic(bootstrap_, "vacwatch.alerts").size() >= expected_ &&
               ReadTopic(bootstrap_, "vacwatch.dlq").size() >= garbage.size();
      },
      absl::Seconds(90)));
  EXPECT_EQ(service->Terminate(), 0) << "SIGTERM ends the service cleanly";
  EXPECT_EQ(Joined(ReadTopic(bootstrap_, "vacwatch.alerts")), golden_);

  const std::vector<KafkaRecord> dead = ReadTopic(bootstrap_, "vacwatch.dlq");
  ASSERT_EQ(dead.size(), garbage.size());
  for (const Garbage& g : garbage) {
    const std::string partition = absl::StrCat(g.big ? other : cluster_partition);
    SCOPED_TRACE(absl::StrCat(g.topic, "/", partition, " offset ", g.offset));
    int found = 0;
    for (const KafkaRecord& d : dead) {
      auto header = [&d](const std::string& name) {
        auto it = d.headers.find(name);
        return it == d.headers.end() ? std::string("(none)") : it->second;
      };
      if (header("source_topic") != g.topic || header("source_partition") != partition ||
          header("source_offset") != absl::StrCat(g.offset)) {
        continue;
      }
      ++found;
      EXPECT_FALSE(d.headers.at("reason").empty());
      EXPECT_EQ(d.value.size(), std::min<size_t>(g.size, 4096)) << "the raw message, cut at 4 KiB";
    }
    EXPECT_EQ(found, 1);
  }
  if (HasFailure()) {
    for (const KafkaRecord& d : dead) {
      for (const auto& [name, value] : d.headers) std::cerr << name << "=" << value << " ";
      std::cerr << "value " << d.value.size() << " bytes\n";
    }
  }
}

}  // namespace
}  // namespace vacwatch::testing
