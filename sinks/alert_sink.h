#ifndef VACWATCH_SINKS_ALERT_SINK_H_
#define VACWATCH_SINKS_ALERT_SINK_H_

// AlertSink: where alert transitions go once the batch that produced them is committed. The
// replay (and later the daemon) drives every sink the same way, the outbox pattern:
//
//   VW_RETURN_IF_ERROR(store->Commit(&batch));          // state, offsets, outbox entries
//   for (const AlertTransition& t : emitted) VW_RETURN_IF_ERROR(sink->Deliver(t));
//   VW_RETURN_IF_ERROR(sink->Flush());                  // now delivered: durable downstream
//   next_batch.DeleteOutbox(t.seq) for each t;           // only after Flush succeeded
//
// Deliver may buffer; only a successful Flush confirms delivery (Vector's finalization). A
// transition whose delivery was not confirmed stays in the outbox and is delivered again after
// a restart, in seq order, before any new one: delivery is at least once, and a sink that must
// not show a transition twice can drop seqs it has already confirmed. A sink copies what it
// keeps: `transition` need stay valid only during the call.
//
// Asynchronous sinks (the HTTP ones, http/http_alert_sink.h) work differently: Deliver only
// queues (ResourceExhausted when the queue is full: hand it again later), Flush confirms
// nothing, and delivered_through() says how far delivery has got. The driver keeps one
// delivery position per sink in the state (meta "sink:<name>") and deletes an outbox entry
// once every sink has it, so a slow or dead sink stalls neither the pipeline nor the others.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/alert.h"
#include "sinks/sink_metrics.h"

namespace vacwatch::sinks {

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // Errors: Unavailable = try again later (the entry stays in the outbox); anything else ends
  // the run.
  virtual absl::Status Deliver(const pipeline::AlertTransition& transition) = 0;
  // Confirms everything delivered so far.
  virtual absl::Status Flush() = 0;

  // True for a sink whose Deliver only queues; then delivered_through() is the highest seq s
  // such that every transition handed to Deliver with seq <= s is done (delivered, or given
  // up on for good), and last_error() why it is not further (empty when it is not failing).
  virtual bool is_async() const { return false; }
  virtual uint64_t delivered_through() const { return 0; }
  virtual std::string last_error() const { return ""; }
  // The alerts firing in the state when the run starts (the driver calls it once, before any
  // Deliver), for a sink that re-sends what fires (Alertmanager).
  virtual void Restore(const std::vector<pipeline::Alert>& firing) {}
  // What the sink counts of its deliveries, for /metrics (sink_metrics.h); null for a sink
  // that counts nothing itself (wrap it in a MeteredSink, metered_sink.h).
  virtual const SinkMetrics* sink_metrics() const { return nullptr; }
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERT_SINK_H_
