#include "pipeline/table_state.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::pipeline {
namespace {

using testing::EventBuilder;
using testing::RunSpec;
using testing::SnapshotBuilder;
using testing::T;
using testing::TableSpec;

// Applies one snapshot row built from `spec` at `t`.
ApplyResult Apply(TableState* s, SnapshotBuilder* b, absl::Time t, const TableSpec& spec,
                  bool* reset = nullptr, int64_t horizon_xid = -1) {
  ingest::Snapshot snap = b->Build(t, "db", {spec});
  Thresholds th = ComputeThresholds(snap.settings, snap.server_version_num, snap.tables[0]);
  bool ignored = false;
  return s->ApplySnapshotRow(t, snap.tables[0], th, nullptr, absl::Minutes(5), horizon_xid,
                             reset != nullptr ? reset : &ignored);
}

TEST(TableStateTest, SizeIsBoundedPerTable) {
  // The per-table budget: well under 1 KiB in memory (no heap unless an alert names a holder).
  EXPECT_LE(sizeof(TableState), 1024u) << sizeof(TableState);
  std::printf("sizeof(TableState) = %zu\n", sizeof(TableState));
}

TEST(TableStateTest, NeverVacuumedStaysNever) {
  SnapshotBuilder b;
  TableState s;
  TableSpec t;
  ASSERT_EQ(Apply(&s, &b, T(0), t), ApplyResult::kApplied);
  EXPECT_EQ(s.last_autovacuum_us, kNever);
  EXPECT_EQ(s.last_vacuum_us, kNever);
  t.last_autovacuum = T(-3600);
  ASSERT_EQ(Apply(&s, &b, T(10), t), ApplyResult::kApplied);
  EXPECT_EQ(s.last_autovacuum_us, absl::ToUnixMicros(T(-3600)));
}

TEST(TableStateTest, DuplicateAndOlderSnapshotRowsChangeNothing) {
  SnapshotBuilder b;
  TableState s;
  TableSpec t;
  t.dead = 100;
  ASSERT_EQ(Apply(&s, &b, T(0), t), ApplyResult::kApplied);
  t.dead = 200;
  ASSERT_EQ(Apply(&s, &b, T(10), t), ApplyResult::kApplied);
  const TableState before = s;
  t.dead = 999;
  EXPECT_EQ(Apply(&s, &b, T(10), t), ApplyResult::kDuplicate);
  EXPECT_EQ(Apply(&s, &b, T(5), t), ApplyResult::kOutOfOrder);
  EXPECT_TRUE(s == before);
  EXPECT_EQ(s.n_dead, 200);
}

TEST(TableStateTest, CountersGoingBackwardsStartANewBaseline) {
  SnapshotBuilder b;
  TableState s;
  TableSpec t;
  for (int i = 0; i <= 20; ++i) {
    t.writes = 1'000'000 + 100 * i * 60;
    t.autovacuum_count = 50;
    bool reset = true;
    ASSERT_EQ(Apply(&s, &b, T(60 * i), t, &reset), ApplyResult::kApplied);
    EXPECT_FALSE(reset);
  }
  TableRates r = s.Rates(T(1200));
  ASSERT_TRUE(r.writes_per_s.has_value());
  EXPECT_NEAR(*r.writes_per_s, 100, 1);
  // pg_stat_reset(): every counter restarts at 0.
  t.writes = 0;
  t.autovacuum_count = 0;
  bool reset = false;
  ASSERT_EQ(Apply(&s, &b, T(1260), t, &reset), ApplyResult::kApplied);
  EXPECT_TRUE(reset);
  r = s.Rates(T(1260));
  EXPECT_FALSE(r.writes_per_s.has_value());  // one sample since the reset: no rate yet
  for (int i = 1; i <= 5; ++i) {
    t.writes = int64_t{50} * i * 60;
    ASSERT_EQ(Apply(&s, &b, T(1260 + 60 * i), t, &reset), ApplyResult::kApplied);
    EXPECT_FALSE(reset);
  }
  r = s.Rates(T(1560));
  ASSERT_TRUE(r.writes_per_s.has_value());
  EXPECT_NEAR(*r.writes_per_s, 50, 1);  // never negative, never mixed with the old baseline
}

TEST(TableStateTest, DuplicatedLogEventsChangeNothing) {
  EventBuilder e;
  TableState s;
  RunSpec run;
  run.removed = 10;
  run.not_yet_removable = 5;
  ingest::LogEvent v = e.Vacuum(T(100), "db", "t", run);
  ASSERT_EQ(s.ApplyVacuum(v), ApplyResult::kApplied);
  const TableState before = s;
  EXPECT_EQ(s.ApplyVacuum(v), ApplyResult::kDuplicate);
  EXPECT_TRUE(s == before);
  EXPECT_EQ(s.run_count(), 1);
  ingest::LogEvent skip = e.Skip(T(101), "t", 7);
  ASSERT_EQ(s.ApplyConflict(skip, ConflictKind::kVacuumSkipped), ApplyResult::kApplied);
  EXPECT_EQ(s.ApplyConflict(skip, ConflictKind::kVacuumSkipped), ApplyResult::kDuplicate);
  EXPECT_EQ(s.conflict_count(), 1);
  // An entry from long before the latest applied one is out of order.
  EXPECT_EQ(s.ApplyVacuum(e.Vacuum(T(-1000), "db", "t", run)), ApplyResult::kOutOfOrder);
}

TEST(TableStateTest, RingsKeepTheMostRecent) {
  EventBuilder e;
  TableState s;
  for (int i = 0; i < 20; ++i) {
    RunSpec run;
    run.removed = i;
    ASSERT_EQ(s.ApplyVacuum(e.Vacuum(T(i), "db", "t", run)), ApplyResult::kApplied);
  }
  ASSERT_EQ(s.run_count(), kRunRing);
  EXPECT_EQ(s.run(0).removed(), 19);
  EXPECT_EQ(s.run(kRunRing - 1).removed(), 20 - kRunRing);
  EXPECT_EQ(s.removed_total, 190);
}

// A state exercising every part of the encoding.
TableState Rich() {
  SnapshotBuilder b;
  EventBuilder e;
  TableState s;
  TableSpec t;
  t.relid = 16435;
  t.dead = 30000;
  t.writes = 5000;
  t.reloptions = {"autovacuum_vacuum_scale_factor=0.01", "autovacuum_freeze_max_age=100000"};
  t.last_autovacuum = T(-60);
  Apply(&s, &b, T(0), t);
  t.dead = 31000;
  t.writes = 9000;
  t.frozenxid_age = 5000;
  Apply(&s, &b, T(60), t);
  RunSpec run;
  run.removed = 0;
  run.not_yet_removable = 31000;
  run.cutoff_age = 123456;
  run.mode = ingest::VacuumMode::kAggressive;
  s.ApplyVacuum(e.Vacuum(T(61), "db", "t", run));
  s.ApplyConflict(e.Skip(T(62), "t", 77), ConflictKind::kVacuumSkipped);
  s.ApplyConflict(e.Cancel(T(63), "db", "t", 78), ConflictKind::kVacuumCancelled);
  s.ApplyWraparoundWarning(e.Warning(T(64), "db", ingest::WraparoundWarningKind::kFailsafe));
  s.relid = 16435;
  AlertState& a = s.mutable_alert(AlertKind::kAutovacuumNotKeepingUp);
  EXPECT_TRUE(a.Step(T(65), true, AlertWindow{absl::ZeroDuration(), absl::Minutes(1), true}).ok());
  a.cause = 1;
  a.severity = 1;
  HolderRecord h;
  h.kind = HolderKind::kSession;
  h.pid = 13956;
  h.database = "reporting";
  h.application_name = "nightly_report";
  h.state = "active";
  h.backend_type = "client backend";
  h.age_xids = 125995;
  h.since_us = absl::ToUnixMicros(T(-50));
  s.set_holder(AlertKind::kAutovacuumNotKeepingUp, h);
  return s;
}

// Rich() plus what version 3 added: the horizon its runs met, an XminHorizonHeld alert, and a
// holder's raw value and paying tables.
TableState RichV3() {
  TableState s = Rich();
  s.cutoff_xid = 4294967000;
  s.cutoff_runs = 3;
  s.cutoff_since_us = absl::ToUnixMicros(T(50));
  s.snapshot_horizon = 4294967000;
  s.autovacuum_interval_s = 120;
  AlertState& a = s.mutable_alert(AlertKind::kXminHorizonHeld);
  EXPECT_TRUE(a.Step(T(66), true, AlertWindow{absl::Minutes(10), absl::ZeroDuration(), true}).ok());
  a.cause = 1;
  a.severity = 1;
  HolderRecord h;
  h.kind = HolderKind::kPreparedXact;
  h.gid = "billing-1";
  h.database = "app";
  h.age_xids = 4000;
  h.horizon_xid = 4294967000;
  h.cluster_wide = true;
  h.paying_tables = "app.public.counters\nother.public.events";
  s.set_holder(AlertKind::kXminHorizonHeld, h);
  HolderRecord w;
  w.kind = HolderKind::kWalsender;
  w.pid = 4250;
  w.horizon_xid = 7311;
  s.set_holder(AlertKind::kFreezingNotKeepingUp, w);
  s.mutable_alert(AlertKind::kFreezingNotKeepingUp).cause = 1;
  return s;
}

TEST(TableStateTest, EncodeDecodeRoundTrip) {
  const TableState s = Rich();
  std::string bytes;
  s.Encode(&bytes);
  TableState back;
  ASSERT_OK(TableState::Decode(bytes, &back));
  EXPECT_TRUE(back == s);
  std::string again;
  back.Encode(&again);
  EXPECT_EQ(again, bytes);
  int64_t relid = 0, last_seen = 0;
  ASSERT_OK(TableState::DecodeHeader(bytes, &relid, &last_seen));
  EXPECT_EQ(relid, 16435);
  EXPECT_EQ(last_seen, s.last_seen_us);
  // The empty state too.
  TableState empty, empty_back;
  bytes.clear();
  empty.Encode(&bytes);
  ASSERT_OK(TableState::Decode(bytes, &empty_back));
  EXPECT_TRUE(empty_back == empty);
}

// Version 1 as it shipped: no longer written, still read. These bytes never change.
TEST(TableStateTest, GoldenBytesVersion1) {
  const std::string golden_hex =
#include "tests/pipeline/table_state_golden_v1.inc"
      ;
  TableState decoded;
  ASSERT_OK(TableState::Decode(absl::HexStringToBytes(golden_hex), &decoded));
  EXPECT_TRUE(decoded == Rich());
  int64_t relid = 0, last_seen = 0;
  ASSERT_OK(TableState::DecodeHeader(absl::HexStringToBytes(golden_hex), &relid, &last_seen));
  EXPECT_EQ(relid, 16435);
  EXPECT_EQ(last_seen, Rich().last_seen_us);
}

// Version 2 as it shipped: no longer written, still read. These bytes never change.
TEST(TableStateTest, GoldenBytesVersion2) {
  const std::string golden_hex =
#include "tests/pipeline/table_state_golden_v2.inc"
      ;
  TableState decoded;
  ASSERT_OK(TableState::Decode(absl::HexStringToBytes(golden_hex), &decoded));
  EXPECT_TRUE(decoded == Rich());
}

// Version 3 as it shipped: no longer written, still read. These bytes never change.
TEST(TableStateTest, GoldenBytesVersion3) {
  const std::string golden_hex =
#include "tests/pipeline/table_state_golden_v3.inc"
      ;
  TableState decoded;
  ASSERT_OK(TableState::Decode(absl::HexStringToBytes(golden_hex), &decoded));
  EXPECT_TRUE(decoded == RichV3());
}

// Version 3's state and a bloat measurement (pgstattuple_approx).
TableState RichV4() {
  TableState s = RichV3();
  MeasuredBloatState* m = s.mutable_measured_bloat();
  m->at_us = absl::ToUnixMicros(T(70));
  m->table_bytes = 81920000;
  m->dead_bytes = 40960000;
  m->free_bytes = 1234567;
  m->dead_tuples = 400000;
  return s;
}

// Version 4 as it shipped. If this fails, the encoding changed: that needs version 5 (and
// this test stays, decoding the version-4 bytes), never an edit of these bytes.
TEST(TableStateTest, GoldenBytesVersion4) {
  std::string bytes;
  RichV4().Encode(&bytes);
  const std::string golden_hex =
#include "tests/pipeline/table_state_golden_v4.inc"
      ;
  EXPECT_EQ(absl::BytesToHexString(bytes), golden_hex);
  TableState decoded;
  ASSERT_OK(TableState::Decode(absl::HexStringToBytes(golden_hex), &decoded));
  EXPECT_TRUE(decoded == RichV4());
}

// A measurement is kept when it is newer than the one the state has; without its own time it
// counts as of the snapshot that carried it.
TEST(TableStateTest, KeepsTheNewestBloatMeasurement) {
  TableState s;
  ingest::MeasuredBloat m;
  m.relid = 1;
  m.measured_at = T(100);
  m.dead_tuple_len = 500;
  EXPECT_EQ(s.measured_bloat(), nullptr);
  s.ApplyMeasuredBloat(m, T(101));
  ASSERT_NE(s.measured_bloat(), nullptr);
  EXPECT_EQ(s.measured_bloat()->dead_bytes, 500);
  EXPECT_EQ(s.measured_bloat()->table_bytes, -1);
  m.measured_at = T(90);
  m.dead_tuple_len = 900;
  s.ApplyMeasuredBloat(m, T(102));
  EXPECT_EQ(s.measured_bloat()->dead_bytes, 500);  // older: ignored
  m.measured_at.reset();
  m.dead_tuple_len = 700;
  s.ApplyMeasuredBloat(m, T(110));
  EXPECT_EQ(s.measured_bloat()->dead_bytes, 700);
  EXPECT_EQ(s.measured_bloat()->at_us, absl::ToUnixMicros(T(110)));
}

// Version 2 writes times relative to last_seen: every 64-bit value comes back, the ones far
// from it too (escaped), and kNever stays kNever.
TEST(TableStateTest, ExtremeTimesRoundTrip) {
  for (int64_t seen : {kNever, int64_t{0}, int64_t{1795475880} * 1000000, INT64_MAX}) {
    for (int64_t t : {kNever, kNever + 1, kNever + 2, int64_t{-1}, int64_t{0}, INT64_MAX,
                      INT64_MAX - 1, seen, seen == kNever ? 0 : seen - 1}) {
      TableState s;
      s.last_seen_us = seen;
      s.first_seen_us = t;
      s.last_log_us = t;
      s.over_since_us = t;
      std::string bytes;
      s.Encode(&bytes);
      TableState back;
      ASSERT_TRUE(TableState::Decode(bytes, &back).ok()) << seen << " " << t;
      EXPECT_TRUE(back == s) << seen << " " << t;
    }
  }
}

TEST(TableStateTest, UnknownVersionAndDamageAreDataLoss) {
  std::string bytes;
  Rich().Encode(&bytes);
  TableState out;
  std::string v5 = bytes;
  v5[0] = 5;
  EXPECT_EQ(TableState::Decode(v5, &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(TableState::Decode("", &out).code(), absl::StatusCode::kDataLoss);
  for (size_t cut : {size_t{1}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_EQ(TableState::Decode(bytes.substr(0, cut), &out).code(), absl::StatusCode::kDataLoss)
        << cut;
  }
  EXPECT_EQ(TableState::Decode(bytes + "x", &out).code(), absl::StatusCode::kDataLoss);
  int64_t relid, seen;
  EXPECT_EQ(TableState::DecodeHeader(v5, &relid, &seen).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vacwatch::pipeline
