#ifndef VACWATCH_APP_DRIVER_INPUT_H_
#define VACWATCH_APP_DRIVER_INPUT_H_

// DriverInput: one input of the Driver (driver.h): a log file, a snapshots file, later a Kafka
// partition. It holds one item ahead (its lookahead: a log event or a snapshot) and hands it to
// the consumer in place, so nothing is copied:
//
//   VW_ASSIGN_OR_RETURN(DriverInput::State s, input.Advance());   // read the lookahead
//   if (s == DriverInput::State::kReady) {
//     Use(input.time());                      // its event time
//     VW_RETURN_IF_ERROR(input.FeedTo(&consumer));
//     Store(input.source_id(), input.resume_position());   // before the next Advance
//   }
//
// kIdle means nothing is there now but more may come (a Kafka partition that has caught up);
// Advance() is called again later. A file is never idle: it is kReady until it has ended.
// The lookahead stays valid until the next Advance(). Not thread-safe; one driver owns it.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/event_consumer.h"
#include "ingest/ingest_counters.h"
#include "state/source_offset.h"

namespace vacwatch::app {

class DriverInput {
 public:
  enum class State : uint8_t { kReady, kIdle, kEnded };

  virtual ~DriverInput() = default;

  // Reads the next lookahead (the first one on the first call).
  virtual absl::StatusOr<State> Advance() = 0;
  // Hands the lookahead to `consumer`. Only when the last Advance() said kReady.
  virtual absl::Status FeedTo(EventConsumer* consumer) = 0;
  // The lookahead's event time (kReady).
  virtual absl::Time time() const = 0;
  virtual bool is_snapshot() const = 0;
  // Where a new reader reproduces the lookahead and everything after it: what a checkpoint
  // stores while the lookahead has not been fed (after the end: the end).
  virtual state::SourceOffset resume_position() const = 0;
  // The id its position is stored under (state/source_offset.h); empty when it cannot be
  // resumed (stdin).
  virtual const std::string& source_id() const = 0;
  virtual const ingest::IngestCounters& counters() const = 0;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_DRIVER_INPUT_H_
