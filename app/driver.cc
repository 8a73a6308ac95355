#include "app/driver.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "pipeline/alert_json_reader.h"

namespace vacwatch::app {

Driver::Driver(DriverOptions options, EventConsumer* consumer, state::StateStore* store,
               sinks::AlertSink* sink)
    : options_(std::move(options)), consumer_(consumer), store_(store), sink_(sink) {}

absl::Status Driver::RedeliverOutbox() {
  std::vector<std::pair<uint64_t, std::string>> entries;
  VW_RETURN_IF_ERROR(store_->ForEachOutbox([&](uint64_t seq, std::string_view value) {
    entries.emplace_back(seq, std::string(value));
    return true;
  }));
  if (entries.empty()) return absl::OkStatus();
  pipeline::AlertTransition transition;
  for (const auto& [seq, json] : entries) {
    auto alert = pipeline::ParseAlertJson(json);
    if (!alert.ok()) {
      return absl::DataLossError(
          absl::StrCat("outbox entry ", seq, ": ", alert.status().message()));
    }
    transition.seq = seq;
    transition.alert = *std::move(alert);
    VW_RETURN_IF_ERROR(Deliver(transition));
    ++stats_.redelivered;
    delivered_.push_back(seq);
  }
  VW_RETURN_IF_ERROR(sink_->Flush());
  return CommitDeliveredDeletes();
}

absl::Status Driver::AddInput(DriverInput* input, std::optional<DriverInput::State> advanced) {
  Slot slot;
  slot.input = input;
  if (advanced.has_value()) {
    slot.state = *advanced;
  } else {
    VW_ASSIGN_OR_RETURN(slot.state, input->Advance());
  }
  if (slot.state == DriverInput::State::kIdle) slot.idle_since = Now();
  slots_.push_back(slot);
  return absl::OkStatus();
}

void Driver::RemoveInput(DriverInput* input) {
  std::erase_if(slots_, [input](const Slot& slot) { return slot.input == input; });
}

absl::Status Driver::Refresh(Slot* slot) {
  VW_ASSIGN_OR_RETURN(slot->state, slot->input->Advance());
  if (slot->state == DriverInput::State::kIdle) {
    if (slot->idle_since == absl::InfinitePast()) slot->idle_since = Now();
  } else {
    slot->idle_since = absl::InfinitePast();
  }
  return absl::OkStatus();
}

absl::StatusOr<Driver::Progress> Driver::Run() {
  while (true) {
    // Idle inputs may have something now.
    for (Slot& slot : slots_) {
      if (slot.state == DriverInput::State::kIdle) VW_RETURN_IF_ERROR(Refresh(&slot));
    }
    // Few inputs: a linear scan beats a heap. Strict < keeps the first input on ties.
    Slot* next = nullptr;
    bool any_idle = false;
    for (Slot& slot : slots_) {
      if (slot.state == DriverInput::State::kIdle) any_idle = true;
      if (slot.state != DriverInput::State::kReady) continue;
      if (next == nullptr || slot.input->time() < next->input->time()) next = &slot;
    }
    if (next == nullptr) return any_idle ? Progress::kWaiting : Progress::kEnded;
    const absl::Time time = next->input->time();
    if (any_idle) {
      // An idle input behind this item may still give an older one: wait for it, but not
      // for longer than max_input_skew.
      bool wait = false;
      for (Slot& slot : slots_) {
        if (slot.state != DriverInput::State::kIdle || slot.watermark >= time) continue;
        if (Now() - slot.idle_since < options_.max_input_skew) {
          wait = true;
        } else if (slot.watermark != absl::InfiniteFuture()) {
          ++stats_.skew_timeouts;
          slot.watermark = absl::InfiniteFuture();  // until it gives an item again
        }
      }
      if (wait) return Progress::kWaiting;
    }
    if (batch_start_ == absl::InfinitePast()) batch_start_ = absl::Now();
    VW_RETURN_IF_ERROR(next->input->FeedTo(consumer_));
    if (time < stats_.event_time) {
      ++stats_.late_items;
    } else {
      stats_.event_time = time;
    }
    next->watermark = time;
    if (next->input->is_snapshot()) {
      ++stats_.snapshots;
      ++snapshots_since_checkpoint_;
    } else {
      ++stats_.log_events;
      ++events_since_checkpoint_;
    }
    VW_RETURN_IF_ERROR(Refresh(next));
    if (events_since_checkpoint_ >= options_.checkpoint_every_events ||
        snapshots_since_checkpoint_ >= options_.checkpoint_every_snapshots) {
      VW_RETURN_IF_ERROR(Checkpoint());
      if (options_.after_checkpoint) options_.after_checkpoint();
    }
  }
}

absl::Status Driver::Checkpoint() {
  const absl::Time start = absl::Now();
  events_since_checkpoint_ = 0;
  snapshots_since_checkpoint_ = 0;
  // After a failed commit the batch still holds its changes and emitted_ their transitions:
  // they are committed (and then delivered) with whatever came since.
  if (!commit_pending_) emitted_.clear();
  VW_RETURN_IF_ERROR(consumer_->Checkpoint(&batch_, &emitted_));
  commit_pending_ = true;
  for (uint64_t seq : delivered_) batch_.DeleteOutbox(seq);
  delivered_.clear();
  for (const Slot& slot : slots_) {
    if (!slot.input->source_id().empty()) {
      batch_.PutOffset(slot.input->source_id(), slot.input->resume_position());
    }
  }
  if (options_.before_commit) VW_RETURN_IF_ERROR(options_.before_commit(&batch_));
  VW_RETURN_IF_ERROR(store_->Commit(&batch_));
  commit_pending_ = false;
  ++stats_.checkpoints;
  if (!emitted_.empty()) {
    for (const pipeline::AlertTransition& transition : emitted_) {
      VW_RETURN_IF_ERROR(Deliver(transition));
    }
    VW_RETURN_IF_ERROR(sink_->Flush());
    // Confirmed: their outbox entries go with the next batch.
    for (const pipeline::AlertTransition& transition : emitted_) {
      delivered_.push_back(transition.seq);
    }
  }
  const absl::Time end = absl::Now();
  stats_.checkpoint_seconds.Observe(absl::ToDoubleSeconds(end - start));
  if (batch_start_ != absl::InfinitePast()) {
    stats_.batch_seconds.Observe(absl::ToDoubleSeconds(end - batch_start_));
    batch_start_ = absl::InfinitePast();
  }
  return absl::OkStatus();
}

absl::Status Driver::Finish() {
  VW_RETURN_IF_ERROR(Checkpoint());
  return CommitDeliveredDeletes();
}

absl::Status Driver::CommitDeliveredDeletes() {
  if (delivered_.empty()) return absl::OkStatus();
  for (uint64_t seq : delivered_) batch_.DeleteOutbox(seq);
  delivered_.clear();
  VW_RETURN_IF_ERROR(store_->Commit(&batch_));
  ++stats_.checkpoints;
  return absl::OkStatus();
}

absl::Status Driver::Deliver(const pipeline::AlertTransition& transition) {
  VW_RETURN_IF_ERROR(sink_->Deliver(transition));
  if (transition.alert.status == pipeline::AlertStatus::kResolved) {
    ++stats_.alerts_resolved;
  } else {
    ++stats_.alerts_fired;
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
