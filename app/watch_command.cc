#include "app/watch_command.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/alert_sinks.h"
#include "app/arg_parser.h"
#include "app/collector_config.h"
#include "app/config_loader.h"
#include "app/driver.h"
#include "app/event_consumer.h"
#include "app/followed_log_input.h"
#include "app/full_state_dir.h"
#include "app/metered_consumer.h"
#include "app/metrics_flags.h"
#include "app/polled_snapshot_input.h"
#include "app/sinks_config.h"
#include "app/stop_signals.h"
#include "common/status_macros.h"
#include "ingest/log_follower.h"
#include "ingest/log_source.h"
#include "ingest/postgres/server_log_settings.h"
#include "ingest/postgres/snapshot_collector.h"
#include "sinks/dead_letter_sink.h"
#include "sinks/stdout_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Watches one PostgreSQL server without Kafka: polls its stats every --interval as\n"
    "'vacwatch collect' does, follows its log as 'tail -F' does (across rotation and\n"
    "truncation; logging_collector's directory too), and runs the detectors and the configured\n"
    "sinks in this one process. Alerts are printed on stdout as JSON lines (docs/alerts.md)\n"
    "unless --quiet. State lives in --state-dir: a restart continues the log where it stopped\n"
    "and never repeats an alert. What the flags do not say is asked of the server:\n"
    "log_line_prefix and log_timezone, and where the log is (logging_collector, log_directory,\n"
    "log_filename) when --log-file is a directory or absent. Log lines go to stderr.\n"
    "SIGINT/SIGTERM: a last checkpoint, the alerts delivered, exit 0. docs/watch.md.";

struct WatchFlags {
  CollectorFlags collector;
  std::string log_file;
  std::string log_format = "auto";
  std::string log_line_prefix;
  std::string log_timezone;
  std::string state_dir = "vacwatch-state";
  std::string config;
  std::string dead_letter;
  std::string max_input_skew = "3";
  std::string progress_every = "60";
  bool quiet = false;
  SinkFlags sinks;
  MetricsFlags metrics;
};

// "2026-12-07T05:30:00.123Z info vacwatch watch: message", flushed: one line per event.
class WatchLog {
 public:
  explicit WatchLog(std::FILE* out) : out_(out) {}
  void operator()(std::string_view level, std::string_view message) const {
    const std::string line =
        absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                     " ", std::string(level), " vacwatch watch: ", std::string(message), "\n");
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
};

absl::StatusOr<absl::Duration> ParseSeconds(const std::string& text, const std::string& flag) {
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || seconds <= 0) {
    return absl::InvalidArgumentError("--" + flag + " needs a positive number of seconds, not '" +
                                      text + "' (see 'vacwatch watch --help')");
  }
  return absl::Seconds(seconds);
}

// The format to read a logging_collector directory in: the flag's, else the first of the
// server's destinations vacwatch reads (stderr files first: they are always there).
ingest::LogFormat DirectoryFormat(ingest::LogFormat flag, const std::string& log_destination) {
  if (flag != ingest::LogFormat::kAuto) return flag;
  if (absl::StrContains(log_destination, "stderr")) return ingest::LogFormat::kStderr;
  if (absl::StrContains(log_destination, "csvlog")) return ingest::LogFormat::kCsvlog;
  if (absl::StrContains(log_destination, "jsonlog")) return ingest::LogFormat::kJsonlog;
  return flag;
}

