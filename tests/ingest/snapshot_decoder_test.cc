#include "ingest/snapshot_decoder.h"

#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/parse_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_json.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

// Concatenation by append: GCC 12 warns falsely (-Wrestrict) on some `"..." + std::string`.
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

absl::Time Utc(int y, int mo, int d, int h, int mi, int s, int64_t micros = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()) +
         absl::Microseconds(micros);
}

// A snapshot as snapshot.sql writes it (jsonb key order), one table with every column.
constexpr std::string_view kFull = R"json({"kind": "pg_stat_snapshot", "tables": [
  {"relid": "16389", "relname": "orders", "idx_scan": 7, "relpages": 2500, "seq_scan": 3,
   "n_tup_del": 1, "n_tup_ins": 300000, "n_tup_upd": 2, "reltuples": 300000, "n_dead_tup": 4,
   "n_live_tup": 300000, "reloptions": null, "schemaname": "public", "last_vacuum": null,
   "last_analyze": "2026-11-23T23:18:21.447925+00:00", "seq_tup_read": 5, "vacuum_count": 0,
   "analyze_count": 1, "idx_tup_fetch": 6, "n_tup_hot_upd": 8, "relminmxid_age": 9,
   "last_autovacuum": "2026-11-23T23:18:21.285994+00:00", "autovacuum_count": 1,
   "last_autoanalyze": null, "relfrozenxid_age": 625, "autoanalyze_count": 0,
   "n_ins_since_vacuum": 10, "n_mod_since_analyze": 11, "relation_size_bytes": 20496384,
   "total_relation_size_bytes": 33824768},
  {"relid": 16418, "relname": "inventory", "schemaname": "public",
   "reloptions": ["fillfactor=70", "autovacuum_vacuum_scale_factor=0.01"], "reltuples": -1}],
 "cluster": "prod-eu-1", "database": "shop",
 "settings": {"autovacuum": "on", "block_size": "8192", "track_counts": "off",
   "vacuum_cost_delay": "0", "vacuum_cost_limit": "200", "autovacuum_naptime": "2",
   "autovacuum_work_mem": "-1", "maintenance_work_mem": "65536",
   "vacuum_freeze_min_age": "50000000", "autovacuum_max_workers": "3",
   "vacuum_freeze_table_age": "150000000", "autovacuum_freeze_max_age": "200000000",
   "autovacuum_vacuum_threshold": "50", "log_autovacuum_min_duration": "0",
   "autovacuum_analyze_threshold": "50", "autovacuum_vacuum_cost_delay": "2.5",
   "autovacuum_vacuum_cost_limit": "-1", "autovacuum_vacuum_scale_factor": "0.2",
   "autovacuum_analyze_scale_factor": "0.1", "autovacuum_vacuum_insert_threshold": "1000",
   "autovacuum_multixact_freeze_max_age": "400000000",
   "autovacuum_vacuum_insert_scale_factor": "0.2"},
 "collected_at": "2026-11-23T23:18:23.945964+00:00",
 "xmin_holders": [{"pid": 13159, "state": "active", "datname": "events", "usename": null,
   "xid_age": null, "xmin_age": 429, "xact_start": "2026-11-23T23:18:23.196726+00:00",
   "backend_type": "autovacuum worker", "application_name": ""}],
 "prepared_xacts": [{"gid": "tx1", "database": "shop",
   "prepared": "2026-11-23T23:00:00+01:00", "xid_age": 12}],
 "vacuum_progress": [{"pid": 13190, "datid": "16384", "phase": "scanning heap",
   "relid": "16461", "datname": "shop", "xact_start": "2026-11-23T23:18:22.5+00:00",
   "backend_type": "autovacuum worker", "heap_blks_total": 100, "max_dead_tuples": 200,
   "num_dead_tuples": 3, "heap_blks_scanned": 40, "heap_blks_vacuumed": 0,
   "index_vacuum_count": 0}],
 "replication_slots": [{"slot_name": "standby1", "slot_type": "physical", "database": null,
   "active": false, "xmin_age": 77, "catalog_xmin_age": null}],
 "server_version_num": 150020})json";

constexpr std::string_view kMinimal =
    R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z",)"
    R"("tables":[{"relid":"1","relname":"t","schemaname":"s"}]})";

