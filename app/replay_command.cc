#include "app/replay_command.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/alert_sinks.h"
#include "app/arg_parser.h"
#include "app/config_loader.h"
#include "app/metrics_flags.h"
#include "app/replay_inputs.h"
#include "app/replay_runner.h"
#include "app/sinks_config.h"
#include "common/status_macros.h"
#include "pipeline/active_alerts.h"
#include "pipeline/config.h"
#include "sinks/dead_letter_sink.h"
#include "sinks/stdout_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Replays PostgreSQL server logs and stats snapshots through vacwatch's detectors, merged by\n"
    "event time, and prints every alert transition (firing, resolved) on stdout as a JSON line\n"
    "(docs/alerts.md), or with --format text a readable line each and a per-table summary of\n"
    "what was found. Alerts are decided in the inputs' own time, so a replay of yesterday gives\n"
    "yesterday's alerts. With --state-dir, a later run continues where this one stopped: files\n"
    "given again are read from where they ended, new files from the start, and no transition\n"
    "is printed twice. A summary of what was read goes to stderr; rejected input goes to the\n"
    "dead-letter file (default: stderr).";

struct ReplayFlags {
  ReplayInputFlags inputs;
  std::string state_dir;
  std::string format = "json";
  std::string checkpoint_every = "4096";
  bool strict = false;
  bool quiet = false;
  std::vector<std::string> explain;
  SinkFlags sinks;
  MetricsFlags metrics;
};

absl::StatusOr<int64_t> ParsePositive(const std::string& text, const std::string& flag) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return absl::InvalidArgumentError("--" + flag + " needs a positive number, not '" + text +
                                      "' (see 'vacwatch replay --help')");
  }
  return value;
}

}  // namespace

