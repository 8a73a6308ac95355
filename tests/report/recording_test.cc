#include "report/recording.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/report/report_test_util.h"

namespace vacwatch::report {
namespace {

using testing::Firing;
using testing::OneRow;
using testing::Row;
using testing::VacuumRun;

TEST(RecorderTest, KeepsEachTablesSeriesSummaryAndRuns) {
  Recorder r(RecorderOptions{});
  Row row;
  for (int64_t s = 0; s <= 60; s += 10) {
    row.dead = 100 * s;
    row.updates = 50 * s;
    r.OnSnapshot(OneRow("c1", s, row));
  }
  r.OnLogEvent(VacuumRun("c1", 65, 5000, 100, 1.5));
  ingest::LogEvent skip;
  skip.type = ingest::LogEventType::kVacuumSkipped;
  skip.cluster = "c1";
  skip.table = "orders";  // no database, no schema: a worker's skip line
  skip.time = testing::kT0 + absl::Seconds(70);
  r.OnLogEvent(skip);
  r.OnTransition(Firing(7, "c1", 70, pipeline::Cause::kCostThrottled));
  const Recording rec = std::move(r).Finish();
  ASSERT_EQ(rec.clusters.size(), 1u);
  ASSERT_EQ(rec.tables.size(), 1u);
  const TableRecord& t = rec.tables[0];
  EXPECT_EQ(t.QualifiedName(), "app.public.orders");
  EXPECT_EQ(t.samples.size(), 7u);
  EXPECT_EQ(t.dead, 6000);
  EXPECT_DOUBLE_EQ(t.trigger, 50 + 0.2 * 100'000);
  EXPECT_DOUBLE_EQ(t.updates_deletes, 3000);
  EXPECT_DOUBLE_EQ(t.observed_s, 60);
  EXPECT_EQ(t.runs, 1);
  EXPECT_EQ(t.effective_runs, 1);
  EXPECT_EQ(t.skipped, 1);
  ASSERT_EQ(t.run_marks.size(), 2u);
  EXPECT_EQ(t.run_marks[1].kind, RunKind::kSkipped);
  EXPECT_EQ(t.alerts, 1);
  ASSERT_EQ(rec.transitions.size(), 1u);
  EXPECT_EQ(rec.transitions[0].table, 0);
  EXPECT_EQ(rec.transitions[0].transition.seq, 7u);
  EXPECT_EQ(rec.first, testing::kT0);
  EXPECT_EQ(rec.last, testing::kT0 + absl::Seconds(70));
}

TEST(RecorderTest, StaysWithinItsSampleBudgetAndKeepsThePeaks) {
  RecorderOptions options;
  options.sample_budget = 1000;
  options.max_points = 256;
  options.min_points = 16;
  Recorder r(options);
  std::vector<Row> rows(20);
  std::vector<std::string> names(20);
  for (int k = 0; k < 20; ++k) {
    names[k] = absl::StrCat("t", k);
    rows[k].table = names[k];
  }
  for (int64_t s = 0; s < 2000; ++s) {
    for (int k = 0; k < 20; ++k) {
      rows[k].dead = s == 1234 ? 99'999 : s % 7;
      r.OnSnapshot(OneRow("c1", s, rows[k]));
    }
    if (s == 100) r.OnTransition(Firing(1, "c1", s, pipeline::Cause::kUnknown, rows[3]));
  }
  const Recording rec = std::move(r).Finish();
  int64_t unalerted = 0;
  for (const TableRecord& t : rec.tables) {
    float peak = 0;
    for (const Sample& s : t.samples) peak = std::max(peak, s.dead);
    EXPECT_EQ(peak, 99'999) << t.table;  // merged pairs keep the larger value
    if (t.alerted()) {
      // Thinned like the others until it alerted (at 100 s), whole from then on.
      EXPECT_GE(t.samples.size(), 1900u);
    } else {
      unalerted += static_cast<int64_t>(t.samples.size());
    }
  }
  EXPECT_LE(unalerted, options.sample_budget);
  EXPECT_GT(rec.samples_thinned, 0);
}

TEST(RecorderTest, RecordsEachDatabasesHorizonAndItsRoot) {
  Recorder r(RecorderOptions{});
  ingest::Snapshot snap = OneRow("c1", 0, Row());
  ingest::XminHolder& h = snap.xmin_holders.emplace_back();
  h.pid = 4242;
  h.datname = "app";
  h.application_name = "nightly_report";
  h.backend_type = "client backend";
  h.state = "idle in transaction";
  h.backend_xid = 1000;
  h.xid_age = 50'000;
  r.OnSnapshot(snap);
  const Recording rec = std::move(r).Finish();
  ASSERT_EQ(rec.clusters[0].horizons.size(), 1u);
  const HorizonSeries& series = rec.clusters[0].horizons[0];
  EXPECT_EQ(series.database, "app");
  ASSERT_EQ(series.points.size(), 1u);
  EXPECT_EQ(series.points[0].age_xids, 50'000);
  ASSERT_EQ(series.points[0].root, 0);
  EXPECT_EQ(rec.clusters[0].roots[0], "session:4242 (nightly_report)");
}

}  // namespace
}  // namespace vacwatch::report