// Where the log is: --log-file (a directory gets the server's log_filename), else the
// server's logging_collector directory.
absl::StatusOr<ingest::FollowTarget> LogTarget(const std::string& log_file,
                                               const ingest::ServerLogSettings& server) {
  if (!log_file.empty()) {
    ingest::FollowTarget target = ingest::ParseFollowTarget(log_file);
    if (target.kind == ingest::FollowTarget::Kind::kDirectory &&
        !absl::StrContains(std::filesystem::path(log_file).filename().string(), "%") &&
        !server.log_filename.empty()) {
      target.log_filename = server.log_filename;
    }
    return target;
  }
  if (!server.logging_collector) {
    return absl::InvalidArgumentError(
        "give --log-file: the server has logging_collector off, so its log goes wherever its "
        "stderr goes (a file its start script names), which vacwatch cannot ask it (see "
        "'vacwatch watch --help')");
  }
  if (server.log_directory.empty()) {
    return absl::InvalidArgumentError(
        "give --log-file: the server's log_directory is relative to data_directory, which this "
        "role may not read (grant pg_monitor or pg_read_all_settings)");
  }
  return ingest::FollowTarget::Directory(server.log_directory, server.log_filename);
}

std::string DescribeTarget(const ingest::FollowTarget& target) {
  return target.kind == ingest::FollowTarget::Kind::kFile
             ? target.path
             : absl::StrCat(target.path, "/", target.log_filename, " (logging_collector)");
}

// The loop of one watch: rounds of the collector on their schedule, the driver run in
// between, a checkpoint whenever something was fed, progress and metrics now and then.
class Watch {
 public:
  struct Options {
    absl::Duration interval;
    absl::Duration progress_every;
    std::string state_dir;                      // for the disk-full lines
    ServiceMetrics* metrics = nullptr;          // not owned; null: none
    const MeteredConsumer* consumer = nullptr;  // not owned; with metrics
    std::vector<MetricsSources::Sink> sink_metrics;
  };

  Watch(Options options, ingest::SnapshotCollector* collector, PolledSnapshotInput* stats,
        FollowedLogInput* log, Driver* driver, state::StateStore* store, const WatchLog* log_line)
      : options_(std::move(options)),
        collector_(collector),
        stats_(stats),
        log_(log),
        driver_(driver),
        store_(store),
        say_(*log_line) {}

