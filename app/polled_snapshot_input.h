#ifndef VACWATCH_APP_POLLED_SNAPSHOT_INPUT_H_
#define VACWATCH_APP_POLLED_SNAPSHOT_INPUT_H_

// PolledSnapshotInput: the snapshots `vacwatch watch` takes itself (ingest/postgres/
// snapshot_collector.h) as an input of the Driver (driver.h). The collector's loop pushes each
// document as it is taken; the driver reads them in order, each at its collected_at:
//
//   PolledSnapshotInput stats(&dead_letters);
//   collector.CollectRound([&](const CollectedSnapshot& s) { stats.Push(s.document); });
//   VW_ASSIGN_OR_RETURN(Driver::Progress p, driver.Run());   // kWaiting: poll again
//
// kReady with a snapshot, kIdle when the queue is empty (the next round will bring more),
// never kEnded. It cannot be resumed (no source id): a restart takes new snapshots, and the
// pipeline ignores one older than what it applied. A document that does not decode is counted
// (counters().rejected) and handed to `errors` (may be null; not owned). Not thread-safe: one
// thread pushes and drives.

#include <deque>
#include <string>

#include "absl/status/statusor.h"
#include "app/driver_input.h"
#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"

namespace vacwatch::app {

class PolledSnapshotInput final : public DriverInput {
 public:
  explicit PolledSnapshotInput(ParseErrorSink* errors);

  // Queues one snapshot document (a JSON object, docs/formats.md).
  void Push(std::string document) { queue_.push_back(std::move(document)); }
  size_t queued() const { return queue_.size(); }

  absl::StatusOr<State> Advance() override;
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnSnapshot(snapshot_); }
  absl::Time time() const override { return snapshot_.collected_at; }
  bool is_snapshot() const override { return true; }
  state::SourceOffset resume_position() const override { return state::SourceOffset(0); }
  const std::string& source_id() const override { return source_id_; }
  const ingest::IngestCounters& counters() const override { return counters_; }

 private:
  ParseErrorSink* errors_;
  std::deque<std::string> queue_;
  ingest::SnapshotDecoder decoder_;
  ingest::Snapshot snapshot_;
  ingest::IngestCounters counters_;
  const std::string source_id_;  // empty: not resumable
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_POLLED_SNAPSHOT_INPUT_H_
