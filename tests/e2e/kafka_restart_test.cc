// The Kafka service's inputs (app/kafka_inputs.h), driver and pipeline, stopped at chosen
// points as a crash would stop them (nothing after the last checkpoint kept) and restarted on
// their state directory, in this process and deterministically. The messages are the shared
// dataset's as a shipper sends them, read back from a DevBroker so that they are librdkafka's,
// and they arrive in chunks with pauses longer than max_input_skew between them, as in
// kafka_service_crash_test.cc. Whatever the crash points, the transitions delivered (each
// once: the sink drops a seq it has, as the alert topic's recovery scan does) are
// `vacwatch replay`'s (tests/data/golden): the same transitions of the same tables in the
// same order, byte for byte. That holds because what the pipeline knows of databases and
// clusters beyond their tables (xmin holders, tables over their trigger, busy workers, the pid
// map: pipeline/database_state.h) is checkpointed with the tables; before it was, a crash at
// snapshot 266 changed a transition's evidence and one at 117 (10 chunks) its timing.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/dev_broker.h"
#include "app/driver.h"
#include "app/event_consumer.h"
#include "app/kafka_inputs.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "state/source_offset.h"
#include "state/state_store.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

using testing::KafkaClient;

constexpr char kCluster[] = "prod-eu-1";

// Delivers each seq once, as the alert topic does across crashes.
class TopicLikeSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    if (!seqs_.insert(t.seq).second) return absl::OkStatus();
    std::string json;
    pipeline::WriteAlertJson(t.alert, &json);
    lines_ += json + "\n";
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  const std::string& lines() const { return lines_; }

 private:
  std::set<uint64_t> seqs_;
  std::string lines_;
};

// The pipeline, crashing (an error) when given its `crash_at`-th snapshot (never when 0).
class CrashingConsumer final : public EventConsumer {
 public:
  CrashingConsumer(EventConsumer* inner, int crash_at) : inner_(inner), crash_at_(crash_at) {}
  absl::Status OnSnapshot(const ingest::Snapshot& s) override {
    if (++snapshots_ == crash_at_) return absl::AbortedError("crash");
    return inner_->OnSnapshot(s);
  }
  absl::Status OnLogEvent(const ingest::LogEvent& e) override { return inner_->OnLogEvent(e); }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    return inner_->Checkpoint(batch, emitted);
  }

 private:
  EventConsumer* inner_;
  int crash_at_;
  int snapshots_ = 0;
};

class KafkaRestartTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto broker = DevBroker::Start({.partitions = 1});
    ASSERT_OK(broker);
    broker_ = broker->release();
    const std::string dataset = testing::DatasetPath("pg15-prod-eu-1");
    testing::Produce(broker_->bootstrap(), "pg.logs", kCluster,
                     testing::Lines(testing::ReadFile(dataset + "/postgresql.log")));
    testing::Produce(broker_->bootstrap(), "pg.stats", kCluster,
                     testing::Lines(testing::ReadFile(dataset + "/snapshots.jsonl")));
    consumer_ = KafkaClient(broker_->bootstrap(), RD_KAFKA_CONSUMER,
                            {{"group.id", "restart-test"},
                             {"fetch.wait.max.ms", "10"},
                             {"enable.partition.eof", "true"},
                             {"enable.auto.commit", "false"}});
  }
  static void TearDownTestSuite() {
    rd_kafka_consumer_close(consumer_);
    rd_kafka_destroy(consumer_);
    delete broker_;
  }

  // The partition's messages from `offset` on.
  static std::vector<KafkaMessage> Fetch(const std::string& topic, int64_t offset) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = offset;
    rd_kafka_assign(consumer_, list);
    rd_kafka_topic_partition_list_destroy(list);
    std::vector<KafkaMessage> out;
    while (true) {
      KafkaMessage m(rd_kafka_consumer_poll(consumer_, 1000));
      EXPECT_NE(m, nullptr) << "no end of partition";
      if (m == nullptr || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(std::move(m));
    }
    rd_kafka_assign(consumer_, nullptr);
    return out;
  }

  // One run of the service on `state_dir` until its `crash_at`-th snapshot (0: to the end),
  // the messages arriving in chunks (`ends`: the log and stats messages sent after each chunk),
  // with the wall clock going past max_input_skew between chunks; those up to chunk `*chunk`
  // are there from the start. Returns whether it crashed, and in `*chunk` the chunk it was in.
  bool Run(const std::string& state_dir, int crash_at, TopicLikeSink* sink,
           const std::vector<std::pair<size_t, size_t>>& ends, size_t* chunk) {
    auto store = state::StateStore::Open(state_dir, {});
    EXPECT_OK(store);
    PipelineConsumer pipeline(pipeline::PipelineConfig(), store->get());
    CrashingConsumer consumer(&pipeline, crash_at);
    absl::Time now = absl::FromUnixSeconds(1'900'000'000);
    DriverOptions options;
    options.max_input_skew = absl::Seconds(1);
    options.clock = [&now] { return now; };
    KafkaLogInput* log_input = nullptr;
    options.before_commit = [&log_input](state::StateStore::Batch* batch) {
      log_input->CheckpointPrefixes(batch);
      return absl::OkStatus();
    };
    Driver driver(options, &consumer, store->get(), sink);
    EXPECT_OK(driver.RedeliverOutbox());
    auto start = [&](const std::string& topic) {
      auto stored = (*store)->GetOffset(state::MakeKafkaSourceId(topic, 0));
      EXPECT_OK(stored);
      return stored->value_or(state::SourceOffset(0)).value();
    };
    ingest::ShipperLogReader::Options log_options;
    log_options.cluster = "default";
    log_options.start_offset = start("pg.logs");
    log_options.source_name = "pg.logs/0";
    auto known = KafkaLogInput::StoredPrefixes(**store, state::MakeKafkaSourceId("pg.logs", 0));
    EXPECT_OK(known);
    log_options.known_prefixes = *known;
    auto logs = KafkaLogInput::Create("pg.logs", 0, log_options);
    EXPECT_OK(logs);
    log_input = logs->get();
    ingest::SnapshotReaderOptions stats_options;
    stats_options.start_offset = start("pg.stats");
    stats_options.source_name = "pg.stats/0";
    KafkaStatsInput stats("pg.stats", 0, stats_options);
    EXPECT_OK(driver.AddInput(logs->get()));
    EXPECT_OK(driver.AddInput(&stats));
    std::vector<KafkaMessage> log_messages = Fetch("pg.logs", log_options.start_offset);
    std::vector<KafkaMessage> stats_messages = Fetch("pg.stats", stats_options.start_offset);
    size_t log_next = 0, stats_next = 0;
    for (; *chunk < ends.size(); ++*chunk) {
      for (; log_next + log_options.start_offset < ends[*chunk].first; ++log_next) {
        (*logs)->Push(std::move(log_messages[log_next]));
      }
      for (; stats_next + stats_options.start_offset < ends[*chunk].second; ++stats_next) {
        stats.Push(std::move(stats_messages[stats_next]));
      }
      // As the service: run until nothing can go on, let the wall clock pass the skew, again.
      for (int i = 0; i < 3; ++i) {
        absl::StatusOr<Driver::Progress> progress = driver.Run();
        if (absl::IsAborted(progress.status())) return true;
        EXPECT_OK(progress);
        now += absl::Seconds(2);
      }
      EXPECT_OK(driver.Checkpoint());
    }
    return false;
  }

  static DevBroker* broker_;
  static rd_kafka_t* consumer_;
};

DevBroker* KafkaRestartTest::broker_ = nullptr;
rd_kafka_t* KafkaRestartTest::consumer_ = nullptr;

TEST_F(KafkaRestartTest, CrashesAndRestartsGiveReplaysTransitions) {
  const std::string golden =
      testing::ReadFile(testing::SourceDir() + "/tests/data/golden/replay-pg15-prod-eu-1.jsonl");
  for (int n : {4, 10}) {
    std::vector<std::pair<size_t, size_t>> ends;
    size_t logs = 0, stats = 0;
    for (const testing::DatasetChunk& c :
         testing::ChunkDataset(testing::DatasetPath("pg15-prod-eu-1"), n)) {
      logs += c.logs.size();
      stats += c.stats.size();
      ends.emplace_back(logs, stats);
    }
    {
      testing::ScopedTempDir dir;
      TopicLikeSink sink;
      size_t chunk = 0;
      EXPECT_FALSE(Run(dir.path() + "/state", 0, &sink, ends, &chunk));
      EXPECT_EQ(sink.lines(), golden) << "without a crash, " << n << " chunks";
    }
    // Crash points (the n-th snapshot) all along, and just before each chunk's end: a restart
    // there has less than a chunk's worth of lines before the stream pauses.
    std::vector<std::vector<int>> crashes;
    for (int at = 5; at < 400; at += 29) crashes.push_back({at});
    for (int k = 1; k <= n; ++k) crashes.push_back({static_cast<int>(stats * k / n) - 3});
    crashes.push_back({150, 2});  // twice: right after the first restart too
    crashes.push_back({37, 40, 100});
    std::vector<std::string> diverging;
    for (const std::vector<int>& points : crashes) {
      testing::ScopedTempDir dir;
      TopicLikeSink sink;
      size_t chunk = 0;
      for (int at : points) EXPECT_TRUE(Run(dir.path() + "/state", at, &sink, ends, &chunk));
      EXPECT_FALSE(Run(dir.path() + "/state", 0, &sink, ends, &chunk));
      const std::string name = absl::StrJoin(points, "+");
      if (sink.lines() != golden) diverging.push_back(name);
    }
    EXPECT_TRUE(diverging.empty()) << n << " chunks: crashes at these snapshots change the "
                                   << "transitions: " << absl::StrJoin(diverging, ", ");
  }
}

}  // namespace
}  // namespace vacwatch::app
