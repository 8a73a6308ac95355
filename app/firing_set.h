#ifndef VACWATCH_APP_FIRING_SET_H_
#define VACWATCH_APP_FIRING_SET_H_

// FiringSet: the alerts firing right now, as their last firing transition (texts included),
// kept in the state beside the outbox so that a sink which re-sends what fires (Alertmanager:
// otherwise it times alerts out) knows it again after a restart, even when the outbox was
// emptied long ago. The driver applies every committed batch's transitions to it in the same
// batch, so it always agrees with the alert states.
//
// Layout: 16 meta keys "firing:0" .. "firing:f", one per first hex digit of the fingerprint
// (a change rewrites one bucket, not the whole set). Value grammar, version first:
//
//   value  := "v1\n" alert*
//   alert  := <the alert JSON of docs/alerts.md, one line> "\n"
//
// An unknown version or a line that does not parse is DataLoss, never skipped.
//
//   FiringSet firing;
//   VW_RETURN_IF_ERROR(firing.Load(*store));
//   firing.Apply(emitted, &batch);     // before store->Commit(&batch)
//   sink->Restore(firing.alerts());
//
// Not thread-safe; keeps no reference to its arguments.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/alert.h"
#include "state/state_store.h"

namespace vacwatch::app {

// Alerts firing, by (alert name, severity name): what /metrics shows.
using FiringCounts = std::map<std::pair<std::string, std::string>, int64_t>;

class FiringSet {
 public:
  absl::Status Load(const state::StateStore& store);
  // Firing transitions replace their fingerprint's entry, resolved ones remove it; the
  // buckets that changed are written into `batch`. Applying the same transitions again (a
  // retried commit) gives the same set.
  void Apply(const std::vector<pipeline::AlertTransition>& transitions,
             state::StateStore::Batch* batch);
  // In fingerprint order.
  std::vector<pipeline::Alert> alerts() const;
  size_t size() const;
  // Adds this set's alerts to `counts` (several shards' sets into one).
  void AddCounts(FiringCounts* counts) const;

 private:
  static size_t Bucket(const std::string& fingerprint);
  std::array<std::map<std::string, pipeline::Alert>, 16> buckets_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_FIRING_SET_H_
