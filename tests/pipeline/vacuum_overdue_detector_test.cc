#include "pipeline/vacuum_overdue_detector.h"

#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

namespace vacwatch::pipeline {
namespace {

using testing::PipelineHarness;
using testing::SnapshotExtras;
using testing::T;
using testing::TableSpec;

constexpr char kAlert[] = "VacuumOverdueAutovacuumDisabled";

TableSpec Table(int64_t dead) {
  TableSpec t;
  t.name = "off";
  t.relid = 40;
  t.live = 100000;
  t.dead = dead;
  t.writes = dead;
  return t;
}

TEST(VacuumOverdueTest, TableWithAutovacuumOffOverItsTrigger) {
  PipelineHarness h;
  for (int s = 0; s <= 3600; s += 60) {
    TableSpec t = Table(30000 + s);
    t.reloptions = {"autovacuum_enabled=false"};
    h.Snapshot(T(s), "db", {t});
  }
  std::vector<Alert> fired = h.Find(kAlert, "off");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kAutovacuumDisabled);
  EXPECT_EQ(fired[0].starts_at, T(0));
  EXPECT_EQ(fired[0].event_time, T(30 * 60));
  EXPECT_NE(fired[0].recommendation.find("RESET (autovacuum_enabled)"), std::string::npos);
}

TEST(VacuumOverdueTest, ServerWideAutovacuumOffAndAManualVacuumClearsIt) {
  PipelineHarness h;
  SnapshotExtras off;
  off.autovacuum = false;
  for (int s = 0; s <= 3600; s += 60) h.Snapshot(T(s), "db", {Table(30000 + s)}, off);
  ASSERT_EQ(h.Find(kAlert, "off").size(), 1u) << h.Dump();
  // A manual VACUUM: under the trigger for more than clear_for (1h).
  for (int s = 3660; s <= 3660 + 2 * 3600; s += 60) {
    TableSpec t = Table(100);
    t.vacuum_count = 1;
    h.Snapshot(T(s), "db", {t}, off);
  }
  EXPECT_EQ(h.Find(kAlert, "off", AlertStatus::kResolved).size(), 1u) << h.Dump();
}

TEST(VacuumOverdueTest, AutovacuumOnIsNotThisAlert) {
  PipelineHarness h;
  for (int s = 0; s <= 3600; s += 60) h.Snapshot(T(s), "db", {Table(30000 + s)});
  EXPECT_TRUE(h.Find(kAlert, "off").empty()) << h.Dump();
}

}  // namespace
}  // namespace vacwatch::pipeline