TEST(SnapshotDecoderTest, DecodesFullDocument) {
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(kFull, &s));
  EXPECT_EQ(s.cluster, "prod-eu-1");
  EXPECT_EQ(s.database, "shop");
  EXPECT_EQ(s.collected_at, Utc(2026, 11, 23, 23, 18, 23, 945964));
  EXPECT_EQ(s.server_version_num, 150020);

  ASSERT_EQ(s.tables.size(), 2u);
  const TableStats& t = s.tables[0];
  EXPECT_EQ(t.relid, 16389);
  EXPECT_EQ(t.schemaname, "public");
  EXPECT_EQ(t.relname, "orders");
  EXPECT_EQ(t.seq_scan, 3);
  EXPECT_EQ(t.seq_tup_read, 5);
  EXPECT_EQ(t.idx_scan, 7);
  EXPECT_EQ(t.idx_tup_fetch, 6);
  EXPECT_EQ(t.n_tup_ins, 300000);
  EXPECT_EQ(t.n_tup_upd, 2);
  EXPECT_EQ(t.n_tup_del, 1);
  EXPECT_EQ(t.n_tup_hot_upd, 8);
  EXPECT_EQ(t.n_live_tup, 300000);
  EXPECT_EQ(t.n_dead_tup, 4);
  EXPECT_EQ(t.n_mod_since_analyze, 11);
  EXPECT_EQ(t.n_ins_since_vacuum, 10);
  EXPECT_EQ(t.last_vacuum, std::nullopt);
  EXPECT_EQ(t.last_autovacuum, Utc(2026, 11, 23, 23, 18, 21, 285994));
  EXPECT_EQ(t.last_analyze, Utc(2026, 11, 23, 23, 18, 21, 447925));
  EXPECT_EQ(t.last_autoanalyze, std::nullopt);
  EXPECT_EQ(t.vacuum_count, 0);
  EXPECT_EQ(t.autovacuum_count, 1);
  EXPECT_EQ(t.analyze_count, 1);
  EXPECT_EQ(t.autoanalyze_count, 0);
  EXPECT_EQ(t.reltuples, 300000.0);
  EXPECT_EQ(t.relpages, 2500);
  EXPECT_EQ(t.relation_size_bytes, 20496384);
  EXPECT_EQ(t.total_relation_size_bytes, 33824768);
  EXPECT_EQ(t.relfrozenxid_age, 625);
  EXPECT_EQ(t.relminmxid_age, 9);
  EXPECT_TRUE(t.reloptions.empty());
  EXPECT_EQ(t.last_seq_scan, std::nullopt);  // PG16 column, not in a PG15 snapshot

  const TableStats& inv = s.tables[1];
  EXPECT_EQ(inv.relid, 16418);
  EXPECT_EQ(inv.relname, "inventory");
  EXPECT_EQ(inv.reltuples, -1.0);
  EXPECT_EQ(inv.n_live_tup, std::nullopt);
  ASSERT_EQ(inv.reloptions.size(), 2u);
  EXPECT_EQ(inv.reloptions[0], "fillfactor=70");
  EXPECT_EQ(inv.reloptions[1], "autovacuum_vacuum_scale_factor=0.01");

  const AutovacuumSettings& st = s.settings;
  EXPECT_EQ(st.autovacuum, true);
  EXPECT_EQ(st.track_counts, false);
  EXPECT_EQ(st.block_size, 8192);
  EXPECT_EQ(st.vacuum_cost_delay, 0.0);
  EXPECT_EQ(st.vacuum_cost_limit, 200);
  EXPECT_EQ(st.autovacuum_naptime, 2);
  EXPECT_EQ(st.autovacuum_work_mem, -1);
  EXPECT_EQ(st.maintenance_work_mem, 65536);
  EXPECT_EQ(st.vacuum_freeze_min_age, 50000000);
  EXPECT_EQ(st.autovacuum_max_workers, 3);
  EXPECT_EQ(st.vacuum_freeze_table_age, 150000000);
  EXPECT_EQ(st.autovacuum_freeze_max_age, 200000000);
  EXPECT_EQ(st.autovacuum_vacuum_threshold, 50);
  EXPECT_EQ(st.log_autovacuum_min_duration, 0);
  EXPECT_EQ(st.autovacuum_analyze_threshold, 50);
  EXPECT_EQ(st.autovacuum_vacuum_cost_delay, 2.5);
  EXPECT_EQ(st.autovacuum_vacuum_cost_limit, -1);
  EXPECT_EQ(st.autovacuum_vacuum_scale_factor, 0.2);
  EXPECT_EQ(st.autovacuum_analyze_scale_factor, 0.1);
  EXPECT_EQ(st.autovacuum_vacuum_insert_threshold, 1000);
  EXPECT_EQ(st.autovacuum_multixact_freeze_max_age, 400000000);
  EXPECT_EQ(st.autovacuum_vacuum_insert_scale_factor, 0.2);
  EXPECT_EQ(st.autovacuum_vacuum_max_threshold, std::nullopt);  // PG18

  ASSERT_EQ(s.xmin_holders.size(), 1u);
  const XminHolder& h = s.xmin_holders[0];
  EXPECT_EQ(h.pid, 13159);
  EXPECT_EQ(h.state, "active");
  EXPECT_EQ(h.datname, "events");
  EXPECT_EQ(h.usename, "");
  EXPECT_EQ(h.application_name, "");
  EXPECT_EQ(h.backend_type, "autovacuum worker");
  EXPECT_EQ(h.xid_age, std::nullopt);
  EXPECT_EQ(h.xmin_age, 429);
  EXPECT_EQ(h.xact_start, Utc(2026, 11, 23, 23, 18, 23, 196726));

  ASSERT_EQ(s.prepared_xacts.size(), 1u);
  EXPECT_EQ(s.prepared_xacts[0].gid, "tx1");
  EXPECT_EQ(s.prepared_xacts[0].database, "shop");
  EXPECT_EQ(s.prepared_xacts[0].prepared, Utc(2026, 11, 23, 22, 0, 0));
  EXPECT_EQ(s.prepared_xacts[0].xid_age, 12);

  ASSERT_EQ(s.vacuum_progress.size(), 1u);
  const VacuumProgress& p = s.vacuum_progress[0];
  EXPECT_EQ(p.pid, 13190);
  EXPECT_EQ(p.datid, 16384);
  EXPECT_EQ(p.relid, 16461);
  EXPECT_EQ(p.phase, "scanning heap");
  EXPECT_EQ(p.datname, "shop");
  EXPECT_EQ(p.backend_type, "autovacuum worker");
  EXPECT_EQ(p.xact_start, Utc(2026, 11, 23, 23, 18, 22, 500000));
  EXPECT_EQ(p.heap_blks_total, 100);
  EXPECT_EQ(p.heap_blks_scanned, 40);
  EXPECT_EQ(p.heap_blks_vacuumed, 0);
  EXPECT_EQ(p.index_vacuum_count, 0);
  EXPECT_EQ(p.max_dead_tuples, 200);
  EXPECT_EQ(p.num_dead_tuples, 3);
  EXPECT_EQ(p.dead_tuple_bytes, std::nullopt);  // PG17 column

  ASSERT_EQ(s.replication_slots.size(), 1u);
  const ReplicationSlot& r = s.replication_slots[0];
  EXPECT_EQ(r.slot_name, "standby1");
  EXPECT_EQ(r.slot_type, "physical");
  EXPECT_EQ(r.database, "");
  EXPECT_EQ(r.active, false);
  EXPECT_EQ(r.xmin_age, 77);
  EXPECT_EQ(r.catalog_xmin_age, std::nullopt);
}

