#ifndef VACWATCH_PIPELINE_THRESHOLD_TOO_LAX_DETECTOR_H_
#define VACWATCH_PIPELINE_THRESHOLD_TOO_LAX_DETECTOR_H_

// AutovacuumThresholdTooLax (info: advice, never a page): the table keeps up - each vacuum
// brings it back under healthy_dead_ratio - but between vacuums it peaks far above it, because
// its trigger (threshold + scale_factor * reltuples) lets that many dead tuples pile up: the
// seed's main fix. Holds when the table is past min_table_bytes, autovacuum is on and the
// table is not in AutovacuumNotKeepingUp, the trigger alone allows a dead ratio above
// healthy_dead_ratio, and at least lax_min_cycles vacuum cycles within lax_window peaked at or
// above healthy_dead_ratio * lax_peak_factor with at least lax_min_dead_tuples dead and ended
// under healthy_dead_ratio. The recommendation carries the ALTER TABLE with a scale factor and
// threshold that put the trigger near the healthy ratio (SuggestTrigger).

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class ThresholdTooLaxDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kAutovacuumThresholdTooLax; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
};

struct SuggestedTrigger {
  double scale_factor = 0;  // a round value: 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1
  int64_t threshold = 0;    // a round value
};
// The trigger that keeps peaks near `healthy_ratio`: aims the dead count at the healthy ratio
// of `reltuples`, shrunk by how far past its trigger the table overshoots (peak / trigger),
// split into a round scale factor and a round fixed threshold (10% of the target).
SuggestedTrigger SuggestTrigger(double reltuples, double healthy_ratio, double peak_dead,
                                double current_trigger);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_THRESHOLD_TOO_LAX_DETECTOR_H_
