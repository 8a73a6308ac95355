#ifndef VACWATCH_SINKS_METERED_SINK_H_
#define VACWATCH_SINKS_METERED_SINK_H_

// MeteredSink: an AlertSink in front of another that counts what passes through it, for
// /metrics: SinkMetrics at the AlertSink interface (delivered = transitions a Flush confirmed,
// failed = Deliver or Flush errors, retries = a seq delivered again after it had been handed
// over before, queued = handed over, not yet flushed). For synchronous sinks that keep no
// counts of their own (stdout, the Kafka alert topic); the HTTP sinks fill their own
// (sink_metrics()), so they need none.
//
//   MeteredSink metered(alert_topic.get());        // keeps the pointer; `inner` outlives it
//   Driver driver(options, &consumer, store, &metered);
//   ... metered.metrics().delivered
//
// Everything else (is_async, delivered_through, last_error, Restore) is the inner sink's.
// Deliver passes errors through unchanged. Not thread-safe: the driver's thread calls it
// (SinkMetrics may be read from any thread). The alerts firing come from the state, not from
// here (app/firing_set.h).

#include <cstdint>
#include <string>
#include <vector>

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
  bool is_async() const override { return inner_->is_async(); }
  uint64_t delivered_through() const override { return inner_->delivered_through(); }
  std::string last_error() const override { return inner_->last_error(); }
  void Restore(const std::vector<pipeline::Alert>& firing) override { inner_->Restore(firing); }
  const SinkMetrics* sink_metrics() const override { return &metrics_; }

  const SinkMetrics& metrics() const { return metrics_; }

 private:
  AlertSink* const inner_;
  SinkMetrics metrics_;
  int64_t pending_ = 0;       // delivered since the last Flush
  uint64_t highest_seq_ = 0;  // the highest seq handed over so far
  bool any_seq_ = false;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_METERED_SINK_H_
