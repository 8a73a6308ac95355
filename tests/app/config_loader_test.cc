#include "app/config_loader.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

using pipeline::kNumAlertKinds;
using pipeline::PipelineConfig;
using pipeline::TableTuning;

TEST(ConfigLoaderTest, ShippedConfigParsesAndEqualsTheBuiltInDefaults) {
  absl::StatusOr<VacwatchConfig> file =
      LoadConfig(vacwatch::testing::SourceDir() + "/configs/vacwatch.yaml");
  ASSERT_OK(file);
  const PipelineConfig* c = &file->pipeline;
  PipelineConfig builtin;
  const TableTuning& a = c->defaults;
  const TableTuning& b = builtin.defaults;
  EXPECT_EQ(a.min_table_bytes, b.min_table_bytes);
  EXPECT_EQ(a.min_dead_tuples, b.min_dead_tuples);
  EXPECT_EQ(a.ineffective_runs, b.ineffective_runs);
  EXPECT_EQ(a.lock_conflict_min_events, b.lock_conflict_min_events);
  EXPECT_EQ(a.lock_window, b.lock_window);
  EXPECT_EQ(a.removed_near_zero_fraction, b.removed_near_zero_fraction);
  EXPECT_EQ(a.min_slow_run, b.min_slow_run);
  EXPECT_EQ(a.slow_run_pages_per_s, b.slow_run_pages_per_s);
  EXPECT_EQ(a.overdue_after, b.overdue_after);
  EXPECT_EQ(a.max_index_scans, b.max_index_scans);
  EXPECT_EQ(a.bloat_velocity_limit, b.bloat_velocity_limit);
  EXPECT_EQ(a.bloat_dead_ratio_limit, b.bloat_dead_ratio_limit);
  EXPECT_EQ(a.healthy_dead_ratio, b.healthy_dead_ratio);
  EXPECT_EQ(a.lax_peak_factor, b.lax_peak_factor);
  EXPECT_EQ(a.lax_min_dead_tuples, b.lax_min_dead_tuples);
  EXPECT_EQ(a.lax_min_cycles, b.lax_min_cycles);
  EXPECT_EQ(a.lax_window, b.lax_window);
  EXPECT_EQ(a.freeze_warning_fraction, b.freeze_warning_fraction);
  EXPECT_EQ(a.freeze_min_runs, b.freeze_min_runs);
  EXPECT_EQ(a.freeze_window, b.freeze_window);
  EXPECT_EQ(a.wraparound_warning_age, b.wraparound_warning_age);
  EXPECT_EQ(a.wraparound_critical_age, b.wraparound_critical_age);
  EXPECT_EQ(a.wraparound_warning_horizon, b.wraparound_warning_horizon);
  EXPECT_EQ(a.wraparound_critical_horizon, b.wraparound_critical_horizon);
  for (int i = 0; i < kNumAlertKinds; ++i) {
    EXPECT_EQ(a.alerts[i].for_duration, b.alerts[i].for_duration) << i;
    EXPECT_EQ(a.alerts[i].clear_for, b.alerts[i].clear_for) << i;
    EXPECT_EQ(a.alerts[i].enabled, b.alerts[i].enabled) << i;
  }
  EXPECT_EQ(c->table_ttl, builtin.table_ttl);
  EXPECT_EQ(c->max_cached_tables, builtin.max_cached_tables);
  EXPECT_EQ(c->rate_window, builtin.rate_window);
  EXPECT_EQ(c->worker_busy_fraction, builtin.worker_busy_fraction);
  EXPECT_EQ(c->starvation_min_tables_over_trigger, builtin.starvation_min_tables_over_trigger);
  EXPECT_TRUE(c->overrides.empty());
}

TEST(ConfigLoaderTest, EachSectionGoesToItsPartAndErrorsNameTheWholePath) {
  auto config = ParseConfig(
      "pipeline:\n  table_ttl: 2h\nkafka:\n  brokers: localhost:9092\n"
      "sinks:\n  alertmanager:\n    url: http://am:9093\n");
  ASSERT_OK(config);
  EXPECT_EQ(config->pipeline.table_ttl, absl::Hours(2));
  EXPECT_NE(config->kafka_yaml.find("brokers: localhost:9092"), std::string::npos);
  EXPECT_NE(config->sinks_yaml.find("alertmanager"), std::string::npos);
  EXPECT_TRUE(config->collector_yaml.empty());

  auto typo = ParseConfig("pipeline:\n  defaults:\n    min_table_byts: 1MiB\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("'pipeline.defaults.min_table_byts': unknown key"),
            std::string::npos)
      << typo.status();

  auto old_layout = ParseConfig("table_ttl: 2h\n");
  ASSERT_FALSE(old_layout.ok());
  EXPECT_NE(old_layout.status().message().find("go under 'pipeline:'"), std::string::npos)
      << old_layout.status();
  auto unknown = ParseConfig("kafak:\n  brokers: x\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'kafak': unknown key"), std::string::npos);
  EXPECT_EQ(LoadConfig("/nonexistent/vacwatch.yaml").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vacwatch::app
