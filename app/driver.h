#ifndef VACWATCH_APP_DRIVER_H_
#define VACWATCH_APP_DRIVER_H_

// Driver: the loop every command that runs the pipeline shares (`replay` over files, `run`
// over Kafka partitions). It merges its inputs in event time, feeds the consumer, and makes the
// run resumable and its alerts exactly-once-in-effect:
//
//   1. RedeliverOutbox(): transitions a previous run committed but did not confirm are
//      delivered first, in seq order.
//   2. Run(): the input whose lookahead is earliest goes next (ties: the input added first).
//      Every `checkpoint_every_events` log events (or `checkpoint_every_snapshots`
//      snapshots) Checkpoint() commits the consumer's changes, the outbox and every input's
//      resume position in ONE batch; THEN the transitions it emitted go to the sink, and once
//      the sink has flushed them their outbox entries are deleted with the next batch.
//   3. Finish(): a last checkpoint.
//
//   Driver driver(options, &consumer, store, &sink);
//   VW_RETURN_IF_ERROR(driver.RedeliverOutbox());
//   driver.AddInput(&log_input);            // not owned
//   VW_ASSIGN_OR_RETURN(Driver::Progress p, driver.Run());   // kEnded for files
//   VW_RETURN_IF_ERROR(driver.Finish());
//
// Watermarks. An input that is idle (a Kafka partition with nothing new) may still deliver
// items older than the others' lookaheads, so the merge waits for it: while an idle input's
// watermark (the time of the last item it gave) is behind the earliest lookahead, Run() returns
// kWaiting and the caller polls again. The wait is bounded: an input idle for longer than
// `max_input_skew` of wall time (default 30 s) no longer holds event time back, so an idle
// partition never stalls the others. An item that arrives behind what was already applied is
// applied where it is (nothing applied is reordered; the pipeline judges each table's events
// in their own order) and counted as late. Files are never idle: over files the merge is the
// plain event-time merge, and its output a function of the inputs alone.
//
// A crash (or a failing sink) between commit and delivery loses nothing: the next run delivers
// the outbox again. The driver keeps pointers to the consumer, store, sinks and inputs: they
// must outlive it. Not thread-safe: one thread at a time (drivers of different stores' scopes
// may run on different threads; their sinks then must be, see KafkaService).
//
// Several sinks. Each sink (DriverSink) has its own delivery position, kept in the state as
// meta "sink:<name>" (decimal: every outbox seq <= it is delivered to that sink, or left out
// by its route) and written with the next batch; an outbox entry is deleted once every sink's
// position has passed it. A synchronous sink (stdout, Kafka) is confirmed by its Flush, as
// above; an asynchronous one (the HTTP sinks) only queues, and its position follows its
// delivered_through(). When its queue is full, or at start when it is behind, it is fed from
// the outbox from its own position, so a dead HTTP sink stalls neither the pipeline nor the
// other sinks, and catches up when it is back (the outbox holds what it has not confirmed).
// A sink first seen (no position) starts with what is in the outbox. The alerts firing are
// kept in the state too (firing_set.h) and handed to every sink's Restore() at start.
//
//   Driver driver(options, &consumer, store,
//                 {{"stdout", &stdout_sink}, {"alertmanager:http://am:9093", am.get(), &route}});
//   ...
//   VW_RETURN_IF_ERROR(driver.Finish());              // waits sink_drain_timeout for them
//   for (const auto& u : driver.Undelivered()) ...   // async sinks still behind

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/driver_input.h"
#include "app/event_consumer.h"
#include "app/firing_set.h"
#include "common/metrics/histogram.h"
#include "pipeline/alert.h"
#include "sinks/alert_route.h"
#include "sinks/alert_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {

