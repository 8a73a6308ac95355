#include "ingest/snapshot_key_index.h"

#include <array>
#include <string_view>

namespace vacwatch::ingest::snapshot_keys {
namespace {

// One constructor per kind of member, so a schema line names the key and the member only.
template <typename T>
constexpr FieldSpec<T> Str(std::string_view name, std::string_view T::*m) {
  return {.name = name, .type = FieldType::kString, .str = m};
}
template <typename T>
constexpr FieldSpec<T> ReqStr(std::string_view name, std::string_view T::*m, uint32_t bit) {
  return {.name = name, .type = FieldType::kRequiredString, .required_bit = bit, .str = m};
}
template <typename T>
constexpr FieldSpec<T> Int(std::string_view name, std::optional<int64_t> T::*m,
                           FieldType type = FieldType::kOptInt) {
  return {.name = name, .type = type, .opt_int = m};
}
template <typename T>
constexpr FieldSpec<T> Dbl(std::string_view name, std::optional<double> T::*m,
                           FieldType type = FieldType::kOptDouble) {
  return {.name = name, .type = type, .opt_double = m};
}
template <typename T>
constexpr FieldSpec<T> Bool(std::string_view name, std::optional<bool> T::*m,
                            FieldType type = FieldType::kOptBool) {
  return {.name = name, .type = type, .opt_bool = m};
}
template <typename T>
constexpr FieldSpec<T> Time(std::string_view name, std::optional<absl::Time> T::*m) {
  return {.name = name, .type = FieldType::kOptTime, .opt_time = m};
}
template <typename T>
constexpr FieldSpec<T> ReqTime(std::string_view name, absl::Time T::*m, uint32_t bit) {
  return {.name = name, .type = FieldType::kRequiredTime, .required_bit = bit, .time = m};
}
template <typename T>
constexpr FieldSpec<T> Oid(std::string_view name, int64_t T::*m, uint32_t bit) {
  return {.name = name, .type = FieldType::kOid, .required_bit = bit, .int64 = m};
}
template <typename T>
constexpr FieldSpec<T> Pid(std::string_view name, int32_t T::*m, uint32_t bit) {
  return {.name = name, .type = FieldType::kPid, .required_bit = bit, .int32 = m};
}
template <typename T>
constexpr FieldSpec<T> Strings(std::string_view name, std::vector<std::string_view> T::*m) {
  return {.name = name, .type = FieldType::kStringArray, .strings = m};
}
template <typename T>
constexpr FieldSpec<T> Section(std::string_view name, FieldType type) {
  return {.name = name, .type = type};
}

template <typename T, size_t N>
constexpr Schema<T, N> MakeSchema(const std::array<FieldSpec<T>, N>& fields) {
  return Schema<T, N>(fields);
}

}  // namespace

constexpr Schema<Snapshot, 14> kSnapshotSchema = MakeSchema<Snapshot>(std::array{
    Section<Snapshot>("kind", FieldType::kKind),
    ReqStr<Snapshot>("cluster", &Snapshot::cluster, 1),
    ReqStr<Snapshot>("database", &Snapshot::database, 2),
    ReqTime<Snapshot>("collected_at", &Snapshot::collected_at, 4),
    Int<Snapshot>("server_version_num", &Snapshot::server_version_num),
    Section<Snapshot>("settings", FieldType::kSettings),
    Section<Snapshot>("tables", FieldType::kTables),
    Section<Snapshot>("xmin_holders", FieldType::kXminHolders),
    Section<Snapshot>("replication_slots", FieldType::kReplicationSlots),
    Section<Snapshot>("prepared_xacts", FieldType::kPreparedXacts),
    Section<Snapshot>("vacuum_progress", FieldType::kVacuumProgress),
    Section<Snapshot>("walsenders", FieldType::kWalsenders),
    Section<Snapshot>("horizon", FieldType::kHorizon),
    Section<Snapshot>("measured_bloat", FieldType::kMeasuredBloat),
});

using TS = TableStats;
constexpr Schema<TableStats, 38> kTableSchema = MakeSchema<TS>(std::array{
    Oid<TS>("relid", &TS::relid, 1),
    ReqStr<TS>("schemaname", &TS::schemaname, 2),
    ReqStr<TS>("relname", &TS::relname, 4),
    Int<TS>("seq_scan", &TS::seq_scan),
    Int<TS>("seq_tup_read", &TS::seq_tup_read),
    Int<TS>("idx_scan", &TS::idx_scan),
    Int<TS>("idx_tup_fetch", &TS::idx_tup_fetch),
    Int<TS>("n_tup_ins", &TS::n_tup_ins),
    Int<TS>("n_tup_upd", &TS::n_tup_upd),
    Int<TS>("n_tup_del", &TS::n_tup_del),
    Int<TS>("n_tup_hot_upd", &TS::n_tup_hot_upd),
    Int<TS>("n_tup_newpage_upd", &TS::n_tup_newpage_upd),
    Int<TS>("n_live_tup", &TS::n_live_tup),
    Int<TS>("n_dead_tup", &TS::n_dead_tup),
    Int<TS>("n_mod_since_analyze", &TS::n_mod_since_analyze),
    Int<TS>("n_ins_since_vacuum", &TS::n_ins_since_vacuum),
    Time<TS>("last_vacuum", &TS::last_vacuum),
    Time<TS>("last_autovacuum", &TS::last_autovacuum),
    Time<TS>("last_analyze", &TS::last_analyze),
    Time<TS>("last_autoanalyze", &TS::last_autoanalyze),
    Time<TS>("last_seq_scan", &TS::last_seq_scan),
    Time<TS>("last_idx_scan", &TS::last_idx_scan),
    Int<TS>("vacuum_count", &TS::vacuum_count),
    Int<TS>("autovacuum_count", &TS::autovacuum_count),
    Int<TS>("analyze_count", &TS::analyze_count),
    Int<TS>("autoanalyze_count", &TS::autoanalyze_count),
    Dbl<TS>("total_vacuum_time", &TS::total_vacuum_time),
    Dbl<TS>("total_autovacuum_time", &TS::total_autovacuum_time),
    Dbl<TS>("total_analyze_time", &TS::total_analyze_time),
    Dbl<TS>("total_autoanalyze_time", &TS::total_autoanalyze_time),
    Dbl<TS>("reltuples", &TS::reltuples),
    Int<TS>("relpages", &TS::relpages),
    Int<TS>("relation_size_bytes", &TS::relation_size_bytes),
    Int<TS>("total_relation_size_bytes", &TS::total_relation_size_bytes),
    Int<TS>("relfrozenxid_age", &TS::relfrozenxid_age),
    Int<TS>("relminmxid_age", &TS::relminmxid_age),
    Int<TS>("relallfrozen", &TS::relallfrozen),
    Strings<TS>("reloptions", &TS::reloptions),
});

using AS = AutovacuumSettings;
constexpr FieldType kSI = FieldType::kSettingInt;
constexpr FieldType kSD = FieldType::kSettingDouble;
constexpr FieldType kSB = FieldType::kSettingBool;
constexpr Schema<AutovacuumSettings, 25> kSettingsSchema = MakeSchema<AS>(std::array{
    Bool<AS>("autovacuum", &AS::autovacuum, kSB),
    Bool<AS>("track_counts", &AS::track_counts, kSB),
    Int<AS>("block_size", &AS::block_size, kSI),
    Dbl<AS>("autovacuum_vacuum_scale_factor", &AS::autovacuum_vacuum_scale_factor, kSD),
    Dbl<AS>("autovacuum_analyze_scale_factor", &AS::autovacuum_analyze_scale_factor, kSD),
    Dbl<AS>("autovacuum_vacuum_insert_scale_factor", &AS::autovacuum_vacuum_insert_scale_factor,
            kSD),
    Int<AS>("autovacuum_vacuum_threshold", &AS::autovacuum_vacuum_threshold, kSI),
    Int<AS>("autovacuum_analyze_threshold", &AS::autovacuum_analyze_threshold, kSI),
    Int<AS>("autovacuum_vacuum_insert_threshold", &AS::autovacuum_vacuum_insert_threshold, kSI),
    Int<AS>("autovacuum_vacuum_max_threshold", &AS::autovacuum_vacuum_max_threshold, kSI),
    Int<AS>("autovacuum_freeze_max_age", &AS::autovacuum_freeze_max_age, kSI),
    Int<AS>("autovacuum_multixact_freeze_max_age", &AS::autovacuum_multixact_freeze_max_age, kSI),
    Dbl<AS>("autovacuum_vacuum_cost_delay", &AS::autovacuum_vacuum_cost_delay, kSD),
    Dbl<AS>("vacuum_cost_delay", &AS::vacuum_cost_delay, kSD),
    Int<AS>("autovacuum_vacuum_cost_limit", &AS::autovacuum_vacuum_cost_limit, kSI),
    Int<AS>("vacuum_cost_limit", &AS::vacuum_cost_limit, kSI),
    Int<AS>("autovacuum_naptime", &AS::autovacuum_naptime, kSI),
    Int<AS>("autovacuum_max_workers", &AS::autovacuum_max_workers, kSI),
    Int<AS>("autovacuum_worker_slots", &AS::autovacuum_worker_slots, kSI),
    Int<AS>("autovacuum_work_mem", &AS::autovacuum_work_mem, kSI),
    Int<AS>("maintenance_work_mem", &AS::maintenance_work_mem, kSI),
    Int<AS>("vacuum_freeze_min_age", &AS::vacuum_freeze_min_age, kSI),
    Int<AS>("vacuum_freeze_table_age", &AS::vacuum_freeze_table_age, kSI),
    Int<AS>("log_autovacuum_min_duration", &AS::log_autovacuum_min_duration, kSI),
    Str<AS>("log_timezone", &AS::log_timezone),
});

using XH = XminHolder;
constexpr Schema<XminHolder, 11> kXminHolderSchema = MakeSchema<XH>(std::array{
    Pid<XH>("pid", &XH::pid, 1),
    Str<XH>("datname", &XH::datname),
    Str<XH>("usename", &XH::usename),
    Str<XH>("application_name", &XH::application_name),
    Str<XH>("backend_type", &XH::backend_type),
    Str<XH>("state", &XH::state),
    Time<XH>("xact_start", &XH::xact_start),
    Int<XH>("backend_xid", &XH::backend_xid, FieldType::kOptOid),
    Int<XH>("backend_xmin", &XH::backend_xmin, FieldType::kOptOid),
    Int<XH>("xmin_age", &XH::xmin_age),
    Int<XH>("xid_age", &XH::xid_age),
});

using RS = ReplicationSlot;
constexpr Schema<ReplicationSlot, 9> kReplicationSlotSchema = MakeSchema<RS>(std::array{
    ReqStr<RS>("slot_name", &RS::slot_name, 1),
    Str<RS>("slot_type", &RS::slot_type),
    Str<RS>("database", &RS::database),
    Bool<RS>("active", &RS::active),
    Int<RS>("active_pid", &RS::active_pid),
    Int<RS>("xmin", &RS::xmin, FieldType::kOptOid),
    Int<RS>("catalog_xmin", &RS::catalog_xmin, FieldType::kOptOid),
    Int<RS>("xmin_age", &RS::xmin_age),
    Int<RS>("catalog_xmin_age", &RS::catalog_xmin_age),
});

using PX = PreparedXact;
constexpr Schema<PreparedXact, 6> kPreparedXactSchema = MakeSchema<PX>(std::array{
    ReqStr<PX>("gid", &PX::gid, 1),
    Str<PX>("database", &PX::database),
    Str<PX>("owner", &PX::owner),
    Time<PX>("prepared", &PX::prepared),
    Int<PX>("transaction", &PX::transaction, FieldType::kOptOid),
    Int<PX>("xid_age", &PX::xid_age),
});

using WS = Walsender;
constexpr Schema<Walsender, 7> kWalsenderSchema = MakeSchema<WS>(std::array{
    Pid<WS>("pid", &WS::pid, 1),
    Str<WS>("application_name", &WS::application_name),
    Str<WS>("client_addr", &WS::client_addr),
    Str<WS>("state", &WS::state),
    Time<WS>("backend_start", &WS::backend_start),
    Int<WS>("backend_xmin", &WS::backend_xmin, FieldType::kOptOid),
    Int<WS>("xmin_age", &WS::xmin_age),
});

using SH = SnapshotHorizon;
constexpr Schema<SnapshotHorizon, 2> kHorizonSchema = MakeSchema<SH>(std::array{
    Int<SH>("oldest_running_xid", &SH::oldest_running_xid, FieldType::kOptOid),
    Int<SH>("next_xid", &SH::next_xid, FieldType::kOptOid),
});

using VP = VacuumProgress;
constexpr Schema<VacuumProgress, 19> kVacuumProgressSchema = MakeSchema<VP>(std::array{
    Pid<VP>("pid", &VP::pid, 1),
    Oid<VP>("relid", &VP::relid, 2),
    Int<VP>("datid", &VP::datid, FieldType::kOptOid),
    Str<VP>("datname", &VP::datname),
    Str<VP>("phase", &VP::phase),
    Str<VP>("backend_type", &VP::backend_type),
    Time<VP>("xact_start", &VP::xact_start),
    Int<VP>("heap_blks_total", &VP::heap_blks_total),
    Int<VP>("heap_blks_scanned", &VP::heap_blks_scanned),
    Int<VP>("heap_blks_vacuumed", &VP::heap_blks_vacuumed),
    Int<VP>("index_vacuum_count", &VP::index_vacuum_count),
    Int<VP>("max_dead_tuples", &VP::max_dead_tuples),
    Int<VP>("num_dead_tuples", &VP::num_dead_tuples),
    Int<VP>("max_dead_tuple_bytes", &VP::max_dead_tuple_bytes),
    Int<VP>("dead_tuple_bytes", &VP::dead_tuple_bytes),
    Int<VP>("num_dead_item_ids", &VP::num_dead_item_ids),
    Int<VP>("indexes_total", &VP::indexes_total),
    Int<VP>("indexes_processed", &VP::indexes_processed),
    Dbl<VP>("delay_time", &VP::delay_time),
});

using MB = MeasuredBloat;
constexpr Schema<MeasuredBloat, 8> kMeasuredBloatSchema = MakeSchema<MB>(std::array{
    Oid<MB>("relid", &MB::relid, 1),
    Time<MB>("measured_at", &MB::measured_at),
    Int<MB>("table_len", &MB::table_len),
    Dbl<MB>("scanned_percent", &MB::scanned_percent),
    Int<MB>("approx_tuple_len", &MB::approx_tuple_len),
    Int<MB>("dead_tuple_count", &MB::dead_tuple_count),
    Int<MB>("dead_tuple_len", &MB::dead_tuple_len),
    Int<MB>("approx_free_space", &MB::approx_free_space),
});

}  // namespace vacwatch::ingest::snapshot_keys
