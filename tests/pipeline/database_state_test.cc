#include "pipeline/database_state.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/table_key.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

using testing::HolderSpec;
using testing::ProgressSpec;
using testing::SnapshotBuilder;
using testing::SnapshotExtras;
using testing::T;

TEST(DatabaseStateTest, SessionsPinOnlyTheirOwnDatabaseSlotsPinAll) {
  SnapshotBuilder b;
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 1, .database = "other", .xmin_age = 900},
               HolderSpec{.pid = 2, .database = "db", .xmin_age = 100}};
  DatabaseState db("c1", "db");
  db.ApplySnapshot(b.Build(T(0), "db", {}, x));
  const HolderRecord* h = db.horizon().Root();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->pid, 2);
  EXPECT_FALSE(h->cluster_wide);

  x.slots = {{"standby", 500}};
  db.ApplySnapshot(b.Build(T(10), "db", {}, x));
  h = db.horizon().Root();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind, HolderKind::kReplicationSlot);
  EXPECT_EQ(h->slot_name, "standby");
  EXPECT_TRUE(h->cluster_wide);

  x.prepared = {{"tx-42", 700}};
  db.ApplySnapshot(b.Build(T(20), "db", {}, x));
  h = db.horizon().Root();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->kind, HolderKind::kPreparedXact);
  EXPECT_EQ(h->gid, "tx-42");
}

TEST(DatabaseStateTest, ARunningVacuumIsNeverAHolder) {
  // A VACUUM's snapshot is ignored by other vacuums (PROC_IN_VACUUM): the worker with the
  // older xmin is not the root, the session is.
  SnapshotBuilder b;
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 50, .backend_type = "autovacuum worker", .xmin_age = 9000},
               HolderSpec{.pid = 60, .xmin_age = 10}};
  x.progress = {ProgressSpec{.pid = 50, .relid = 16461, .start = T(0)}};
  DatabaseState db("c1", "db");
  db.ApplySnapshot(b.Build(T(0), "db", {}, x));
  const HolderRecord* h = db.horizon().Root();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->pid, 60);
  ASSERT_NE(db.ProgressFor(16461), nullptr);
  EXPECT_EQ(db.ProgressFor(16461)->pid, 50);
  EXPECT_EQ(db.ProgressFor(1), nullptr);
}

TEST(DatabaseStateTest, TableIndexByRelidAndUniqueName) {
  DatabaseState db("c1", "db");
  const std::string a = TableKey{"c1", "db", "public", "jobs"}.Encode();
  const std::string b = TableKey{"c1", "db", "archive", "jobs"}.Encode();
  const std::string c = TableKey{"c1", "db", "public", "other"}.Encode();
  db.NoteTable(a, "jobs", 1, 0);
  db.NoteTable(c, "other", 3, 0);
  int matches = 0;
  ASSERT_NE(db.KeyOfRelname("jobs", &matches), nullptr);
  EXPECT_EQ(*db.KeyOfRelname("jobs", &matches), a);
  db.NoteTable(b, "jobs", 2, 0);
  EXPECT_EQ(db.KeyOfRelname("jobs", &matches), nullptr);  // two schemas: ambiguous
  EXPECT_EQ(matches, 2);
  EXPECT_EQ(db.KeyOfRelname("nope", &matches), nullptr);
  EXPECT_EQ(matches, 0);
  ASSERT_NE(db.KeyOfRelid(2), nullptr);
  EXPECT_EQ(*db.KeyOfRelid(2), b);
  db.ForgetTable(b);
  EXPECT_EQ(db.KeyOfRelid(2), nullptr);
  ASSERT_NE(db.KeyOfRelname("jobs", &matches), nullptr);
  EXPECT_EQ(*db.KeyOfRelname("jobs", &matches), a);
  db.ForgetTable(a);
  EXPECT_EQ(db.KeyOfRelname("jobs", &matches), nullptr);
  EXPECT_EQ(db.table_count(), 1u);
}

