#ifndef VACWATCH_PIPELINE_FREEZING_NOT_KEEPING_UP_DETECTOR_H_
#define VACWATCH_PIPELINE_FREEZING_NOT_KEEPING_UP_DETECTOR_H_

// FreezingNotKeepingUp (warning): anti-wraparound or aggressive vacuums repeat while
// relfrozenxid_age keeps rising. Holds when relfrozenxid_age is above freeze_warning_fraction *
// the table's effective autovacuum_freeze_max_age (its reloption first), at least
// freeze_min_runs anti-wraparound/aggressive runs happened since relfrozenxid last moved (the
// latest within freeze_window; an autovacuum counted by autovacuum_count while the table was
// past its freeze limit counts too), and the age is higher than when that series began. No
// size floor: a tiny table holds back datfrozenxid as surely as a big one.
// Cause: ClassifyFreezing (an xmin holder older than the freeze max age is xmin_horizon).

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class FreezingNotKeepingUpDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kFreezingNotKeepingUp; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
};

// PostgreSQL stops assigning XIDs 3M short of wraparound (2^31): the age that matters.
inline constexpr int64_t kXidStopAge = (int64_t{1} << 31) - 3'000'000;

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_FREEZING_NOT_KEEPING_UP_DETECTOR_H_