struct DriverOptions {
  int64_t checkpoint_every_events = 4096;
  int64_t checkpoint_every_snapshots = 1;
  absl::Duration max_input_skew = absl::Seconds(30);
  // Wall clock, for the skew wait (tests drive it); default absl::Now.
  std::function<absl::Time()> clock;
  // Called with every batch before it is committed, to store what the caller keeps beside
  // the positions (replay: each file's head fingerprint) and to make sure of what must be
  // durable before them (the service: dead letters acknowledged). An error fails the
  // checkpoint before the commit; retry it as a failed commit.
  std::function<absl::Status(state::StateStore::Batch*)> before_commit;
  // Called after every checkpoint of Run() (replay's progress line).
  std::function<void()> after_checkpoint;
  // False: Run() never checkpoints; the caller does, watching items_since_checkpoint() (the
  // service, whose shards run on several threads but deliver on one: Commit on each shard's
  // thread, then Deliver on the caller's).
  bool checkpoint_in_run = true;
  // How long Finish() waits for asynchronous sinks to deliver what was committed (replay:
  // sink_retry_for); zero: not at all.
  absl::Duration sink_drain_timeout = absl::ZeroDuration();
};

// One sink of the driver. The name keys its position in the state: keep it stable across
// runs ("stdout", "alertmanager:http://am-1:9093").
struct DriverSink {
  std::string name;
  sinks::AlertSink* sink = nullptr;          // not owned
  const sinks::AlertRoute* route = nullptr;  // not owned; null: every transition
};

// An asynchronous sink still behind at the end (Driver::Undelivered).
struct UndeliveredSink {
  std::string name;
  int64_t transitions = 0;  // committed, not yet confirmed by the sink
  std::string last_error;   // the sink's
};

struct DriverStats {
  int64_t log_events = 0;       // fed to the consumer
  int64_t snapshots = 0;        // fed to the consumer
  int64_t alerts_fired = 0;     // firing transitions delivered (redeliveries included)
  int64_t alerts_resolved = 0;  // resolved transitions delivered (redeliveries included)
  int64_t redelivered = 0;      // of those, left undelivered by a previous run
  int64_t checkpoints = 0;      // batches committed
  int64_t late_items = 0;       // items older than what had been applied already
  int64_t skew_timeouts = 0;    // times an idle input stopped holding event time back
  absl::Time event_time = absl::InfinitePast();  // of the last item fed
  // Wall time of each successful Checkpoint() (commit, then delivery to every sink and the
  // synchronous sinks' flush; an asynchronous sink only queues there), and of each batch:
  // from the first item fed after a checkpoint to the end of the checkpoint that committed and
  // delivered it (how long input waits in vacwatch before its alerts are out).
  metrics::Histogram checkpoint_seconds{metrics::kDurationBounds};
  metrics::Histogram batch_seconds{metrics::kDurationBounds};
};

// Adds `from` into `into`: counts summed, the later event_time, histograms merged (`run` sums
// its shards' drivers, those of closed shards included).
void AddDriverStats(const DriverStats& from, DriverStats* into);

class Driver {
 public:
  enum class Progress : uint8_t {
    kEnded,    // every input has ended
    kWaiting,  // no input can go on now (all idle, or waiting for an idle one): poll again
  };