TEST(DatabaseStateTest, NameIndexSurvivesTheFirstTableOfANameLeaving) {
  DatabaseState db("c1", "db");
  const std::string a = TableKey{"c1", "db", "public", "a_rather_long_table_name"}.Encode();
  const std::string b = TableKey{"c1", "db", "archive", "a_rather_long_table_name"}.Encode();
  db.NoteTable(a, "a_rather_long_table_name", 1, 0);
  db.NoteTable(b, "a_rather_long_table_name", 2, 0);
  db.ForgetTable(a);  // the name's index entry pointed at (and viewed) a
  int matches = 0;
  const std::string* key = db.KeyOfRelname("a_rather_long_table_name", &matches);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(*key, b);
  EXPECT_EQ(matches, 1);
  for (int i = 0; i < 1000; ++i) {  // rehash the maps: views must stay valid
    db.NoteTable(TableKey{"c1", "db", "public", std::to_string(i)}.Encode(), std::to_string(i),
                 100 + i, 0);
  }
  key = db.KeyOfRelname("a_rather_long_table_name", &matches);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(*key, b);
}

// The index keeps its bytes in one arena that is compacted when half of it is garbage:
// lookups by key, relid and name stay right through forgets, renames and relid changes.
TEST(DatabaseStateTest, IndexSurvivesChurnAndCompaction) {
  DatabaseState db("c1", "db");
  auto key = [](int i) { return TableKey{"c1", "db", "public", absl::StrCat("t", i)}.Encode(); };
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 2000; ++i) db.NoteTable(key(i), absl::StrCat("t", i), 1000 + i, round);
    for (int i = 0; i < 2000; i += 2) db.ForgetTable(key(i));
  }
  // A new name under the same key, and a new relid.
  db.NoteTable(key(1), "renamed", 1001, 9);
  db.NoteTable(key(3), "t3", 5003, 9);
  EXPECT_EQ(db.table_count(), 1000u);
  int matches = 0;
  EXPECT_EQ(db.KeyOfRelname("t1", &matches), nullptr);
  ASSERT_NE(db.KeyOfRelname("renamed", &matches), nullptr);
  EXPECT_EQ(*db.KeyOfRelname("renamed", &matches), key(1));
  ASSERT_NE(db.KeyOfRelid(5003), nullptr);
  EXPECT_EQ(*db.KeyOfRelid(5003), key(3));
  EXPECT_EQ(db.KeyOfRelid(1003), nullptr);
  EXPECT_EQ(db.KeyOfRelid(1002), nullptr);  // forgotten
  for (int i = 5; i < 2000; i += 2) {
    ASSERT_NE(db.KeyOfRelid(1000 + i), nullptr) << i;
    EXPECT_EQ(*db.KeyOfRelid(1000 + i), key(i));
    ASSERT_NE(db.KeyOfRelname(absl::StrCat("t", i), &matches), nullptr) << i;
    EXPECT_TRUE(db.HasTable(key(i)));
    EXPECT_FALSE(db.HasTable(key(i - 1)));
  }
  int64_t newest = 0;
  size_t visited = 0;
  db.ForEachTable([&](absl::string_view, int64_t, int64_t last_seen_us) {
    ++visited;
    newest = std::max(newest, last_seen_us);
  });
  EXPECT_EQ(visited, 1000u);
  EXPECT_EQ(newest, 9);
}

TEST(DatabaseStateTest, ClusterLearnsWorkerDatabasesAndCountsBusyWorkers) {
  SnapshotBuilder b;
  SnapshotExtras x;
  x.holders = {
      HolderSpec{.pid = 70, .database = "jobs", .backend_type = "autovacuum worker", .xmin_age = 5},
      HolderSpec{.pid = 71, .xmin_age = 5}};
  x.progress = {ProgressSpec{.pid = 70, .relid = 9, .database = "jobs", .start = T(0)},
                ProgressSpec{.pid = 72, .relid = 8, .database = "shop", .start = T(0)}};
  x.max_workers = 5;
  ClusterState cluster("c1");
  cluster.NoteWorkers(b.Build(T(0), "db", {}, x));
  EXPECT_EQ(cluster.workers_busy(), 2);
  EXPECT_EQ(cluster.max_workers(), 5);
  ASSERT_NE(cluster.DatabaseOfPid(70, T(1)), nullptr);
  EXPECT_EQ(*cluster.DatabaseOfPid(70, T(1)), "jobs");
  EXPECT_EQ(*cluster.DatabaseOfPid(72, T(1)), "shop");
  EXPECT_EQ(cluster.DatabaseOfPid(71, T(1)), nullptr);     // a client session: not learned
  EXPECT_EQ(cluster.DatabaseOfPid(70, T(7200)), nullptr);  // an hour later the pid is stale
  cluster.LearnPid(70, "events", T(100));
  EXPECT_EQ(*cluster.DatabaseOfPid(70, T(101)), "events");
}

