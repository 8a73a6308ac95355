#include "pipeline/detectors.h"

#include "absl/strings/str_cat.h"
#include "pipeline/autovacuum_not_keeping_up_detector.h"
#include "pipeline/freezing_not_keeping_up_detector.h"
#include "pipeline/threshold_too_lax_detector.h"
#include "pipeline/vacuum_overdue_detector.h"
#include "pipeline/wraparound_risk_detector.h"
#include "pipeline/xmin_horizon_held_detector.h"

namespace vacwatch::pipeline {

void Detector::Explain(const EvalContext& ctx, const TableState& table, ExplainSection* out) const {
  Verdict v;
  Evaluate(ctx, table, &v);
  out->Condition("condition holds", v.holds,
                 v.holds ? absl::StrCat("cause ", std::string(CauseName(v.cause)), ", severity ",
                                        std::string(SeverityName(v.severity)))
                         : std::string("no"));
}

const std::array<const Detector*, kNumAlertKinds>& AllDetectors() {
  static const AutovacuumNotKeepingUpDetector not_keeping_up;
  static const FreezingNotKeepingUpDetector freezing;
  static const WraparoundRiskDetector wraparound;
  static const ThresholdTooLaxDetector too_lax;
  static const VacuumOverdueDetector overdue;
  static const XminHorizonHeldDetector horizon_held;
  static const std::array<const Detector*, kNumAlertKinds> all = [] {
    std::array<const Detector*, kNumAlertKinds> a{};
    for (const Detector* d :
         {static_cast<const Detector*>(&not_keeping_up), static_cast<const Detector*>(&freezing),
          static_cast<const Detector*>(&wraparound), static_cast<const Detector*>(&too_lax),
          static_cast<const Detector*>(&overdue), static_cast<const Detector*>(&horizon_held)}) {
      a[static_cast<int>(d->kind())] = d;
    }
    return a;
  }();
  return all;
}

}  // namespace vacwatch::pipeline
