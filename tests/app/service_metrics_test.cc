// ServiceMetrics and MeteredConsumer (app/service_metrics.h, app/metered_consumer.h): a page
// rendered from every kind of source passes `promtool check metrics` and documents itself in
// docs/metrics.md; per-table series stay within their limit, shared by a service's shards,
// whose numbers add up (firing sets, driver stats); readiness says why not.

#include "app/service_metrics.h"

#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "app/firing_set.h"
#include "app/metered_consumer.h"
#include "gtest/gtest.h"
#include "ingest/snapshot.h"
#include "sinks/metered_sink.h"
#include "tests/testing/datasets.h"
#include "tests/testing/promtool.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

// Takes what it is fed and does nothing.
class NullConsumer : public EventConsumer {
 public:
  absl::Status OnSnapshot(const ingest::Snapshot&) override { return absl::OkStatus(); }
  absl::Status OnLogEvent(const ingest::LogEvent&) override { return absl::OkStatus(); }
  absl::Status Checkpoint(state::StateStore::Batch*,
                          std::vector<pipeline::AlertTransition>*) override {
    return absl::OkStatus();
  }
  int64_t TablesTracked() const override { return 3; }
};

class NullSink : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition&) override { return absl::OkStatus(); }
  absl::Status Flush() override { return absl::OkStatus(); }
};

ingest::TableStats Row(std::string_view name, int64_t dead, int64_t frozen_age) {
  ingest::TableStats row;
  row.schemaname = "public";
  row.relname = name;
  row.n_dead_tup = dead;
  row.reltuples = 1000;  // trigger: 50 + 0.2 * 1000 = 250
  row.relfrozenxid_age = frozen_age;
  return row;
}

ingest::Snapshot SnapshotAt(int64_t unix_seconds, std::vector<ingest::TableStats> rows) {
  ingest::Snapshot s;
  s.cluster = "prod-eu-1";
  s.database = "shop";
  s.collected_at = absl::FromUnixSeconds(unix_seconds);
  s.tables = std::move(rows);
  ingest::XminHolder holder;
  holder.xmin_age = 5000;
  s.xmin_holders.push_back(holder);
  return s;
}

std::string ReadDoc(const std::string& path) {
  std::ifstream in(testing::SourceDir() + "/" + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every source filled, as `run` fills them.
struct FullSources {
  FullSources() : metered(&inner, /*table_series_limit=*/10), alerts(&sink) {
    EXPECT_OK(metered.OnSnapshot(SnapshotAt(1000, {Row("orders", 500, 100'000'000)})));
    EXPECT_OK(metered.OnSnapshot(
        SnapshotAt(1060, {Row("orders", 800, 100'000'000), Row("odd \"name\"\\", 0, 0)})));
    pipeline::AlertTransition open;
    open.alert.fingerprint = "f";
    open.alert.alert = "AutovacuumNotKeepingUp";
    open.alert.severity = pipeline::Severity::kWarning;
    firing.Apply({open});
    driver.log_events = 10;
    driver.snapshots = 2;
    driver.event_time = absl::FromUnixSeconds(1060);
    driver.checkpoint_seconds.Observe(0.004);
    driver.batch_seconds.Observe(0.2);
    sources.topics = {{"pg.logs", 10, 2000}, {"pg.stats", 2, 9000}};
    sources.partitions = {{"pg.logs", 0, 5}, {"pg.stats", 0, 0}};
    sources.logs.entries = 10;
    sources.logs.rejected[0] = 1;
    sources.stats.snapshots = 2;
    sources.dead_letters = 1;
    sources.dead_letter_failures = 0;
    sources.driver = &driver;
    sources.consumers = {&metered};
    sources.firing.emplace();
    firing.AddCounts(&*sources.firing);
    sources.sinks = {{"kafka", &alerts.metrics()}};
    sources.state_bytes = 123456;
  }
  NullConsumer inner;
  MeteredConsumer metered;
  NullSink sink;
  sinks::MeteredSink alerts;
  FiringTally firing;
  DriverStats driver;
  MetricsSources sources;
};

TEST(ServiceMetricsTest, PagePassesPromtoolAndEveryFamilyIsDocumented) {
  FullSources full;
  ServiceMetrics metrics;
  ASSERT_OK(metrics.Publish(full.sources));
  const std::string page = metrics.Page();
  EXPECT_EQ(testing::PromtoolCheckMetrics(page), "");
  EXPECT_NE(page.find("vacwatch_kafka_consumer_lag_messages{topic=\"pg.logs\",partition=\"0\"} 5"),
            std::string::npos);
  EXPECT_NE(
      page.find("vacwatch_alerts_firing{alert=\"AutovacuumNotKeepingUp\",severity=\"warning\"} 1"),
      std::string::npos);
  EXPECT_NE(page.find("vacwatch_parse_errors_total{input=\"logs\",reason=\"truncated\"} 1"),
            std::string::npos);
  EXPECT_NE(page.find("vacwatch_tables_tracked 3"), std::string::npos);
  EXPECT_NE(page.find("vacwatch_table_over_trigger_ratio{cluster=\"prod-eu-1\",database=\"shop\","
                      "schema=\"public\",table=\"orders\"} 3.2"),
            std::string::npos)
      << page;

  const std::string doc = ReadDoc("docs/metrics.md");
  const std::regex type_line("# TYPE ([a-z_:]+) ");
  std::set<std::string> families;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), type_line);
       it != std::sregex_iterator(); ++it) {
    families.insert((*it)[1]);
  }
  EXPECT_GT(families.size(), 30u);
  for (const std::string& name : families) {
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos)
        << name << " is not in docs/metrics.md";
  }
}

