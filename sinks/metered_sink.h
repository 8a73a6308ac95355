#ifndef VACWATCH_SINKS_METERED_SINK_H_
#define VACWATCH_SINKS_METERED_SINK_H_

// MeteredSink: an AlertSink in front of another that counts what passes through it, for
// /metrics: SinkMetrics at the AlertSink interface (delivered = transitions a Flush confirmed,
// failed = Deliver or Flush errors, retries = a seq delivered again after it had been handed
// over before, queued = handed over, not yet flushed) and the alerts firing now, by alert name
// and severity, as the delivered transitions say (a firing transition opens or re-opens its
// fingerprint at its severity, a resolved one closes it; a redelivered transition changes
// nothing):
//
//   MeteredSink metered(alert_topic.get());        // keeps the pointer; `inner` outlives it
//   Driver driver(options, &consumer, store, &metered);
//   ... metered.metrics().delivered, metered.firing()
//
// Seed() starts the firing set from the alerts firing in the state at start (a restart does not
// forget what is open). Deliver passes errors through unchanged. Not thread-safe: the driver's
// thread calls it (SinkMetrics may be read from any thread).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "pipeline/alert.h"
#include "sinks/alert_sink.h"
#include "sinks/sink_metrics.h"

namespace vacwatch::sinks {

class MeteredSink final : public AlertSink {
 public:
  explicit MeteredSink(AlertSink* inner) : inner_(inner) {}
  MeteredSink(const MeteredSink&) = delete;
  MeteredSink& operator=(const MeteredSink&) = delete;

  absl::Status Deliver(const pipeline::AlertTransition& transition) override;
  absl::Status Flush() override;

  // Adds alerts firing in the state at start (pipeline::CollectFiringAlerts).
  void Seed(const std::vector<pipeline::Alert>& firing);

  const SinkMetrics& metrics() const { return metrics_; }
  // Alerts firing now: (alert name, severity name) -> how many.
  std::map<std::pair<std::string, std::string>, int64_t> firing() const;

 private:
  struct Open {
    std::string alert;
    pipeline::Severity severity = pipeline::Severity::kWarning;
  };
  void Note(const pipeline::Alert& alert);

  AlertSink* const inner_;
  SinkMetrics metrics_;
  int64_t pending_ = 0;       // delivered since the last Flush
  uint64_t highest_seq_ = 0;  // the highest seq handed over so far
  bool any_seq_ = false;
  absl::flat_hash_map<std::string, Open> open_;  // by fingerprint
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_METERED_SINK_H_
