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
  Note(transition.alert);
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

void MeteredSink::Seed(const std::vector<pipeline::Alert>& firing) {
  for (const pipeline::Alert& alert : firing) Note(alert);
}

void MeteredSink::Note(const pipeline::Alert& alert) {
  if (alert.status == pipeline::AlertStatus::kResolved) {
    open_.erase(alert.fingerprint);
    return;
  }
  Open& open = open_[alert.fingerprint];
  if (open.alert != alert.alert) open.alert = alert.alert;
  open.severity = alert.severity;
}

std::map<std::pair<std::string, std::string>, int64_t> MeteredSink::firing() const {
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  for (const auto& [fingerprint, open] : open_) {
    ++counts[{open.alert, std::string(pipeline::SeverityName(open.severity))}];
  }
  return counts;
}

}  // namespace vacwatch::sinks
