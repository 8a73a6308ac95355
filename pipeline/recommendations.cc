#include "pipeline/recommendations.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"

namespace vacwatch::pipeline {

std::string CostLimitFix(const TableKey& key, int64_t cost_limit, double cost_delay_ms,
                         double speedup) {
  // The cost budget per second is cost_limit / cost_delay: raise the limit by the speed-up
  // needed (at least 10x, at least 1000, at most 10000) and keep the delay at 2 ms or less.
  const double factor = std::max(10.0, std::ceil(std::max(1.0, speedup)));
  const int64_t limit =
      static_cast<int64_t>(std::clamp(static_cast<double>(cost_limit) * factor, 1000.0, 10000.0));
  const double delay = cost_delay_ms > 0 ? std::min(cost_delay_ms, 2.0) : 2.0;
  return absl::StrFormat(
      "ALTER TABLE %s SET (autovacuum_vacuum_cost_limit = %d, "
      "autovacuum_vacuum_cost_delay = %g);",
      SqlTableName(key), limit, delay);
}

namespace {

std::string BloatNote(const EvalContext& ctx, const TableState& s) {
  const int64_t dead_bytes = s.dead_bytes();
  if (dead_bytes < ctx.tuning->min_table_bytes) return "";
  return absl::StrCat(" Bloat already there (~", HumanBytes(static_cast<double>(dead_bytes)),
                      " of dead rows) stays after the fix: reclaim it with pg_repack --table=",
                      SqlTableName(*ctx.key),
                      " (online) or VACUUM FULL (takes an exclusive lock).");
}

std::string LockFix(const TableKey& key) {
  return absl::StrCat(
      "Find who holds a conflicting lock (SHARE UPDATE EXCLUSIVE or stronger: another VACUUM, "
      "ANALYZE, CREATE INDEX CONCURRENTLY, ALTER TABLE, LOCK TABLE) and shorten or reschedule it: "
      "SELECT a.pid, a.application_name, l.mode, a.state, now() - a.xact_start AS xact_age, "
      "a.query "
      "FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.relation = '",
      SqlTableName(key), "'::regclass AND l.granted; then run VACUUM (VERBOSE) ", SqlTableName(key),
      " in a quiet moment.");
}

}  // namespace

std::string RecommendationFor(const EvalContext& ctx, const TableState& s, AlertKind kind,
                              Cause cause, const CauseFacts& f) {
  const std::string table = SqlTableName(*ctx.key);
  const bool freezing = kind != AlertKind::kAutovacuumNotKeepingUp;
  const std::string after =
      freezing ? absl::StrCat(" Then VACUUM (FREEZE, VERBOSE) ", table, ";")
               : absl::StrCat(" Then let autovacuum catch up, or VACUUM (VERBOSE) ", table, ";");
  std::string fix;
  switch (cause) {
    case Cause::kXminHorizon: {
      const HolderRecord* h = s.holder(kind);
      if (h != nullptr) {
        fix = HolderFix(*h, RelationName(ctx.db, h->vacuuming_relid));
        if (h->kind == HolderKind::kAutovacuumWorker && h->vacuuming_relid != 0) {
          TableKey other;
          const std::string* key =
              ctx.db != nullptr ? ctx.db->KeyOfRelid(h->vacuuming_relid) : nullptr;
          if (key != nullptr && TableKey::Decode(*key, &other)) {
            absl::StrAppend(&fix, " For example: ", CostLimitFix(other, 0, 0, 10));
          }
        }
      } else {
        fix =
            "No session, replication slot or prepared transaction in the snapshot holds the "
            "horizon: look for hot_standby_feedback from a replica's long queries (pg_stat_"
            "replication.backend_xmin) and for long transactions in other tools.";
      }
      absl::StrAppend(&fix, after);
      break;
    }
    case Cause::kLockConflicts:
      fix = LockFix(*ctx.key);
      break;
    case Cause::kCostThrottled: {
      const double speedup =
          f.recross_s > 0 && f.run_elapsed_s > 0 ? 2 * f.run_elapsed_s / f.recross_s : 10;
      fix = absl::StrCat("Let vacuum work faster on this table: ",
                         CostLimitFix(*ctx.key, s.cost_limit, s.cost_delay_ms, speedup),
                         " (the run is throttled by cost_limit ", s.cost_limit, " / cost_delay ",
                         absl::StrFormat("%g", s.cost_delay_ms), " ms).");
      break;
    }
    case Cause::kWorkerStarvation:
      fix = absl::StrCat(
          "All autovacuum workers are busy: raise autovacuum_max_workers (now ", f.max_workers,
          "; needs a restart) together with autovacuum_vacuum_cost_limit (the cost budget is "
          "shared among workers), or make the long runs on the biggest tables cheaper; meanwhile "
          "VACUUM (VERBOSE) ",
          table, "; by hand.");
      break;
    case Cause::kInsufficientMaintenanceWorkMem:
      fix = absl::StrCat("Each run needs ", f.max_index_scans,
                         " passes over every index: raise autovacuum_work_mem (or "
                         "maintenance_work_mem, which it defaults to) so the dead tuple ids fit "
                         "in one pass, e.g. ALTER SYSTEM SET autovacuum_work_mem = '1GB'; SELECT "
                         "pg_reload_conf();");
      break;
    default:
      fix = absl::StrCat(
          "No single cause in the evidence: look at pg_stat_progress_vacuum and "
          "the autovacuum log lines for this table, and run VACUUM (VERBOSE) ",
          table, "; to see what it reports.");
      if (s.last_log_us == kNever) {
        // Snapshots alone cannot tell skipped or cancelled runs (lock conflicts) apart.
        absl::StrAppend(
            &fix,
            " vacwatch has seen no autovacuum log entry of this table, and lock conflicts "
            "(skipped and cancelled runs) show only there: since PostgreSQL 15 "
            "log_autovacuum_min_duration defaults to 10min, so ordinary runs are not logged. "
            "Log every run and ship the log: ALTER SYSTEM SET log_autovacuum_min_duration = 0; "
            "SELECT pg_reload_conf();");
      }
      break;
  }
  if (!freezing) absl::StrAppend(&fix, BloatNote(ctx, s));
  return fix;
}

}  // namespace vacwatch::pipeline
