#include "app/report_command.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/arg_parser.h"
#include "app/event_consumer.h"
#include "app/recording_consumer.h"
#include "app/replay_inputs.h"
#include "app/replay_runner.h"
#include "common/status_macros.h"
#include "report/advisor.h"
#include "report/html_report.h"
#include "report/recording.h"
#include "sinks/alert_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {
namespace {

constexpr char kReportDescription[] =
    "Replays PostgreSQL server logs and stats snapshots through vacwatch's detectors, as\n"
    "`vacwatch replay` does (the same inputs and flags), and writes one self-contained HTML page\n"
    "of what happened to every table: per cluster the alert timeline, the horizon's age and its\n"
    "roots, and every table seen; per table that alerted (and the --top with the most dead\n"
    "tuples) dead tuples against the trigger with each autovacuum run, relation size, freeze\n"
    "age, the alerts' evidence and fix, and the settings that would have kept it under the\n"
    "target dead ratio (see 'vacwatch advise'). No script and nothing loaded from elsewhere:\n"
    "it opens from a mail attachment or an air-gapped laptop. docs/report.md.";

constexpr char kAdviseDescription[] =
    "Replays PostgreSQL server logs and stats snapshots as `vacwatch replay` does (the same\n"
    "inputs and flags) and prints the autovacuum settings that would have kept each table under\n"
    "a target dead ratio, computed from its measured write and removal rates: scale factor and\n"
    "threshold (and the insert ones), cost limit and delay where runs were throttled, as ALTER\n"
    "TABLE statements, and per cluster a settings template (workers, naptime, cost limit,\n"
    "log_autovacuum_min_duration). Tables that stayed under the target get nothing; a table\n"
    "held back by a pinned horizon gets its holder, not a setting. docs/report.md.";

// Transitions go to the recording; nothing is delivered anywhere else.
class DiscardSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition&) override { return absl::OkStatus(); }
  absl::Status Flush() override { return absl::OkStatus(); }
};

struct Recorded {
  report::Recording recording;
  ReplayStats stats;
  std::string log_timezone;  // --log-timezone, else the config's
};

// Runs the replay of `flags` with a recorder beside the pipeline.
absl::StatusOr<Recorded> Record(const ReplayInputFlags& flags, std::string_view command,
                                CommandIo& io) {
  VW_ASSIGN_OR_RETURN(ReplayInputs inputs, PrepareReplayInputs(flags, command, io));
  // Declared before the store: the store closes first, then the dir goes.
  VW_ASSIGN_OR_RETURN(std::unique_ptr<TemporaryStateDir> dir, TemporaryStateDir::Create());
  VW_ASSIGN_OR_RETURN(std::unique_ptr<state::StateStore> store,
                      state::StateStore::Open(dir->path(), state::StateStoreOptions()));
  Recorded out;
  out.log_timezone = !inputs.options.log_timezone.empty() ? inputs.options.log_timezone
                                                          : inputs.config.pipeline.log_timezone;
  PipelineConsumer pipeline(inputs.config.pipeline, store.get());
  report::Recorder recorder(report::RecorderOptions{});
  RecordingConsumer consumer(&pipeline, &recorder);
  DiscardSink sink;
  ReplayRunner runner(std::move(inputs.options), &consumer, store.get(), &sink);
  absl::StatusOr<ReplayStats> stats = runner.Run();
  VW_RETURN_IF_ERROR(inputs.dead_letters->Flush());
  if (!stats.ok()) return stats.status();
  out.stats = *std::move(stats);
  out.recording = std::move(recorder).Finish();
  if (out.stats.snapshots == 0) {
    // As replay says it: without snapshots no table has a trigger to be drawn against.
    std::fprintf(io.err,
                 "vacwatch %s: warning: nothing could be judged: no stats snapshot was read "
                 "(pass --stats with the output of ingest/snapshot_query.sql)\n",
                 std::string(command).c_str());
  }
  return out;
}

absl::StatusOr<double> ParseTarget(const std::string& text, std::string_view command) {
  std::string_view s = text;
  bool percent = false;
  if (!s.empty() && s.back() == '%') {
    percent = true;
    s.remove_suffix(1);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (percent) v /= 100;
  if (ec != std::errc() || end != s.data() + s.size() || !(v > 0 && v < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--target-ratio needs a ratio between 0 and 1 (0.1) or a percentage (10%), "
                     "not '",
                     text, "' (see 'vacwatch ", std::string(command), " --help')"));
  }
  return v;
}

absl::StatusOr<int> ParseCount(const std::string& text, std::string_view flag) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return absl::InvalidArgumentError(absl::StrCat("--", std::string(flag), " needs a count, not '",
                                                   text, "' (see 'vacwatch report --help')"));
  }
  return v;
}

