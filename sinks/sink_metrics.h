#ifndef VACWATCH_SINKS_SINK_METRICS_H_
#define VACWATCH_SINKS_SINK_METRICS_H_

// SinkMetrics: what a sink reports about its deliveries, for /metrics (docs/metrics.md,
// vacwatch_sink_*). Each sink owns one, fills it as it works and hands out a const reference;
// the metrics exporter reads it at its progress tick. The fields are atomics (relaxed: each is
// a number on its own, no ordering between them), so a sink that delivers from a thread of its
// own (an HTTP client's) may fill them there; they change per delivery attempt, never per input
// event.
//
//   class WebhookSink : public AlertSink {
//     ...
//     const SinkMetrics& metrics() const { return metrics_; }
//    private:
//     SinkMetrics metrics_;
//   };
//   // on a 2xx:        metrics_.delivered.fetch_add(1, std::memory_order_relaxed);
//   // on a 5xx/timeout: metrics_.failed += 1, and retries += 1 when it will try again
//   // queue:           metrics_.queued.store(queue_.size(), std::memory_order_relaxed);
//
// Sinks that keep no counts of their own are wrapped in a MeteredSink (metered_sink.h), which
// fills one at the AlertSink interface.

#include <atomic>
#include <cstdint>

namespace vacwatch::sinks {

struct SinkMetrics {
  // Transitions whose delivery the sink confirmed (a Flush that succeeded, a 2xx).
  std::atomic<int64_t> delivered{0};
  // Delivery attempts that failed (an error from Deliver or Flush, a refused request).
  std::atomic<int64_t> failed{0};
  // Attempts beyond the first for the same transition.
  std::atomic<int64_t> retries{0};
  // Transitions accepted and not yet confirmed (a gauge: the sink's queue depth).
  std::atomic<int64_t> queued{0};
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_SINK_METRICS_H_
