#ifndef VACWATCH_INGEST_SNAPSHOT_H_
#define VACWATCH_INGEST_SNAPSHOT_H_

// Snapshot: one stats snapshot of one database of one cluster at `collected_at`, as the
// collector query (`pg_stat_user_tables` joined with `pg_class`, the autovacuum settings,
// xmin holders, replication slots, prepared transactions and `pg_stat_progress_vacuum`)
// returns it. The contract is written down in docs/formats.md.
//
// Lifetime: every std::string_view points into the decoder that filled the Snapshot and is
// valid until that decoder's next Decode(). The decoder reuses the vectors' capacity, so
// steady-state decoding allocates nothing per table row.
//
// Optional columns the document lacks (or holds as null) are std::nullopt, never zero.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace vacwatch::ingest {

// One row of pg_stat_user_tables + pg_class. Counters are int64; PostgreSQL's float4
// reltuples is a double (-1 = never analyzed, PG14+).
struct TableStats {
  int64_t relid = 0;  // the document holds it as a string ("16389") or a number
  std::string_view schemaname, relname;
  std::optional<int64_t> seq_scan, seq_tup_read, idx_scan, idx_tup_fetch;
  std::optional<int64_t> n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd;
  std::optional<int64_t> n_live_tup, n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum;
  std::optional<absl::Time> last_vacuum, last_autovacuum, last_analyze, last_autoanalyze;
  std::optional<int64_t> vacuum_count, autovacuum_count, analyze_count, autoanalyze_count;
  std::optional<double> reltuples;
  std::optional<int64_t> relpages, relation_size_bytes, total_relation_size_bytes;
  std::optional<int64_t> relfrozenxid_age, relminmxid_age;
  // pg_class.relallfrozen (PG18+; absent before): PG18 scales the insert trigger by the
  // unfrozen fraction 1 - relallfrozen / relpages.
  std::optional<int64_t> relallfrozen;
  // Columns of later releases: absent on older servers.
  std::optional<absl::Time> last_seq_scan, last_idx_scan;  // PG16
  std::optional<int64_t> n_tup_newpage_upd;                // PG16
  std::optional<double> total_vacuum_time, total_autovacuum_time, total_analyze_time,
      total_autoanalyze_time;  // PG18, milliseconds
  // pg_class.reloptions as "name=value" strings (null in the document = empty here).
  std::vector<std::string_view> reloptions;
};

// Server settings by their pg_settings names; values are strings there, typed here. Units
// are pg_settings' own (cost delay in ms, work_mem in kB, naptime in s).
struct AutovacuumSettings {
  std::optional<bool> autovacuum, track_counts;
  std::optional<int64_t> block_size;
  std::optional<double> autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor,
      autovacuum_vacuum_insert_scale_factor;
  std::optional<int64_t> autovacuum_vacuum_threshold, autovacuum_analyze_threshold,
      autovacuum_vacuum_insert_threshold, autovacuum_vacuum_max_threshold /* PG18 */;
  std::optional<int64_t> autovacuum_freeze_max_age, autovacuum_multixact_freeze_max_age;
  std::optional<double> autovacuum_vacuum_cost_delay, vacuum_cost_delay;
  std::optional<int64_t> autovacuum_vacuum_cost_limit, vacuum_cost_limit;
  std::optional<int64_t> autovacuum_naptime, autovacuum_max_workers;
  std::optional<int64_t> autovacuum_work_mem, maintenance_work_mem;
  std::optional<int64_t> vacuum_freeze_min_age, vacuum_freeze_table_age;
  std::optional<int64_t> log_autovacuum_min_duration;
  std::optional<int64_t> autovacuum_worker_slots;  // PG18
  // The zone the server's log timestamps are written in (an IANA name such as
  // "Asia/Shanghai"); empty when the snapshot does not say.
  std::string_view log_timezone;
};