TEST(DatabaseStateTest, ClusterClockNeverGoesBackwards) {
  ClusterState cluster("c1");
  cluster.Advance(T(10));
  cluster.Advance(T(5));
  EXPECT_EQ(cluster.now(), T(10));
}

TEST(DatabaseStateTest, ContextRoundTripsAndTheIndexStaysOut) {
  SnapshotBuilder b;
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 2, .database = "db", .xmin_age = 100}};
  x.slots = {{"standby", 500}};
  x.prepared = {{"tx-42", 700}};
  x.progress = {ProgressSpec{.pid = 50, .relid = 16461, .start = T(0)}};
  x.max_workers = 6;
  DatabaseState db("c1", "db");
  db.ApplySnapshot(b.Build(T(30), "db", {}, x));
  db.NoteTable("key", "orders", 16461, 1);
  db.tables_over_trigger = 4;
  std::string bytes;
  db.EncodeContext(&bytes);

  DatabaseState restored("c1", "db");
  ASSERT_TRUE(restored.DecodeContext(bytes).ok());
  EXPECT_EQ(restored.last_snapshot(), T(30));
  EXPECT_EQ(restored.autovacuum_max_workers(), 6);
  EXPECT_EQ(restored.tables_over_trigger, 4);
  EXPECT_EQ(restored.horizon().candidates, db.horizon().candidates);
  EXPECT_EQ(restored.horizon().horizon_key(), db.horizon().horizon_key());
  ASSERT_NE(restored.ProgressFor(16461), nullptr);
  EXPECT_EQ(restored.ProgressFor(16461)->pid, 50);
  EXPECT_EQ(restored.table_count(), 0u);  // the index is rebuilt from the table states
  std::string again;
  restored.EncodeContext(&again);
  EXPECT_EQ(again, bytes);

  // Every truncation is DataLoss, and so is a version this build does not know.
  for (size_t n = 0; n < bytes.size(); ++n) {
    DatabaseState cut("c1", "db");
    EXPECT_EQ(cut.DecodeContext(std::string_view(bytes).substr(0, n)).code(),
              absl::StatusCode::kDataLoss)
        << n;
  }
  std::string future = bytes;
  future[0] = 2;
  EXPECT_EQ(restored.DecodeContext(future).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(restored.DecodeContext(bytes + "x").code(), absl::StatusCode::kDataLoss);
}

TEST(DatabaseStateTest, ClusterRoundTripsItsClockWorkersPidsAndSweep) {
  SnapshotBuilder b;
  SnapshotExtras x;
  x.progress = {ProgressSpec{.pid = 70, .relid = 9, .database = "jobs", .start = T(0)}};
  x.max_workers = 5;
  ClusterState cluster("c1");
  cluster.NoteWorkers(b.Build(T(0), "db", {}, x));
  cluster.LearnPid(80, "shop", T(5));
  cluster.Advance(T(9));
  cluster.last_ttl_sweep_us = 1234;
  std::string bytes;
  cluster.Encode(&bytes);

  ClusterState restored("c1");
  ASSERT_TRUE(restored.Decode(bytes).ok());
  EXPECT_EQ(restored.now(), T(9));
  EXPECT_EQ(restored.workers_busy(), 1);
  EXPECT_EQ(restored.max_workers(), 5);
  EXPECT_EQ(restored.last_ttl_sweep_us, 1234);
  ASSERT_NE(restored.DatabaseOfPid(80, T(10)), nullptr);
  EXPECT_EQ(*restored.DatabaseOfPid(80, T(10)), "shop");
  EXPECT_EQ(*restored.DatabaseOfPid(70, T(10)), "jobs");
  std::string again;
  restored.Encode(&again);
  EXPECT_EQ(again, bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    ClusterState cut("c1");
    EXPECT_EQ(cut.Decode(std::string_view(bytes).substr(0, n)).code(), absl::StatusCode::kDataLoss)
        << n;
  }
}

}  // namespace
}  // namespace vacwatch::pipeline
