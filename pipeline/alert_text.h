#ifndef VACWATCH_PIPELINE_ALERT_TEXT_H_
#define VACWATCH_PIPELINE_ALERT_TEXT_H_

// AlertText: the wording shared by the detectors' Describe: evidence items, numbers a human
// reads ("1.2M", "3m20s"), who holds the horizon and what to do about them. Keeps no
// references past a call.
//
//   AddEvidence(alert, "n_dead_tup", int64_t{129165});
//   alert->summary = absl::StrCat("... held by ", HolderPhrase(h, now), ...);
//   alert->recommendation = HolderFix(h, table_name);

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/database_state.h"
#include "pipeline/table_key.h"
#include "pipeline/table_state.h"

namespace vacwatch::pipeline {

void AddEvidence(Alert* alert, std::string_view name, int64_t value);
void AddEvidence(Alert* alert, std::string_view name, double value);  // rounded to 4 digits
void AddEvidence(Alert* alert, std::string_view name, std::string_view value);
void AddTimeEvidence(Alert* alert, std::string_view name, int64_t unix_us);  // RFC 3339

// 129165 -> "129k", 1423702 -> "1.4M", 950 -> "950".
std::string HumanCount(double v);
// 8511488 -> "8.1 MiB".
std::string HumanBytes(double v);
// 200 s -> "3m20s", 90000 s -> "1d1h".
std::string HumanDuration(double seconds);
// "public.orders" quoted for SQL when needed: public."Order".
std::string SqlTableName(const TableKey& key);

// The parts of an alert that its state decides: status, name, severity, cause, table,
// starts_at (ends_at when resolved), fingerprint and holder. `key` is the table's; `now` the
// event time (and the holder's age).
void FillAlertHeader(const TableKey& key, AlertKind kind, const AlertState& state,
                     const HolderRecord* holder, bool firing, absl::Time now, Alert* alert);

// A stable name of the root ("prepared_xact:gid", "replication_slot:name", "session:pid",
// "unknown:xid N"): the same in every alert the root causes.
std::string HolderId(const HolderRecord& h);
// The holder as an AlertHolder (age_s from since, scope from cluster_wide, id = HolderId).
AlertHolder ToAlertHolder(const HolderRecord& h, absl::Time now);
// "session pid 13956 (nightly_report, active) in reporting, 111k XIDs / 45s old".
std::string HolderPhrase(const HolderRecord& h, absl::Time now, std::string_view vacuuming);
// The concrete fix for the holder: pg_terminate_backend, drop the slot, COMMIT/ROLLBACK
// PREPARED, or speed up / cancel the autovacuum worker.
std::string HolderFix(const HolderRecord& h, std::string_view vacuuming);

// "schema.table" of a relid of `db` (for "autovacuum worker vacuuming events.public.x"), or "".
std::string RelationName(const DatabaseState* db, int64_t relid);

// The rate evidence every dead-tuple alert carries: generation and removal rates, bloat
// velocity (dead ratio and dead bytes per hour, heap growth while live rows do not grow) and
// the time until bloat_dead_ratio_limit at that velocity.
void AddRateEvidence(Alert* alert, const TableState& table, const TableRates& rates,
                     const TableTuning& tuning);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_ALERT_TEXT_H_