TEST(SnapshotDecoderTest, MinimalDocumentLeavesOptionalFieldsAbsent) {
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(kMinimal, &s));
  EXPECT_EQ(s.cluster, "c");
  EXPECT_EQ(s.collected_at, Utc(2026, 1, 2, 3, 4, 5));
  EXPECT_EQ(s.server_version_num, std::nullopt);
  EXPECT_EQ(s.settings.autovacuum, std::nullopt);
  EXPECT_EQ(s.settings.autovacuum_vacuum_scale_factor, std::nullopt);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].relid, 1);
  EXPECT_EQ(s.tables[0].n_dead_tup, std::nullopt);
  EXPECT_EQ(s.tables[0].reltuples, std::nullopt);
  EXPECT_EQ(s.tables[0].last_autovacuum, std::nullopt);
  EXPECT_TRUE(s.xmin_holders.empty());
  EXPECT_TRUE(s.vacuum_progress.empty());
}

TEST(SnapshotDecoderTest, TablesMayBeAbsentOrNullOrEmpty) {
  SnapshotDecoder decoder;
  Snapshot s;
  constexpr std::string_view kHead =
      R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z")";
  for (std::string_view tail : {"}", R"(,"tables":null})", R"(,"tables":[]})",
                                R"(,"xmin_holders":null,"settings":null})"}) {
    ASSERT_OK(decoder.Decode(std::string(kHead) + std::string(tail), &s));
    EXPECT_TRUE(s.tables.empty());
  }
}

TEST(SnapshotDecoderTest, IgnoresUnknownFieldsAtEveryLevel) {
  SnapshotDecoder decoder;
  Snapshot s;
  const std::string doc =
      R"({"future":{"a":[1,{"b":null}],"c":"x"},"cluster":"c","database":"d",)"
      R"("collected_at":"2026-01-02T03:04:05Z","settings":{"zero_damaged_pages":"off",)"
      R"("autovacuum":"on","autovacuum_new_knob":"7kB"},)"
      R"("tables":[{"relid":"1","relname":"t","schemaname":"s","n_dead_tup":3,)"
      R"("last_seq_scan":"2026-01-02T03:00:00Z","mystery":[[[]]],"idx_blks_hit":{"x":1}}],)"
      R"("xmin_holders":[{"pid":1,"backend_xmin":"123","wait_event":null}],"more":true})";
  ASSERT_OK(decoder.Decode(doc, &s));
  EXPECT_EQ(s.settings.autovacuum, true);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].n_dead_tup, 3);
  EXPECT_EQ(s.tables[0].last_seq_scan, Utc(2026, 1, 2, 3, 0, 0));
  ASSERT_EQ(s.xmin_holders.size(), 1u);
  EXPECT_EQ(s.xmin_holders[0].pid, 1);
}

TEST(SnapshotDecoderTest, NullsAreAbsentNotZero) {
  SnapshotDecoder decoder;
  Snapshot s;
  const std::string doc =
      R"({"kind":null,"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z",)"
      R"("server_version_num":null,"settings":{"autovacuum":null,"block_size":null},)"
      R"("tables":[{"relid":"1","relname":"t","schemaname":"s","n_dead_tup":null,)"
      R"("reltuples":null,"last_vacuum":null,"reloptions":null}]})";
  ASSERT_OK(decoder.Decode(doc, &s));
  EXPECT_EQ(s.server_version_num, std::nullopt);
  EXPECT_EQ(s.settings.autovacuum, std::nullopt);
  EXPECT_EQ(s.settings.block_size, std::nullopt);
  EXPECT_EQ(s.tables[0].n_dead_tup, std::nullopt);
  EXPECT_EQ(s.tables[0].reltuples, std::nullopt);
  EXPECT_EQ(s.tables[0].last_vacuum, std::nullopt);
}

