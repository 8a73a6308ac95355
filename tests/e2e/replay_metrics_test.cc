// `vacwatch replay --metrics-listen`: the replay of the shared dataset publishes a page whose
// numbers agree with the replay's own summary, with per-table series within their limit, and
// promtool accepts it.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/replay_runner.h"
#include "app/service_metrics.h"
#include "gtest/gtest.h"
#include "pipeline/config.h"
#include "sinks/stdout_sink.h"
#include "state/state_store.h"
#include "tests/testing/datasets.h"
#include "tests/testing/promtool.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

TEST(ReplayMetricsTest, PageAgreesWithTheReplaysSummary) {
  const std::string dataset = testing::DatasetPath("pg15-prod-eu-1");
  testing::ScopedTempDir dir;
  auto store = state::StateStore::Open(dir.path() + "/state", state::StateStoreOptions());
  ASSERT_OK(store);
  ServiceMetricsOptions metrics_options;
  metrics_options.command = "replay";
  metrics_options.table_series_limit = 3;
  ServiceMetrics metrics(metrics_options);
  ReplayOptions options;
  options.log_paths = {dataset + "/postgresql.log"};
  options.stats_paths = {dataset + "/snapshots.jsonl"};
  options.metrics = &metrics;
  std::FILE* out = std::tmpfile();
  sinks::StdoutSink sink(out, sinks::AlertFormat::kJson);
  // As the command names it: the page shows each sink under its driver name.
  ReplayRunner runner(options, pipeline::PipelineConfig(), store->get(),
                      std::vector<DriverSink>{{"stdout", &sink, nullptr}});
  auto stats = runner.Run();
  ASSERT_OK(stats);
  std::fclose(out);

  const std::string page = metrics.Page();
  EXPECT_EQ(testing::PromtoolCheckMetrics(page), "");
  for (const std::string& line : {
           absl::StrCat("vacwatch_events_applied_total{kind=\"log_event\"} ", stats->log_events),
           absl::StrCat("vacwatch_events_applied_total{kind=\"snapshot\"} ", stats->snapshots),
           absl::StrCat("vacwatch_alert_transitions_total{status=\"firing\"} ",
                        stats->alerts_fired),
           absl::StrCat("vacwatch_sink_deliveries_total{sink=\"stdout\"} ",
                        stats->alerts_fired + stats->alerts_resolved),
           absl::StrCat("vacwatch_dead_letters_total ", stats->rejected),
           std::string("vacwatch_table_series_limit 3"),
           std::string("vacwatch_inputs_assigned 2"),
       }) {
    EXPECT_NE(page.find(line + "\n"), std::string::npos) << line << " not in\n" << page;
  }
  EXPECT_NE(page.find("\",command=\"replay\"} 1\n"), std::string::npos) << page;
  size_t series = 0;
  for (size_t at = page.find("\nvacwatch_table_dead_tuples{"); at != std::string::npos;
       at = page.find("\nvacwatch_table_dead_tuples{", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, 3u);
  EXPECT_TRUE(metrics.Readiness().first) << metrics.Readiness().second;
}

}  // namespace
}  // namespace vacwatch::app
