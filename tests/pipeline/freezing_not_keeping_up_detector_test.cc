#include "pipeline/freezing_not_keeping_up_detector.h"

#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

using testing::HolderSpec;
using testing::PipelineHarness;
using testing::RunSpec;
using testing::SnapshotExtras;
using testing::T;
using testing::TableSpec;

constexpr char kAlert[] = "FreezingNotKeepingUp";

// A small table with autovacuum_freeze_max_age = 100000 and XIDs consumed at 1000/s.
TableSpec Ledger(int64_t age) {
  TableSpec t;
  t.name = "ledger";
  t.relid = 20;
  t.live = 20000;
  t.dead = 100;
  t.size_bytes = 256 << 10;  // tiny: freeze alerts ignore the size floor
  t.frozenxid_age = age;
  t.reloptions = {"autovacuum_freeze_max_age=100000"};
  return t;
}

RunSpec Wraparound() {
  return RunSpec{.removed = 300,
                 .not_yet_removable = 2,
                 .remain = 20000,
                 .mode = ingest::VacuumMode::kWraparound};
}

TEST(FreezingNotKeepingUpTest, AntiWraparoundRunsRepeatWhileAWorkerHoldsTheHorizon) {
  PipelineHarness h;
  SnapshotExtras extras;
  extras.holders = {HolderSpec{.pid = 13159,
                               .application_name = "",
                               .backend_type = "autovacuum worker",
                               .state = "active",
                               .xact_start = T(0),
                               .xmin_age = 0}};
  for (int s = 0; s <= 600; s += 10) {
    const int64_t age = 1000 + 1000 * s;
    extras.holders[0].xmin_age = int64_t{1000} * s;
    h.Snapshot(T(s), "events", {Ledger(age)}, extras);
    if (age > 100000) h.Vacuum(T(s + 2), "events", "ledger", Wraparound());
  }
  std::vector<Alert> fired = h.Find(kAlert, "ledger");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kXminHorizon);
  ASSERT_TRUE(fired[0].holder.has_value());
  EXPECT_EQ(fired[0].holder->kind, "autovacuum_worker");
  EXPECT_EQ(fired[0].holder->pid, 13159);
  // The condition holds from the second anti-wraparound run; `for` is 5 minutes.
  EXPECT_GE(fired[0].event_time - fired[0].starts_at, absl::Minutes(5));
  EXPECT_LE(fired[0].starts_at, T(130));
  EXPECT_NE(fired[0].recommendation.find("VACUUM (FREEZE, VERBOSE) public.ledger"),
            std::string::npos);
  EXPECT_TRUE(h.Find("AutovacuumNotKeepingUp", "ledger").empty());
}

TEST(FreezingNotKeepingUpTest, UnknownCauseWithoutAHolder) {
  PipelineHarness h;
  for (int s = 0; s <= 600; s += 10) {
    const int64_t age = 1000 + 1000 * s;
    h.Snapshot(T(s), "events", {Ledger(age)});
    if (age > 100000) h.Vacuum(T(s + 2), "events", "ledger", Wraparound());
  }
  std::vector<Alert> fired = h.Find(kAlert, "ledger");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kUnknown);
}

TEST(FreezingNotKeepingUpTest, FreezingThatAdvancesNeverFires) {
  PipelineHarness h;
  int64_t age = 1000;
  for (int s = 0; s <= 1800; s += 10) {
    age += 10000;
    h.Snapshot(T(s), "events", {Ledger(age)});
    if (age > 100000) {
      // The anti-wraparound run freezes: the next snapshot shows a young relfrozenxid.
      h.Vacuum(T(s + 2), "events", "ledger", Wraparound());
      age = 5000;
    }
  }
  EXPECT_TRUE(h.Find(kAlert, "ledger").empty()) << h.Dump();
}

TEST(FreezingNotKeepingUpTest, SnapshotsAloneCountAutovacuumsPastTheFreezeLimit) {
  // No log at all (log_autovacuum_min_duration = -1): autovacuum_count rising while the table
  // is past its freeze limit are anti-wraparound runs.
  PipelineHarness h;
  for (int s = 0; s <= 900; s += 15) {
    TableSpec t = Ledger(1000 + 1000 * s);
    t.autovacuum_count = s / 15;
    h.Snapshot(T(s), "events", {t});
  }
  EXPECT_EQ(h.Find(kAlert, "ledger").size(), 1u) << h.Dump();
}

}  // namespace
}  // namespace vacwatch::pipeline
