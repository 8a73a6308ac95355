#include "pipeline/autovacuum_not_keeping_up_detector.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

using testing::HolderSpec;
using testing::PipelineHarness;
using testing::ProgressSpec;
using testing::RunSpec;
using testing::SnapshotExtras;
using testing::T;
using testing::TableSpec;

constexpr char kAlert[] = "AutovacuumNotKeepingUp";

std::string EvidenceString(const Alert& a, const std::string& name) {
  for (const EvidenceItem& e : a.evidence) {
    if (e.name != name) continue;
    if (const auto* s = std::get_if<std::string>(&e.value)) return *s;
    if (const auto* i = std::get_if<int64_t>(&e.value)) return std::to_string(*i);
    return std::to_string(std::get<double>(e.value));
  }
  return "(absent)";
}

// 100k rows: the vacuum trigger is 50 + 0.2 * 100000 = 20050 dead tuples.
TableSpec Table(int64_t dead, int64_t writes) {
  TableSpec t;
  t.name = "held";
  t.relid = 10;
  t.live = 100000;
  t.dead = dead;
  t.writes = writes;
  return t;
}

TEST(AutovacuumNotKeepingUpTest, XminHorizonNamesTheSessionAndResolvesWhenItEnds) {
  PipelineHarness h;
  SnapshotExtras pinned;
  pinned.holders = {HolderSpec{.pid = 777,
                               .application_name = "nightly_report",
                               .state = "idle in transaction",
                               .xact_start = T(0),
                               .xmin_age = 50000}};
  int64_t dead = 0;
  int64_t writes = 0;
  for (int s = 0; s <= 300; s += 15) {
    dead += 3000;
    writes += 3000;
    h.Snapshot(T(s), "db", {Table(dead, writes)}, pinned);
    if (dead > 20050) {
      h.Vacuum(T(s + 5), "db", "held",
               RunSpec{.removed = 0, .not_yet_removable = dead, .remain = 100000 + dead});
    }
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  const Alert& a = fired[0];
  EXPECT_EQ(a.cause, Cause::kXminHorizon);
  EXPECT_EQ(a.severity, Severity::kWarning);
  ASSERT_TRUE(a.holder.has_value());
  EXPECT_EQ(a.holder->kind, "session");
  EXPECT_EQ(a.holder->pid, 777);
  EXPECT_EQ(a.holder->application_name, "nightly_report");
  EXPECT_EQ(a.holder->scope, "database");
  EXPECT_NE(a.summary.find("pid 777"), std::string::npos) << a.summary;
  EXPECT_NE(a.recommendation.find("pg_terminate_backend(777)"), std::string::npos);
  // Never vacuumed is "never", not 1970.
  EXPECT_EQ(EvidenceString(a, "last_autovacuum"), "never");
  EXPECT_EQ(a.fingerprint, AlertFingerprint("c1", "db", "public", "held", kAlert));
  // Within `for` (30 s) of the second run that removed nothing while over the trigger.
  EXPECT_LE(a.event_time - a.starts_at, absl::Seconds(45));

  // The session ends: runs remove everything, the table stays under its trigger.
  for (int s = 315; s <= 315 + 20 * 60; s += 15) {
    h.Vacuum(T(s - 5), "db", "held",
             RunSpec{.removed = 3000, .not_yet_removable = 0, .remain = 100000});
    writes += 3000;
    h.Snapshot(T(s), "db", {Table(1000, writes)});
  }
  std::vector<Alert> resolved = h.Find(kAlert, "held", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_EQ(resolved[0].cause, Cause::kXminHorizon);
  ASSERT_TRUE(resolved[0].ends_at.has_value());
  // Resolved on the evidence: the first snapshot after the effective vacuum finds the table
  // under its trigger (no clear_for of minutes after the release).
  EXPECT_EQ(resolved[0].event_time, T(315));
  EXPECT_EQ(*resolved[0].ends_at, T(315));
  EXPECT_EQ(resolved[0].fingerprint, a.fingerprint);
}

TEST(AutovacuumNotKeepingUpTest, XminHorizonFromAReplicationSlotIsClusterWide) {
  PipelineHarness h;
  SnapshotExtras extras;
  extras.slots = {{"replica_gone", 900000}};
  int64_t dead = 15000;
  for (int s = 0; s <= 120; s += 15) {
    dead += 4000;
    h.Snapshot(T(s), "db", {Table(dead, dead)}, extras);
    h.Vacuum(T(s + 5), "db", "held", RunSpec{.removed = 10, .not_yet_removable = dead});
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kXminHorizon);
  ASSERT_TRUE(fired[0].holder.has_value());
  EXPECT_EQ(fired[0].holder->kind, "replication_slot");
  EXPECT_EQ(fired[0].holder->slot_name, "replica_gone");
  EXPECT_EQ(fired[0].holder->scope, "cluster");
  EXPECT_NE(fired[0].recommendation.find("pg_drop_replication_slot('replica_gone')"),
            std::string::npos);
}

TEST(AutovacuumNotKeepingUpTest, LockConflictsFromSkipLinesWithoutDatabase) {
  PipelineHarness h;
  int64_t dead = 21000;
  for (int s = 0; s <= 120; s += 10) {
    dead += 200;
    if (s % 30 == 0) h.Snapshot(T(s), "db", {Table(dead, dead)});
    h.Skip(T(s + 2), "held", 5000 + s);  // a new worker each time: no pid to learn from
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kLockConflicts);
  EXPECT_FALSE(fired[0].holder.has_value());
  EXPECT_NE(fired[0].recommendation.find("pg_locks"), std::string::npos);
  EXPECT_EQ(h.counters().unresolved_skips, 0);
}

TEST(AutovacuumNotKeepingUpTest, CostThrottledRunInProgress) {
  PipelineHarness h;
  TableSpec t = Table(10000, 0);
  t.reloptions = {"autovacuum_vacuum_cost_delay=100", "autovacuum_vacuum_cost_limit=1"};
  SnapshotExtras extras;
  extras.progress = {ProgressSpec{.pid = 55, .relid = 10, .start = T(0), .heap_blks_total = 8000}};
  for (int s = 0; s <= 240; s += 15) {
    t.dead = 10000 + int64_t{200} * s;
    t.writes = int64_t{200} * s;
    extras.progress[0].heap_blks_scanned = int64_t{3} * s;  // 3 pages/s
    h.Snapshot(T(s), "db", {t}, extras);
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kCostThrottled);
  EXPECT_NE(fired[0].recommendation.find("ALTER TABLE public.held SET "
                                         "(autovacuum_vacuum_cost_limit = 1000, "
                                         "autovacuum_vacuum_cost_delay = 2);"),
            std::string::npos)
      << fired[0].recommendation;
  EXPECT_EQ(EvidenceString(fired[0], "cost_delay_ms"), std::to_string(100.0));
}

TEST(AutovacuumNotKeepingUpTest, WorkerStarvationWhenAllWorkersAreBusyElsewhere) {
  PipelineHarness h;
  SnapshotExtras busy;
  busy.progress = {ProgressSpec{.pid = 1, .relid = 900, .start = T(0)},
                   ProgressSpec{.pid = 2, .relid = 901, .start = T(0)},
                   ProgressSpec{.pid = 3, .relid = 902, .start = T(0)}};
  for (int s = 0; s <= 40 * 60; s += 60) {
    std::vector<TableSpec> tables;
    for (int i = 0; i < 3; ++i) {
      TableSpec t = Table(25000 + int64_t{10} * s, int64_t{10} * s);
      t.name = absl::StrCat("t", i);
      t.relid = 10 + i;
      tables.push_back(t);
    }
    h.Snapshot(T(s), "db", tables, busy);
  }
  for (const char* name : {"t0", "t1", "t2"}) {
    std::vector<Alert> fired = h.Find(kAlert, name);
    ASSERT_EQ(fired.size(), 1u) << h.Dump();
    EXPECT_EQ(fired[0].cause, Cause::kWorkerStarvation);
    EXPECT_GE(fired[0].starts_at - T(0), absl::Minutes(30));  // overdue_after
  }
}

TEST(AutovacuumNotKeepingUpTest, MaintenanceWorkMemWhenRunsNeedManyIndexPasses) {
  PipelineHarness h;
  int64_t dead = 30000;
  for (int s = 0; s <= 150; s += 15) {
    h.Snapshot(T(s), "db", {Table(dead, dead)});
    // Each run takes only half of what is there, with four passes over the indexes.
    h.Vacuum(T(s + 5), "db", "held",
             RunSpec{.removed = dead / 2, .not_yet_removable = dead - dead / 2, .index_scans = 4});
    dead = dead - dead / 2 + 28000;
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kInsufficientMaintenanceWorkMem);
  EXPECT_NE(fired[0].recommendation.find("autovacuum_work_mem"), std::string::npos);
}

TEST(AutovacuumNotKeepingUpTest, UnknownWhenRunsWorkButTheTableDoesNotRecover) {
  PipelineHarness h;
  int64_t dead = 30000;
  for (int s = 0; s <= 150; s += 15) {
    h.Snapshot(T(s), "db", {Table(dead, dead)});
    h.Vacuum(T(s + 5), "db", "held",
             RunSpec{.removed = dead / 2, .not_yet_removable = dead - dead / 2});
    dead = dead - dead / 2 + 28000;
  }
  std::vector<Alert> fired = h.Find(kAlert, "held");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kUnknown);
}

TEST(AutovacuumNotKeepingUpTest, HealthySawToothNeverFires) {
  PipelineHarness h;
  int64_t writes = 0;
  // Ten cycles: the table fills past its trigger, sits there for a naptime or two, and each
  // run takes it back down.
  for (int cycle = 0; cycle < 10; ++cycle) {
    const int base = cycle * 300;
    for (int s = 0; s < 300; s += 15) {
      const int64_t dead = std::min<int64_t>(int64_t{100} * s, 25000);
      writes += 1500;
      h.Snapshot(T(base + s), "db", {Table(dead, writes)});
    }
    h.Vacuum(T(base + 295), "db", "held",
             RunSpec{.removed = 25000, .not_yet_removable = 20, .elapsed_s = 30});
  }
  EXPECT_TRUE(h.Find(kAlert, "held").empty()) << h.Dump();
}

TEST(AutovacuumNotKeepingUpTest, TinyTablesNeverPage) {
  PipelineHarness h;
  int64_t dead = 0;
  for (int s = 0; s <= 600; s += 15) {
    dead += 500;
    TableSpec t = Table(dead, dead);
    t.live = 2000;
    t.size_bytes = 256 << 10;  // under min_table_bytes (1 MiB)
    h.Snapshot(T(s), "db", {t});
    h.Vacuum(T(s + 5), "db", "held", RunSpec{.removed = 0, .not_yet_removable = dead});
  }
  EXPECT_TRUE(h.Find(kAlert, "held").empty()) << h.Dump();
}

TEST(AutovacuumNotKeepingUpTest, NeverWrittenTableStaysQuiet) {
  PipelineHarness h;
  for (int s = 0; s <= 3 * 3600; s += 60) {
    TableSpec t = Table(0, 0);
    t.live = 0;
    t.reltuples = -1;  // never analyzed: the trigger is 50
    h.Snapshot(T(s), "db", {t});
  }
  EXPECT_TRUE(h.transitions().empty()) << h.Dump();
}

TEST(AutovacuumNotKeepingUpTest, AutovacuumDisabledIsNotThisAlert) {
  PipelineHarness h;
  int64_t dead = 30000;
  for (int s = 0; s <= 600; s += 15) {
    dead += 1000;
    TableSpec t = Table(dead, dead);
    t.reloptions = {"autovacuum_enabled=false"};
    h.Snapshot(T(s), "db", {t});
  }
  EXPECT_TRUE(h.Find(kAlert, "held").empty()) << h.Dump();
}

}  // namespace
}  // namespace vacwatch::pipeline
