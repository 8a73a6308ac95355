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

#include "absl/status/status.h"
#include "pipeline/alert.h"

namespace vacwatch::sinks {

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // Errors: Unavailable = try again later (the entry stays in the outbox); anything else ends
  // the run.
  virtual absl::Status Deliver(const pipeline::AlertTransition& transition) = 0;
  // Confirms everything delivered so far.
  virtual absl::Status Flush() = 0;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERT_SINK_H_