  // One sink, named "alerts".
  Driver(DriverOptions options, EventConsumer* consumer, state::StateStore* store,
         sinks::AlertSink* sink);
  Driver(DriverOptions options, EventConsumer* consumer, state::StateStore* store,
         std::vector<DriverSink> sinks);
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Delivers what a previous run committed but never confirmed, to each sink from its own
  // position, and hands the firing set to every sink (Restore). Call once, first. Errors:
  // DataLoss for an outbox entry that does not parse; the store's and the sinks'.
  absl::Status RedeliverOutbox();
  // Adds an input (not owned) and advances it to its first lookahead, unless the caller did
  // already (`advanced`: what that Advance() returned).
  absl::Status AddInput(DriverInput* input,
                        std::optional<DriverInput::State> advanced = std::nullopt);
  // Removes an input (a revoked partition): call Checkpoint() first so its position is kept.
  void RemoveInput(DriverInput* input);
  // Feeds items in event time until every input has ended or none can go on.
  absl::StatusOr<Progress> Run();
  // Commits what was fed, the outbox and every input's position in one batch, then delivers.
  // When the commit fails (ResourceExhausted: the disk is full; or before_commit's error) the
  // batch is kept: call
  // Checkpoint() again until it succeeds before Run() feeds anything more (the consumer has
  // handed its changes over and may no longer hold them); the retry commits and delivers
  // everything, the failed attempt's transitions included.
  absl::Status Checkpoint();
  // Checkpoint() in two steps: Commit() commits (and may be retried as above), Deliver() hands
  // what was committed to the sinks. Checkpoint() is Commit() then Deliver(). Between them the
  // driver may not Run(). Deliver() with nothing committed only feeds sinks that are behind.
  absl::Status Commit();
  absl::Status Deliver();
  // Log events plus snapshots fed since the last commit.
  int64_t items_since_checkpoint() const {
    return events_since_checkpoint_ + snapshots_since_checkpoint_;
  }
  // A last checkpoint, a wait of up to `sink_drain_timeout` for asynchronous sinks, and the
  // deletion of the outbox entries every sink confirmed (positions committed).
  absl::Status Finish();
  // Asynchronous sinks whose position is behind the last committed transition (after Finish:
  // what the next run with this state delivers to them). Synchronous ones are never behind.
  std::vector<UndeliveredSink> Undelivered() const;

  const DriverStats& stats() const { return stats_; }
  // The alerts firing as of the last checkpoint (in the state with it; loaded by
  // RedeliverOutbox).
  const FiringTally& firing() const { return firing_; }

 private:
  struct Slot {
    DriverInput* input = nullptr;
    DriverInput::State state = DriverInput::State::kIdle;
    absl::Time watermark = absl::InfinitePast();   // of the last item it gave
    absl::Time idle_since = absl::InfinitePast();  // wall time it went idle
  };

  struct SinkSlot {
    DriverSink config;
    uint64_t position = 0;         // confirmed: every seq <= it delivered or routed away
    uint64_t stored_position = 0;  // what meta "sink:<name>" holds (or will, once committed)
    uint64_t fed = 0;              // every seq <= it handed to the sink or routed away
    uint64_t last_handed = 0;      // the highest seq handed to Deliver
    bool behind = false;           // async: queue was full; feed from the outbox
  };

  // Hands `transition` to the slot unless it has it. False when an async sink's queue is
  // full (the slot is then behind).
  absl::StatusOr<bool> Offer(SinkSlot* slot, const pipeline::AlertTransition& transition);
  // Feeds a behind slot from the outbox until its queue is full or it has everything.
  absl::Status CatchUp(SinkSlot* slot);
  // Positions from the sinks, into batch_ with the outbox deletes they allow.
  void UpdatePositions();
  void Count(const pipeline::AlertTransition& transition);
  absl::Status CommitDeliveredDeletes();
  absl::Status Refresh(Slot* slot);
  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }

  const DriverOptions options_;
  EventConsumer* const consumer_;
  state::StateStore* const store_;
  std::vector<SinkSlot> sinks_;
  FiringTally firing_;
  std::deque<uint64_t> outbox_;  // seqs committed to the outbox and not yet deleted
  std::vector<Slot> slots_;
  state::StateStore::Batch batch_;
  std::vector<pipeline::AlertTransition> emitted_;      // not committed yet (reused)
  std::vector<pipeline::AlertTransition> committed_;    // committed, for Deliver() (reused)
  absl::Time checkpoint_start_ = absl::InfinitePast();  // of the Commit() being delivered
  int64_t events_since_checkpoint_ = 0;
  int64_t snapshots_since_checkpoint_ = 0;
  bool commit_pending_ = false;  // a failed checkpoint's batch_ and emitted_ wait for the retry
  absl::Time batch_start_ = absl::InfinitePast();  // wall time of the batch's first item
  DriverStats stats_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_DRIVER_H_