TEST(SnapshotDecoderTest, RelidAsNumberOrString) {
  SnapshotDecoder decoder;
  Snapshot s;
  constexpr std::string_view kHead =
      R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z","tables":[)";
  ASSERT_OK(decoder.Decode(std::string(kHead) +
                               R"({"relid":16389,"relname":"a","schemaname":"s"},)"
                               R"({"relid":"4294967295","relname":"b","schemaname":"s"}]})",
                           &s));
  ASSERT_EQ(s.tables.size(), 2u);
  EXPECT_EQ(s.tables[0].relid, 16389);
  EXPECT_EQ(s.tables[1].relid, 4294967295);

  EXPECT_FALSE(
      decoder.Decode(std::string(kHead) + R"({"relid":"16x","relname":"a","schemaname":"s"}]})", &s)
          .ok());
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kBadNumber);
  EXPECT_EQ(decoder.error().field, "tables[0].relid");

  EXPECT_FALSE(
      decoder.Decode(std::string(kHead) + R"({"relid":true,"relname":"a","schemaname":"s"}]})", &s)
          .ok());
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(decoder.error().field, "tables[0].relid");
}

TEST(SnapshotDecoderTest, ReusesVectorsAcrossDecodes) {
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(kFull, &s));
  ASSERT_EQ(s.tables.size(), 2u);
  ASSERT_OK(decoder.Decode(kMinimal, &s));
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_TRUE(s.tables[0].reloptions.empty());
  EXPECT_TRUE(s.xmin_holders.empty());
  EXPECT_EQ(s.settings.block_size, std::nullopt);  // nothing carried over
  ASSERT_OK(decoder.Decode(kFull, &s));
  ASSERT_EQ(s.tables[1].reloptions.size(), 2u);
  EXPECT_EQ(s.tables[1].reloptions[0], "fillfactor=70");
}

// The error text names the path and the byte where the bad value starts.
struct WrongTypeCase {
  std::string from, to;  // replace `from` by `to` in kFull
  std::string at;        // the part of `to` where the error is reported
  std::string field;
  ParseErrorKind kind;
};

TEST(SnapshotDecoderTest, WrongTypesNameThePathAndOffset) {
  using K = ParseErrorKind;
  const WrongTypeCase cases[] = {
      {R"("n_dead_tup": 4)", R"("n_dead_tup": "4")", R"("4")", "tables[0].n_dead_tup",
       K::kWrongType},
      {R"("n_live_tup": 300000)", R"("n_live_tup": 3.5)", "3.5", "tables[0].n_live_tup",
       K::kWrongType},
      {R"("n_live_tup": 300000)", R"("n_live_tup": 99999999999999999999)", "999",
       "tables[0].n_live_tup", K::kBadNumber},
      {R"("relname": "inventory")", R"("relname": 5)", "5", "tables[1].relname", K::kWrongType},
      {R"("reltuples": -1)", R"("reltuples": "x")", R"("x")", "tables[1].reltuples", K::kWrongType},
      {R"("fillfactor=70")", "70", "70", "tables[1].reloptions[0]", K::kWrongType},
      {R"(["fillfactor=70", "autovacuum_vacuum_scale_factor=0.01"])", R"({"fillfactor":70})",
       R"({"fillfactor":70})", "tables[1].reloptions", K::kWrongType},
      {R"("cluster": "prod-eu-1")", R"("cluster": ["prod-eu-1"])", R"(["prod-eu-1"])", "cluster",
       K::kWrongType},
      {R"("autovacuum_naptime": "2")", R"("autovacuum_naptime": 2)", "2",
       "settings.autovacuum_naptime", K::kWrongType},
      {R"("autovacuum_naptime": "2")", R"("autovacuum_naptime": "2min")", R"("2min")",
       "settings.autovacuum_naptime", K::kBadNumber},
      {R"("autovacuum": "on")", R"("autovacuum": "maybe")", R"("maybe")", "settings.autovacuum",
       K::kBadStructure},
      {R"("xmin_age": 429)", R"("xmin_age": true)", "true", "xmin_holders[0].xmin_age",
       K::kWrongType},
      {R"("pid": 13159)", R"("pid": 99999999999)", "999", "xmin_holders[0].pid", K::kBadNumber},
      {R"("active": false)", R"("active": "f")", R"("f")", "replication_slots[0].active",
       K::kWrongType},
      {R"("heap_blks_total": 100)", R"("heap_blks_total": {})", "{}",
       "vacuum_progress[0].heap_blks_total", K::kWrongType},
      {R"("last_autovacuum": "2026-11-23T23:18:21.285994+00:00")",
       R"("last_autovacuum": "2026-11-23 23:18")", R"("2026)", "tables[0].last_autovacuum",
       K::kBadTimestamp},
      {R"("collected_at": "2026-11-23T23:18:23.945964+00:00")",
       R"("collected_at": "2026-02-30T23:18:23+00:00")", R"("2026)", "collected_at",
       K::kBadTimestamp},
      {R"("server_version_num": 150020)", R"("server_version_num": 99999999999999999999)", "999",
       "server_version_num", K::kBadNumber},
      {R"("tables": [)", R"("tables": {"x": [)", R"({"x")", "tables", K::kWrongType},
      {R"("settings": {)", R"("settings": ["x", {)", R"(["x")", "settings", K::kWrongType},
      {R"("kind": "pg_stat_snapshot")", R"("kind": "pg_stat_statements")", R"("pg_stat_s)", "kind",
       K::kBadStructure},
      {R"({"pid": 13159,)", R"("x", {"pid": 13159,)", R"("x")", "xmin_holders[0]", K::kWrongType},
  };
  SnapshotDecoder decoder;
  Snapshot s;
  for (const WrongTypeCase& c : cases) {
    SCOPED_TRACE(c.to);
    const std::string doc = absl::StrReplaceAll(std::string(kFull), {{c.from, c.to}});
    ASSERT_NE(doc, kFull) << "case does not apply";
    const absl::Status status = decoder.Decode(doc, &s);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(decoder.error().field, c.field);
    EXPECT_EQ(decoder.error().kind, c.kind) << ParseErrorKindName(decoder.error().kind);
    EXPECT_EQ(decoder.error().byte_offset, static_cast<int64_t>(doc.find(c.to) + c.to.find(c.at)));
    EXPECT_EQ(status.message(), c.field + ": " + std::string(decoder.error().detail));
    EXPECT_NE(status.message().find(" at byte " + std::to_string(decoder.error().byte_offset)),
              std::string::npos);
  }
}

