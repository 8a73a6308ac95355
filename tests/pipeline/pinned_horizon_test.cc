// A pinned horizon end to end through the pipeline (issue: verdicts that hold on clusters
// nobody here has seen): the root named from the runs' cutoff, whatever the table's size;
// fired at once, resolved on the evidence of a vacuum, paged again for a new episode; the
// same verdicts from snapshots alone; XminHorizonHeld once per root.

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
using testing::PreparedSpec;
using testing::RunSpec;
using testing::SnapshotExtras;
using testing::T;
using testing::TableSpec;

constexpr char kNotKeepingUp[] = "AutovacuumNotKeepingUp";
constexpr char kHeld[] = "XminHorizonHeld";

// A small hot table, 256 KiB (under min_table_bytes): 2000 rows, trigger 50 + 0.2 * 2000 = 450.
TableSpec Counters(int64_t dead, int64_t writes, int64_t autovacuum_count = 0) {
  TableSpec t;
  t.name = "counters";
  t.relid = 2001;
  t.live = 2000;
  t.dead = dead;
  t.writes = writes;
  t.autovacuum_count = autovacuum_count;
  t.size_bytes = 256 << 10;
  return t;
}

// The workload's carrier: a session of this database whose snapshot took the root's xid.
SnapshotExtras PinnedBy(const std::string& gid, int64_t xid, int64_t next_xid) {
  SnapshotExtras x;
  x.naptime_s = 2;
  x.prepared = {PreparedSpec{
      .gid = gid, .xid_age = next_xid - xid, .transaction = xid, .prepared = testing::T(0)}};
  x.holders = {HolderSpec{.pid = 900,
                          .application_name = "psql",
                          .state = "active",
                          .xmin_age = next_xid - xid,
                          .backend_xmin = xid}};
  x.oldest_running_xid = xid;
  x.next_xid = next_xid;
  return x;
}

SnapshotExtras Released(int64_t next_xid) {
  SnapshotExtras x;
  x.naptime_s = 2;
  x.holders = {HolderSpec{.pid = 901,
                          .state = "active",
                          .xmin_age = 1,
                          .xid_age = 1,
                          .backend_xid = next_xid - 1,
                          .backend_xmin = next_xid - 1}};
  x.oldest_running_xid = next_xid - 1;
  x.next_xid = next_xid;
  return x;
}

// Runs the story: healthy until t=20, pinned by billing-1 (xid 5000) t=20..120, released,
// healthy to t=170, pinned by billing-2 (xid 9000) t=170..260, released, healthy to t=320.
// Snapshots every 5 s; with `log`, a logged run every 2 s while over the trigger.
PipelineHarness Story(bool log, int64_t* first_crossing_s) {
  PipelineHarness h;
  int64_t dead = 100, writes = 0, avc = 0, next_xid = 4000;
  *first_crossing_s = -1;
  for (int t = 0; t <= 320; ++t) {
    const bool pin1 = t >= 20 && t < 120;
    const bool pin2 = t >= 170 && t < 260;
    const int64_t root = pin1 ? 5000 : 9000;
    if (pin1 && next_xid < 5000) next_xid = 5000;
    if (pin2 && next_xid < 9000) next_xid = 9000;
    dead += 20;  // 20 updates/s
    writes += 20;
    next_xid += 20;
    if (dead > 450 && t % 2 == 0) {  // autovacuum picks it up every naptime
      ++avc;
      const int64_t removed = (pin1 || pin2) ? 0 : dead;
      if (log) {
        h.Vacuum(T(t), "db", "counters",
                 RunSpec{.removed = removed,
                         .not_yet_removable = dead - removed,
                         .remain = 2000 + dead - removed,
                         .cutoff = (pin1 || pin2) ? root : next_xid - 1});
      }
      dead -= removed;
    }
    if (t % 5 == 0) {
      if (*first_crossing_s < 0 && dead > 450) *first_crossing_s = t;
      h.Snapshot(T(t), "db", {Counters(dead, writes, avc)},
                 (pin1 || pin2) ? PinnedBy(pin1 ? "billing-1" : "billing-2", root, next_xid)
                                : Released(next_xid));
    }
  }
  h.Checkpoint();
  return h;
}

