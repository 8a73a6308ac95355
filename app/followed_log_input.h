#ifndef VACWATCH_APP_FOLLOWED_LOG_INPUT_H_
#define VACWATCH_APP_FOLLOWED_LOG_INPUT_H_

// FollowedLogInput: a live server log (ingest/log_follower.h: a file followed across rotation
// and truncation, or logging_collector's directory) as an input of the Driver (driver.h), so
// `vacwatch watch` merges it with the snapshots it polls. It is kReady with an event, kIdle
// when it has caught up (the driver then waits for it, at most max_input_skew), and never
// kEnded: a log goes on.
//
//   LogFollowerOptions options;                         // format, prefix, zone, cluster...
//   VW_ASSIGN_OR_RETURN(auto log, FollowedLogInput::Open(
//       ingest::ParseFollowTarget(log_file_flag), options, store.get()));
//   DriverOptions driver_options;
//   driver_options.before_commit = [&](state::StateStore::Batch* b) {
//     log->PutFileIdentity(b);                          // beside the offset, same batch
//     return absl::OkStatus();
//   };
//   Driver driver(driver_options, &pipeline, store.get(), sinks);
//   VW_RETURN_IF_ERROR(driver.AddInput(log.get()));
//   while (!stopping) { driver.Run(); ...; wait for the poll interval; }
//
// Position: the driver stores resume_position() (a byte offset) under source_id()
// ("log:<absolute path>" of the file or directory); the offset counts in one particular file,
// whose identity (device:inode) PutFileIdentity() stores as meta "follow:<source id>" in the
// same batch. Open() reads both back: the same file continues at its offset (or, rotated by
// rename meanwhile, is found beside its old name and finished first); another file is read
// from its start. Not thread-safe; the driver's thread owns it. Keeps `store` only during
// Open().

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/driver_input.h"
#include "ingest/file_identity.h"
#include "ingest/log_event.h"
#include "ingest/log_follower.h"
#include "state/source_offset.h"
#include "state/state_store.h"

namespace vacwatch::app {

class FollowedLogInput final : public DriverInput {
 public:
  // Opens the follower at the position stored in `store` (null: none). Errors: the store's, a
  // stored identity that does not parse (DataLoss), LogFollower::Open's.
  static absl::StatusOr<std::unique_ptr<FollowedLogInput>> Open(const ingest::FollowTarget& target,
                                                                ingest::LogFollowerOptions options,
                                                                const state::StateStore* store);

  absl::StatusOr<State> Advance() override;
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnLogEvent(event_); }
  absl::Time time() const override { return event_.time; }
  bool is_snapshot() const override { return false; }
  state::SourceOffset resume_position() const override {
    return state::SourceOffset(position_.offset);
  }
  const std::string& source_id() const override { return source_id_; }
  const ingest::IngestCounters& counters() const override { return follower_->counters(); }

  // Stores the identity of the file resume_position() counts in (call with every batch that
  // stores the position: DriverOptions::before_commit). Nothing before a file was opened.
  void PutFileIdentity(state::StateStore::Batch* batch) const;
  // The meta key of that identity: "follow:<source id>".
  static std::string FileIdentityKey(std::string_view source_id);

  const ingest::LogFollower& follower() const { return *follower_; }

 private:
  FollowedLogInput(std::string source_id, std::unique_ptr<ingest::LogFollower> follower)
      : source_id_(std::move(source_id)), follower_(std::move(follower)) {}
  void TakePosition();

  std::string source_id_;
  std::unique_ptr<ingest::LogFollower> follower_;
  ingest::LogEvent event_;
  ingest::FollowPosition position_;  // of the lookahead (or, idle, of what is next)
  bool has_position_ = false;        // a file has been opened
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_FOLLOWED_LOG_INPUT_H_