TEST(SnapshotDecoderTest, ErrorMessageMatchesTheContractForm) {
  SnapshotDecoder decoder;
  Snapshot s;
  const std::string doc = absl::StrReplaceAll(
      std::string(kMinimal), {{R"("schemaname":"s")", R"("schemaname":"s","n_dead_tup":"many")"}});
  const absl::Status status = decoder.Decode(doc, &s);
  const size_t at = doc.find(R"("many")");
  EXPECT_EQ(status.message(), "tables[0].n_dead_tup: INCORRECT_TYPE at byte " + std::to_string(at));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoder.error().raw, doc);
}

TEST(SnapshotDecoderTest, MissingRequiredFields) {
  SnapshotDecoder decoder;
  Snapshot s;
  struct Case {
    std::string from, to, field;
  };
  const Case cases[] = {
      {R"("cluster":"c",)", "", "cluster"},
      {R"("database":"d",)", R"("database":null,)", "database"},
      {R"("collected_at":"2026-01-02T03:04:05Z",)", "", "collected_at"},
      {R"("relid":"1",)", "", "tables[0].relid"},
      {R"("relid":"1",)", R"("relid":null,)", "tables[0].relid"},
      {R"("relname":"t",)", "", "tables[0].relname"},
      {R"(,"schemaname":"s")", "", "tables[0].schemaname"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    const std::string doc = absl::StrReplaceAll(std::string(kMinimal), {{c.from, c.to}});
    ASSERT_NE(doc, kMinimal);
    EXPECT_FALSE(decoder.Decode(doc, &s).ok());
    EXPECT_EQ(decoder.error().kind, ParseErrorKind::kMissingField);
    EXPECT_EQ(decoder.error().field, c.field);
  }
  EXPECT_FALSE(decoder.Decode(R"({"kind":"pg_stat_snapshot"})", &s).ok());
  EXPECT_EQ(decoder.ErrorMessage(), "cluster: MISSING at byte 0");
  EXPECT_FALSE(
      decoder
          .Decode(
              R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z","xmin_holders":[{"datname":"x"}]})",
              &s)
          .ok());
  EXPECT_EQ(decoder.error().field, "xmin_holders[0].pid");
}

TEST(SnapshotDecoderTest, BrokenDocumentsAreErrorsNeverCrashes) {
  SnapshotDecoder decoder;
  Snapshot s;
  const std::string full(kFull);
  // Every prefix of a real document is a truncated document.
  for (size_t n = 0; n < full.size(); n += 7) {
    SCOPED_TRACE(n);
    EXPECT_FALSE(decoder.Decode(std::string_view(full).substr(0, n), &s).ok());
    EXPECT_LE(decoder.error().byte_offset, static_cast<int64_t>(n));
  }
  const std::string_view broken[] = {
      "",
      "   ",
      "null",
      "42",
      "\"pg_stat_snapshot\"",
      "[]",
      "{",
      "}",
      R"({"cluster":)",
      R"({"cluster" "c"})",
      R"({"cluster":"c",})",
      R"({"cluster":"c"}})",
      R"({"cluster":"c"} {"cluster":"d"})",
      R"({"cluster":"c","tables":[{"relid":"1"]})",
      R"({"cluster":"c","tables":[{"relid":"1"},]})",
      R"({"cluster":"c","tables":[{"relid":01}]})",
      R"({"cluster":"c","tables":[{"relid":"1","n_dead_tup":-}]})",
      R"({"cluster":"c","tables":[{"relid":"1","n_dead_tup":nul}]})",
      R"({"cluster":"c","tables":[{"relid":"1","n_dead_tup":tru}]})",
      R"({"cluster":"c","x":"\q"})",
      R"({"cluster":"c","x":"unterminated})",
      "{\"cluster\":\"c\nd\"}",
  };
  for (std::string_view doc : broken) {
    SCOPED_TRACE(doc);
    const absl::Status status = decoder.Decode(doc, &s);
    EXPECT_FALSE(status.ok());
    EXPECT_GE(decoder.error().byte_offset, 0);
    EXPECT_LE(decoder.error().byte_offset, static_cast<int64_t>(doc.size()));
  }
  EXPECT_FALSE(decoder.Decode(R"({"cluster":"c"} {"cluster":"d"})", &s).ok());
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kBadStructure);
  EXPECT_EQ(decoder.error().byte_offset, 16);
  EXPECT_FALSE(decoder.Decode("", &s).ok());
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kTruncated);
  // The decoder is still usable after all that.
  ASSERT_OK(decoder.Decode(kFull, &s));
}

