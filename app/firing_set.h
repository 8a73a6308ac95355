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

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "pipeline/alert.h"
#include "state/state_store.h"

namespace vacwatch::app {

// Alerts firing, by (alert name, severity name): what /metrics shows.
using FiringCounts = std::map<std::pair<std::string, std::string>, int64_t>;

class FiringSet {
 public:
  // Appends the stored firing alerts to `*out`, in fingerprint order.
  static absl::Status Load(const state::StateStore& store, std::vector<pipeline::Alert>* out);
  // Firing transitions replace their fingerprint's entry, resolved ones remove it. Applying the
  // same transitions again (a retried commit) gives the same set.
  static void Apply(const std::vector<pipeline::AlertTransition>& transitions,
                    state::StateStore::Batch* batch);
};

// FiringTally: how many alerts fire, by name and severity, kept by the driver from the firing
// set it loads at start and the transitions of every checkpoint: the /metrics gauge, whatever
// the sinks and their routes see. Memory: a fingerprint and two short names per firing alert.
class FiringTally {
 public:
  void Seed(const std::vector<pipeline::Alert>& firing);
  void Apply(const std::vector<pipeline::AlertTransition>& transitions);
  // Adds this tally to `counts` (several shards' into one).
  void AddCounts(FiringCounts* counts) const;
  size_t size() const { return by_fingerprint_.size(); }

 private:
  void Put(const pipeline::Alert& alert);
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>> by_fingerprint_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_FIRING_SET_H_
