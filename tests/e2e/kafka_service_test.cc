// `vacwatch run` on librdkafka's mock cluster over TCP (app/dev_broker.h): the shared dataset
// sent as a shipper sends it (one message per log line, one per snapshot, keyed by cluster)
// gives on the alert topic exactly the transitions `vacwatch replay` gives on the same files
// (tests/data/golden), for stderr lines, jsonlog records and a Fluent Bit wrapper; a second
// run on the same state adds nothing; garbage goes to the dead-letter topic with its headers;
// /metrics, /healthz and /readyz scraped over TCP during the run say so, and the scrape passes
// `promtool check metrics`.

#include "app/kafka_service.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/alert_sinks.h"
#include "app/dev_broker.h"
#include "app/metrics_server.h"
#include "app/service_metrics.h"
#include "app/sinks_config.h"
#include "gtest/gtest.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/datasets.h"
#include "tests/testing/http_get.h"
#include "tests/testing/http_test_server.h"
#include "tests/testing/promtool.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

using testing::Joined;
using testing::KafkaRecord;
using testing::Lines;
using testing::Produce;
using testing::ReadFile;
using testing::ReadTopic;

// Runs the service in a thread until told to stop.
class RunningService {
 public:
  RunningService(const std::string& bootstrap, const std::string& state_dir,
                 ServiceMetrics* metrics = nullptr, const std::string& webhook_url = "") {
    KafkaServiceOptions options;
    if (!webhook_url.empty()) {
      options.make_sinks = [webhook_url](int32_t) {
        SinkFlags flags;
        flags.webhook_url = webhook_url;
        return AlertSinks::Start(*ParseSinksConfig(""), flags, nullptr);
      };
    }
    options.brokers = bootstrap;
    options.group = "it";
    options.state_dir = state_dir;
    options.max_input_skew = absl::Seconds(1);
    options.progress_interval = absl::Hours(1);
    options.librdkafka["session.timeout.ms"] = "6000";
    options.log = nullptr;
    options.metrics = metrics;
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
std::vector<KafkaRecord> AwaitAlerts(const std::string& bootstrap, size_t count) {
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  std::vector<KafkaRecord> alerts;
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
    ServiceMetricsOptions metrics_options;
    metrics_options.table_series_limit = 20;
    ServiceMetrics metrics(metrics_options);
    MetricsAddress address;
    address.host = "127.0.0.1";
    address.port = 0;
    auto server = MetricsServer::Start(address, &metrics);
    ASSERT_OK(server);
    const int port = (*server)->port();
    EXPECT_EQ(testing::HttpGet(port, "/healthz").status, 200);
    RunningService service(bootstrap, state, &metrics);
    const std::vector<KafkaRecord> alerts = AwaitAlerts(bootstrap, expected);
    // A scrape while the service runs, once it has read everything (both dead letters).
    std::string page;
    EXPECT_TRUE(testing::WaitFor(
        [&] {
          page = testing::HttpGet(port, "/metrics").body;
          return page.find("\nvacwatch_dead_letters_total 2\n") != std::string::npos;
        },
        absl::Seconds(60)))
        << page;
    EXPECT_EQ(testing::PromtoolCheckMetrics(page), "");
    for (const std::string& series : {
             std::string("vacwatch_build_info{"),
             absl::StrCat("vacwatch_kafka_messages_consumed_total{topic=\"pg.logs\"} ",
                          Lines(log_lines).size(), "\n"),
             std::string("vacwatch_kafka_consumer_lag_messages{topic=\"pg.stats\",partition=\""),
             std::string("vacwatch_parse_errors_total{input=\"stats\",reason=\"bad_structure\"} "),
             std::string(
                 "vacwatch_cluster_last_snapshot_timestamp_seconds{cluster=\"prod-eu-1\"} "),
             std::string("vacwatch_table_dead_tuples{cluster=\"prod-eu-1\""),
             std::string("vacwatch_alerts_firing{alert=\""),
             std::string("vacwatch_sink_deliveries_total{sink=\"kafka\"} "),
             std::string("vacwatch_checkpoint_duration_seconds_count "),
             std::string("vacwatch_state_size_bytes "),
             std::string("vacwatch_inputs_assigned 4\n"),
         }) {
      EXPECT_NE(page.find(series), std::string::npos) << series << " not in\n" << page;
    }
    EXPECT_TRUE(testing::WaitFor([&] { return testing::HttpGet(port, "/readyz").status == 200; },
                                 absl::Seconds(30)));
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
  const std::vector<KafkaRecord> dead = ReadTopic(bootstrap, "vacwatch.dlq");
  ASSERT_EQ(dead.size(), 2u);
  for (const KafkaRecord& m : dead) {
    EXPECT_EQ(m.headers.at("source_topic"), "pg.stats");
    EXPECT_FALSE(m.headers.at("reason").empty());
    EXPECT_FALSE(m.headers.at("source_offset").empty());
    EXPECT_TRUE(m.headers.count("source_partition"));
  }
}

// Two clusters on a topic of 4 partitions, alerts to the alert topic and to a webhook: every
// shard's sinks deliver its own transitions, each once, and the webhook gets exactly what the
// alert topic holds.
TEST(KafkaServiceSinksTest, EveryShardDeliversToTheWebhookWhatTheAlertTopicHolds) {
  const std::string dataset = testing::DatasetPath("pg15-prod-eu-1");
  const std::string golden =
      ReadFile(testing::SourceDir() + "/tests/data/golden/replay-pg15-prod-eu-1.jsonl");
  ASSERT_FALSE(golden.empty());
  DevBrokerOptions broker_options;
  broker_options.partitions = 4;
  auto broker = DevBroker::Start(broker_options);
  ASSERT_OK(broker);
  const std::string bootstrap = (*broker)->bootstrap();
  const std::vector<std::string> logs = Lines(ReadFile(dataset + "/postgresql.log"));
  const std::vector<std::string> stats = Lines(ReadFile(dataset + "/snapshots.jsonl"));
  std::vector<std::string> other_stats;
  for (std::string line : stats) {
    const std::string from = "\"cluster\": \"prod-eu-1\"";
    const size_t at = line.find(from);
    if (at != std::string::npos) line.replace(at, from.size(), "\"cluster\": \"prod-eu-2\"");
    other_stats.push_back(line);
  }
  for (const char* cluster : {"prod-eu-1", "prod-eu-2"}) {
    Produce(bootstrap, "pg.logs", cluster, logs);
    Produce(bootstrap, "pg.stats", cluster,
            cluster == std::string("prod-eu-1") ? stats : other_stats);
  }
  auto webhook = testing::HttpTestServer::Start();
  ASSERT_NE(webhook, nullptr);
  testing::ScopedTempDir dir;
  RunningService service(bootstrap, dir.path() + "/state", nullptr, webhook->url() + "/hook");
  const size_t expected = 2 * Lines(golden).size();
  const std::vector<KafkaRecord> alerts = AwaitAlerts(bootstrap, expected);
  ASSERT_TRUE(webhook->WaitForRequests(expected, absl::Seconds(60)));
  service.AwaitCheckpoints(3);
  ASSERT_OK(service.Stop());
  std::vector<std::string> on_topic, on_webhook;
  for (const KafkaRecord& r : alerts) on_topic.push_back(r.value);
  for (const auto& request : webhook->requests()) on_webhook.push_back(request.body);
  ASSERT_EQ(on_topic.size(), expected);
  std::sort(on_topic.begin(), on_topic.end());
  std::sort(on_webhook.begin(), on_webhook.end());
  EXPECT_EQ(on_webhook, on_topic);
  // prod-eu-1's transitions are replay's, in order.
  std::string first_cluster;
  for (const KafkaRecord& r : alerts) {
    if (r.value.find("\"cluster\":\"prod-eu-1\"") != std::string::npos) {
      first_cluster += r.value + "\n";
    }
  }
  EXPECT_EQ(first_cluster, golden);
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
