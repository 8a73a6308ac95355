#include "ingest/snapshot_json.h"

#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "common/json_writer.h"

namespace vacwatch::ingest {

namespace {

void OptionalTime(JsonWriter& w, std::string_view key, const std::optional<absl::Time>& t) {
  if (t.has_value()) w.TimeField(key, *t);
}

void NonEmpty(JsonWriter& w, std::string_view key, std::string_view value) {
  if (!value.empty()) w.Field(key, value);
}

void WriteSettings(JsonWriter& w, const AutovacuumSettings& s) {
  w.Key("settings");
  w.BeginObject();
  w.OptionalField("autovacuum", s.autovacuum);
  w.OptionalField("track_counts", s.track_counts);
  w.OptionalField("block_size", s.block_size);
  w.OptionalField("autovacuum_vacuum_scale_factor", s.autovacuum_vacuum_scale_factor);
  w.OptionalField("autovacuum_vacuum_threshold", s.autovacuum_vacuum_threshold);
  w.OptionalField("autovacuum_vacuum_max_threshold", s.autovacuum_vacuum_max_threshold);
  w.OptionalField("autovacuum_vacuum_insert_scale_factor", s.autovacuum_vacuum_insert_scale_factor);
  w.OptionalField("autovacuum_vacuum_insert_threshold", s.autovacuum_vacuum_insert_threshold);
  w.OptionalField("autovacuum_analyze_scale_factor", s.autovacuum_analyze_scale_factor);
  w.OptionalField("autovacuum_analyze_threshold", s.autovacuum_analyze_threshold);
  w.OptionalField("autovacuum_freeze_max_age", s.autovacuum_freeze_max_age);
  w.OptionalField("autovacuum_multixact_freeze_max_age", s.autovacuum_multixact_freeze_max_age);
  w.OptionalField("autovacuum_vacuum_cost_delay", s.autovacuum_vacuum_cost_delay);
  w.OptionalField("autovacuum_vacuum_cost_limit", s.autovacuum_vacuum_cost_limit);
  w.OptionalField("vacuum_cost_delay", s.vacuum_cost_delay);
  w.OptionalField("vacuum_cost_limit", s.vacuum_cost_limit);
  w.OptionalField("autovacuum_naptime", s.autovacuum_naptime);
  w.OptionalField("autovacuum_max_workers", s.autovacuum_max_workers);
  w.OptionalField("autovacuum_worker_slots", s.autovacuum_worker_slots);
  if (!s.log_timezone.empty()) w.Field("log_timezone", s.log_timezone);
  w.OptionalField("autovacuum_work_mem", s.autovacuum_work_mem);
  w.OptionalField("maintenance_work_mem", s.maintenance_work_mem);
  w.OptionalField("vacuum_freeze_min_age", s.vacuum_freeze_min_age);
  w.OptionalField("vacuum_freeze_table_age", s.vacuum_freeze_table_age);
  w.OptionalField("log_autovacuum_min_duration", s.log_autovacuum_min_duration);
  w.EndObject();
}

void WriteTable(JsonWriter& w, const TableStats& t) {
  w.BeginObject();
  w.Field("relid", t.relid);
  w.Field("schemaname", t.schemaname);
  w.Field("relname", t.relname);
  w.OptionalField("seq_scan", t.seq_scan);
  w.OptionalField("seq_tup_read", t.seq_tup_read);
  OptionalTime(w, "last_seq_scan", t.last_seq_scan);
  w.OptionalField("idx_scan", t.idx_scan);
  w.OptionalField("idx_tup_fetch", t.idx_tup_fetch);
  OptionalTime(w, "last_idx_scan", t.last_idx_scan);
  w.OptionalField("n_tup_ins", t.n_tup_ins);
  w.OptionalField("n_tup_upd", t.n_tup_upd);
  w.OptionalField("n_tup_del", t.n_tup_del);
  w.OptionalField("n_tup_hot_upd", t.n_tup_hot_upd);
  w.OptionalField("n_tup_newpage_upd", t.n_tup_newpage_upd);
  w.OptionalField("n_live_tup", t.n_live_tup);
  w.OptionalField("n_dead_tup", t.n_dead_tup);
  w.OptionalField("n_mod_since_analyze", t.n_mod_since_analyze);
  w.OptionalField("n_ins_since_vacuum", t.n_ins_since_vacuum);
  OptionalTime(w, "last_vacuum", t.last_vacuum);
  OptionalTime(w, "last_autovacuum", t.last_autovacuum);
  OptionalTime(w, "last_analyze", t.last_analyze);
  OptionalTime(w, "last_autoanalyze", t.last_autoanalyze);
  w.OptionalField("vacuum_count", t.vacuum_count);
  w.OptionalField("autovacuum_count", t.autovacuum_count);
  w.OptionalField("analyze_count", t.analyze_count);
  w.OptionalField("autoanalyze_count", t.autoanalyze_count);
  w.OptionalField("total_vacuum_time", t.total_vacuum_time);
  w.OptionalField("total_autovacuum_time", t.total_autovacuum_time);
  w.OptionalField("total_analyze_time", t.total_analyze_time);
  w.OptionalField("total_autoanalyze_time", t.total_autoanalyze_time);
  w.OptionalField("reltuples", t.reltuples);
  w.OptionalField("relpages", t.relpages);
  w.OptionalField("relation_size_bytes", t.relation_size_bytes);
  w.OptionalField("total_relation_size_bytes", t.total_relation_size_bytes);
  w.OptionalField("relfrozenxid_age", t.relfrozenxid_age);
  w.OptionalField("relminmxid_age", t.relminmxid_age);
  if (!t.reloptions.empty()) {
    w.Key("reloptions");
    w.BeginArray();
    for (std::string_view option : t.reloptions) w.Value(option);
    w.EndArray();
  }
  w.EndObject();
}

void WriteXminHolder(JsonWriter& w, const XminHolder& h) {
  w.BeginObject();
  w.Field("pid", h.pid);
  NonEmpty(w, "datname", h.datname);
  NonEmpty(w, "usename", h.usename);
  NonEmpty(w, "application_name", h.application_name);
  NonEmpty(w, "backend_type", h.backend_type);
  NonEmpty(w, "state", h.state);
  OptionalTime(w, "xact_start", h.xact_start);
  w.OptionalField("backend_xid", h.backend_xid);
  w.OptionalField("backend_xmin", h.backend_xmin);
  w.OptionalField("xmin_age", h.xmin_age);
  w.OptionalField("xid_age", h.xid_age);
  w.EndObject();
}

void WriteReplicationSlot(JsonWriter& w, const ReplicationSlot& r) {
  w.BeginObject();
  w.Field("slot_name", r.slot_name);
  NonEmpty(w, "slot_type", r.slot_type);
  NonEmpty(w, "database", r.database);
  w.OptionalField("active", r.active);
  w.OptionalField("active_pid", r.active_pid);
  w.OptionalField("xmin", r.xmin);
  w.OptionalField("catalog_xmin", r.catalog_xmin);
  w.OptionalField("xmin_age", r.xmin_age);
  w.OptionalField("catalog_xmin_age", r.catalog_xmin_age);
  w.EndObject();
}

void WritePreparedXact(JsonWriter& w, const PreparedXact& p) {
  w.BeginObject();
  w.Field("gid", p.gid);
  NonEmpty(w, "database", p.database);
  NonEmpty(w, "owner", p.owner);
  OptionalTime(w, "prepared", p.prepared);
  w.OptionalField("transaction", p.transaction);
  w.OptionalField("xid_age", p.xid_age);
  w.EndObject();
}

void WriteMeasuredBloat(JsonWriter& w, const MeasuredBloat& b) {
  w.BeginObject();
  w.Field("relid", b.relid);
  OptionalTime(w, "measured_at", b.measured_at);
  w.OptionalField("table_len", b.table_len);
  w.OptionalField("scanned_percent", b.scanned_percent);
  w.OptionalField("approx_tuple_len", b.approx_tuple_len);
  w.OptionalField("dead_tuple_count", b.dead_tuple_count);
  w.OptionalField("dead_tuple_len", b.dead_tuple_len);
  w.OptionalField("approx_free_space", b.approx_free_space);
  w.EndObject();
}

void WriteWalsender(JsonWriter& w, const Walsender& s) {
  w.BeginObject();
  w.Field("pid", s.pid);
  NonEmpty(w, "application_name", s.application_name);
  NonEmpty(w, "client_addr", s.client_addr);
  NonEmpty(w, "state", s.state);
  OptionalTime(w, "backend_start", s.backend_start);
  w.OptionalField("backend_xmin", s.backend_xmin);
  w.OptionalField("xmin_age", s.xmin_age);
  w.EndObject();
}

void WriteVacuumProgress(JsonWriter& w, const VacuumProgress& p) {
  w.BeginObject();
  w.Field("pid", p.pid);
  w.OptionalField("datid", p.datid);
  NonEmpty(w, "datname", p.datname);
  w.Field("relid", p.relid);
  NonEmpty(w, "phase", p.phase);
  NonEmpty(w, "backend_type", p.backend_type);
  OptionalTime(w, "xact_start", p.xact_start);
  w.OptionalField("heap_blks_total", p.heap_blks_total);
  w.OptionalField("heap_blks_scanned", p.heap_blks_scanned);
  w.OptionalField("heap_blks_vacuumed", p.heap_blks_vacuumed);
  w.OptionalField("index_vacuum_count", p.index_vacuum_count);
  w.OptionalField("max_dead_tuples", p.max_dead_tuples);
  w.OptionalField("num_dead_tuples", p.num_dead_tuples);
  w.OptionalField("max_dead_tuple_bytes", p.max_dead_tuple_bytes);
  w.OptionalField("dead_tuple_bytes", p.dead_tuple_bytes);
  w.OptionalField("num_dead_item_ids", p.num_dead_item_ids);
  w.OptionalField("indexes_total", p.indexes_total);
  w.OptionalField("indexes_processed", p.indexes_processed);
  w.OptionalField("delay_time", p.delay_time);
  w.EndObject();
}

template <typename T, typename WriteOne>
void WriteArray(JsonWriter& w, std::string_view key, const std::vector<T>& rows,
                WriteOne write_one) {
  w.Key(key);
  w.BeginArray();
  for (const T& row : rows) write_one(w, row);
  w.EndArray();
}

}  // namespace

void WriteSnapshotJson(const Snapshot& s, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("type", "snapshot");
  w.Field("cluster", s.cluster);
  w.Field("database", s.database);
  w.TimeField("collected_at", s.collected_at);
  w.OptionalField("server_version_num", s.server_version_num);
  WriteSettings(w, s.settings);
  WriteArray(w, "tables", s.tables, WriteTable);
  WriteArray(w, "xmin_holders", s.xmin_holders, WriteXminHolder);
  WriteArray(w, "replication_slots", s.replication_slots, WriteReplicationSlot);
  WriteArray(w, "prepared_xacts", s.prepared_xacts, WritePreparedXact);
  WriteArray(w, "vacuum_progress", s.vacuum_progress, WriteVacuumProgress);
  // Written only when the document had them, so older snapshots print as before.
  if (!s.walsenders.empty()) WriteArray(w, "walsenders", s.walsenders, WriteWalsender);
  if (s.horizon.oldest_running_xid.has_value() || s.horizon.next_xid.has_value()) {
    w.Key("horizon");
    w.BeginObject();
    w.OptionalField("oldest_running_xid", s.horizon.oldest_running_xid);
    w.OptionalField("next_xid", s.horizon.next_xid);
    w.EndObject();
  }
  if (!s.measured_bloat.empty()) {
    WriteArray(w, "measured_bloat", s.measured_bloat, WriteMeasuredBloat);
  }
  w.EndObject();
}

}  // namespace vacwatch::ingest