void ExpectTwoEpisodes(const PipelineHarness& h, int64_t first_crossing_s) {
  const std::vector<Alert> fired = h.Find(kNotKeepingUp, "counters");
  ASSERT_EQ(fired.size(), 2u) << h.Dump();
  EXPECT_EQ(fired[0].cause, Cause::kXminHorizon);
  ASSERT_TRUE(fired[0].holder.has_value());
  EXPECT_EQ(fired[0].holder->kind, "prepared_xact");
  EXPECT_EQ(fired[0].holder->gid, "billing-1");
  EXPECT_EQ(fired[0].holder->id, "prepared_xact:billing-1");
  EXPECT_EQ(fired[0].holder->scope, "cluster");
  EXPECT_NE(fired[0].recommendation.find("COMMIT PREPARED 'billing-1'"), std::string::npos)
      << fired[0].recommendation;
  EXPECT_EQ(fired[0].recommendation.find("pg_terminate_backend"), std::string::npos);
  EXPECT_LE(fired[0].event_time, T(first_crossing_s + 60));
  ASSERT_TRUE(fired[1].holder.has_value());
  EXPECT_EQ(fired[1].holder->gid, "billing-2");
  EXPECT_GE(fired[1].event_time, T(170));

  const std::vector<Alert> resolved = h.Find(kNotKeepingUp, "counters", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 2u) << h.Dump();
  // The release at t=120: the run at 120 removes the backlog, the snapshot at 120 confirms.
  EXPECT_GE(resolved[0].event_time, T(120));
  EXPECT_LE(resolved[0].event_time, T(120 + 7 * 60));
  EXPECT_LE(resolved[0].event_time, T(125));
  EXPECT_GE(resolved[1].event_time, T(260));
  EXPECT_LE(resolved[1].event_time, T(265));
}

TEST(PinnedHorizonTest, ASmallHotTableNamesTheRootFiresAtOnceAndPagesForEachEpisode) {
  int64_t crossing = 0;
  PipelineHarness h = Story(/*log=*/true, &crossing);
  ExpectTwoEpisodes(h, crossing);
}

TEST(PinnedHorizonTest, SnapshotsAloneGiveTheSameVerdictsAndRoots) {
  int64_t crossing = 0;
  PipelineHarness h = Story(/*log=*/false, &crossing);
  ExpectTwoEpisodes(h, crossing);
}

TEST(PinnedHorizonTest, XminHorizonHeldOncePerRootNamingTheTablesPayingForIt) {
  PipelineHarness h;
  // billing-1 prepared at T(0), seen from T(0) on; the table pays from its second run.
  int64_t dead = 500, writes = 0, avc = 0;
  for (int t = 0; t <= 900; t += 5) {
    dead += 100;
    writes += 100;
    ++avc;
    h.Vacuum(
        T(t), "db", "counters",
        RunSpec{.removed = 0, .not_yet_removable = dead, .remain = 2000 + dead, .cutoff = 5000});
    SnapshotExtras x = PinnedBy("billing-1", 5000, 5000 + 2 * t + 10);
    h.Snapshot(T(t + 1), "db", {Counters(dead, writes, avc)}, x);
  }
  // Released: the prepared transaction is committed.
  h.Snapshot(T(905), "db", {Counters(dead, writes, avc)}, Released(7000));
  h.Checkpoint();
  const std::vector<Alert> fired = h.Find(kHeld, "");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].database, "");  // one per cluster: an xid pins every database
  EXPECT_EQ(fired[0].cause, Cause::kXminHorizon);
  ASSERT_TRUE(fired[0].holder.has_value());
  EXPECT_EQ(fired[0].holder->id, "prepared_xact:billing-1");
  EXPECT_GE(fired[0].event_time, T(1 + 600));
  EXPECT_LE(fired[0].event_time, T(1 + 600 + 5));
  EXPECT_NE(fired[0].summary.find("db.public.counters"), std::string::npos) << fired[0].summary;
  const std::vector<Alert> resolved = h.Find(kHeld, "", AlertStatus::kResolved);
  ASSERT_EQ(resolved.size(), 1u) << h.Dump();
  EXPECT_EQ(resolved[0].event_time, T(905));
}

}  // namespace
}  // namespace vacwatch::pipeline

namespace vacwatch::pipeline {
namespace {

// Per-table overrides work for any number of them (the tuning cache keyed by which match).
TEST(PinnedHorizonTest, TheSeventiethOverrideStillApplies) {
  PipelineConfig config;
  for (int i = 0; i < 69; ++i) {
    TuningOverride o;
    o.match = absl::StrCat("other-", i, "/*");
    o.values = config.defaults;
    config.overrides.push_back(o);
  }
  absl::StatusOr<PipelineConfig> last = ParsePipelineConfig(
      "overrides:\n  - {match: 'c1/db.public.counters', alerts: {AutovacuumNotKeepingUp: "
      "{enabled: false}}}\n");
  ASSERT_TRUE(last.ok()) << last.status();
  config.overrides.push_back(last->overrides[0]);
  testing::PipelineHarness h(config);
  int64_t dead = 500;
  for (int t = 0; t <= 120; t += 5) {
    dead += 100;
    h.Vacuum(testing::T(t), "db", "counters",
             testing::RunSpec{.removed = 0, .not_yet_removable = dead, .cutoff = 5000});
    // A table no override matches comes first: its tuning must not be the pinned one's.
    TableSpec quiet;
    quiet.name = "aaa";
    quiet.relid = 2000;
    h.Snapshot(testing::T(t + 1), "db", {quiet, Counters(dead, dead, t / 5)},
               PinnedBy("billing-1", 5000, 5100 + t));
  }
  h.Checkpoint();
  EXPECT_TRUE(h.Find(kNotKeepingUp, "counters").empty()) << h.Dump();
}

}  // namespace
}  // namespace vacwatch::pipeline