TEST(ServiceMetricsTest, EmptySourcesStillRenderAValidPage) {
  ServiceMetrics metrics;
  ASSERT_OK(metrics.Publish(MetricsSources()));
  EXPECT_EQ(testing::PromtoolCheckMetrics(metrics.Page()), "");
  EXPECT_NE(metrics.Page().find("vacwatch_build_info{"), std::string::npos);
}

TEST(MeteredConsumerTest, TableSeriesFollowSnapshotsWithinTheLimit) {
  NullConsumer inner;
  MeteredConsumer metered(&inner, /*table_series_limit=*/1);
  ASSERT_OK(metered.OnSnapshot(SnapshotAt(1000, {Row("a", 100, 50'000'000), Row("b", 1, 1)})));
  ASSERT_OK(metered.OnSnapshot(SnapshotAt(1010, {Row("a", 600, 100'000'000), Row("b", 1, 1)})));
  ASSERT_OK(metered.OnSnapshot(SnapshotAt(1005, {Row("a", 9, 9)})));  // older: ignored
  ASSERT_EQ(metered.tables().size(), 1u);
  const MeteredConsumer::TableSeries& a = metered.tables()[0];
  EXPECT_EQ(a.table, "a");
  EXPECT_DOUBLE_EQ(a.dead_tuples, 600);
  EXPECT_DOUBLE_EQ(a.over_trigger_ratio, 600.0 / 250.0);
  EXPECT_DOUBLE_EQ(a.bloat_velocity, 50);      // (600 - 100) / 10 s
  EXPECT_DOUBLE_EQ(a.freeze_age_ratio, 0.5);   // of the default 200M freeze max age
  EXPECT_EQ(metered.table_rows_dropped(), 2);  // b, twice
  ASSERT_EQ(metered.databases().size(), 1u);
  EXPECT_DOUBLE_EQ(metered.databases()[0].horizon_age_xids, 5000);
  const auto& cluster = metered.clusters().at("prod-eu-1");
  EXPECT_EQ(cluster.snapshots, 3);
  EXPECT_EQ(cluster.last_collected, absl::FromUnixSeconds(1010));
}

TEST(MeteredConsumerTest, NoTableSeriesByDefault) {
  NullConsumer inner;
  MeteredConsumer metered(&inner, /*table_series_limit=*/0);
  ASSERT_OK(metered.OnSnapshot(SnapshotAt(1000, {Row("a", 100, 1)})));
  EXPECT_TRUE(metered.tables().empty());
  EXPECT_TRUE(metered.databases().empty());
  EXPECT_EQ(metered.table_rows_dropped(), 0);
  EXPECT_EQ(metered.clusters().size(), 1u);
}

// `run`: one consumer per shard, shown as one; the limit holds for all of them together, and
// a closed shard's series go back to the budget.
TEST(MeteredConsumerTest, ShardsShareOneTableSeriesLimit) {
  NullConsumer inner;
  TableSeriesBudget budget;
  budget.limit = 2;
  MeteredConsumer shard_0(&inner, budget);
  auto shard_1 = std::make_unique<MeteredConsumer>(&inner, budget);
  ASSERT_OK(shard_0.OnSnapshot(SnapshotAt(1000, {Row("a", 1, 1)})));
  ingest::Snapshot other = SnapshotAt(1000, {Row("b", 2, 2), Row("c", 3, 3)});
  other.cluster = "prod-us-1";
  ASSERT_OK(shard_1->OnSnapshot(other));
  EXPECT_EQ(shard_0.tables().size() + shard_1->tables().size(), 2u);
  EXPECT_EQ(shard_0.table_rows_dropped(), 1);  // c: the budget's count, the same for both
  EXPECT_EQ(shard_1->table_rows_dropped(), 1);

  MetricsSources sources;
  sources.consumers = {&shard_0, shard_1.get()};
  ServiceMetrics metrics;
  ASSERT_OK(metrics.Publish(sources));
  const std::string page = metrics.Page();
  EXPECT_EQ(testing::PromtoolCheckMetrics(page), "");
  for (const std::string& line : {
           std::string("vacwatch_tables_tracked 6\n"),
           std::string("vacwatch_cluster_snapshots_total{cluster=\"prod-eu-1\"} 1\n"),
           std::string("vacwatch_cluster_snapshots_total{cluster=\"prod-us-1\"} 1\n"),
           std::string("vacwatch_table_series_dropped_total 1\n"),
           std::string("vacwatch_table_dead_tuples{cluster=\"prod-eu-1\",database=\"shop\","
                       "schema=\"public\",table=\"a\"} 1\n"),
           std::string("vacwatch_table_dead_tuples{cluster=\"prod-us-1\",database=\"shop\","
                       "schema=\"public\",table=\"b\"} 2\n"),
       }) {
    EXPECT_NE(page.find(line), std::string::npos) << line << " not in\n" << page;
  }

  shard_1.reset();  // its partition revoked
  EXPECT_EQ(budget.tables, 1);
  ASSERT_OK(shard_0.OnSnapshot(SnapshotAt(1010, {Row("a", 1, 1), Row("d", 4, 4)})));
  EXPECT_EQ(shard_0.tables().size(), 2u);
  EXPECT_EQ(shard_0.table_rows_dropped(), 1);  // the closed shard's drop still counted
}