TEST(SnapshotDecoderTest, NulByteIsInvalidEncoding) {
  SnapshotDecoder decoder;
  Snapshot s;
  std::string doc(kMinimal);
  const size_t at = doc.find("\"t\"") + 1;
  doc[at] = '\0';
  EXPECT_FALSE(decoder.Decode(doc, &s).ok());
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kInvalidEncoding);
  EXPECT_EQ(decoder.error().byte_offset, static_cast<int64_t>(at));
}

TEST(SnapshotDecoderTest, InvalidUtf8IsInvalidEncoding) {
  SnapshotDecoder decoder;
  Snapshot s;
  for (std::string_view bad : {"\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf"}) {
    const std::string minimal(kMinimal);
    const size_t at = minimal.find("\"t\"") + 1;
    // Spliced rather than replace()d: GCC 12 warns falsely (-Wrestrict) on the latter.
    const std::string doc = minimal.substr(0, at) + std::string(bad) + minimal.substr(at + 1);
    EXPECT_FALSE(decoder.Decode(doc, &s).ok());
    EXPECT_EQ(decoder.error().kind, ParseErrorKind::kInvalidEncoding);
    EXPECT_EQ(decoder.error().byte_offset, static_cast<int64_t>(at));
  }
  // Valid multi-byte UTF-8 and escapes are fine.
  const std::string doc =
      absl::StrReplaceAll(std::string(kMinimal), {{"\"t\"", "\"t\xc3\xa4\\u00fc\\\"\""}});
  ASSERT_OK(decoder.Decode(doc, &s));
  EXPECT_EQ(s.tables[0].relname, "t\xc3\xa4\xc3\xbc\"");
}

// On Demand skips an unknown value without recursion, so depth under an unknown key costs
// nothing; where a known field is nested too deep it is the wrong type.
TEST(SnapshotDecoderTest, DeepNestingNeverCrashes) {
  SnapshotDecoder decoder;
  Snapshot s;
  constexpr std::string_view kRequired =
      R"("cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z")";
  for (int depth : {100, 2000, 100000}) {
    SCOPED_TRACE(depth);
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    EXPECT_OK(decoder.Decode(Cat({R"({"x":)", nested, ",", kRequired, "}"}), &s));

    EXPECT_FALSE(decoder.Decode(Cat({"{", kRequired, R"(,"tables":[)", nested, "]}"}), &s).ok());
    EXPECT_EQ(decoder.error().kind, ParseErrorKind::kWrongType);
    EXPECT_EQ(decoder.error().field, "tables[0]");

    // Opened and never closed.
    EXPECT_FALSE(decoder.Decode(Cat({R"({"x":)", std::string(depth, '[')}), &s).ok());
    EXPECT_EQ(decoder.error().kind, ParseErrorKind::kTruncated);
    EXPECT_FALSE(decoder.Decode(Cat({R"({"tables":)", std::string(depth, '{')}), &s).ok());
  }
}

// The decoder guesses each key from the previous row's order; rows that differ must not care.
TEST(SnapshotDecoderTest, KeyOrderMayDifferBetweenRows) {
  SnapshotDecoder decoder;
  Snapshot s;
  const std::string doc =
      R"({"tables":[{"relid":"1","relname":"a","schemaname":"s","n_dead_tup":1,"n_live_tup":2},)"
      R"({"n_live_tup":20,"relname":"b","x":1,"n_dead_tup":10,"schemaname":"s","relid":2},)"
      R"({"schemaname":"s","relid":"3","relname":"c"},)"
      R"({"relid":"4","relname":"d","schemaname":"s","n_dead_tup":100,"n_live_tup":200}],)"
      R"("database":"d","cluster":"c","collected_at":"2026-01-02T03:04:05Z"})";
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(decoder.Decode(doc, &s));
    ASSERT_EQ(s.tables.size(), 4u);
    EXPECT_EQ(s.tables[0].n_live_tup, 2);
    EXPECT_EQ(s.tables[1].relname, "b");
    EXPECT_EQ(s.tables[1].relid, 2);
    EXPECT_EQ(s.tables[1].n_dead_tup, 10);
    EXPECT_EQ(s.tables[1].n_live_tup, 20);
    EXPECT_EQ(s.tables[2].n_dead_tup, std::nullopt);
    EXPECT_EQ(s.tables[3].n_dead_tup, 100);
    EXPECT_EQ(s.cluster, "c");
  }
  ASSERT_OK(decoder.Decode(kFull, &s));  // and a different document after it
  EXPECT_EQ(s.tables[0].n_dead_tup, 4);
}