  // Until a stop signal; then a last checkpoint.
  absl::Status Run(const sigset_t& stop_signals) {
    absl::Time next_round = absl::Now();
    absl::Time next_progress = absl::Now() + options_.progress_every;
    absl::Duration backoff = absl::Seconds(1);
    while (true) {
      const absl::Time now = absl::Now();
      // While the state directory is full nothing is collected: the rounds would only queue
      // snapshots that cannot be committed. The log waits in its files.
      if (now >= next_round && !full_.active()) {
        const ingest::RoundResult round = collector_->CollectRound(
            [this](const ingest::CollectedSnapshot& s) { stats_->Push(s.document); });
        if (round.server_unreachable) {
          next_round = absl::Now() + std::min(backoff, options_.interval);
          backoff = std::min(backoff * 2, options_.interval);
        } else {
          backoff = absl::Seconds(1);
          next_round += options_.interval;
          // A round longer than the interval: the missed start times are skipped.
          while (next_round <= now) next_round += options_.interval;
        }
      }
      VW_RETURN_IF_ERROR(Drain());
      if (absl::Now() >= next_progress) {
        say_("info", Progress());
        next_progress = absl::Now() + options_.progress_every;
      }
      Publish(/*force=*/false);
      // Short steps: the log is read as it comes, the idle inputs' skew wait expires.
      const absl::Time wake = std::min(next_round, absl::Now() + absl::Milliseconds(200));
      if (WaitForStop(stop_signals, wake)) {
        say_("info", "stopping (signal): last checkpoint");
        break;
      }
    }
    VW_RETURN_IF_ERROR(Drain());
    if (full_.active()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("stopped with the state directory ", options_.state_dir,
                       " still full: the last checkpoint was not committed; the next start "
                       "reads the log again from the one before"));
    }
    VW_RETURN_IF_ERROR(driver_->Finish());
    Publish(/*force=*/true);
    say_("info", absl::StrCat("stopped; ", Progress()));
    return absl::OkStatus();
  }

  // "log: 1204 entries, 87 events (52 autovacuum, ...), file ...; snapshots: 40; alerts: ..."
  std::string Progress() const {
    const ingest::IngestCounters& l = log_->counters();
    const DriverStats& d = driver_->stats();
    return absl::StrCat(
        "log: ", l.entries, " entries, ", l.total_events(), " events, ", l.total_rejected(),
        " rejected, ", log_->follower().follow_counters().rotations, " rotations (",
        log_->follower().current_path().empty() ? "waiting for the file"
                                                : std::string(log_->follower().current_path()),
        "); snapshots: ", stats_->counters().snapshots, " (", stats_->counters().total_rejected(),
        " rejected); alerts: ", d.alerts_fired, " fired, ", d.alerts_resolved, " resolved, ",
        driver_->firing().size(), " firing; late items: ", d.late_items);
  }

 private:
  // Feeds what the inputs have; commits and delivers it (the driver checkpoints only every N
  // events itself: a live log's alerts must not wait for the 4096th).
  // A full disk under the state directory (the store's ResourceExhausted) does not end the
  // watch: one error line, then the failed checkpoint is retried with backoff (full_state_dir.h)
  // with nothing new fed, and one info line when it commits; nothing that was read is lost and
  // no alert is delivered before it is committed. Other errors end it.
  absl::Status Drain() {
    if (full_.active()) return RetryAfterFullDisk();
    absl::StatusOr<Driver::Progress> progress = driver_->Run();
    // kWaiting: inputs are live, they never end.
    absl::Status s = progress.status();
    if (s.ok() && driver_->items_since_checkpoint() > 0) s = driver_->Checkpoint();
    if (!absl::IsResourceExhausted(s)) return s;
    say_("error", full_.Begin(s, absl::Now()));
    return absl::OkStatus();
  }

  absl::Status RetryAfterFullDisk() {
    if (!full_.RetryDue(absl::Now())) return absl::OkStatus();
    const absl::Status s = driver_->Checkpoint();
    if (absl::IsResourceExhausted(s)) {
      full_.RetryFailed(absl::Now());
      return absl::OkStatus();
    }
    VW_RETURN_IF_ERROR(s);
    say_("info", full_.End(absl::Now()));
    return absl::OkStatus();
  }

  void Publish(bool force) {
    ServiceMetrics* metrics = options_.metrics;
    if (metrics == nullptr) return;
    metrics->MarkConsuming();
    metrics->SetInputs(2);
    if (!force && !metrics->Due()) return;
    MetricsSources s;
    s.logs = log_->counters();
    s.stats = stats_->counters();
    s.dead_letters = s.logs.total_rejected() + s.stats.total_rejected();
    s.driver = &driver_->stats();
    if (options_.consumer != nullptr) s.consumers = {options_.consumer};
    s.firing.emplace();
    driver_->firing().AddCounts(&*s.firing);
    s.sinks = options_.sink_metrics;
    s.state_bytes = store_->ApproximateSizeBytes();
    if (absl::Status st = metrics->Publish(s); !st.ok()) {
      say_("warning", std::string(st.message()));
    }
  }

  const Options options_;
  ingest::SnapshotCollector* const collector_;
  PolledSnapshotInput* const stats_;
  FollowedLogInput* const log_;
  Driver* const driver_;
  state::StateStore* const store_;
  const WatchLog& say_;
  FullStateDir full_{options_.state_dir, "collecting and reading the log stopped",
                     "watching again"};
};

}  // namespace

