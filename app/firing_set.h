#ifndef VACWATCH_APP_FIRING_SET_H_
#define VACWATCH_APP_FIRING_SET_H_

// FiringSet: the alerts firing right now, as their last firing transition (texts included),
// kept in the state beside the outbox so that a sink which re-sends what fires (Alertmanager:
// otherwise it times alerts out) knows it again after a restart, even when the outbox was
// emptied long ago. The driver applies every committed batch's transitions in the same batch,
// so the set always agrees with the alert states.
//
// Layout: one meta key per firing alert, "firing:" + fingerprint -> the alert JSON of
// docs/alerts.md (one line). A transition costs one put or delete, whatever the number of
// alerts firing, and nothing is held in memory: the set is read only at start, and only when
// a sink wants it. A value that does not parse is DataLoss, never skipped.
//
//   std::vector<pipeline::Alert> firing;
//   VW_RETURN_IF_ERROR(FiringSet::Load(*store, &firing));
//   sink->Restore(firing);
//   FiringSet::Apply(emitted, &batch);     // before store->Commit(&batch)
//
// Keeps no reference to its arguments.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/alert.h"
#include "state/state_store.h"

namespace vacwatch::app {

class FiringSet {
 public:
  // Appends the stored firing alerts to `*out`, in fingerprint order.
  static absl::Status Load(const state::StateStore& store, std::vector<pipeline::Alert>* out);
  // Firing transitions replace their fingerprint's entry, resolved ones remove it. Applying the
  // same transitions again (a retried commit) gives the same set.
  static void Apply(const std::vector<pipeline::AlertTransition>& transitions,
                    state::StateStore::Batch* batch);
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_FIRING_SET_H_
