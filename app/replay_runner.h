#ifndef VACWATCH_APP_REPLAY_RUNNER_H_
#define VACWATCH_APP_REPLAY_RUNNER_H_

// ReplayRunner: the engine behind `vacwatch replay`. It merges any number of server logs and
// snapshot files by event time, runs the pipeline over them and hands the alert transitions to
// a sink, with the state store making a stopped run resumable:
//
//   1. Transitions a previous run committed but did not confirm (the outbox) are delivered
//      first, in seq order.
//   2. Each input resumes at its stored offset (source_offset.h ids: "log:/abs/path"): a file
//      given again continues where the last run stopped, a new file starts at byte 0.
//   3. Every `checkpoint_every_events` log events (and every `checkpoint_every_snapshots`
//      snapshots) the pipeline's checkpoint and every input's resume offset are committed in
//      one batch; THEN the emitted transitions go to the sink, and once the sink has flushed
//      them their outbox entries are deleted in the next batch.
//
//   ReplayOptions options;
//   options.log_paths = {"postgresql.csv"};
//   options.stats_paths = {"snapshots.jsonl"};
//   ReplayRunner runner(options, pipeline_config, store.get(), &sink);
//   VW_ASSIGN_OR_RETURN(ReplayStats stats, runner.Run());
//   std::fputs(FormatReplayStats(stats).c_str(), stderr);
//
// The merge holds one lookahead event per input and passes it to the pipeline in place (each
// input's current event stays valid until that input advances), so nothing is copied. Inputs
// are ordered by event time; equal times go in input order (logs as given, then snapshot files
// as given), so the output is a function of the inputs alone. A crash (or a failing sink)
// between commit and delivery loses nothing: the next run delivers the outbox again, so
// delivery is at least once. The runner keeps pointers to the store, sink, consumer and error
// sink: they must outlive it. Run() once per runner.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/driver.h"
#include "app/event_consumer.h"
#include "common/parse_error.h"
#include "ingest/log_event.h"
#include "ingest/log_source.h"
#include "ingest/snapshot.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/explanation.h"
#include "pipeline/pipeline.h"
#include "sinks/alert_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {

class ServiceMetrics;

struct ReplayOptions {
  std::vector<std::string> log_paths;    // "-" = stdin (not resumable)
  std::vector<std::string> stats_paths;  // snapshot JSON lines
  ingest::LogFormat log_format = ingest::LogFormat::kAuto;
  std::string log_line_prefix;       // stderr logs; empty: recognise the common ones
  ingest::EnvelopeOptions envelope;  // shipper JSON lines: where the line, cluster, time are
  // The cluster the logs belong to (snapshots name their own). Empty: the cluster of the
  // first snapshot of the stats inputs (read from its start when it is a file, from the
  // lookahead when it is a pipe), so logs and snapshots of one server meet.
  std::string cluster;
  // Per log, parallel to log_paths (or empty): its cluster ("" = `cluster`). A fleet's logs
  // replayed together with its snapshots (`--logs CLUSTER=FILE`).
  std::vector<std::string> log_clusters;
  // The servers' log_timezone (IANA names) for reading zone abbreviations: `log_timezone` for
  // every log (--log-timezone), else the cluster's from `cluster_log_timezones`, else
  // `default_log_timezone` (the config's), else the log_timezone setting of the cluster's
  // first snapshot; with none, ambiguous abbreviations (CST...) are read from a table and
  // warned about.
  std::string log_timezone;
  std::map<std::string, std::string, std::less<>> cluster_log_timezones;
  // The state outlives the run (--state-dir): an entry cut at the end of a log file is left
  // for the next run to read whole (LogSourceOptions::hold_cut_entry).
  bool hold_cut_entries = false;
  std::string default_log_timezone;
  int64_t checkpoint_every_events = 4096;
  int64_t checkpoint_every_snapshots = 1;
  ParseErrorSink* errors = nullptr;  // rejected input; not owned
  // Where progress and warnings go (not owned); null: nowhere. Progress is written at most
  // once per `progress_interval` of wall time, only when `show_progress`; with
  // `progress_in_place` each line overwrites the last (a terminal).
  std::FILE* diagnostics = nullptr;
  bool show_progress = false;
  bool progress_in_place = false;
  double progress_interval_s = 1.0;
  // How long the end of the run waits for asynchronous (HTTP) sinks to deliver what it
  // committed (sinks.sink_retry_for); what they still lack is in ReplayStats::undelivered.
  absl::Duration sink_drain_timeout = absl::ZeroDuration();
  // Where /metrics and /readyz get the replay's numbers (service_metrics.h), published after
  // checkpoints every publish_interval and once at the end. Not owned; must outlive Run().
  // Null: none (the consumer and sinks are then driven directly).
  ServiceMetrics* metrics = nullptr;
};

