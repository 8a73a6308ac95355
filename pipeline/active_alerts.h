#ifndef VACWATCH_PIPELINE_ACTIVE_ALERTS_H_
#define VACWATCH_PIPELINE_ACTIVE_ALERTS_H_

// The alerts still firing in a state store, whichever run fired them: what a text summary
// lists at the end of a replay that continues earlier runs (--state-dir), and what `explain`
// shows. Reads every table state once (a full scan: for end-of-run reports, never per event).
//
//   std::vector<Alert> firing;
//   VW_RETURN_IF_ERROR(CollectFiringAlerts(*store, absl::Now(), &firing));
//
// Each Alert has status kFiring, its name, severity, cause, table, starts_at, fingerprint and
// holder; the texts (summary, evidence, recommendation) are a detector's and are left empty.

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/alert.h"
#include "state/state_store.h"

namespace vacwatch::pipeline {

// Appends to `*out`, in key order; `now` gives the holders' age_s.
absl::Status CollectFiringAlerts(const state::StateStore& store, absl::Time now,
                                 std::vector<Alert>* out);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_ACTIVE_ALERTS_H_