// Random byte changes to a real document: every result is a snapshot or an error with an
// offset inside the document, never a crash (this test is most useful under ASan/UBSan).
TEST(SnapshotDecoderTest, MutatedDocumentsNeverCrash) {
  SnapshotDecoder decoder;
  Snapshot s;
  std::mt19937 rng(20261123);
  const std::string full(kFull);
  constexpr char kBytes[] = "{}[]\":,0123456789.-+eEnulltrfs \t\n\x80\xc3\xff";
  int failures = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = full;
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < changes; ++c) {
      doc[rng() % doc.size()] = kBytes[rng() % (sizeof(kBytes) - 1)];
    }
    if (!decoder.TryDecode(doc, &s)) {
      ++failures;
      EXPECT_GE(decoder.error().byte_offset, 0);
      EXPECT_LE(decoder.error().byte_offset, static_cast<int64_t>(doc.size()));
      EXPECT_FALSE(decoder.ErrorMessage().empty());
    }
  }
  EXPECT_GT(failures, 0);
  ASSERT_OK(decoder.Decode(kFull, &s));
  EXPECT_EQ(s.tables[0].n_dead_tup, 4);
}

TEST(SnapshotDecoderTest, LargeDocumentGrowsTheBuffer) {
  SnapshotDecoder decoder;
  Snapshot s;
  std::string doc =
      R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z","tables":[)";
  for (int i = 0; i < 5000; ++i) {
    if (i > 0) doc += ',';
    doc += R"({"relid":)" + std::to_string(i) + R"(,"relname":"t","schemaname":"s","n_dead_tup":)" +
           std::to_string(i) + "}";
  }
  doc += "]}";
  ASSERT_OK(decoder.Decode(doc, &s));
  ASSERT_EQ(s.tables.size(), 5000u);
  EXPECT_EQ(s.tables[4999].n_dead_tup, 4999);
  ASSERT_OK(decoder.Decode(kMinimal, &s));
  EXPECT_EQ(s.tables.size(), 1u);
}

}  // namespace
}  // namespace vacwatch::ingest

