#include "report/advisor.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/recording.h"
#include "tests/report/report_test_util.h"

namespace vacwatch::report {
namespace {

using testing::Firing;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::OneRow;
using testing::Row;
using testing::VacuumRun;

// Ten minutes of a table of 100k live tuples that gets `writes_per_s` updates a second and
// whose dead tuples saw-tooth up to `peak_dead` (a run every `period_s`, each `run_s` long).
Recording SawTooth(int64_t writes_per_s, int64_t peak_dead, double run_s = 1,
                   int64_t live = 100'000, int64_t period_s = 120) {
  Recorder r(RecorderOptions{});
  Row row;
  row.live = live;
  for (int64_t s = 0; s <= 600; s += 10) {
    row.updates = writes_per_s * s;
    row.dead = peak_dead * (s % period_s) / period_s;
    r.OnSnapshot(OneRow("c1", s, row));
    if (s % period_s == period_s - 10)
      r.OnLogEvent(VacuumRun("c1", s + 5, peak_dead, 0, run_s, row));
  }
  return std::move(r).Finish();
}

TEST(AdvisorTest, ATableThatStaysUnderTheTargetGetsNothing) {
  // Peaks at 5% dead: under the 10% target.
  const Advice advice = Advise(SawTooth(40, 5'000), AdvisorOptions{});
  EXPECT_TRUE(advice.tables.empty());
}

TEST(AdvisorTest, ATableAboveTheTargetGetsAScaleFactorComputedFromItsRates) {
  // 200 dead tuples/s; peaks at 20% dead with the default scale factor 0.2.
  const Recording rec = SawTooth(200, 25'000);
  const Advice advice = Advise(rec, AdvisorOptions{});
  ASSERT_EQ(advice.tables.size(), 1u);
  const TableAdvice& a = advice.tables[0];
  EXPECT_EQ(a.kind, AdviceKind::kSettings);
  EXPECT_EQ(a.name, "c1/app.public.orders");
  EXPECT_NEAR(a.write_rate, 200, 1);
  EXPECT_DOUBLE_EQ(a.live, 100'000);
  EXPECT_DOUBLE_EQ(a.run_seconds, 1);
  EXPECT_GT(a.observed_peak_ratio, 0.1);
  // D = 0.1/0.9 * 100k = 11.1k; found within a naptime of 60 s and a 1 s run: T = D - 200*61
  // = -1.1k: the trigger alone cannot hold it, so the floor is proposed and the cluster's
  // naptime comes down. The predicted peak with the proposal is what the model says.
  EXPECT_GT(a.predicted_peak_now, 0.1);
  EXPECT_LT(a.predicted_peak, a.predicted_peak_now);
  ASSERT_FALSE(a.settings.empty());
  EXPECT_EQ(a.settings[0].name, "autovacuum_vacuum_scale_factor");
  EXPECT_THAT(a.sql, HasSubstr("ALTER TABLE public.orders SET (autovacuum_vacuum_scale_factor"));
  ASSERT_EQ(advice.clusters.size(), 1u);
  bool naptime = false;
  for (const Setting& s : advice.clusters[0].settings) {
    if (s.name == "autovacuum_naptime") {
      naptime = true;
      EXPECT_EQ(s.current, "60s");
    }
  }
  EXPECT_TRUE(naptime);
}

TEST(AdvisorTest, TheProposalKeepsThePredictedPeakUnderTheTarget) {
  // 20 dead tuples/s, peaks at 21%: the lag (61 s x 20 = 1.2k) leaves room for a trigger.
  const Advice advice = Advise(SawTooth(20, 26'000), AdvisorOptions{});
  ASSERT_EQ(advice.tables.size(), 1u);
  const TableAdvice& a = advice.tables[0];
  EXPECT_LE(a.predicted_peak, 0.1);
  EXPECT_GT(a.predicted_peak, 0.05);  // not more often than the target needs
  // (11.1k - 1.2k - 50) / 100k = 0.0984, rounded down to two significant digits.
  EXPECT_EQ(a.settings[0].value, "0.098");
}

TEST(AdvisorTest, ABigTableGetsAFixedThresholdAndScaleFactorZero) {
  const Advice advice = Advise(SawTooth(100, 300'000, 1, 2'000'000), AdvisorOptions{});
  ASSERT_EQ(advice.tables.size(), 1u);
  const TableAdvice& a = advice.tables[0];
  EXPECT_THAT(a.sql, HasSubstr("autovacuum_vacuum_scale_factor = 0,"));
  EXPECT_THAT(a.sql, HasSubstr("autovacuum_vacuum_threshold = 210000"));
  EXPECT_LE(a.predicted_peak, 0.1);
}

TEST(AdvisorTest, APinnedHorizonGetsItsHolderAndNoSetting) {
  Recorder r(RecorderOptions{});
  Row row;
  for (int64_t s = 0; s <= 600; s += 10) {
    row.dead = 100 * s;
    row.updates = 100 * s;
    r.OnSnapshot(OneRow("c1", s, row));
  }
  r.OnLogEvent(VacuumRun("c1", 300, 0, 30'000, 2, row));
  r.OnTransition(Firing(1, "c1", 400, pipeline::Cause::kXminHorizon, row));
  const Advice advice = Advise(std::move(r).Finish(), AdvisorOptions{});
  ASSERT_EQ(advice.tables.size(), 1u);
  EXPECT_EQ(advice.tables[0].kind, AdviceKind::kHolder);
  EXPECT_TRUE(advice.tables[0].settings.empty());
  EXPECT_TRUE(advice.tables[0].sql.empty());
  EXPECT_THAT(advice.tables[0].reason, HasSubstr("session:4242"));
  std::string sql;
  WriteAdviceSql(advice, &sql);
  EXPECT_THAT(sql, Not(HasSubstr("ALTER TABLE")));
}

TEST(AdvisorTest, ThrottledRunsGetTheCostSettingsBack) {
  Recorder r(RecorderOptions{});
  Row row;
  for (int64_t s = 0; s <= 600; s += 10) {
    row.dead = 60 * s;
    row.updates = 60 * s;
    ingest::Snapshot snap = OneRow("c1", s, row);
    static const std::vector<std::string_view> kSlow = {"autovacuum_vacuum_cost_delay=100",
                                                        "autovacuum_vacuum_cost_limit=1"};
    snap.tables[0].reloptions = kSlow;
    r.OnSnapshot(snap);
  }
  r.OnLogEvent(VacuumRun("c1", 500, 1000, 0, 300, row));
  r.OnTransition(Firing(1, "c1", 550, pipeline::Cause::kCostThrottled, row));
  const Advice advice = Advise(std::move(r).Finish(), AdvisorOptions{});
  ASSERT_EQ(advice.tables.size(), 1u);
  const TableAdvice& a = advice.tables[0];
  EXPECT_EQ(a.kind, AdviceKind::kSettings);
  EXPECT_TRUE(a.throttled);
  EXPECT_THAT(a.sql, HasSubstr("autovacuum_vacuum_cost_delay = 2"));
  EXPECT_THAT(a.sql, HasSubstr("autovacuum_vacuum_cost_limit = 200"));
}

TEST(AdvisorTest, OutputsCarryTheRatesAndThePredictedPeak) {
  const Advice advice = Advise(SawTooth(20, 26'000), AdvisorOptions{});
  std::string text, json, sql;
  WriteAdviceText(advice, &text);
  WriteAdviceJson(advice, &json);
  WriteAdviceSql(advice, &sql);
  EXPECT_THAT(text, HasSubstr("20.0 dead tuples/s"));
  EXPECT_THAT(text, HasSubstr("predicted"));
  EXPECT_THAT(json, HasSubstr("\"dead_tuples_per_s\":20"));
  EXPECT_THAT(json, HasSubstr("\"predicted_peak_ratio\":"));
  EXPECT_THAT(sql, HasSubstr("ALTER TABLE public.orders SET (autovacuum_vacuum_scale_factor = "
                             "0.098);"));
  EXPECT_THAT(sql, HasSubstr("ALTER SYSTEM SET log_autovacuum_min_duration = '0';"));
}

TEST(AdvisorTest, QuotesIdentifiersThatNeedIt) {
  EXPECT_EQ(QuoteIdentifier("orders"), "orders");
  EXPECT_EQ(QuoteIdentifier("Orders"), "\"Orders\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier("1st"), "\"1st\"");
}

}  // namespace
}  // namespace vacwatch::report
