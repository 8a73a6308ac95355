#include "app/followed_log_input.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "common/status_macros.h"

namespace vacwatch::app {

std::string FollowedLogInput::FileIdentityKey(std::string_view source_id) {
  return "follow:" + std::string(source_id);
}

absl::StatusOr<std::unique_ptr<FollowedLogInput>> FollowedLogInput::Open(
    const ingest::FollowTarget& target, ingest::LogFollowerOptions options,
    const state::StateStore* store) {
  VW_ASSIGN_OR_RETURN(std::string source_id,
                      state::MakeSourceId(state::SourceKind::kLog, target.path));
  std::optional<ingest::FollowPosition> resume;
  if (store != nullptr) {
    VW_ASSIGN_OR_RETURN(std::optional<state::SourceOffset> offset, store->GetOffset(source_id));
    VW_ASSIGN_OR_RETURN(std::optional<std::string> identity,
                        store->GetMeta(FileIdentityKey(source_id)));
    if (offset.has_value() && identity.has_value()) {
      absl::StatusOr<ingest::FileIdentity> file = ingest::ParseFileIdentity(*identity);
      if (!file.ok()) {
        return absl::DataLossError("state: " + FileIdentityKey(source_id) + ": " +
                                   std::string(file.status().message()));
      }
      resume = ingest::FollowPosition{*file, offset->value()};
    }
  }
  VW_ASSIGN_OR_RETURN(auto follower, ingest::LogFollower::Open(target, std::move(options), resume));
  std::unique_ptr<FollowedLogInput> input(
      new FollowedLogInput(std::move(source_id), std::move(follower)));
  input->TakePosition();
  return input;
}

void FollowedLogInput::TakePosition() {
  if (std::optional<ingest::FollowPosition> p = follower_->resume_position(); p.has_value()) {
    position_ = *p;
    has_position_ = true;
  }
}

absl::StatusOr<DriverInput::State> FollowedLogInput::Advance() {
  // Taken before Next: the follower has not returned the coming event yet.
  TakePosition();
  VW_ASSIGN_OR_RETURN(const bool has_next, follower_->Next(&event_));
  if (!has_next) {
    // Caught up: what a checkpoint stores now is everything read (a rotation may have moved
    // the follower to another file).
    TakePosition();
    return State::kIdle;
  }
  return State::kReady;
}

void FollowedLogInput::PutFileIdentity(state::StateStore::Batch* batch) const {
  if (!has_position_) return;
  batch->PutMeta(FileIdentityKey(source_id_), ingest::FormatFileIdentity(position_.file));
}

}  // namespace vacwatch::app
