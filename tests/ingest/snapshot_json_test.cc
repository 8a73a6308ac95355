#include "ingest/snapshot_json.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "simdjson.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

TEST(SnapshotJsonTest, WritesTypedFieldsAndLeavesAbsentOut) {
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(
      R"({"kind":"pg_stat_snapshot","cluster":"prod-eu-1","database":"shop",)"
      R"("collected_at":"2026-11-23T23:18:23.945964+00:00","server_version_num":150020,)"
      R"("settings":{"autovacuum":"on","autovacuum_vacuum_scale_factor":"0.2",)"
      R"("autovacuum_naptime":"2","unknown":"x"},)"
      R"("tables":[{"relid":"16389","relname":"orders","schemaname":"public","n_dead_tup":0,)"
      R"("n_live_tup":300000,"reltuples":2.5,"last_vacuum":null,)"
      R"("last_autovacuum":"2026-11-23T23:18:21.285994+00:00","reloptions":["fillfactor=70"]}],)"
      R"("xmin_holders":[{"pid":13159,"usename":null,"application_name":"","xmin_age":429,)"
      R"("xid_age":null,"xact_start":"2026-11-23T23:18:23.196+00:00"}],)"
      R"("replication_slots":[],"prepared_xacts":[],"vacuum_progress":[]})",
      &s));
  std::string line;
  WriteSnapshotJson(s, &line);
  EXPECT_EQ(line, R"({"type":"snapshot","cluster":"prod-eu-1","database":"shop",)"
                  R"("collected_at":"2026-11-23T23:18:23.945964Z","server_version_num":150020,)"
                  R"("settings":{"autovacuum":true,"autovacuum_vacuum_scale_factor":0.2,)"
                  R"("autovacuum_naptime":2},)"
                  R"("tables":[{"relid":16389,"schemaname":"public","relname":"orders",)"
                  R"("n_live_tup":300000,"n_dead_tup":0,)"
                  R"("last_autovacuum":"2026-11-23T23:18:21.285994Z","reltuples":2.5,)"
                  R"("reloptions":["fillfactor=70"]}],)"
                  R"("xmin_holders":[{"pid":13159,"xact_start":"2026-11-23T23:18:23.196Z",)"
                  R"("xmin_age":429}],)"
                  R"("replication_slots":[],"prepared_xacts":[],"vacuum_progress":[]})");
}

TEST(SnapshotJsonTest, EmptySnapshotIsValidJson) {
  Snapshot s;
  s.cluster = "c\"q";
  s.database = "d";
  s.collected_at = absl::FromUnixSeconds(0);
  std::string line = "garbage";
  WriteSnapshotJson(s, &line);
  EXPECT_EQ(line, R"({"type":"snapshot","cluster":"c\"q","database":"d",)"
                  R"("collected_at":"1970-01-01T00:00:00.000Z","settings":{},"tables":[],)"
                  R"("xmin_holders":[],"replication_slots":[],"prepared_xacts":[],)"
                  R"("vacuum_progress":[]})");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS);
}

TEST(SnapshotJsonTest, EveryFieldRoundTripsThroughTheDecoder) {
  // Everything WriteSnapshotJson writes for a table row, the decoder reads back the same
  // (settings aside: those are strings in a snapshot and typed in the output).
  const std::string doc =
      R"({"cluster":"c","database":"d","collected_at":"2026-01-02T03:04:05.5Z",)"
      R"("tables":[{"relid":1,"schemaname":"s","relname":"t","seq_scan":1,"seq_tup_read":2,)"
      R"("last_seq_scan":"2026-01-02T03:00:00Z","idx_scan":3,"idx_tup_fetch":4,)"
      R"("last_idx_scan":"2026-01-02T03:00:01Z","n_tup_ins":5,"n_tup_upd":6,"n_tup_del":7,)"
      R"("n_tup_hot_upd":8,"n_tup_newpage_upd":9,"n_live_tup":10,"n_dead_tup":11,)"
      R"("n_mod_since_analyze":12,"n_ins_since_vacuum":13,)"
      R"("last_vacuum":"2026-01-02T03:00:02Z","last_autovacuum":"2026-01-02T03:00:03Z",)"
      R"("last_analyze":"2026-01-02T03:00:04Z","last_autoanalyze":"2026-01-02T03:00:05Z",)"
      R"("vacuum_count":14,"autovacuum_count":15,"analyze_count":16,"autoanalyze_count":17,)"
      R"("total_vacuum_time":1.5,"total_autovacuum_time":2.5,"total_analyze_time":3.5,)"
      R"("total_autoanalyze_time":4.5,"reltuples":18,"relpages":19,"relation_size_bytes":20,)"
      R"("total_relation_size_bytes":21,"relfrozenxid_age":22,"relminmxid_age":23,)"
      R"("reloptions":["a=1","b=2"]}],)"
      R"("xmin_holders":[{"pid":1,"datname":"d","usename":"u","application_name":"a",)"
      R"("backend_type":"b","state":"s","xact_start":"2026-01-02T03:00:00Z","xmin_age":1,)"
      R"("xid_age":2}],)"
      R"("replication_slots":[{"slot_name":"s","slot_type":"logical","database":"d",)"
      R"("active":true,"xmin_age":1,"catalog_xmin_age":2}],)"
      R"("prepared_xacts":[{"gid":"g","database":"d","prepared":"2026-01-02T03:00:00Z",)"
      R"("xid_age":3}],)"
      R"("vacuum_progress":[{"pid":2,"datid":5,"datname":"d","relid":1,"phase":"p",)"
      R"("backend_type":"b","xact_start":"2026-01-02T03:00:00Z","heap_blks_total":1,)"
      R"("heap_blks_scanned":2,"heap_blks_vacuumed":3,"index_vacuum_count":4,)"
      R"("max_dead_tuples":5,"num_dead_tuples":6,"max_dead_tuple_bytes":7,)"
      R"("dead_tuple_bytes":8,"num_dead_item_ids":9,"indexes_total":10,)"
      R"("indexes_processed":11,"delay_time":12.5}]})";
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(doc, &s));
  std::string first;
  WriteSnapshotJson(s, &first);
  Snapshot again;
  SnapshotDecoder decoder2;
  ASSERT_OK(decoder2.Decode(first, &again));
  std::string second;
  WriteSnapshotJson(again, &second);
  EXPECT_EQ(first, second);
  // And nothing the document held was dropped on the way: spot-check the last of each kind.
  EXPECT_NE(first.find(R"("relminmxid_age":23,"reloptions":["a=1","b=2"])"), std::string::npos);
  EXPECT_NE(first.find(R"("xid_age":2})"), std::string::npos);
  EXPECT_NE(first.find(R"("catalog_xmin_age":2})"), std::string::npos);
  EXPECT_NE(first.find(R"("xid_age":3})"), std::string::npos);
  EXPECT_NE(first.find(R"("delay_time":12.5})"), std::string::npos);
  EXPECT_NE(first.find(R"("total_autoanalyze_time":4.5)"), std::string::npos);
  EXPECT_NE(first.find(R"("last_idx_scan":"2026-01-02T03:00:01.000Z")"), std::string::npos);
}

}  // namespace
}  // namespace vacwatch::ingest
