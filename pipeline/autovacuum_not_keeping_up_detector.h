#ifndef VACWATCH_PIPELINE_AUTOVACUUM_NOT_KEEPING_UP_DETECTOR_H_
#define VACWATCH_PIPELINE_AUTOVACUUM_NOT_KEEPING_UP_DETECTOR_H_

// AutovacuumNotKeepingUp (warning): autovacuum is visibly trying on the table and the table
// still gets worse against its own trigger. Holds when all of:
//   - the table is past both floors (min_table_bytes, min_dead_tuples) and autovacuum is on;
//     runs that prove the horizon pinned (HorizonPinned) are enough whatever the size;
//   - n_dead_tup is over its vacuum trigger (threshold + scale_factor * reltuples, reloptions
//     first) and not getting better: not lower than when it crossed, or each run leaves at
//     least as many dead tuples over the trigger as the run before, or the dead ratio rises
//     faster than bloat_velocity_limit per hour;
//   - evidence that autovacuum tried and failed since it crossed: ineffective_runs completed
//     runs that left it over (or removed ~0), lock_conflict_min_events skips/cancels within
//     lock_window, a run longer than the table needs to cross its trigger again, or no run
//     at all for overdue_after.
// The cause comes from ClassifyNotKeepingUp (cause_classifier.h). A healthy saw-tooth never
// holds: each run brings the table back under its trigger.
//
// A pinned horizon (cause xmin_horizon) fires at once (the runs are the proof) and resolves on
// evidence: the first snapshot that finds the table back under its trigger, after a vacuum
// that ran after the release removed the backlog. While it fires, a different root proved by
// the runs is handed to the pipeline, which re-emits the alert with it. Other causes resolve
// after clear_cycles autovacuum cycles under the trigger (ClearWindow).

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class AutovacuumNotKeepingUpDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kAutovacuumNotKeepingUp; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
  void Explain(const EvalContext& ctx, const TableState& table, ExplainSection* out) const override;
};

// Completed runs since the table crossed its trigger that left it over (or removed ~0); the
// larger of what the log and autovacuum_count say.
int IneffectiveRunsSinceOver(const TableState& table, double near_zero_fraction);

// Whether a vacuum that ran after a pinned-horizon alert began removed the backlog: the runs
// no longer prove a pin, and the latest (logged: it removed tuples; seen only by the
// snapshots: the dead tuples fell across it) ran after the alert began.
bool PinReleased(const TableState& table, const TableTuning& tuning, const AlertState& alert);

// How long a table must stay clear before an alert of a cause other than a pinned horizon
// resolves: clear_cycles autovacuum cycles (a cycle is autovacuum_naptime, or the table's own
// interval between completed runs (log or last_autovacuum), or the run in progress, when
// longer), never longer than clear_for.
absl::Duration ClearWindow(const EvalContext& ctx, const TableState& table,
                           const AlertWindow& window);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_AUTOVACUUM_NOT_KEEPING_UP_DETECTOR_H_
