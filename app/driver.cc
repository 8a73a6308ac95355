#include "app/driver.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "pipeline/alert_json_reader.h"

namespace vacwatch::app {

namespace {

std::string PositionKey(const std::string& sink_name) { return "sink:" + sink_name; }

}  // namespace

void AddDriverStats(const DriverStats& from, DriverStats* into) {
  into->log_events += from.log_events;
  into->snapshots += from.snapshots;
  into->alerts_fired += from.alerts_fired;
  into->alerts_resolved += from.alerts_resolved;
  into->redelivered += from.redelivered;
  into->checkpoints += from.checkpoints;
  into->late_items += from.late_items;
  into->skew_timeouts += from.skew_timeouts;
  into->event_time = std::max(into->event_time, from.event_time);
  // Same bounds by construction (kDurationBounds): Merge cannot refuse.
  into->checkpoint_seconds.Merge(from.checkpoint_seconds);
  into->batch_seconds.Merge(from.batch_seconds);
}

Driver::Driver(DriverOptions options, EventConsumer* consumer, state::StateStore* store,
               sinks::AlertSink* sink)
    : Driver(std::move(options), consumer, store,
             std::vector<DriverSink>{DriverSink{"alerts", sink, nullptr}}) {}

Driver::Driver(DriverOptions options, EventConsumer* consumer, state::StateStore* store,
               std::vector<DriverSink> sinks)
    : options_(std::move(options)), consumer_(consumer), store_(store), batch_(store->NewBatch()) {
  for (DriverSink& sink : sinks) {
    SinkSlot slot;
    slot.config = std::move(sink);
    sinks_.push_back(std::move(slot));
  }
}

absl::Status Driver::RedeliverOutbox() {
  // Read at every start (a key per firing alert): the tally behind the firing gauge needs it
  // whatever the sinks, and sinks that re-send what fires get it (Restore).
  std::vector<pipeline::Alert> firing;
  VW_RETURN_IF_ERROR(FiringSet::Load(*store_, &firing));
  firing_.Seed(firing);
  for (SinkSlot& slot : sinks_) {
    VW_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store_->GetMeta(PositionKey(slot.config.name)));
    if (stored.has_value()) {
      uint64_t position = 0;
      auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), position);
      if (ec != std::errc() || end != stored->data() + stored->size()) {
        return absl::DataLossError(absl::StrCat("meta ", PositionKey(slot.config.name), ": '",
                                                *stored, "' is not a position"));
      }
      slot.position = slot.stored_position = slot.fed = position;
    }
    slot.config.sink->Restore(firing);
  }
  std::vector<std::pair<uint64_t, std::string>> entries;
  VW_RETURN_IF_ERROR(store_->ForEachOutbox([&](uint64_t seq, std::string_view value) {
    entries.emplace_back(seq, std::string(value));
    return true;
  }));
  if (entries.empty()) return absl::OkStatus();
  uint64_t min_position = UINT64_MAX;
  for (const SinkSlot& slot : sinks_) min_position = std::min(min_position, slot.position);
  pipeline::AlertTransition transition;
  for (const auto& [seq, json] : entries) {
    outbox_.push_back(seq);
    if (seq <= min_position) continue;  // every sink has it; deleted below
    auto alert = pipeline::ParseAlertJson(json);
    if (!alert.ok()) {
      return absl::DataLossError(
          absl::StrCat("outbox entry ", seq, ": ", alert.status().message()));
    }
    transition.seq = seq;
    transition.alert = *std::move(alert);
    Count(transition);
    ++stats_.redelivered;
    for (SinkSlot& slot : sinks_) {
      if (slot.behind) continue;
      VW_RETURN_IF_ERROR(Offer(&slot, transition).status());
    }
  }
  for (SinkSlot& slot : sinks_) {
    if (slot.config.sink->is_async()) continue;
    VW_RETURN_IF_ERROR(slot.config.sink->Flush());
    slot.position = slot.fed;
  }
  return CommitDeliveredDeletes();
}

