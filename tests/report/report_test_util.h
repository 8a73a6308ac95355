#ifndef VACWATCH_TESTS_REPORT_REPORT_TEST_UTIL_H_
#define VACWATCH_TESTS_REPORT_REPORT_TEST_UTIL_H_

// Inputs for the report's tests: snapshots of one table whose counters the test chooses, log
// events of runs, and alert transitions, as the pipeline would hand them over.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/alert.h"

namespace vacwatch::report::testing {

inline const absl::Time kT0 = absl::FromUnixSeconds(1795475880);  // 2026-11-23T23:18:00Z

struct Row {
  std::string_view database = "app", schema = "public", table = "orders";
  int64_t dead = 0, live = 100'000, updates = 0, inserts = 0;
  int64_t size = 8'192'000, freeze_age = 1000;
};

// A snapshot of one database at kT0 + `s` seconds with `row` (strings must outlive it).
inline ingest::Snapshot OneRow(std::string_view cluster, int64_t s, const Row& row) {
  ingest::Snapshot snap;
  snap.cluster = cluster;
  snap.database = row.database;
  snap.collected_at = kT0 + absl::Seconds(s);
  snap.server_version_num = 150000;
  snap.settings.autovacuum_naptime = 60;
  ingest::TableStats& t = snap.tables.emplace_back();
  t.relid = 16384;
  t.schemaname = row.schema;
  t.relname = row.table;
  t.n_dead_tup = row.dead;
  t.n_live_tup = row.live;
  t.reltuples = static_cast<double>(row.live);
  t.n_tup_upd = row.updates;
  t.n_tup_del = 0;
  t.n_tup_ins = row.inserts;
  t.relation_size_bytes = row.size;
  t.relfrozenxid_age = row.freeze_age;
  return snap;
}

inline ingest::LogEvent VacuumRun(std::string_view cluster, int64_t s, int64_t removed,
                                  int64_t kept, double elapsed_s, const Row& row = Row()) {
  ingest::LogEvent e;
  e.type = ingest::LogEventType::kVacuum;
  e.cluster = cluster;
  e.database = row.database;
  e.schema = row.schema;
  e.table = row.table;
  e.time = kT0 + absl::Seconds(s);
  e.stats.tuples_removed = removed;
  e.stats.tuples_not_yet_removable = kept;
  e.stats.elapsed_s = elapsed_s;
  return e;
}

inline pipeline::AlertTransition Firing(uint64_t seq, std::string_view cluster, int64_t s,
                                        pipeline::Cause cause, const Row& row = Row()) {
  pipeline::AlertTransition t;
  t.seq = seq;
  pipeline::Alert& a = t.alert;
  a.status = pipeline::AlertStatus::kFiring;
  a.alert = "AutovacuumNotKeepingUp";
  a.severity = pipeline::Severity::kWarning;
  a.cause = cause;
  a.cluster = std::string(cluster);
  a.database = std::string(row.database);
  a.schema = std::string(row.schema);
  a.table = std::string(row.table);
  a.event_time = kT0 + absl::Seconds(s);
  a.starts_at = a.event_time - absl::Seconds(30);
  a.fingerprint = pipeline::AlertFingerprint(cluster, row.database, row.schema, row.table, a.alert);
  a.summary = "not keeping up";
  a.recommendation = "do something";
  if (cause == pipeline::Cause::kXminHorizon) {
    pipeline::AlertHolder h;
    h.kind = "session";
    h.id = "session:4242";
    h.pid = 4242;
    h.application_name = "nightly_report";
    a.holder = h;
  }
  return t;
}

}  // namespace vacwatch::report::testing

#endif  // VACWATCH_TESTS_REPORT_REPORT_TEST_UTIL_H_
