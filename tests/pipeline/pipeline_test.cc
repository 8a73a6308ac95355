#include "pipeline/pipeline.h"

#include <map>
#include <memory>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "state/state_store.h"
#include "tests/pipeline/pipeline_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

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

constexpr char kNotKeepingUp[] = "AutovacuumNotKeepingUp";

TableSpec Pinned(const std::string& name, int64_t relid, int64_t dead) {
  TableSpec t;
  t.name = name;
  t.relid = relid;
  t.live = 100000;  // trigger 20050
  t.dead = dead;
  t.writes = dead;
  return t;
}

SnapshotExtras Holder() {
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 777, .xact_start = T(0), .xmin_age = 90000}};
  return x;
}

// A table whose horizon is pinned: over its trigger, runs removing nothing, every 15 s.
void PinnedSeries(PipelineHarness* h, const std::string& name, int64_t relid, int from, int to) {
  for (int s = from; s < to; s += 15) {
    const int64_t dead = 20000 + 200 * s;
    h->Snapshot(T(s), "db", {Pinned(name, relid, dead)}, Holder());
    h->Vacuum(T(s + 5), "db", name, RunSpec{.removed = 0, .not_yet_removable = dead});
  }
}

TEST(PipelineTest, RenameKeepsTheHistoryAndMovesTheAlert) {
  PipelineHarness h;
  PinnedSeries(&h, "old_name", 5, 0, 120);
  ASSERT_EQ(h.Find(kNotKeepingUp, "old_name").size(), 1u) << h.Dump();
  // ALTER TABLE old_name RENAME TO new_name: same relid.
  h.Snapshot(T(120), "db", {Pinned("new_name", 5, 44000)}, Holder());
  EXPECT_EQ(h.counters().tables_renamed, 1);
  std::vector<Alert> resolved = h.Find(kNotKeepingUp, "old_name", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_NE(resolved[0].summary.find("renamed"), std::string::npos);
  // The evidence (runs, crossing) moved with the table: it fires again after `for` alone.
  h.Vacuum(T(125), "db", "new_name", RunSpec{.removed = 0, .not_yet_removable = 44000});
  h.Snapshot(T(135), "db", {Pinned("new_name", 5, 47000)}, Holder());
  h.Snapshot(T(155), "db", {Pinned("new_name", 5, 51000)}, Holder());
  std::vector<Alert> fired = h.Find(kNotKeepingUp, "new_name");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kXminHorizon);
  EXPECT_LE(fired[0].event_time, T(160));
}

TEST(PipelineTest, AMeasuredBloatGoesIntoTheEvidenceBesideTheEstimate) {
  PipelineHarness h;
  // The collector measured the table (it is over its trigger) with pgstattuple_approx.
  SnapshotExtras x = Holder();
  ingest::MeasuredBloat m;
  m.relid = 5;
  m.measured_at = T(0);
  m.table_len = 8192000;
  m.dead_tuple_len = 3000000;
  m.approx_free_space = 100000;
  m.dead_tuple_count = 32000;
  x.measured_bloat = {m};
  h.Snapshot(T(0), "db", {Pinned("jobs", 5, 20000)}, x);
  PinnedSeries(&h, "jobs", 5, 15, 150);
  std::vector<Alert> fired = h.Find(kNotKeepingUp, "jobs");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  std::map<std::string, std::string> evidence;
  for (const EvidenceItem& e : fired[0].evidence) {
    evidence[e.name] = std::visit([](const auto& v) { return absl::StrCat(v); }, e.value);
  }
  EXPECT_EQ(evidence["measured_dead_bytes"], "3000000");
  EXPECT_EQ(evidence["measured_free_bytes"], "100000");
  EXPECT_EQ(evidence["measured_table_bytes"], "8192000");
  EXPECT_EQ(evidence["measured_dead_tuples"], "32000");
  EXPECT_EQ(evidence.count("measured_at"), 1u);
  EXPECT_EQ(evidence.count("dead_bytes"), 1u);  // the estimate stays
}