absl::Status RunWatchCommand(const std::vector<std::string>& args, CommandIo& io) {
  WatchFlags flags;
  ArgParser parser("watch", kDescription);
  AddCollectorFlags(&parser, &flags.collector);
  parser.AddString("log-file", "PATH",
                   "the server log to follow: a file (rotated under its name or not), or "
                   "logging_collector's log_directory (each new file in turn; the server's "
                   "log_filename), or DIR/postgresql-%a.log. Default: asked of the server "
                   "(logging_collector on: its log_directory)",
                   &flags.log_file);
  parser.AddString("log-format", "FORMAT",
                   "auto, stderr, csvlog or jsonlog (auto: for a directory, the first of the "
                   "server's log_destination, else recognised from the first line)",
                   &flags.log_format);
  parser.AddString("log-line-prefix", "PREFIX",
                   "the server's log_line_prefix, for stderr logs (default: SHOW "
                   "log_line_prefix)",
                   &flags.log_line_prefix);
  parser.AddString("log-timezone", "ZONE",
                   "the server's log_timezone, an IANA name (default: the config's, else SHOW "
                   "log_timezone)",
                   &flags.log_timezone);
  parser.AddString("state-dir", "DIR",
                   "the state: alerts firing, the log position (created; relative to the "
                   "working directory)",
                   &flags.state_dir);
  parser.AddString("config", "FILE",
                   "configs/vacwatch.yaml: detector thresholds (pipeline), collector:, sinks:, "
                   "metrics: sections",
                   &flags.config);
  parser.AddString("dead-letter", "FILE", "write rejected input here (default: stderr)",
                   &flags.dead_letter);
  parser.AddString("max-input-skew", "SECONDS",
                   "how long the log (or the stats) may be idle before the other input goes on "
                   "without it in event time",
                   &flags.max_input_skew);
  parser.AddString("progress-every", "SECONDS", "a progress line on stderr this often",
                   &flags.progress_every);
  AddSinkFlags(&parser, &flags.sinks);
  parser.AddSwitch("quiet", "print no alerts on stdout (the other sinks still get them)",
                   &flags.quiet);
  AddMetricsFlags(&parser, &flags.metrics, "off");
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }

  CollectorSettings settings;
  pipeline::PipelineConfig config;
  MetricsSettings metrics_settings;
  std::string sinks_yaml;
  if (!flags.config.empty()) {
    VW_ASSIGN_OR_RETURN(VacwatchConfig file, LoadConfig(flags.config));
    config = std::move(file.pipeline);
    sinks_yaml = std::move(file.sinks_yaml);
    VW_RETURN_IF_ERROR(ReadCollectorSection(file.collector_yaml, &settings));
    VW_RETURN_IF_ERROR(ReadMetricsSection(file.metrics_yaml, &metrics_settings));
  }
  VW_RETURN_IF_ERROR(ApplyCollectorFlags(flags.collector, &settings));
  VW_RETURN_IF_ERROR(ApplyMetricsFlags(flags.metrics, &metrics_settings));
  VW_ASSIGN_OR_RETURN(const SinksConfig sinks_config, ParseSinksConfig(sinks_yaml));
  VW_ASSIGN_OR_RETURN(const absl::Duration max_input_skew,
                      ParseSeconds(flags.max_input_skew, "max-input-skew"));
  VW_ASSIGN_OR_RETURN(const absl::Duration progress_every,
                      ParseSeconds(flags.progress_every, "progress-every"));
  absl::StatusOr<ingest::LogFormat> log_format = ingest::ParseLogFormat(flags.log_format);
  if (!log_format.ok()) {
    return absl::InvalidArgumentError("unknown log format '" + flags.log_format +
                                      "': expected auto, stderr, csvlog or jsonlog (see "
                                      "'vacwatch watch --help')");
  }
  std::optional<absl::TimeZone> flag_zone;
  if (!flags.log_timezone.empty()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(flags.log_timezone, &zone)) {
      return absl::InvalidArgumentError("--log-timezone '" + flags.log_timezone +
                                        "' is not a time zone name like Asia/Shanghai (see "
                                        "'vacwatch watch --help')");
    }
    flag_zone = zone;
  }

  // Blocked before libpq, librdkafka or the HTTP sinks start threads, so a signal only asks
  // the loop to stop.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  struct Unblock {
    sigset_t signals, previous;
    ~Unblock() {
      const timespec zero{0, 0};
      while (sigtimedwait(&signals, nullptr, &zero) > 0) {
      }
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    }
  } unblock{stop_signals, previous};

  const WatchLog say(io.err);
  // The server's log settings: needed before the log can be read, so wait for the server
  // (one line per outage, backoff up to the interval).
  ingest::ServerLogSettings server;
  for (absl::Duration backoff = absl::Seconds(1);;) {
    absl::StatusOr<ingest::ServerLogSettings> read =
        ingest::ReadServerLogSettings(settings.dsn, settings.connect_timeout);
    if (read.ok()) {
      server = *std::move(read);
      break;
    }
    if (backoff == absl::Seconds(1))
      say("warning", absl::StrCat(read.status().message(), "; retrying until it answers"));
    if (WaitForStop(stop_signals, absl::Now() + backoff)) return absl::OkStatus();
    backoff = std::min(backoff * 2, settings.interval);
  }
  VW_ASSIGN_OR_RETURN(const ingest::FollowTarget target, LogTarget(flags.log_file, server));

  ingest::SnapshotCollector collector(
      MakeCollectorOptions(settings, [&say](ingest::CollectorLogLevel level, const std::string& m) {
        say(level == ingest::CollectorLogLevel::kError     ? "error"
            : level == ingest::CollectorLogLevel::kWarning ? "warning"
                                                           : "info",
            m);
      }));
  std::unique_ptr<sinks::DeadLetterSink> dead_letters;
  if (flags.dead_letter.empty()) {
    dead_letters = std::make_unique<sinks::DeadLetterSink>(io.err);
  } else {
    VW_ASSIGN_OR_RETURN(dead_letters,
                        sinks::DeadLetterSink::OpenFile(flags.dead_letter, /*append=*/true));
  }
  PolledSnapshotInput stats(dead_letters.get());
  // The first round names the cluster (the server's host:port unless --cluster), which the
  // log's events must carry to meet the snapshots.
  while (collector.cluster().empty()) {
    collector.CollectRound(
        [&stats](const ingest::CollectedSnapshot& s) { stats.Push(s.document); });
    if (!collector.cluster().empty()) break;
    if (WaitForStop(stop_signals, absl::Now() + absl::Seconds(1))) return absl::OkStatus();
  }
  const std::string cluster = collector.cluster();

  ingest::LogFollowerOptions follow;
  follow.reader.format = target.kind == ingest::FollowTarget::Kind::kDirectory
                             ? DirectoryFormat(*log_format, server.log_destination)
                             : *log_format;
  follow.reader.cluster = cluster;
  follow.reader.log_line_prefix =
      flags.log_line_prefix.empty() ? server.log_line_prefix : flags.log_line_prefix;
  follow.reader.errors = dead_letters.get();
  std::string zone_name = flags.log_timezone;
  if (zone_name.empty()) {
    if (auto it = config.cluster_log_timezones.find(cluster);
        it != config.cluster_log_timezones.end()) {
      zone_name = it->second;
    } else if (!config.log_timezone.empty()) {
      zone_name = config.log_timezone;
    } else {
      zone_name = server.log_timezone;
    }
  }
  if (flag_zone.has_value()) {
    follow.reader.log_timezone = flag_zone;
  } else if (absl::TimeZone zone; !zone_name.empty() && absl::LoadTimeZone(zone_name, &zone)) {
    follow.reader.log_timezone = zone;
  } else if (!zone_name.empty()) {
    say("warning", absl::StrCat("log_timezone '", zone_name,
                                "' is not a zone this machine knows: zone abbreviations are "
                                "read from a table"));
  }
  follow.notice = [&say](const std::string& line) { say("info", line); };
  const std::string prefix_used = follow.reader.log_line_prefix;

  std::error_code dir_error;
  std::filesystem::create_directories(flags.state_dir, dir_error);
  if (dir_error) {
    return absl::FailedPreconditionError("cannot create state dir " + flags.state_dir + ": " +
                                         dir_error.message());
  }
  VW_ASSIGN_OR_RETURN(std::unique_ptr<state::StateStore> store,
                      state::StateStore::Open(flags.state_dir, state::StateStoreOptions()));
  VW_ASSIGN_OR_RETURN(std::unique_ptr<FollowedLogInput> log,
                      FollowedLogInput::Open(target, std::move(follow), store.get()));

  VW_ASSIGN_OR_RETURN(MetricsRuntime metrics, StartMetrics(metrics_settings, "watch"));
  sinks::StdoutSink stdout_sink(io.out, sinks::AlertFormat::kJson);
  VW_ASSIGN_OR_RETURN(std::unique_ptr<AlertSinks> alert_sinks,
                      AlertSinks::Start(sinks_config, flags.sinks,
                                        [&say](const std::string& line) { say("warning", line); }));
  if (!flags.quiet) {
    alert_sinks->AddSynchronous("stdout", &stdout_sink, sinks_config.stdout_route);
  }
  PipelineConsumer pipeline(config, store.get());
  // With /metrics: the per-cluster snapshot times and the per-table gauges, as replay shows.
  std::unique_ptr<MeteredConsumer> metered;
  if (metrics.metrics != nullptr) {
    metered =
        std::make_unique<MeteredConsumer>(&pipeline, metrics.metrics->options().table_series_limit);
  }
  DriverOptions driver_options;
  driver_options.max_input_skew = max_input_skew;
  driver_options.before_commit = [&log](state::StateStore::Batch* batch) {
    log->PutFileIdentity(batch);
    return absl::OkStatus();
  };
  driver_options.sink_drain_timeout = sinks_config.sink_retry_for;
  Driver driver(driver_options,
                metered != nullptr ? static_cast<EventConsumer*>(metered.get()) : &pipeline,
                store.get(), alert_sinks->driver_sinks());
  VW_RETURN_IF_ERROR(driver.RedeliverOutbox());
  // The log first: at equal event times its entry goes before the snapshot.
  VW_RETURN_IF_ERROR(driver.AddInput(log.get()));
  VW_RETURN_IF_ERROR(driver.AddInput(&stats));
  if (metrics.metrics != nullptr) {
    metrics.metrics->SetStateOpen(true);
    say("info",
        absl::StrCat("serving /metrics, /healthz and /readyz on port ", metrics.server->port()));
  }

  std::string sinks_line = flags.quiet ? "" : "stdout";
  for (const std::string& d : alert_sinks->Describe()) {
    absl::StrAppend(&sinks_line, sinks_line.empty() ? "" : ", ", d);
  }
  say("info",
      absl::StrCat("watching cluster ", cluster, ": stats every ",
                   absl::FormatDuration(settings.interval), ", log ", DescribeTarget(target), " (",
                   std::string(ingest::LogFormatName(log->follower().format())),
                   ", log_line_prefix '", prefix_used, "', log_timezone ",
                   zone_name.empty() ? "unknown" : zone_name, "), state ", flags.state_dir,
                   ", alerts to ", sinks_line.empty() ? "no sink (--quiet)" : sinks_line));

  if (log->follower().follow_counters().resumed > 0) {
    say("info", absl::StrCat("resuming the log at byte ", log->resume_position().value(), " of ",
                             std::string(log->follower().current_path())));
  } else if (!log->follower().current_path().empty()) {
    say("info", absl::StrCat("reading the log from the start of ",
                             std::string(log->follower().current_path())));
  }
  Watch::Options watch_options;
  watch_options.interval = settings.interval;
  watch_options.progress_every = progress_every;
  watch_options.state_dir = flags.state_dir;
  watch_options.metrics = metrics.metrics.get();
  watch_options.consumer = metered.get();
  for (const DriverSink& d : alert_sinks->driver_sinks()) {
    if (d.sink->sink_metrics() != nullptr) {
      watch_options.sink_metrics.push_back({d.name, d.sink->sink_metrics()});
    }
  }
  Watch watch(std::move(watch_options), &collector, &stats, log.get(), &driver, store.get(), &say);
  VW_RETURN_IF_ERROR(watch.Run(stop_signals));
  VW_RETURN_IF_ERROR(dead_letters->Flush());
  if (const std::vector<UndeliveredSink> behind = driver.Undelivered(); !behind.empty()) {
    say("warning", absl::StrCat(DescribeUndelivered(behind), "; kept in ", flags.state_dir,
                                " for the next run"));
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
