#ifndef VACWATCH_PIPELINE_CAUSE_CLASSIFIER_H_
#define VACWATCH_PIPELINE_CAUSE_CLASSIFIER_H_

// CauseClassifier: why autovacuum does not keep up with a table, decided from the evidence
// (domain.md, "What running but not keeping up looks like"):
//   xmin_horizon        runs end at the same removable cutoff while leaving dead tuples (the
//                       log's cutoff, or the database's horizon at the snapshots that saw the
//                       runs), or remove ~0 while dead-but-not-yet-removable grows, or the
//                       post-vacuum floor keeps rising; for freezing: the root of the table's
//                       horizon is older than its freeze max age (relfrozenxid can never pass
//                       the horizon)
//   lock_conflicts      runs are skipped ("lock not available") or cancelled again and again
//   cost_throttled      a run lasts longer than the table needs to cross its trigger again,
//                       is slow for its pages, and the table has a cost delay
//   worker_starvation   all autovacuum workers are busy and many tables are over trigger,
//                       none of them working on this one
//   insufficient_maintenance_work_mem   a run needs more than one pass over the indexes
//   unknown             none of these
// (The Cause enum and its names are alert.h's: an Alert carries one.) GatherCauseFacts collects
// the numbers once; Classify* apply an order of precedence (the most specific, strongest
// evidence first), so the classifier is testable on plain facts.
//
//   CauseFacts f = GatherCauseFacts(ctx_now, tuning, table, db, cluster, over_trigger_tables);
//   Cause c = ClassifyNotKeepingUp(f, tuning);

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/database_state.h"

namespace vacwatch::pipeline {

class TableState;

struct CauseFacts {
  // Horizon.
  int pinned_runs = 0;  // latest consecutive runs that removed ~0 and left dead tuples
  int floor_rises = 0;  // latest consecutive rises of the post-vacuum dead floor over trigger
  int cutoff_runs = 0;  // latest consecutive runs at one removable cutoff that left dead tuples
  bool pinned = false;  // pinned_runs or cutoff_runs reached ineffective_runs
  // The root holding the table's horizon (horizon.h): the candidate whose value is the runs'
  // cutoff, else the database's root. Points into the DatabaseState; valid for the evaluation.
  const HolderRecord* holder = nullptr;
  bool holder_blocks_freeze = false;  // holder older than the table's freeze max age
  // Locks.
  int lock_conflicts = 0;  // vacuum skips + cancels within lock_window
  // The run in progress, else the latest run.
  bool run_in_progress = false;
  double run_elapsed_s = -1;
  double run_pages_per_s = -1;  // heap pages scanned per second, -1 unknown
  double recross_s = -1;        // time the table needs (or needed) to cross its trigger again
  bool run_too_long = false;    // elapsed >= min_slow_run and > recross
  bool slow_for_pages = false;  // pages/s under slow_run_pages_per_s
  bool cost_delayed = false;    // effective cost delay > 0
  // Workers.
  int64_t workers_busy = 0, max_workers = 0, tables_over_trigger = 0;
  bool workers_saturated = false;
  // Memory.
  int max_index_scans = 0;  // most index passes of a recent run (or the run in progress)
};

CauseFacts GatherCauseFacts(absl::Time now, const TableTuning& tuning, const PipelineConfig& config,
                            const TableState& table, const DatabaseState* db,
                            const ClusterState* cluster, int64_t tables_over_trigger);

Cause ClassifyNotKeepingUp(const CauseFacts& facts, const TableTuning& tuning);
Cause ClassifyFreezing(const CauseFacts& facts, const TableTuning& tuning);

// Whether the table's runs prove its horizon pinned: ineffective_runs consecutive runs at one
// removable cutoff that left dead tuples, or that removed ~0 (cheap: no facts gathered).
bool HorizonPinned(const TableState& table, const TableTuning& tuning);

// Runs that count as "removed ~0": removed <= fraction * (removed + not yet removable) and
// something was left behind.
bool RunRemovedNearZero(int64_t removed, int64_t not_yet_removable, double fraction);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_CAUSE_CLASSIFIER_H_
