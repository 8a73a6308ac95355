#ifndef VACWATCH_PIPELINE_WRAPAROUND_RISK_DETECTOR_H_
#define VACWATCH_PIPELINE_WRAPAROUND_RISK_DETECTOR_H_

// WraparoundRisk (warning or critical): the table (or database) is on its way to the point
// where PostgreSQL stops assigning XIDs (age 2^31 - 3M). Holds when any of:
//   - the server logged a wraparound WARNING for it in the last hour ("must be vacuumed
//     within", "oldest xmin is far in the past", failsafe, ...): critical, cause server_warning;
//   - relfrozenxid_age >= wraparound_warning_age (critical from wraparound_critical_age);
//   - the table is past its freeze max age and, at the XID rate measured over rate_window,
//     reaches the stop limit within wraparound_warning_horizon (critical within
//     wraparound_critical_horizon).
// Otherwise the cause is why freezing does not happen (ClassifyFreezing). Severity is decided
// when it fires.

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class WraparoundRiskDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kWraparoundRisk; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
};

// How long a server wraparound warning keeps the condition true.
inline constexpr absl::Duration kServerWarningWindow = absl::Hours(1);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_WRAPAROUND_RISK_DETECTOR_H_
