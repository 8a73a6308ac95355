#include "pipeline/wraparound_risk_detector.h"

#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

namespace vacwatch::pipeline {
namespace {

using testing::PipelineHarness;
using testing::T;
using testing::TableSpec;

constexpr char kAlert[] = "WraparoundRisk";

TableSpec Old(int64_t age) {
  TableSpec t;
  t.name = "old";
  t.relid = 30;
  t.frozenxid_age = age;
  return t;
}

TEST(WraparoundRiskTest, ServerWarningFiresCriticalAtOnceAndResolvesAfterAnHourOfQuiet) {
  PipelineHarness h;
  h.Snapshot(T(0), "db", {Old(1000)});
  h.Warning(T(10), "db", ingest::WraparoundWarningKind::kMustVacuumWithin);
  std::vector<Alert> fired = h.Find(kAlert, "");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kCritical);
  EXPECT_EQ(fired[0].cause, Cause::kServerWarning);
  EXPECT_EQ(fired[0].database, "db");
  EXPECT_EQ(fired[0].event_time, T(10));
  // Repeated warnings do not fire again.
  h.Warning(T(20), "db", ingest::WraparoundWarningKind::kMustVacuumWithin);
  for (int s = 60; s <= 3 * 3600; s += 60) h.Snapshot(T(s), "db", {Old(1000)});
  EXPECT_EQ(h.Find(kAlert, "").size(), 1u) << h.Dump();
  std::vector<Alert> resolved = h.Find(kAlert, "", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  // Clear one hour after the last warning (the warning window), resolved an hour later.
  EXPECT_GE(resolved[0].event_time, T(20) + absl::Hours(2));
}

TEST(WraparoundRiskTest, OldRelfrozenxidIsAWarningAndVeryOldIsCritical) {
  PipelineHarness h;
  h.Snapshot(T(0), "db", {Old(1'100'000'000)});
  std::vector<Alert> fired = h.Find(kAlert, "old");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kWarning);

  PipelineHarness h2;
  h2.Snapshot(T(0), "db", {Old(1'700'000'000)});
  fired = h2.Find(kAlert, "old");
  ASSERT_EQ(fired.size(), 1u) << h2.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kCritical);
}

TEST(WraparoundRiskTest, AWarningThatTurnsCriticalFiresAgainOnceAtTheHigherSeverity) {
  PipelineHarness h;
  h.Snapshot(T(0), "db", {Old(1'100'000'000)});    // warning
  h.Snapshot(T(60), "db", {Old(1'700'000'000)});   // critical: an escalation
  h.Snapshot(T(120), "db", {Old(1'500'000'000)});  // back under the critical age: no change
  h.Snapshot(T(180), "db", {Old(1'750'000'000)});  // critical again: nothing new
  std::vector<Alert> fired = h.Find(kAlert, "old");
  ASSERT_EQ(fired.size(), 2u) << h.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kWarning);
  EXPECT_EQ(fired[1].severity, Severity::kCritical);
  EXPECT_EQ(fired[1].event_time, T(60));
  EXPECT_EQ(fired[1].starts_at, fired[0].starts_at);
  EXPECT_EQ(fired[1].fingerprint, fired[0].fingerprint);
  EXPECT_EQ(fired[1].cause, fired[0].cause);
  EXPECT_EQ(fired[1].summary.rfind("Escalated to critical (was warning): ", 0), 0u)
      << fired[1].summary;
  // Frozen at last: resolved once, at the severity it reached.
  for (int s = 240; s <= 3 * 3600; s += 60) h.Snapshot(T(s), "db", {Old(1000)});
  std::vector<Alert> resolved = h.Find(kAlert, "old", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_EQ(resolved[0].severity, Severity::kCritical);
  EXPECT_EQ(h.Find(kAlert, "old").size(), 2u) << h.Dump();
}

TEST(WraparoundRiskTest, ProjectedTimeToTheStopLimit) {
  // Past its freeze max age (200M) and consuming 10k XIDs/s: 1.5e9 XIDs to go = ~42 h.
  PipelineHarness h;
  for (int s = 0; s <= 600; s += 60) h.Snapshot(T(s), "db", {Old(640'000'000 + 10'000LL * s)});
  std::vector<Alert> fired = h.Find(kAlert, "old");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kWarning);
  bool has_time = false;
  for (const EvidenceItem& e : fired[0].evidence) has_time |= e.name == "time_to_stop_limit_s";
  EXPECT_TRUE(has_time);
}

TEST(WraparoundRiskTest, HealthyTablesAtTheirFreezeLimitDoNotFireEvenAtHighXidRates) {
  // 20k XIDs/s, relfrozenxid reset at 200M by anti-wraparound vacuums: no risk.
  PipelineHarness h;
  int64_t age = 100'000'000;
  for (int s = 0; s <= 7200; s += 60) {
    age += 20'000LL * 60;
    if (age > 200'000'000) age = 50'000'000;
    h.Snapshot(T(s), "db", {Old(age)});
  }
  EXPECT_TRUE(h.Find(kAlert, "old").empty()) << h.Dump();
}

}  // namespace
}  // namespace vacwatch::pipeline
