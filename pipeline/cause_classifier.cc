#include "pipeline/cause_classifier.h"

#include <algorithm>
#include <cmath>

#include "pipeline/table_state.h"

namespace vacwatch::pipeline {

namespace {

// The one rule for "the runs prove the horizon pinned": ineffective_runs runs in a row that
// removed ~0, or that ended at one removable cutoff leaving dead tuples.
bool RunsProvePin(int near_zero_runs, int cutoff_runs, const TableTuning& t) {
  return near_zero_runs >= t.ineffective_runs || cutoff_runs >= t.ineffective_runs;
}

}  // namespace

bool RunRemovedNearZero(int64_t removed, int64_t not_yet_removable, double fraction) {
  if (removed < 0 || not_yet_removable <= 0) return false;
  return static_cast<double>(removed) <=
         fraction * static_cast<double>(removed + not_yet_removable);
}

CauseFacts GatherCauseFacts(absl::Time now, const TableTuning& t, const PipelineConfig& config,
                            const TableState& s, const DatabaseState* db,
                            const ClusterState* cluster, int64_t tables_over_trigger) {
  CauseFacts f;
  const int64_t now_us = absl::ToUnixMicros(now);

  for (int i = 0; i < s.run_count(); ++i) {
    const RunRecord& r = s.run(i);
    if (!RunRemovedNearZero(r.removed(), r.not_yet_removable(), t.removed_near_zero_fraction))
      break;
    ++f.pinned_runs;
  }
  if (s.run_count() > 0 && s.vacuum_trigger >= 0 &&
      static_cast<double>(s.run(0).not_yet_removable()) > s.vacuum_trigger) {
    for (int i = 0; i + 1 < s.run_count(); ++i) {
      const RunRecord& newer = s.run(i);
      const RunRecord& older = s.run(i + 1);
      if (older.not_yet_removable() < 0 || newer.not_yet_removable() <= older.not_yet_removable())
        break;
      ++f.floor_rises;
    }
  }

  f.cutoff_runs = s.cutoff_runs;
  f.pinned = RunsProvePin(f.pinned_runs, f.cutoff_runs, t);
  if (db != nullptr) {
    const Horizon& horizon = db->horizon();
    f.holder = s.cutoff_runs > 0 ? horizon.WithXid(s.cutoff_xid) : nullptr;
    if (f.holder == nullptr) f.holder = horizon.Root();
    if (f.holder != nullptr && s.freeze_max_age > 0 && f.holder->age_xids >= s.freeze_max_age) {
      f.holder_blocks_freeze = true;
    }
  }

  const int64_t lock_from = now_us - absl::ToInt64Microseconds(t.lock_window);
  for (int i = 0; i < s.conflict_count(); ++i) {
    const ConflictRecord& c = s.conflict(i);
    if (c.t_us() < lock_from) break;
    if (c.kind() == ConflictKind::kVacuumSkipped || c.kind() == ConflictKind::kVacuumCancelled) {
      ++f.lock_conflicts;
    }
  }

  // The run to judge: the one in progress, else the latest completed one if the table crossed
  // its trigger again before that run could have been repeated.
  const TableRates rates = s.Rates(now);
  const double floor = s.run_count() > 0
                           ? std::max<double>(0, static_cast<double>(s.run(0).not_yet_removable()))
                           : 0;
  if (s.progress.pid != 0 && s.progress.start_us != kNever) {
    f.run_in_progress = true;
    f.run_elapsed_s = static_cast<double>(now_us - s.progress.start_us) / 1e6;
    if (s.progress.heap_blks_scanned >= 0 && f.run_elapsed_s > 0) {
      f.run_pages_per_s = static_cast<double>(s.progress.heap_blks_scanned) / f.run_elapsed_s;
    }
    if (rates.dead_growth_per_s.has_value() && *rates.dead_growth_per_s > 0 &&
        s.vacuum_trigger >= 0) {
      f.recross_s = std::max(0.0, s.vacuum_trigger - floor) / *rates.dead_growth_per_s;
    }
  } else if (s.run_count() > 0 && s.run(0).duration_ms != RunRecord::kUnknown32 &&
             s.over_trigger() && s.over_since_us >= s.run(0).end_us) {
    const RunRecord& r = s.run(0);
    f.run_elapsed_s = r.duration_ms / 1000.0;
    if (r.pages != RunRecord::kUnknown32 && f.run_elapsed_s > 0) {
      f.run_pages_per_s = r.pages / f.run_elapsed_s;
    }
    f.recross_s = static_cast<double>(s.over_since_us - r.end_us) / 1e6;
  }
  f.run_too_long = f.run_elapsed_s >= absl::ToDoubleSeconds(t.min_slow_run) && f.recross_s >= 0 &&
                   f.run_elapsed_s > f.recross_s;
  f.slow_for_pages = f.run_pages_per_s >= 0 && f.run_pages_per_s < t.slow_run_pages_per_s;
  f.cost_delayed = s.cost_delay_ms > 0;

  if (cluster != nullptr) {
    f.workers_busy = cluster->workers_busy();
    f.max_workers = cluster->max_workers();
  }
  f.tables_over_trigger = tables_over_trigger;
  const double needed = std::ceil(config.worker_busy_fraction * static_cast<double>(f.max_workers));
  f.workers_saturated = f.max_workers > 0 && static_cast<double>(f.workers_busy) >= needed &&
                        tables_over_trigger >= config.starvation_min_tables_over_trigger &&
                        s.progress.pid == 0;

  for (int i = 0; i < s.run_count() && i < 3; ++i) {
    if (s.run(i).index_scans != UINT8_MAX) {
      f.max_index_scans = std::max<int>(f.max_index_scans, s.run(i).index_scans);
    }
  }
  if (s.progress.index_passes > 0) {
    f.max_index_scans = std::max<int>(
        f.max_index_scans, static_cast<int>(std::min<int64_t>(s.progress.index_passes, 1000)));
  }
  return f;
}

bool HorizonPinned(const TableState& s, const TableTuning& t) {
  if (RunsProvePin(0, s.cutoff_runs, t)) return true;
  int near_zero = 0;
  for (int i = 0; i < s.run_count() && near_zero < t.ineffective_runs; ++i) {
    const RunRecord& r = s.run(i);
    if (!RunRemovedNearZero(r.removed(), r.not_yet_removable(), t.removed_near_zero_fraction)) {
      break;
    }
    ++near_zero;
  }
  return RunsProvePin(near_zero, s.cutoff_runs, t);
}

Cause ClassifyNotKeepingUp(const CauseFacts& f, const TableTuning& t) {
  if (RunsProvePin(f.pinned_runs, f.cutoff_runs, t)) {
    return Cause::kXminHorizon;
  }
  if (f.lock_conflicts >= t.lock_conflict_min_events) return Cause::kLockConflicts;
  if (f.floor_rises >= 2 && f.holder != nullptr) return Cause::kXminHorizon;
  if (f.run_too_long && f.slow_for_pages && f.cost_delayed) return Cause::kCostThrottled;
  if (f.workers_saturated) return Cause::kWorkerStarvation;
  if (f.max_index_scans > t.max_index_scans) return Cause::kInsufficientMaintenanceWorkMem;
  return Cause::kUnknown;
}

Cause ClassifyFreezing(const CauseFacts& f, const TableTuning& t) {
  if (f.holder_blocks_freeze || RunsProvePin(f.pinned_runs, f.cutoff_runs, t)) {
    return Cause::kXminHorizon;
  }
  if (f.lock_conflicts >= t.lock_conflict_min_events) return Cause::kLockConflicts;
  if (f.run_too_long && f.slow_for_pages && f.cost_delayed) return Cause::kCostThrottled;
  if (f.workers_saturated) return Cause::kWorkerStarvation;
  return Cause::kUnknown;
}

}  // namespace vacwatch::pipeline
