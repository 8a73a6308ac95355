#ifndef VACWATCH_PIPELINE_DETECTORS_H_
#define VACWATCH_PIPELINE_DETECTORS_H_

// Detectors: every detector vacwatch runs, in one place, indexed by AlertKind (which is also
// the order they are evaluated and their transitions emitted for a table). Adding an alert:
// a new AlertKind (config.h), a Detector in its own file, one line here, docs/alerts.md.
//
//   for (const Detector* d : AllDetectors()) d->Evaluate(ctx, table, &verdict);

#include <array>

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

// Static const objects; the array is ordered by AlertKind.
const std::array<const Detector*, kNumAlertKinds>& AllDetectors();

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_DETECTORS_H_