absl::StatusOr<bool> Driver::Offer(SinkSlot* slot, const pipeline::AlertTransition& transition) {
  if (transition.seq <= slot->fed) return true;
  if (slot->config.route != nullptr && !slot->config.route->Matches(transition.alert)) {
    slot->fed = transition.seq;
    return true;
  }
  const absl::Status delivered = slot->config.sink->Deliver(transition);
  if (slot->config.sink->is_async() && absl::IsResourceExhausted(delivered)) {
    slot->behind = true;
    return false;
  }
  VW_RETURN_IF_ERROR(delivered);
  slot->fed = slot->last_handed = transition.seq;
  return true;
}

absl::Status Driver::CatchUp(SinkSlot* slot) {
  if (!slot->behind) return absl::OkStatus();
  bool full = false;
  absl::Status error;
  pipeline::AlertTransition transition;
  VW_RETURN_IF_ERROR(store_->ForEachOutbox([&](uint64_t seq, std::string_view value) {
    if (seq <= slot->fed) return true;
    auto alert = pipeline::ParseAlertJson(value);
    if (!alert.ok()) {
      error =
          absl::DataLossError(absl::StrCat("outbox entry ", seq, ": ", alert.status().message()));
      return false;
    }
    transition.seq = seq;
    transition.alert = *std::move(alert);
    absl::StatusOr<bool> offered = Offer(slot, transition);
    if (!offered.ok()) {
      error = offered.status();
      return false;
    }
    full = !*offered;
    return !full;
  }));
  VW_RETURN_IF_ERROR(error);
  slot->behind = full;
  if (!slot->config.sink->is_async()) {
    VW_RETURN_IF_ERROR(slot->config.sink->Flush());
    slot->position = slot->fed;
  }
  return absl::OkStatus();
}

void Driver::UpdatePositions() {
  uint64_t min_position = outbox_.empty() ? 0 : outbox_.back();
  for (SinkSlot& slot : sinks_) {
    if (slot.config.sink->is_async()) {
      const uint64_t through = slot.config.sink->delivered_through();
      slot.position = std::max(slot.position, through >= slot.last_handed ? slot.fed : through);
    }
    if (slot.position != slot.stored_position) {
      batch_.PutMeta(PositionKey(slot.config.name), absl::StrCat(slot.position));
      slot.stored_position = slot.position;
    }
    min_position = std::min(min_position, slot.position);
  }
  while (!outbox_.empty() && outbox_.front() <= min_position) {
    batch_.DeleteOutbox(outbox_.front());
    outbox_.pop_front();
  }
}

std::vector<UndeliveredSink> Driver::Undelivered() const {
  std::vector<UndeliveredSink> behind;
  for (const SinkSlot& slot : sinks_) {
    if (!slot.config.sink->is_async()) continue;
    int64_t count = 0;
    for (auto it = outbox_.rbegin(); it != outbox_.rend() && *it > slot.position; ++it) ++count;
    if (count == 0) continue;
    behind.push_back({slot.config.name, count, slot.config.sink->last_error()});
  }
  return behind;
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
    if (options_.checkpoint_in_run &&
        (events_since_checkpoint_ >= options_.checkpoint_every_events ||
         snapshots_since_checkpoint_ >= options_.checkpoint_every_snapshots)) {
      VW_RETURN_IF_ERROR(Checkpoint());
      if (options_.after_checkpoint) options_.after_checkpoint();
    }
  }
}

absl::Status Driver::Checkpoint() {
  VW_RETURN_IF_ERROR(Commit());
  return Deliver();
}