// The firing gauge comes from the drivers' firing sets (the state), summed over shards.
TEST(FiringSetTest, CountsByAlertAndSeverityAcrossSets) {
  auto transition = [](std::string fingerprint, std::string alert, pipeline::AlertStatus status,
                       pipeline::Severity severity) {
    pipeline::AlertTransition t;
    t.alert.fingerprint = std::move(fingerprint);
    t.alert.alert = std::move(alert);
    t.alert.status = status;
    t.alert.severity = severity;
    return t;
  };
  using pipeline::AlertStatus;
  using pipeline::Severity;
  FiringTally shard_0;
  FiringTally shard_1;
  shard_0.Apply(
      {transition("old", "WraparoundRisk", AlertStatus::kFiring, Severity::kCritical),
       transition("t1", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kWarning)});
  // t1 escalates, the old one resolves; another shard has one of its own.
  shard_0.Apply(
      {transition("t1", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kCritical),
       transition("old", "WraparoundRisk", AlertStatus::kResolved, Severity::kCritical)});
  shard_1.Apply(
      {transition("t2", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kWarning)});
  FiringCounts counts;
  shard_0.AddCounts(&counts);
  shard_1.AddCounts(&counts);
  EXPECT_EQ(counts, (FiringCounts{{{"AutovacuumNotKeepingUp", "critical"}, 1},
                                  {{"AutovacuumNotKeepingUp", "warning"}, 1}}));
}

TEST(DriverStatsTest, AddDriverStatsSumsCountsAndMergesHistograms) {
  DriverStats a;
  DriverStats b;
  a.log_events = 2;
  a.checkpoints = 1;
  a.event_time = absl::FromUnixSeconds(20);
  a.checkpoint_seconds.Observe(0.004);
  b.log_events = 3;
  b.alerts_fired = 4;
  b.event_time = absl::FromUnixSeconds(10);
  b.checkpoint_seconds.Observe(0.2);
  b.batch_seconds.Observe(1);
  DriverStats sum;
  AddDriverStats(a, &sum);
  AddDriverStats(b, &sum);
  EXPECT_EQ(sum.log_events, 5);
  EXPECT_EQ(sum.alerts_fired, 4);
  EXPECT_EQ(sum.checkpoints, 1);
  EXPECT_EQ(sum.event_time, absl::FromUnixSeconds(20));
  EXPECT_EQ(sum.checkpoint_seconds.count(), 2);
  EXPECT_DOUBLE_EQ(sum.checkpoint_seconds.sum(), 0.204);
  EXPECT_EQ(sum.batch_seconds.count(), 1);
}

TEST(ServiceMetricsTest, ReadinessSaysWhyNot) {
  absl::Time now = absl::FromUnixSeconds(5000);
  ServiceMetricsOptions options;
  options.clock = [&now] { return now; };
  options.consuming_timeout = absl::Seconds(30);
  ServiceMetrics metrics(options);
  EXPECT_EQ(metrics.Readiness(), std::make_pair(false, std::string("state store not open")));
  metrics.SetStateOpen(true);
  EXPECT_EQ(metrics.Readiness(), std::make_pair(false, std::string("no partitions assigned")));
  metrics.SetInputs(2);
  EXPECT_EQ(metrics.Readiness(), std::make_pair(false, std::string("not consuming yet")));
  metrics.MarkConsuming();
  EXPECT_EQ(metrics.Readiness(), std::make_pair(true, std::string("ready")));
  now += absl::Seconds(31);
  EXPECT_EQ(metrics.Readiness(), std::make_pair(false, std::string("not consuming for 31s")));
}

TEST(ServiceMetricsTest, DueEveryPublishInterval) {
  absl::Time now = absl::FromUnixSeconds(5000);
  ServiceMetricsOptions options;
  options.clock = [&now] { return now; };
  options.publish_interval = absl::Seconds(1);
  ServiceMetrics metrics(options);
  EXPECT_TRUE(metrics.Due());
  ASSERT_OK(metrics.Publish(MetricsSources()));
  EXPECT_FALSE(metrics.Due());
  now += absl::Seconds(1);
  EXPECT_TRUE(metrics.Due());
}

}  // namespace
}  // namespace vacwatch::app