struct ReplayStats {
  int64_t inputs_read = 0;      // log entries and snapshot documents read
  int64_t log_events = 0;       // autovacuum events fed to the pipeline
  int64_t snapshots = 0;        // snapshots fed to the pipeline
  int64_t skipped = 0;          // log entries with nothing for vacwatch
  int64_t rejected = 0;         // entries and documents that did not parse (dead letters)
  int64_t alerts_fired = 0;     // firing transitions delivered (redeliveries included)
  int64_t alerts_resolved = 0;  // resolved transitions delivered (redeliveries included)
  int64_t redelivered = 0;      // of those, left undelivered by a previous run
  int64_t checkpoints = 0;      // batches committed
  int64_t resumed_inputs = 0;   // inputs that continued from a stored offset
  // Log entries whose zone abbreviation names several zones, read without a known zone, and
  // the first such abbreviation (static text).
  int64_t ambiguous_zone_entries = 0;
  std::string_view ambiguous_zone;
  // Snapshots the pipeline used (not out of order, not duplicates); -1 when the consumer is
  // not a pipeline. Zero while snapshots were read: nothing could be judged.
  int64_t snapshots_applied = -1;
  // Asynchronous sinks still behind when the run ended (their transitions stay in the state's
  // outbox for the next run with the same state).
  std::vector<UndeliveredSink> undelivered;
};

// What the runner drives (event_consumer.h): a pipeline::Pipeline unless given another
// consumer (tests record what they are fed).
using ReplayConsumer = EventConsumer;

class ReplayRunner {
 public:
  // Runs a pipeline::Pipeline with `config` (copied) over `store`.
  ReplayRunner(ReplayOptions options, const pipeline::PipelineConfig& config,
               state::StateStore* store, sinks::AlertSink* sink);
  // Feeds `consumer` (not owned) instead.
  ReplayRunner(ReplayOptions options, ReplayConsumer* consumer, state::StateStore* store,
               sinks::AlertSink* sink);
  // Delivers to several sinks, each from its own position (driver.h).
  ReplayRunner(ReplayOptions options, const pipeline::PipelineConfig& config,
               state::StateStore* store, std::vector<DriverSink> sinks);
  ~ReplayRunner();
  ReplayRunner(const ReplayRunner&) = delete;
  ReplayRunner& operator=(const ReplayRunner&) = delete;

  // Runs to the end of every input. Errors: NotFound for a missing input, InvalidArgument for
  // an input named twice, and the store's and the sink's errors (the run stops; what was
  // committed stays, so the next run continues from there).
  absl::StatusOr<ReplayStats> Run();
  // After Run: why `table` ("cluster/database.schema.table") paged or did not, at the end of
  // the replay (Pipeline::Explain).
  absl::StatusOr<pipeline::Explanation> Explain(std::string_view table);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "replay: 13202 inputs read, 250 events, 400 snapshots, 0 rejected; alerts: 6 fired,
// 1 resolved" (plus redelivered/resumed when there were any).
std::string FormatReplayStats(const ReplayStats& stats);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_REPLAY_RUNNER_H_