absl::Status Driver::Commit() {
  if (checkpoint_start_ == absl::InfinitePast()) checkpoint_start_ = absl::Now();
  events_since_checkpoint_ = 0;
  snapshots_since_checkpoint_ = 0;
  // After a failed commit the batch still holds its changes and emitted_ their transitions:
  // they are committed (and then delivered) with whatever came since.
  if (!commit_pending_) emitted_.clear();
  VW_RETURN_IF_ERROR(consumer_->Checkpoint(&batch_, &emitted_));
  commit_pending_ = true;
  // Both idempotent: a retried commit applies the same transitions again, giving the same set.
  FiringSet::Apply(emitted_, &batch_);
  firing_.Apply(emitted_);
  UpdatePositions();  // what the sinks confirmed: positions and deletes
  for (const Slot& slot : slots_) {
    if (!slot.input->source_id().empty()) {
      batch_.PutOffset(slot.input->source_id(), slot.input->resume_position());
    }
  }
  if (options_.before_commit) VW_RETURN_IF_ERROR(options_.before_commit(&batch_));
  VW_RETURN_IF_ERROR(store_->Commit(&batch_));
  commit_pending_ = false;
  ++stats_.checkpoints;
  for (pipeline::AlertTransition& transition : emitted_) {
    outbox_.push_back(transition.seq);
    Count(transition);
    committed_.push_back(std::move(transition));
  }
  emitted_.clear();
  return absl::OkStatus();
}

absl::Status Driver::Deliver() {
  // Whatever happens below, these are in the outbox: a failed delivery leaves them there for
  // the sinks' catch-up or the next run, never for a second Deliver() of the same list.
  absl::Cleanup done = [this] { committed_.clear(); };
  for (SinkSlot& slot : sinks_) {
    if (slot.behind) {
      VW_RETURN_IF_ERROR(CatchUp(&slot));  // the outbox has committed_ now
      continue;
    }
    if (committed_.empty()) continue;
    for (const pipeline::AlertTransition& transition : committed_) {
      VW_ASSIGN_OR_RETURN(const bool taken, Offer(&slot, transition));
      if (!taken) break;
    }
    if (!slot.config.sink->is_async()) {
      VW_RETURN_IF_ERROR(slot.config.sink->Flush());
      // Confirmed: the position goes with the next batch, and the outbox entries every sink
      // has confirmed are deleted there.
      slot.position = slot.fed;
    }
  }
  const absl::Time end = absl::Now();
  if (checkpoint_start_ != absl::InfinitePast()) {
    stats_.checkpoint_seconds.Observe(absl::ToDoubleSeconds(end - checkpoint_start_));
    checkpoint_start_ = absl::InfinitePast();
  }
  if (batch_start_ != absl::InfinitePast()) {
    stats_.batch_seconds.Observe(absl::ToDoubleSeconds(end - batch_start_));
    batch_start_ = absl::InfinitePast();
  }
  return absl::OkStatus();
}

absl::Status Driver::Finish() {
  VW_RETURN_IF_ERROR(Checkpoint());
  if (options_.sink_drain_timeout > absl::ZeroDuration()) {
    // Wall time (options_.clock drives the skew wait in tests, not this).
    const absl::Time deadline = absl::Now() + options_.sink_drain_timeout;
    while (true) {
      for (SinkSlot& slot : sinks_) VW_RETURN_IF_ERROR(CatchUp(&slot));
      UpdatePositions();
      if (Undelivered().empty() || absl::Now() >= deadline) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return CommitDeliveredDeletes();
}

absl::Status Driver::CommitDeliveredDeletes() {
  UpdatePositions();
  if (batch_.count() == 0) return absl::OkStatus();
  VW_RETURN_IF_ERROR(store_->Commit(&batch_));
  ++stats_.checkpoints;
  return absl::OkStatus();
}

void Driver::Count(const pipeline::AlertTransition& transition) {
  if (transition.alert.status == pipeline::AlertStatus::kResolved) {
    ++stats_.alerts_resolved;
  } else {
    ++stats_.alerts_fired;
  }
}

}  // namespace vacwatch::app