// Raw transaction ids are PostgreSQL's 32-bit xids (0 .. 2^32-1) as the server prints them;
// ages are age(xid) at the snapshot. Snapshots recorded before the raw values were exported
// carry only the ages (the raw fields are then nullopt).

// A backend that holds back the xmin horizon (pg_stat_activity with backend_xmin/xid).
struct XminHolder {
  int32_t pid = 0;
  std::string_view datname, usename, application_name, backend_type, state;
  std::optional<absl::Time> xact_start;
  std::optional<int64_t> backend_xid, backend_xmin;  // raw
  std::optional<int64_t> xmin_age, xid_age;
};

struct ReplicationSlot {
  std::string_view slot_name, slot_type, database;
  std::optional<bool> active;
  std::optional<int64_t> active_pid;
  std::optional<int64_t> xmin, catalog_xmin;  // raw
  std::optional<int64_t> xmin_age, catalog_xmin_age;
};

// A walsender (pg_stat_replication): with hot_standby_feedback and no slot, its backend_xmin
// is the standby's oldest snapshot and pins every database.
struct Walsender {
  int32_t pid = 0;
  std::string_view application_name, client_addr, state;
  std::optional<absl::Time> backend_start;
  std::optional<int64_t> backend_xmin;  // raw
  std::optional<int64_t> xmin_age;
};

struct PreparedXact {
  std::string_view gid, database, owner;
  std::optional<absl::Time> prepared;
  std::optional<int64_t> transaction;  // raw xid
  std::optional<int64_t> xid_age;
};

// The horizon as the snapshot query's own snapshot saw it: the oldest xid still running
// (txid_snapshot_xmin) and the next xid to be assigned (txid_snapshot_xmax), both raw.
struct SnapshotHorizon {
  std::optional<int64_t> oldest_running_xid, next_xid;
};

// One row of pg_stat_progress_vacuum (+ the worker's xact_start and backend_type).
struct VacuumProgress {
  int32_t pid = 0;
  int64_t relid = 0;
  std::optional<int64_t> datid;  // a string ("16384") or a number in the document
  std::string_view datname, phase, backend_type;
  std::optional<absl::Time> xact_start;
  std::optional<int64_t> heap_blks_total, heap_blks_scanned, heap_blks_vacuumed, index_vacuum_count,
      max_dead_tuples, num_dead_tuples;
  // PG17 renamed the dead-tuple columns and added index progress.
  std::optional<int64_t> max_dead_tuple_bytes, dead_tuple_bytes, num_dead_item_ids, indexes_total,
      indexes_processed;
  std::optional<double> delay_time;  // PG18, milliseconds
};

// A table's bloat as pgstattuple_approx measured it (`vacwatch collect --measure-bloat`, where
// the pgstattuple extension is installed): the real dead and free space beside n_dead_tup's
// estimate. Bytes of the table's main fork.
struct MeasuredBloat {
  int64_t relid = 0;
  std::optional<absl::Time> measured_at;
  std::optional<int64_t> table_len, approx_tuple_len, dead_tuple_count, dead_tuple_len,
      approx_free_space;
  std::optional<double> scanned_percent;  // of the pages (the rest are all-visible)
};

struct Snapshot {
  std::string_view cluster, database;
  absl::Time collected_at = absl::InfinitePast();
  std::optional<int64_t> server_version_num;  // 150020
  AutovacuumSettings settings;
  std::vector<TableStats> tables;
  std::vector<XminHolder> xmin_holders;
  std::vector<ReplicationSlot> replication_slots;
  std::vector<PreparedXact> prepared_xacts;
  std::vector<Walsender> walsenders;
  std::vector<VacuumProgress> vacuum_progress;
  SnapshotHorizon horizon;
  std::vector<MeasuredBloat> measured_bloat;  // only with the collector's --measure-bloat

  // Resets every field; keeps the vectors' capacity.
  void Clear();
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SNAPSHOT_H_