TEST(PipelineTest, DropAndRecreateIsANewTable) {
  PipelineHarness h;
  PinnedSeries(&h, "jobs", 5, 0, 120);
  ASSERT_EQ(h.Find(kNotKeepingUp, "jobs").size(), 1u) << h.Dump();
  // DROP TABLE jobs; CREATE TABLE jobs (...): same name, new relid, empty.
  TableSpec fresh = Pinned("jobs", 6, 0);
  fresh.writes = 0;
  h.Snapshot(T(120), "db", {fresh});
  EXPECT_EQ(h.counters().tables_dropped_relid, 1);
  std::vector<Alert> resolved = h.Find(kNotKeepingUp, "jobs", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_NE(resolved[0].summary.find("dropped and recreated"), std::string::npos);
  for (int s = 135; s < 600; s += 15) h.Snapshot(T(s), "db", {fresh});
  EXPECT_EQ(h.Find(kNotKeepingUp, "jobs").size(), 1u) << h.Dump();  // no new firing
}

TEST(PipelineTest, SkipLinesResolveByPidThenByUniqueName) {
  PipelineHarness h;
  // Two databases each with a table named "jobs"; only "db2" also has "queue".
  h.Snapshot(T(0), "db1", {Pinned("jobs", 1, 0)});
  h.Snapshot(T(0), "db2", {Pinned("jobs", 2, 0), Pinned("queue", 3, 0)});
  // Unique in the cluster: resolved without a database.
  h.Skip(T(1), "queue", 900);
  EXPECT_EQ(h.counters().unresolved_skips, 0);
  // Ambiguous, and nothing known about the pid: unresolved.
  h.Skip(T(2), "jobs", 901);
  EXPECT_EQ(h.counters().unresolved_skips, 1);
  // The worker logged a vacuum in db1 earlier: its skip belongs to db1.
  h.Vacuum(T(3), "db1", "jobs", RunSpec{.removed = 1, .not_yet_removable = 0, .pid = 902});
  h.Skip(T(4), "jobs", 902);
  EXPECT_EQ(h.counters().unresolved_skips, 1);
  // A prefix with %d gives the database directly.
  h.Skip(T(5), "jobs", 903, "db2");
  EXPECT_EQ(h.counters().unresolved_skips, 1);
  // A name no snapshot ever listed: unresolved, never a new table.
  h.Skip(T(6), "pg_toast_1234", 904);
  EXPECT_EQ(h.counters().unresolved_skips, 2);
}

TEST(PipelineTest, DuplicateAndOutOfOrderInputsChangeNothing) {
  PipelineHarness once, twice;
  for (PipelineHarness* h : {&once, &twice}) {
    PinnedSeries(h, "t", 5, 0, 90);
  }
  // The same snapshot again, an older one, and a log entry seen twice.
  twice.Snapshot(T(75), "db", {Pinned("t", 5, 35000)}, Holder());
  twice.Snapshot(T(30), "db", {Pinned("t", 5, 1)}, Holder());
  testing::EventBuilder events;
  twice.Event(events.Vacuum(T(80), "db", "t", RunSpec{.removed = 0, .not_yet_removable = 35000}));
  EXPECT_EQ(twice.counters().duplicates_ignored, 2);
  EXPECT_EQ(twice.counters().out_of_order_ignored, 1);
  PinnedSeries(&once, "t", 5, 90, 300);
  PinnedSeries(&twice, "t", 5, 90, 300);
  EXPECT_EQ(once.Dump(), twice.Dump());
}

TEST(PipelineTest, TablesNotSeenForTheTtlAreDroppedAndTheirAlertsResolved) {
  absl::StatusOr<PipelineConfig> config = ParsePipelineConfig("table_ttl: 1h\n");
  ASSERT_OK(config);
  PipelineHarness h(*config);
  PinnedSeries(&h, "gone", 5, 0, 120);
  ASSERT_EQ(h.Find(kNotKeepingUp, "gone").size(), 1u) << h.Dump();
  // Only another table is reported from now on.
  for (int s = 120; s <= 2 * 3600; s += 60) h.Snapshot(T(s), "db", {Pinned("other", 6, 10)});
  EXPECT_EQ(h.counters().tables_dropped_ttl, 1);
  std::vector<Alert> resolved = h.Find(kNotKeepingUp, "gone", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_NE(resolved[0].summary.find("not seen"), std::string::npos);
}

// One scenario, cut anywhere, run against a store.
void Scenario(PipelineHarness* h, int step_from, int step_to) {
  for (int i = step_from; i < step_to; ++i) {
    const int s = 15 * i;
    std::vector<TableSpec> tables;
    const int64_t pinned_dead = s < 600 ? 20000 + 200 * s : 500;
    tables.push_back(Pinned("pinned", 5, pinned_dead));
    for (int k = 0; k < 4; ++k) tables.push_back(Pinned(absl::StrCat("calm", k), 10 + k, 100));
    h->Snapshot(T(s), "db", tables, s < 600 ? Holder() : SnapshotExtras{});
    h->Vacuum(T(s + 5), "db", "pinned",
              s < 600 ? RunSpec{.removed = 0, .not_yet_removable = pinned_dead}
                      : RunSpec{.removed = 3000, .not_yet_removable = 0});
  }
}
constexpr int kSteps = 200;  // 50 minutes: fires, clears, resolves

TEST(PipelineTest, ARunCutInTwoWithOneStoreEqualsOneRun) {
  PipelineHarness whole;
  Scenario(&whole, 0, kSteps);
  ASSERT_EQ(whole.Find(kNotKeepingUp, "pinned").size(), 1u) << whole.Dump();
  ASSERT_EQ(whole.Find(kNotKeepingUp, "pinned", AlertStatus::kResolved).size(), 1u) << whole.Dump();

  for (int cut : {10, 50, 120}) {
    vacwatch::testing::ScopedTempDir dir;
    std::string joined;
    for (int part = 0; part < 2; ++part) {
      auto store = state::StateStore::Open(dir.path() + "/state", state::StateStoreOptions());
      ASSERT_OK(store);
      PipelineHarness h(PipelineConfig(), store->get());
      if (part == 0) {
        Scenario(&h, 0, cut);
      } else {
        Scenario(&h, cut, kSteps);
      }
      joined += h.Dump() == "(no transitions)" ? "" : h.Dump();
    }
    EXPECT_EQ(joined, whole.Dump()) << "cut at step " << cut;
  }
}

TEST(PipelineTest, ABoundedCacheGivesTheSameAlerts) {
  PipelineHarness unbounded;
  Scenario(&unbounded, 0, kSteps);
  vacwatch::testing::ScopedTempDir dir;
  auto store = state::StateStore::Open(dir.path() + "/state", state::StateStoreOptions());
  ASSERT_OK(store);
  PipelineConfig config;
  config.max_cached_tables = 2;
  PipelineHarness bounded(config, store->get());
  Scenario(&bounded, 0, kSteps);
  EXPECT_EQ(bounded.Dump(), unbounded.Dump());
  EXPECT_GT(bounded.counters().cache_evictions, 0);
  EXPECT_GT(bounded.counters().cache_misses, 0);
}

// With almost nothing cached, most of a snapshot's rows miss: they are loaded with one scan of
// the database's key range, and kept encoded between checkpoints. Same alerts.
TEST(PipelineTest, SnapshotsLoadedByRangeScanGiveTheSameAlerts) {
  PipelineHarness unbounded;
  Scenario(&unbounded, 0, kSteps);
  for (int64_t bound : {0, 1}) {
    vacwatch::testing::ScopedTempDir dir;
    auto store = state::StateStore::Open(dir.path() + "/state", state::StateStoreOptions());
    ASSERT_OK(store);
    PipelineConfig config;
    config.max_cached_tables = bound;
    PipelineHarness bounded(config, store->get());
    Scenario(&bounded, 0, kSteps);
    EXPECT_EQ(bounded.Dump(), unbounded.Dump()) << "max_cached_tables " << bound;
    EXPECT_GT(bounded.counters().cache_misses, 4 * kSteps) << bound;
  }
}

}  // namespace
}  // namespace vacwatch::pipeline
