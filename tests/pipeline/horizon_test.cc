#include "pipeline/horizon.h"

#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

using testing::HolderSpec;
using testing::PreparedSpec;
using testing::ProgressSpec;
using testing::SlotSpec;
using testing::SnapshotBuilder;
using testing::SnapshotExtras;
using testing::T;
using testing::WalsenderSpec;

Horizon Find(const SnapshotExtras& x, const std::string& database = "db") {
  SnapshotBuilder b;
  Horizon h;
  FindHorizon(b.Build(T(0), database, {}, x), database, &h);
  return h;
}

// domain.md: a session that wrote in another database holds xid 1000; this database's workload
// takes snapshots while it runs, so their backend_xmin is 1000 too. They are carriers.
TEST(HorizonTest, CarriersNeverBeatTheXidTheyCarry) {
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 10,
                          .database = "db",
                          .application_name = "psql",
                          .state = "active",
                          .xmin_age = 500,
                          .backend_xmin = 1000},
               HolderSpec{.pid = 20,
                          .database = "app",
                          .application_name = "billing",
                          .xid_age = 500,
                          .backend_xid = 1000},
               HolderSpec{.pid = 30,
                          .database = "db",
                          .xmin_age = 500,
                          .xid_age = 3,
                          .backend_xid = 1497,
                          .backend_xmin = 1000}};
  x.oldest_running_xid = 1000;
  x.next_xid = 1500;
  const Horizon h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->pid, 20);
  EXPECT_EQ(h.Root()->kind, HolderKind::kSession);
  EXPECT_TRUE(h.Root()->cluster_wide);  // an xid pins every database
  EXPECT_EQ(h.Root()->horizon_xid, 1000);
  EXPECT_EQ(h.Root()->age_xids, 500);
  EXPECT_EQ(h.horizon_xid(), 1000);
  EXPECT_EQ(h.WithXid(1000), h.Root());
  EXPECT_EQ(h.ClusterRoot(), h.Root());
}

TEST(HorizonTest, ACarrierOnTopMeansTheRootIsNotInTheSnapshot) {
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 10, .database = "db", .xmin_age = 500, .backend_xmin = 1000}};
  x.oldest_running_xid = 1000;
  x.next_xid = 1500;
  const Horizon h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->kind, HolderKind::kUnknown);
  EXPECT_EQ(h.Root()->horizon_xid, 1000);
  EXPECT_TRUE(h.Root()->cluster_wide);
}

TEST(HorizonTest, ASnapshotOlderThanEveryRunningXidIsTheRootOfItsDatabaseOnly) {
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 10,
                          .database = "db",
                          .application_name = "nightly_report",
                          .xmin_age = 600,
                          .backend_xmin = 900},
               HolderSpec{.pid = 11, .database = "db", .xmin_age = 500, .backend_xmin = 1000},
               HolderSpec{.pid = 20, .database = "app", .xid_age = 500, .backend_xid = 1000}};
  x.oldest_running_xid = 1000;
  x.next_xid = 1500;
  const Horizon h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->pid, 10);
  EXPECT_FALSE(h.Root()->cluster_wide);
  ASSERT_NE(h.ClusterRoot(), nullptr);
  EXPECT_EQ(h.ClusterRoot()->pid, 20);
  // Seen from another database, that report pins nothing: the xid is the root there.
  const Horizon other = Find(x, "app");
  ASSERT_NE(other.Root(), nullptr);
  EXPECT_EQ(other.Root()->pid, 20);
}

TEST(HorizonTest, PreparedTransactionsSlotsAndWalsendersPinEveryDatabase) {
  SnapshotExtras x;
  x.holders = {HolderSpec{.pid = 10, .database = "db", .xmin_age = 700, .backend_xmin = 800}};
  x.prepared = {PreparedSpec{.gid = "billing-1", .xid_age = 700, .transaction = 800}};
  x.oldest_running_xid = 800;
  x.next_xid = 1500;
  Horizon h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->kind, HolderKind::kPreparedXact);  // a tie with its carrier
  EXPECT_EQ(h.Root()->gid, "billing-1");

  x.prepared.clear();
  x.oldest_running_xid = 1400;
  x.slots = {SlotSpec{.name = "standby1", .xmin_age = 700, .xmin = 800, .active = true}};
  h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->kind, HolderKind::kReplicationSlot);
  EXPECT_EQ(h.Root()->state, "active");
  EXPECT_TRUE(h.Root()->cluster_wide);

  x.slots.clear();
  x.walsenders = {WalsenderSpec{
      .pid = 77, .application_name = "standby2", .xmin_age = 900, .backend_xmin = 600}};
  h = Find(x);
  ASSERT_NE(h.Root(), nullptr);
  EXPECT_EQ(h.Root()->kind, HolderKind::kWalsender);
  EXPECT_EQ(h.Root()->application_name, "standby2");
  EXPECT_EQ(h.Root()->horizon_xid, 600);
}

TEST(HorizonTest, RunningVacuumsAndOtherDatabasesSnapshotsAreNoCandidates) {
  SnapshotExtras x;
  x.holders = {
      HolderSpec{
          .pid = 50, .database = "db", .backend_type = "autovacuum worker", .xmin_age = 9000},
      HolderSpec{.pid = 60, .database = "other", .xmin_age = 8000},
      HolderSpec{.pid = 70, .database = "db", .xmin_age = 10}};
  x.progress = {ProgressSpec{.pid = 50, .relid = 1, .start = T(0)}};
  const Horizon h = Find(x);
  ASSERT_EQ(h.candidates.size(), 1u);
  EXPECT_EQ(h.Root()->pid, 70);
  EXPECT_EQ(h.horizon_xid(), -1);  // an older snapshot: no raw values
}

TEST(HorizonTest, NothingHeldIsNoRoot) {
  const Horizon h = Find(SnapshotExtras{});
  EXPECT_EQ(h.Root(), nullptr);
  EXPECT_EQ(h.ClusterRoot(), nullptr);
  EXPECT_EQ(h.horizon_xid(), -1);
}

TEST(HorizonTest, SameRootComparesIdentityAndValue) {
  HolderRecord a;
  a.kind = HolderKind::kReplicationSlot;
  a.slot_name = "standby1";
  a.cluster_wide = true;
  a.horizon_xid = 800;
  HolderRecord b = a;
  b.age_xids = 12345;  // ages grow; the root is the same
  EXPECT_TRUE(SameRoot(a, b));
  b.horizon_xid = 900;  // the standby's queries moved on: a new episode
  EXPECT_FALSE(SameRoot(a, b));
  b.horizon_xid = -1;  // an older snapshot without raw values
  EXPECT_TRUE(SameRoot(a, b));
}

}  // namespace
}  // namespace vacwatch::pipeline
