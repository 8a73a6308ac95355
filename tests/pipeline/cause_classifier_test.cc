#include "pipeline/cause_classifier.h"

#include "gtest/gtest.h"
#include "pipeline/table_state.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

HolderRecord Session(int64_t age) {
  HolderRecord h;
  h.kind = HolderKind::kSession;
  h.pid = 7;
  h.database = "db";
  h.age_xids = age;
  return h;
}

TEST(CauseClassifierTest, PrecedenceForNotKeepingUp) {
  TableTuning t;
  CauseFacts f;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kUnknown);
  f.max_index_scans = 3;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kInsufficientMaintenanceWorkMem);
  f.workers_saturated = true;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kWorkerStarvation);
  f.run_too_long = f.slow_for_pages = f.cost_delayed = true;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kCostThrottled);
  f.floor_rises = 2;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kCostThrottled);  // no holder: not the horizon
  const HolderRecord holder = Session(5000);
  f.holder = &holder;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kXminHorizon);
  f.lock_conflicts = 3;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kLockConflicts);
  f.pinned_runs = 2;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kXminHorizon);
}

TEST(CauseClassifierTest, CostThrottledNeedsAllThreeParts) {
  TableTuning t;
  CauseFacts f;
  f.run_too_long = true;
  f.slow_for_pages = true;
  f.cost_delayed = false;  // vacuum_cost_delay 0: slow for another reason (I/O)
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kUnknown);
  f.cost_delayed = true;
  f.slow_for_pages = false;
  EXPECT_EQ(ClassifyNotKeepingUp(f, t), Cause::kUnknown);
}

TEST(CauseClassifierTest, FreezingBlockedByAnOldHolder) {
  TableTuning t;
  CauseFacts f;
  EXPECT_EQ(ClassifyFreezing(f, t), Cause::kUnknown);
  f.lock_conflicts = 5;
  EXPECT_EQ(ClassifyFreezing(f, t), Cause::kLockConflicts);
  f.holder_blocks_freeze = true;
  EXPECT_EQ(ClassifyFreezing(f, t), Cause::kXminHorizon);
}

TEST(CauseClassifierTest, RunRemovedNearZero) {
  EXPECT_TRUE(RunRemovedNearZero(0, 1000, 0.05));
  EXPECT_TRUE(RunRemovedNearZero(50, 1000, 0.05));
  EXPECT_FALSE(RunRemovedNearZero(100, 1000, 0.05));
  EXPECT_FALSE(RunRemovedNearZero(0, 0, 0.05));     // nothing left: a clean run
  EXPECT_FALSE(RunRemovedNearZero(-1, 100, 0.05));  // not printed
}

TEST(CauseClassifierTest, GatherFindsPinnedRunsHolderAndConflicts) {
  testing::EventBuilder events;
  TableState s;
  s.vacuum_trigger = 1000;
  s.freeze_max_age = 100000;
  for (int i = 0; i < 3; ++i) {
    testing::RunSpec run;
    run.removed = 0;
    run.not_yet_removable = 2000 + 1000 * i;
    ASSERT_EQ(s.ApplyVacuum(events.Vacuum(testing::T(10 * i), "db", "t", run)),
              ApplyResult::kApplied);
  }
  for (int i = 0; i < 4; ++i) {
    s.ApplyConflict(events.Skip(testing::T(40 + i), "t", 100 + i), ConflictKind::kVacuumSkipped);
  }
  DatabaseState db("c1", "db");
  testing::SnapshotBuilder snaps;
  testing::SnapshotExtras extras;
  extras.holders = {testing::HolderSpec{.pid = 9, .xmin_age = 150000},
                    testing::HolderSpec{.pid = 8, .database = "other", .xmin_age = 900000}};
  db.ApplySnapshot(snaps.Build(testing::T(0), "db", {}, extras));
  PipelineConfig config;
  CauseFacts f = GatherCauseFacts(testing::T(50), config.defaults, config, s, &db, nullptr, 0);
  EXPECT_EQ(f.pinned_runs, 3);
  EXPECT_EQ(f.floor_rises, 2);
  EXPECT_EQ(f.lock_conflicts, 4);
  ASSERT_NE(f.holder, nullptr);
  EXPECT_EQ(f.holder->pid, 9);  // the other database's older session does not pin this one
  EXPECT_TRUE(f.holder_blocks_freeze);
  EXPECT_EQ(f.max_index_scans, 1);
}

}  // namespace
}  // namespace vacwatch::pipeline
