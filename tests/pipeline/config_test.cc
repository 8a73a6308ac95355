#include "pipeline/config.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::pipeline {
namespace {

TEST(ConfigTest, EmptyYamlGivesDefaults) {
  absl::StatusOr<PipelineConfig> c = ParsePipelineConfig("");
  ASSERT_OK(c);
  PipelineConfig defaults;
  EXPECT_EQ(c->defaults.min_table_bytes, defaults.defaults.min_table_bytes);
  EXPECT_EQ(c->table_ttl, absl::Hours(24));
  EXPECT_EQ(c->defaults.window(AlertKind::kAutovacuumNotKeepingUp).for_duration, absl::Seconds(30));
}

TEST(ConfigTest, ReadsValuesWithUnits) {
  absl::StatusOr<PipelineConfig> c = ParsePipelineConfig(R"(
table_ttl: 2h
max_cached_tables: 5_000
defaults:
  min_table_bytes: 8MiB
  healthy_dead_ratio: 0.05
  alerts:
    AutovacuumNotKeepingUp: {for: 2m, clear_for: 1h}
    AutovacuumThresholdTooLax: {enabled: false}
)");
  ASSERT_OK(c);
  EXPECT_EQ(c->table_ttl, absl::Hours(2));
  EXPECT_EQ(c->max_cached_tables, 5000);
  EXPECT_EQ(c->defaults.min_table_bytes, 8 << 20);
  EXPECT_DOUBLE_EQ(c->defaults.healthy_dead_ratio, 0.05);
  EXPECT_EQ(c->defaults.window(AlertKind::kAutovacuumNotKeepingUp).for_duration, absl::Minutes(2));
  EXPECT_EQ(c->defaults.window(AlertKind::kAutovacuumNotKeepingUp).clear_for, absl::Hours(1));
  EXPECT_FALSE(c->defaults.window(AlertKind::kAutovacuumThresholdTooLax).enabled);
}

TEST(ConfigTest, UnknownKeysAreErrorsNamingTheKey) {
  auto c = ParsePipelineConfig("tabel_ttl: 1h\n");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("tabel_ttl"), std::string::npos);
  c = ParsePipelineConfig("defaults:\n  min_table_byte: 1\n");
  EXPECT_NE(c.status().message().find("defaults.min_table_byte"), std::string::npos);
  c = ParsePipelineConfig("defaults:\n  alerts:\n    NoSuchAlert: {for: 1m}\n");
  EXPECT_NE(c.status().message().find("NoSuchAlert"), std::string::npos);
  c = ParsePipelineConfig("overrides:\n  - match: '*'\n    bogus: 1\n");
  EXPECT_NE(c.status().message().find("overrides[0].bogus"), std::string::npos);
}

TEST(ConfigTest, ValuesAreValidated) {
  EXPECT_FALSE(ParsePipelineConfig("defaults:\n  healthy_dead_ratio: 1.5\n").ok());
  EXPECT_FALSE(ParsePipelineConfig("defaults:\n  min_dead_tuples: -1\n").ok());
  EXPECT_FALSE(ParsePipelineConfig("defaults:\n  min_dead_tuples: 1.5\n").ok());
  EXPECT_FALSE(ParsePipelineConfig("defaults:\n  lock_window: soon\n").ok());
  EXPECT_FALSE(ParsePipelineConfig("table_ttl: 0s\n").ok());
  EXPECT_FALSE(ParsePipelineConfig("max_cached_tables: 0\n").ok());
  EXPECT_FALSE(
      ParsePipelineConfig("defaults:\n  alerts:\n    WraparoundRisk: {enabled: maybe}\n").ok());
  EXPECT_FALSE(ParsePipelineConfig(
                   "defaults:\n  wraparound_warning_age: 900\n  wraparound_critical_age: 800\n")
                   .ok());
  EXPECT_FALSE(ParsePipelineConfig("overrides:\n  - min_dead_tuples: 5\n").ok());  // no match
  EXPECT_FALSE(ParsePipelineConfig("defaults: [1, 2\n").ok());                     // not YAML
}

TEST(ConfigTest, OverridesApplyByGlobInOrder) {
  absl::StatusOr<PipelineConfig> c = ParsePipelineConfig(R"(
defaults:
  min_dead_tuples: 1000
overrides:
  - match: "prod-*/analytics.*"
    min_dead_tuples: 50000
    alerts:
      AutovacuumThresholdTooLax: {enabled: false}
  - match: "prod-eu-1/analytics.public.events"
    min_table_bytes: 1GiB
  - match: "*/*.audit_*"
    min_dead_tuples: 7
)");
  ASSERT_OK(c);
  TableTuning plain = c->Resolve("prod-eu-1/shop.public.orders");
  EXPECT_EQ(plain.min_dead_tuples, 1000);
  EXPECT_TRUE(plain.window(AlertKind::kAutovacuumThresholdTooLax).enabled);
  TableTuning analytics = c->Resolve("prod-us-2/analytics.public.clicks");
  EXPECT_EQ(analytics.min_dead_tuples, 50000);
  EXPECT_FALSE(analytics.window(AlertKind::kAutovacuumThresholdTooLax).enabled);
  EXPECT_EQ(analytics.min_table_bytes, c->defaults.min_table_bytes);
  TableTuning events = c->Resolve("prod-eu-1/analytics.public.events");
  EXPECT_EQ(events.min_dead_tuples, 50000);  // from the first override, kept by the second
  EXPECT_EQ(events.min_table_bytes, int64_t{1} << 30);
  EXPECT_EQ(c->Resolve("staging/shop.public.audit_log").min_dead_tuples, 7);
}

}  // namespace
}  // namespace vacwatch::pipeline

namespace vacwatch::pipeline {
namespace {

TEST(ConfigTest, LogTimezonesForAllClustersAndPerCluster) {
  absl::StatusOr<PipelineConfig> config =
      ParsePipelineConfig("log_timezone: UTC\nclusters:\n  cn-1: {log_timezone: Asia/Shanghai}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->LogTimezoneFor("cn-1"), "Asia/Shanghai");
  EXPECT_EQ(config->LogTimezoneFor("eu-1"), "UTC");
  absl::Status bad = ParsePipelineConfig("log_timezone: CST\n").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("log_timezone"), std::string::npos) << bad;
  bad = ParsePipelineConfig("clusters:\n  cn-1: {zone: Asia/Shanghai}\n").status();
  EXPECT_NE(bad.message().find("clusters.cn-1.zone"), std::string::npos) << bad;
}

}  // namespace
}  // namespace vacwatch::pipeline

namespace vacwatch::pipeline {
namespace {

TEST(ConfigTest, AMatchThatCanNeverMatchIsAnError) {
  absl::Status bad =
      ParsePipelineConfig("overrides:\n  - {match: orders, min_dead_tuples: 1}\n").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("overrides[0].match"), std::string::npos) << bad;
  EXPECT_NE(bad.message().find("can never match"), std::string::npos) << bad;
  for (const char* ok : {"*/shop.public.orders", "prod-1/shop.public.orders", "prod-?/*"}) {
    EXPECT_TRUE(ParsePipelineConfig(
                    absl::StrCat("overrides:\n  - {match: '", ok, "', min_dead_tuples: 1}\n"))
                    .ok())
        << ok;
  }
}

}  // namespace
}  // namespace vacwatch::pipeline