// The zone the report's times are shown in: --timezone, else the logs' (--log-timezone or
// the config's), else the first cluster's log_timezone setting, else the offset its log
// entries were written with, else UTC.
absl::Status ChooseZone(const std::string& flag, const Recorded& rec,
                        report::ReportOptions* options) {
  std::string name = flag;
  if (name.empty()) name = rec.log_timezone;
  for (const report::ClusterRecord& c : rec.recording.clusters) {
    if (!name.empty()) break;
    name = c.log_timezone;
  }
  if (name == "UTC" || name == "utc") {
    options->zone = absl::UTCTimeZone();
    options->zone_name = "UTC";
    return absl::OkStatus();
  }
  if (!name.empty()) {
    if (!absl::LoadTimeZone(name, &options->zone)) {
      if (!flag.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--timezone '", flag,
                         "' is not a time zone name like Europe/Berlin or UTC (see 'vacwatch "
                         "report --help')"));
      }
      options->zone = absl::UTCTimeZone();
      options->zone_name = "UTC";
      return absl::OkStatus();
    }
    options->zone_name = name;
    return absl::OkStatus();
  }
  for (const report::ClusterRecord& c : rec.recording.clusters) {
    if (!c.log_utc_offset_s) continue;
    const int32_t off = *c.log_utc_offset_s;
    options->zone = absl::FixedTimeZone(off);
    char buf[32];
    std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 3600,
                  std::abs(off) % 3600 / 60);
    options->zone_name = buf;
    return absl::OkStatus();
  }
  options->zone = absl::UTCTimeZone();
  options->zone_name = "UTC";
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return absl::FailedPreconditionError("cannot write " + tmp);
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return absl::UnavailableError("cannot write " + tmp + " (disk full?)");
  }
  std::error_code error;
  std::filesystem::rename(tmp, path, error);
  if (error) return absl::FailedPreconditionError("cannot rename " + tmp + ": " + error.message());
  return absl::OkStatus();
}

}  // namespace

absl::Status RunReportCommand(const std::vector<std::string>& args, CommandIo& io) {
  ReplayInputFlags inputs;
  std::string output, timezone, target = "0.1", top = "20", max_charts = "100",
                                title = "vacwatch report";
  ArgParser parser("report", kReportDescription);
  AddReplayInputFlags(&parser, &inputs);
  parser.AddString("output", "FILE", "the HTML file to write (required)", &output);
  parser.AddString("timezone", "ZONE",
                   "show times in this zone (an IANA name, or UTC). Default: the logs' zone "
                   "(--log-timezone, the config's, the snapshots' log_timezone, the log's offset)",
                   &timezone);
  parser.AddString("target-ratio", "R",
                   "the dead ratio the advice keeps each table under (0.1 or 10%)", &target);
  parser.AddString("top", "N",
                   "draw the N tables with the most dead tuples besides those "
                   "that alerted",
                   &top);
  parser.AddString("max-charts", "N", "draw at most N tables in all (alerting ones first)",
                   &max_charts);
  parser.AddString("title", "TEXT", "the page's title", &title);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }
  if (output.empty()) {
    return absl::InvalidArgumentError(
        "give --output FILE: where to write the report (see 'vacwatch report --help')");
  }
  report::ReportOptions options;
  VW_ASSIGN_OR_RETURN(const double ratio, ParseTarget(target, "report"));
  VW_ASSIGN_OR_RETURN(options.top_n, ParseCount(top, "top"));
  VW_ASSIGN_OR_RETURN(options.max_charts, ParseCount(max_charts, "max-charts"));
  options.title = title;
  for (const std::string& f : inputs.logs) options.inputs.push_back(f);
  for (const std::string& f : inputs.stats) options.inputs.push_back(f);

  VW_ASSIGN_OR_RETURN(Recorded rec, Record(inputs, "report", io));
  VW_RETURN_IF_ERROR(ChooseZone(timezone, rec, &options));
  report::AdvisorOptions advisor;
  advisor.target_ratio = ratio;
  // Worded only for the tables the page draws (a fleet has a million others).
  const std::vector<int32_t> charted = report::ChartedTables(rec.recording, options);
  advisor.only_tables = &charted;
  const report::Advice advice = report::Advise(rec.recording, advisor);
  std::string html;
  report::WriteHtmlReport(rec.recording, advice, options, &html);
  VW_RETURN_IF_ERROR(WriteFileAtomically(output, html));
  std::fprintf(io.err,
               "vacwatch %s\nvacwatch report: wrote %s (%zu bytes): %zu tables, %zu alert "
               "transitions, %zu tables advised\n",
               FormatReplayStats(rec.stats).c_str(), output.c_str(), html.size(),
               rec.recording.tables.size(), rec.recording.transitions.size(), advice.tables.size());
  return absl::OkStatus();
}

absl::Status RunAdviseCommand(const std::vector<std::string>& args, CommandIo& io) {
  ReplayInputFlags inputs;
  std::string format = "text", target = "0.1";
  ArgParser parser("advise", kAdviseDescription);
  AddReplayInputFlags(&parser, &inputs);
  parser.AddString("format", "FORMAT", "text (for a human), json (one object) or sql", &format);
  parser.AddString("target-ratio", "R", "the dead ratio to keep each table under (0.1 or 10%)",
                   &target);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }
  if (format != "text" && format != "json" && format != "sql") {
    return absl::InvalidArgumentError("unknown output format '" + format +
                                      "': expected text, json or sql (see 'vacwatch advise "
                                      "--help')");
  }
  report::AdvisorOptions advisor;
  VW_ASSIGN_OR_RETURN(advisor.target_ratio, ParseTarget(target, "advise"));
  VW_ASSIGN_OR_RETURN(Recorded rec, Record(inputs, "advise", io));
  const report::Advice advice = report::Advise(rec.recording, advisor);
  std::string out;
  if (format == "json") {
    report::WriteAdviceJson(advice, &out);
    out += '\n';
  } else if (format == "sql") {
    report::WriteAdviceSql(advice, &out);
  } else {
    report::WriteAdviceText(advice, &out);
  }
  std::fputs(out.c_str(), io.out);
  std::fprintf(io.err, "vacwatch %s\n", FormatReplayStats(rec.stats).c_str());
  return absl::OkStatus();
}

}  // namespace vacwatch::app
