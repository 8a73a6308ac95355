#include "app/replay_inputs.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/log_inputs.h"
#include "common/status_macros.h"
#include "ingest/log_source.h"

namespace vacwatch::app {

void AddReplayInputFlags(ArgParser* parser, ReplayInputFlags* flags) {
  parser->AddMulti("logs", "FILE",
                   "server logs (stderr, csvlog or jsonlog); - reads stdin. CLUSTER=FILE names "
                   "the log's cluster; a path with {cluster} (logs/{cluster}/*.log) takes every "
                   "match, the matched name as its cluster: a fleet replays in one run",
                   &flags->logs);
  parser->AddMulti("stats", "FILE",
                   "stats snapshot files (JSON lines); - reads stdin, <(zcat f.gz) works too",
                   &flags->stats);
  parser->AddString("log-format", "FORMAT",
                    "auto, stderr, csvlog, jsonlog or shipper (JSON lines of Fluent Bit, Vector, "
                    "Filebeat or a Cloud Logging export)",
                    &flags->log_format);
  parser->AddString("log-line-prefix", "PREFIX",
                    "the server's log_line_prefix, for stderr logs (default: recognise the "
                    "common ones)",
                    &flags->log_line_prefix);
  parser->AddString("log-timezone", "ZONE",
                    "the servers' log_timezone, an IANA name (Asia/Shanghai): the logs' zone "
                    "abbreviations are read in it (CST is US Central or China). Default: the "
                    "config's log_timezone, else the snapshots' log_timezone setting, else a "
                    "table of abbreviations, with a warning for ambiguous ones",
                    &flags->log_timezone);
  parser->AddString("cluster", "NAME",
                    "the cluster the logs come from (default: the one the first snapshot names)",
                    &flags->cluster);
  AddEnvelopeFlags(parser, &flags->envelope);
  parser->AddString("config", "FILE",
                    "detector thresholds and windows, YAML (default: the built-in defaults "
                    "that configs/vacwatch.yaml documents)",
                    &flags->config);
  parser->AddString("dead-letter", "FILE", "write rejected input here (default: stderr)",
                    &flags->dead_letter);
  parser->AddSwitch("progress", "report progress on stderr even when it is not a terminal",
                    &flags->progress);
}

absl::StatusOr<std::unique_ptr<TemporaryStateDir>> TemporaryStateDir::Create() {
  std::error_code error;
  std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) base = "/tmp";
  std::string pattern = (base / "vacwatch-replay-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError("cannot create a temporary state dir under " + base.string());
  }
  return std::unique_ptr<TemporaryStateDir>(new TemporaryStateDir(std::move(pattern)));
}

TemporaryStateDir::~TemporaryStateDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

absl::StatusOr<ReplayInputs> PrepareReplayInputs(const ReplayInputFlags& flags,
                                                 std::string_view command, CommandIo& io) {
  const std::string help = absl::StrCat(" (see 'vacwatch ", std::string(command), " --help')");
  if (flags.logs.empty() && flags.stats.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("nothing to replay: give --logs and/or --stats files", help));
  }
  ReplayInputs in;
  ReplayOptions& options = in.options;
  VW_ASSIGN_OR_RETURN(std::vector<LogInputArg> logs, ExpandLogArgs(flags.logs));
  for (LogInputArg& log : logs) {
    options.log_paths.push_back(std::move(log.path));
    options.log_clusters.push_back(std::move(log.cluster));
  }
  if (!flags.log_timezone.empty()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(flags.log_timezone, &zone)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--log-timezone '", flags.log_timezone,
          "' is not a time zone name like Asia/Shanghai or America/Chicago (the server's SHOW "
          "log_timezone; ",
          help.substr(2)));
    }
    options.log_timezone = flags.log_timezone;
  }
  options.stats_paths = flags.stats;
  auto log_format = ingest::ParseLogFormat(flags.log_format);
  if (!log_format.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown log format '", flags.log_format,
                                                   "': expected auto, stderr, csvlog or jsonlog",
                                                   help));
  }
  options.log_format = *log_format;
  options.log_line_prefix = flags.log_line_prefix;
  options.envelope = flags.envelope;
  options.cluster = flags.cluster;
  if (!flags.config.empty()) {
    VW_ASSIGN_OR_RETURN(in.config, LoadConfig(flags.config));
  }
  options.cluster_log_timezones = in.config.pipeline.cluster_log_timezones;
  options.default_log_timezone = in.config.pipeline.log_timezone;

  if (flags.dead_letter.empty()) {
    in.dead_letters = std::make_unique<sinks::DeadLetterSink>(io.err);
  } else {
    VW_ASSIGN_OR_RETURN(in.dead_letters, sinks::DeadLetterSink::OpenFile(flags.dead_letter));
  }
  options.errors = in.dead_letters.get();
  const bool err_is_terminal = ::isatty(::fileno(io.err)) == 1;
  options.diagnostics = io.err;
  options.show_progress = flags.progress || err_is_terminal;
  options.progress_in_place = err_is_terminal;
  return in;
}

}  // namespace vacwatch::app
