#ifndef VACWATCH_PIPELINE_VACUUM_OVERDUE_DETECTOR_H_
#define VACWATCH_PIPELINE_VACUUM_OVERDUE_DETECTOR_H_

// VacuumOverdueAutovacuumDisabled (warning): what the other detectors cannot see because
// autovacuum never tries: autovacuum is off for the table (reloption autovacuum_enabled=false)
// or the server (autovacuum = off, or track_counts = off) and the table is over its vacuum
// trigger, past both floors. Only anti-wraparound vacuums will ever run on it. Clears when a
// manual VACUUM brings it back under its trigger or autovacuum is turned back on.

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class VacuumOverdueDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kVacuumOverdueAutovacuumDisabled; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_VACUUM_OVERDUE_DETECTOR_H_