namespace vacwatch::ingest {
namespace {

TEST(SnapshotDecoderTest, OneBadRowCostsThatRowNotTheSnapshot) {
  SnapshotDecoder decoder(SnapshotDecoder::Options{.salvage = true});
  Snapshot s;
  const std::string doc =
      R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05Z","tables":[)"
      R"({"relid":"1","schemaname":"s","relname":"a","n_dead_tup":3},)"
      R"({"relid":"2","schemaname":"s","relname":"b","n_dead_tup":"lots"},)"
      R"({"relid":"3","schemaname":"s","n_dead_tup":5},)"
      R"({"relid":"4","schemaname":"s","relname":"d","n_dead_tup":7}]})";
  ASSERT_TRUE(decoder.Decode(doc, &s).ok()) << decoder.ErrorMessage();
  ASSERT_EQ(s.tables.size(), 2u);
  EXPECT_EQ(s.tables[0].relname, "a");
  EXPECT_EQ(s.tables[1].relname, "d");
  ASSERT_EQ(decoder.dropped_row_count(), 2u);
  EXPECT_EQ(decoder.dropped_row(0).kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(decoder.dropped_row(0).field, "tables[1].n_dead_tup");
  EXPECT_EQ(decoder.dropped_row(1).kind, ParseErrorKind::kMissingField);
}

// Found by fuzzing (tests/data/fuzz/snapshot_decoder/crash-d02e550...): after a dropped row,
// error().raw pointed at the decoder's padded copy, or its escaped text, not the document.
TEST(SnapshotDecoderTest, ErrorAfterADroppedRowHasTheDocumentAsRaw) {
  for (const std::string& doc : {std::string(R"({"tables":[1})"),
                                 std::string("{\"tables\":[1, {\"relname\":\"\xe9\"}, }")}) {
    SCOPED_TRACE(doc);
    SnapshotDecoder decoder(SnapshotDecoder::Options{.salvage = true});
    Snapshot s;
    ASSERT_FALSE(decoder.TryDecode(doc, &s));
    EXPECT_EQ(decoder.error().raw.data(), doc.data());
    EXPECT_EQ(decoder.error().raw.size(), doc.size());
  }
}

// Found by fuzzing (tests/data/fuzz/snapshot_decoder/crash-5f06ea9...): once bytes that are not
// UTF-8 were escaped (each one 5 bytes, \\xNN), error offsets counted in the escaped text and
// could point past the end of the line. They are the document's.
TEST(SnapshotDecoderTest, ErrorOffsetsAfterEscapedBytesAreTheDocuments) {
  SnapshotDecoder decoder(SnapshotDecoder::Options{.salvage = true});
  Snapshot s;
  const std::string bad_time =
      "{\"cluster\":\"c\",\"database\":\"caf\xe9\xe9\",\"collected_at\":12,\"tables\":[]}";
  ASSERT_FALSE(decoder.TryDecode(bad_time, &s));
  EXPECT_EQ(decoder.error().kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(decoder.error().byte_offset, static_cast<int64_t>(bad_time.find("12")));
  EXPECT_EQ(decoder.error().detail,
            "INCORRECT_TYPE at byte " + std::to_string(bad_time.find("12")));

  const std::string bad_row =
      "{\"cluster\":\"c\",\"database\":\"d\",\"collected_at\":\"2026-01-02T03:04:05Z\","
      "\"tables\":[{\"relid\":\"1\",\"schemaname\":\"s\",\"relname\":\"b\xfc\","
      "\"n_dead_tup\":\"lots\"}]}";
  ASSERT_TRUE(decoder.TryDecode(bad_row, &s)) << decoder.ErrorMessage();
  ASSERT_EQ(decoder.dropped_row_count(), 1u);
  EXPECT_EQ(decoder.dropped_row(0).byte_offset, static_cast<int64_t>(bad_row.find("\"lots")));

  const std::string unclosed = "{\"cluster\":\"\xe9";
  ASSERT_FALSE(decoder.TryDecode(unclosed, &s));
  EXPECT_LE(decoder.error().byte_offset, static_cast<int64_t>(unclosed.size()));
}

TEST(SnapshotDecoderTest, NamesThatAreNotUtf8AreKeptEscaped) {
  SnapshotDecoder decoder(SnapshotDecoder::Options{.salvage = true});
  Snapshot s;
  const std::string doc =
      "{\"cluster\":\"c\",\"database\":\"caf\xe9\",\"collected_at\":\"2026-01-02T03:04:05Z\","
      "\"tables\":[{\"relid\":\"1\",\"schemaname\":\"s\",\"relname\":\"b\xfc\x63her\"}]}";
  ASSERT_TRUE(decoder.Decode(doc, &s).ok()) << decoder.ErrorMessage();
  EXPECT_EQ(s.database, "caf\\xe9");
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].relname, "b\\xfccher");
  EXPECT_EQ(decoder.dropped_row_count(), 0u);
}

}  // namespace
}  // namespace vacwatch::ingest

namespace vacwatch::ingest {
namespace {

// measured_bloat (the collector's --measure-bloat) is optional: absent, it is empty; present,
// each entry is decoded, and a bad one rejects like any other row.
TEST(SnapshotDecoderMeasuredBloatTest, DecodesMeasurementsAndTheyAreOptional) {
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(
      R"({"cluster": "c", "database": "d", "collected_at": "2026-01-02T03:04:05+00:00",
          "tables": [], "measured_bloat": [{"relid": "16389",
          "measured_at": "2026-01-02T03:04:06.5+00:00", "table_len": 819200,
          "scanned_percent": 12.5, "approx_tuple_len": 400000, "dead_tuple_count": 900,
          "dead_tuple_len": 36000, "approx_free_space": 250000}]})",
      &s));
  ASSERT_EQ(s.measured_bloat.size(), 1u);
  const MeasuredBloat& b = s.measured_bloat[0];
  EXPECT_EQ(b.relid, 16389);
  EXPECT_EQ(b.table_len, 819200);
  EXPECT_EQ(b.scanned_percent, 12.5);
  EXPECT_EQ(b.dead_tuple_count, 900);
  EXPECT_EQ(b.dead_tuple_len, 36000);
  EXPECT_EQ(b.approx_free_space, 250000);
  EXPECT_TRUE(b.measured_at.has_value());
  std::string json;
  WriteSnapshotJson(s, &json);
  EXPECT_THAT(json, ::testing::HasSubstr("\"measured_bloat\":[{\"relid\":16389"));

  ASSERT_OK(decoder.Decode(
      R"({"cluster": "c", "database": "d", "collected_at": "2026-01-02T03:04:05+00:00"})", &s));
  EXPECT_TRUE(s.measured_bloat.empty());
  std::string plain;
  WriteSnapshotJson(s, &plain);
  EXPECT_THAT(plain, ::testing::Not(::testing::HasSubstr("measured_bloat")));

  EXPECT_FALSE(decoder
                   .Decode(R"({"cluster": "c", "database": "d",
                     "collected_at": "2026-01-02T03:04:05+00:00",
                     "measured_bloat": [{"table_len": 1}]})",
                           &s)
                   .ok());
  EXPECT_THAT(decoder.ErrorMessage(), ::testing::HasSubstr("measured_bloat[0]"));
}

}  // namespace
}  // namespace vacwatch::ingest
