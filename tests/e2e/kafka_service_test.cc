// `vacwatch run` on librdkafka's mock cluster over TCP (app/dev_broker.h): the shared dataset
// sent as a shipper sends it (one message per log line, one per snapshot, keyed by cluster)
// gives on the alert topic exactly the transitions `vacwatch replay` gives on the same files
// (tests/data/golden), for stderr lines, jsonlog records and a Fluent Bit wrapper; a second
// run on the same state adds nothing; garbage goes to the dead-letter topic with its headers.

#include "app/kafka_service.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/dev_broker.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

rd_kafka_t* Client(const std::string& bootstrap, rd_kafka_type_t type,
                   const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error));
  for (const auto& [k, v] : extra)
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error, sizeof(error));
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
  EXPECT_NE(client, nullptr) << error;
  return client;
}

void Produce(const std::string& bootstrap, const std::string& topic, const std::string& key,
             const std::vector<std::string>& values) {
  rd_kafka_t* producer = Client(bootstrap, RD_KAFKA_PRODUCER, {{"linger.ms", "5"}});
  for (const std::string& value : values) {
    while (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()),
                             RD_KAFKA_V_KEY(key.data(), key.size()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 10);
    }
  }
  EXPECT_EQ(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(producer);
}

struct Message {
  std::string value;
  std::map<std::string, std::string> headers;
};

// Every committed message of a one-partition topic, read from the start.
std::vector<Message> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  rd_kafka_t* consumer = Client(bootstrap, RD_KAFKA_CONSUMER,
                                {{"group.id", "test-reader"},
                                 {"isolation.level", "read_committed"},
                                 {"enable.partition.eof", "true"},
                                 {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Message> out;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Message message;
      message.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          message.headers[name].assign(static_cast<const char*>(value), size);
        }
      }
      out.push_back(std::move(message));
    }
    rd_kafka_message_destroy(m);
    if (eof) break;
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return out;
}

std::string Joined(const std::vector<Message>& messages) {
  std::string out;
  for (const Message& m : messages) out += m.value + "\n";
  return out;
}

// Runs the service in a thread until told to stop.
class RunningService {
 public:
  RunningService(const std::string& bootstrap, const std::string& state_dir) {
    KafkaServiceOptions options;
    options.brokers = bootstrap;
    options.group = "it";
    options.state_dir = state_dir;
    options.max_input_skew = absl::Seconds(1);
    options.progress_interval = absl::Hours(1);
    options.librdkafka["session.timeout.ms"] = "6000";
    options.log = nullptr;
    options.stop = [this] { return stop_.load(); };
    options.after_checkpoint = [this](int assigned) {
      if (assigned > 0) ++checkpoints_with_partitions_;
    };
    thread_ = std::thread([this, options] { status_ = KafkaService(options).Run(); });
  }
  // Waits until the service has checkpointed `n` times with partitions assigned: it has read
  // everything there was (each checkpoint follows a pass over every queued message).
  void AwaitCheckpoints(int n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (checkpoints_with_partitions_.load() < n && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));  // polling a condition with a deadline
    }
    EXPECT_GE(checkpoints_with_partitions_.load(), n);
  }
  absl::Status Stop() {
    stop_ = true;
    thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> checkpoints_with_partitions_{0};
  absl::Status status_;
  std::thread thread_;
};

// Waits until the alert topic holds `count` transitions (or the deadline passes).
std::vector<Message> AwaitAlerts(const std::string& bootstrap, size_t count) {
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  std::vector<Message> alerts;
  while (absl::Now() < deadline) {
    alerts = ReadTopic(bootstrap, "vacwatch.alerts");
    if (alerts.size() >= count) break;
    absl::SleepFor(absl::Milliseconds(200));  // polling a condition, not a fixed wait
  }
  return alerts;
}

class KafkaServiceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KafkaServiceTest, AlertTopicHoldsReplaysTransitionsExactlyOnce) {
  const std::string dataset = testing::DatasetPath("pg15-prod-eu-1");
  const std::string golden =
      ReadFile(testing::SourceDir() + "/tests/data/golden/replay-pg15-prod-eu-1.jsonl");
  ASSERT_FALSE(golden.empty());
  const size_t expected = Lines(golden).size();
  testing::ScopedTempDir dir;
  std::string log_lines;
  if (GetParam() == "stderr") {
    log_lines = ReadFile(dataset + "/postgresql.log");
  } else if (GetParam() == "jsonlog") {
    log_lines = ReadFile(dataset + "/postgresql.json");
  } else {
    const std::string out = dir.path() + "/wrapped.jsonl";
    ASSERT_EQ(std::system(absl::StrCat("python3 ", testing::SourceDir(), "/scripts/ship-log ",
                                       GetParam(), " < ", dataset, "/postgresql.log > ", out)
                              .c_str()),
              0);
    log_lines = ReadFile(out);
  }
  DevBrokerOptions broker_options;
  broker_options.partitions = 2;
  auto broker = DevBroker::Start(broker_options);
  ASSERT_OK(broker);
  const std::string bootstrap = (*broker)->bootstrap();
  Produce(bootstrap, "pg.logs", "prod-eu-1", Lines(log_lines));
  Produce(bootstrap, "pg.stats", "prod-eu-1", Lines(ReadFile(dataset + "/snapshots.jsonl")));
  // Garbage: binary, truncated JSON; they must change nothing else.
  Produce(bootstrap, "pg.stats", "prod-eu-1",
          {std::string("\x00\xff\xfe garbage", 11), R"({"kind": "pg_stat_snapshot", "clus)"});

  const std::string state = dir.path() + "/state";
  {
    RunningService service(bootstrap, state);
    const std::vector<Message> alerts = AwaitAlerts(bootstrap, expected);
    ASSERT_OK(service.Stop());
    EXPECT_EQ(Joined(alerts), golden);
  }
  {
    // A second run on the same state adds nothing.
    RunningService service(bootstrap, state);
    service.AwaitCheckpoints(3);
    ASSERT_OK(service.Stop());
    EXPECT_EQ(Joined(ReadTopic(bootstrap, "vacwatch.alerts")), golden);
  }
  const std::vector<Message> dead = ReadTopic(bootstrap, "vacwatch.dlq");
  ASSERT_EQ(dead.size(), 2u);
  for (const Message& m : dead) {
    EXPECT_EQ(m.headers.at("source_topic"), "pg.stats");
    EXPECT_FALSE(m.headers.at("reason").empty());
    EXPECT_FALSE(m.headers.at("source_offset").empty());
    EXPECT_TRUE(m.headers.count("source_partition"));
  }
}

INSTANTIATE_TEST_SUITE_P(Shippers, KafkaServiceTest,
                         ::testing::Values("stderr", "jsonlog", "fluent-bit"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace vacwatch::app
