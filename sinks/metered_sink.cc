#include "sinks/metered_sink.h"

namespace vacwatch::sinks {

absl::Status MeteredSink::Deliver(const pipeline::AlertTransition& transition) {
  if (any_seq_ && transition.seq <= highest_seq_) {
    metrics_.retries.fetch_add(1, std::memory_order_relaxed);
  }
  absl::Status s = inner_->Deliver(transition);
  if (!s.ok()) {
    metrics_.failed.fetch_add(1, std::memory_order_relaxed);
    return s;
  }
  if (!any_seq_ || transition.seq > highest_seq_) highest_seq_ = transition.seq;
  any_seq_ = true;
  ++pending_;
  metrics_.queued.store(pending_, std::memory_order_relaxed);
  return s;
}

absl::Status MeteredSink::Flush() {
  absl::Status s = inner_->Flush();
  if (!s.ok()) {
    metrics_.failed.fetch_add(1, std::memory_order_relaxed);
    return s;
  }
  metrics_.delivered.fetch_add(pending_, std::memory_order_relaxed);
  pending_ = 0;
  metrics_.queued.store(0, std::memory_order_relaxed);
  return s;
}

}  // namespace vacwatch::sinks