absl::Status RunReplayCommand(const std::vector<std::string>& args, CommandIo& io) {
  ReplayFlags flags;
  ArgParser parser("replay", kDescription);
  AddReplayInputFlags(&parser, &flags.inputs);
  parser.AddString("state-dir", "DIR",
                   "keep state here so that a later run continues this one (default: a "
                   "temporary dir removed at exit)",
                   &flags.state_dir);
  parser.AddString("format", "FORMAT", "json (one object per line) or text (for a human)",
                   &flags.format);
  parser.AddString("checkpoint-every", "N",
                   "commit state and deliver alerts every N log events (and every snapshot)",
                   &flags.checkpoint_every);
  parser.AddMulti("explain", "TABLE",
                  "after the replay, say why CLUSTER/DB.SCHEMA.TABLE paged or did not (as "
                  "'vacwatch explain' does), on stderr",
                  &flags.explain);
  AddSinkFlags(&parser, &flags.sinks);
  parser.AddSwitch("quiet", "print no alerts on stdout (the other sinks still get them)",
                   &flags.quiet);
  parser.AddSwitch("strict",
                   "exit with code 1 when any input was rejected or nothing could be judged",
                   &flags.strict);
  AddMetricsFlags(&parser, &flags.metrics, "off");
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }
  VW_ASSIGN_OR_RETURN(ReplayInputs inputs, PrepareReplayInputs(flags.inputs, "replay", io));
  ReplayOptions& options = inputs.options;
  VW_ASSIGN_OR_RETURN(options.checkpoint_every_events,
                      ParsePositive(flags.checkpoint_every, "checkpoint-every"));
  auto format = sinks::ParseAlertFormat(flags.format);
  if (!format.ok()) {
    return absl::InvalidArgumentError("unknown output format '" + flags.format +
                                      "': expected json or text (see 'vacwatch replay --help')");
  }

  pipeline::PipelineConfig config = std::move(inputs.config.pipeline);
  MetricsSettings metrics_settings;  // listen: off unless asked for
  std::string sinks_yaml = std::move(inputs.config.sinks_yaml);
  if (!flags.inputs.config.empty()) {
    // Only the per-table limit: a config written for `run` must not make a replay listen.
    MetricsSettings from_config;
    VW_RETURN_IF_ERROR(ReadMetricsSection(inputs.config.metrics_yaml, &from_config));
    metrics_settings.table_series_limit = from_config.table_series_limit;
  }
  VW_RETURN_IF_ERROR(ApplyMetricsFlags(flags.metrics, &metrics_settings));
  VW_ASSIGN_OR_RETURN(const SinksConfig sinks_config, ParseSinksConfig(sinks_yaml));
  options.sink_drain_timeout = sinks_config.sink_retry_for;
  options.hold_cut_entries = !flags.state_dir.empty();

  sinks::DeadLetterSink* const dead_letters = inputs.dead_letters.get();

  // Declared before the store: the store closes first, then the dir goes.
  std::unique_ptr<TemporaryStateDir> temporary_dir;
  std::string state_dir = flags.state_dir;
  if (state_dir.empty()) {
    VW_ASSIGN_OR_RETURN(temporary_dir, TemporaryStateDir::Create());
    state_dir = temporary_dir->path();
  } else {
    std::error_code error;
    std::filesystem::create_directories(state_dir, error);
    if (error) {
      return absl::FailedPreconditionError("cannot create state dir " + state_dir + ": " +
                                           error.message());
    }
  }
  VW_ASSIGN_OR_RETURN(std::unique_ptr<state::StateStore> store,
                      state::StateStore::Open(state_dir, state::StateStoreOptions()));

  // Before the runner, so it outlives it; stops when the replay returns.
  VW_ASSIGN_OR_RETURN(MetricsRuntime metrics, StartMetrics(metrics_settings, "replay"));
  options.metrics = metrics.metrics.get();
  sinks::StdoutSink sink(io.out, *format);
  std::FILE* err = io.err;
  VW_ASSIGN_OR_RETURN(std::unique_ptr<AlertSinks> alert_sinks,
                      AlertSinks::Start(sinks_config, flags.sinks, [err](const std::string& line) {
                        std::fprintf(err, "vacwatch replay: %s\n", line.c_str());
                      }));
  if (!flags.quiet) alert_sinks->AddSynchronous("stdout", &sink, sinks_config.stdout_route);
  ReplayRunner runner(std::move(options), config, store.get(), alert_sinks->driver_sinks());
  absl::StatusOr<ReplayStats> stats = runner.Run();
  VW_RETURN_IF_ERROR(dead_letters->Flush());
  if (!stats.ok()) return stats.status();
  sinks::StdoutSink::RunFacts facts;
  VW_RETURN_IF_ERROR(pipeline::CollectFiringAlerts(*store, absl::Now(), &facts.firing));
  if (stats->snapshots == 0 && facts.firing.empty()) {
    facts.judged = false;
    facts.not_judged_reason =
        "no stats snapshot was read. vacwatch judges each table against its own autovacuum "
        "trigger, which only the snapshots give: pass --stats with the output of "
        "ingest/snapshot_query.sql (docs/formats.md, \"Snapshots\").";
  } else if (stats->snapshots > 0 && stats->snapshots_applied == 0 && facts.firing.empty()) {
    facts.judged = false;
    facts.not_judged_reason = absl::StrCat(
        "all ", stats->snapshots,
        " snapshots were older than (or the same as) ones already applied, so none was used: "
        "is this input older than what the state dir has seen?");
  }
  if (!flags.quiet) VW_RETURN_IF_ERROR(sink.WriteSummary(facts));
  for (const std::string& table : flags.explain) {
    VW_ASSIGN_OR_RETURN(pipeline::Explanation explanation, runner.Explain(table));
    std::string text;
    pipeline::WriteExplanationText(explanation, &text);
    std::fprintf(io.err, "\n%s", text.c_str());
  }
  std::fprintf(io.err, "vacwatch %s\n", FormatReplayStats(*stats).c_str());
  if (!facts.judged) {
    std::fprintf(io.err, "vacwatch replay: warning: nothing could be judged: %s\n",
                 facts.not_judged_reason.c_str());
  }
  if (!stats->undelivered.empty()) {
    return absl::UnavailableError(absl::StrCat(
        DescribeUndelivered(stats->undelivered), " after retrying for ",
        absl::FormatDuration(sinks_config.sink_retry_for), "; ",
        flags.state_dir.empty()
            ? "lost with the temporary state (give --state-dir to keep them for the next run)"
            : "kept in --state-dir " + flags.state_dir + " for the next run"));
  }
  if (flags.strict && stats->rejected > 0) {
    return absl::DataLossError(absl::StrCat(stats->rejected,
                                            " input(s) rejected (--strict); the dead letters say "
                                            "why"));
  }
  if (flags.strict && !facts.judged) {
    return absl::FailedPreconditionError("nothing could be judged (--strict)");
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
