#include "app/parse_command.h"

#include <sys/stat.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "app/arg_parser.h"
#include "app/input_diagnoses.h"
#include "app/log_inputs.h"
#include "common/status_macros.h"
#include "ingest/event_json.h"
#include "ingest/input_file.h"
#include "ingest/log_event.h"
#include "ingest/log_source.h"
#include "ingest/log_timestamp.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_json.h"
#include "ingest/snapshot_reader.h"
#include "sinks/dead_letter_sink.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Reads PostgreSQL server logs (stderr, csvlog, jsonlog) or stats snapshots and prints one\n"
    "JSON object per autovacuum event on stdout, with the same readers the service runs. At\n"
    "the end, one line per file on stderr says how many entries were read, which events came\n"
    "out, and how many entries were skipped or rejected. Rejected entries are written as JSON\n"
    "lines to the dead-letter file (default: stderr). Fields: docs/formats.md.";

// Events are written in batches: one fwrite per this many bytes.
constexpr size_t kOutputFlushBytes = size_t{64} << 10;
constexpr size_t kHeadBytes = size_t{64} << 10;

struct ParseFlags {
  std::string format = "auto";
  std::string log_line_prefix;
  ingest::EnvelopeOptions envelope;
  std::string cluster = "default";
  std::string dead_letter;
  std::string log_timezone;
  bool strict = false;
  std::vector<std::string> files;
};

// Lines for stdout, written in batches: one fwrite per kOutputFlushBytes.
class LinePrinter {
 public:
  explicit LinePrinter(std::FILE* out) : out_(out) { buffer_.reserve(2 * kOutputFlushBytes); }
  ~LinePrinter() { Flush(); }

  void Print(std::string_view line) {
    buffer_.append(line);
    buffer_.push_back('\n');
    if (buffer_.size() >= kOutputFlushBytes) Flush();
  }

  void Flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
      failed_ = true;
    }
    buffer_.clear();
    if (std::fflush(out_) != 0 || std::ferror(out_) != 0) failed_ = true;
  }
  // Whether anything written so far failed to reach the output (disk full, a closed pipe).
  absl::Status status() const {
    if (!failed_) return absl::OkStatus();
    return absl::UnavailableError(
        "cannot write the output (disk full, or the reading end of the pipe went away?)");
  }

 private:
  std::FILE* out_;
  std::string buffer_;
  bool failed_ = false;
};

absl::Status ParseLogFile(ingest::InputFile file, const std::string& head,
                          ingest::LogSourceOptions options, LinePrinter& printer, CommandIo& io,
                          ingest::IngestCounters* total) {
  const std::string name = options.source_name;
  const std::string given_prefix = options.log_line_prefix;
  VW_ASSIGN_OR_RETURN(
      auto source, ingest::LogFileSource::FromOpenFile(std::move(file), head, std::move(options)));
  ingest::LogEvent event;
  std::string line;
  while (true) {
    VW_ASSIGN_OR_RETURN(const bool more, source->Next(&event));
    if (!more) break;
    ingest::WriteLogEventJson(event, &line);
    printer.Print(line);
  }
  printer.Flush();
  *total += source->counters();
  std::fprintf(
      io.err, "vacwatch parse: %s\n",
      SummaryLine(name, ingest::LogFormatName(source->format()), source->counters()).c_str());
  for (const std::string& w :
       DiagnoseLogInput(name, source->counters(), given_prefix, source->suggested_prefix())) {
    std::fprintf(io.err, "vacwatch parse: warning: %s\n", w.c_str());
  }
  return absl::OkStatus();
}

absl::Status ParseSnapshotFile(ingest::InputFile file, const std::string& head,
                               ingest::SnapshotSourceOptions options, LinePrinter& printer,
                               CommandIo& io, ingest::IngestCounters* total) {
  const std::string name = options.source_name;
  VW_ASSIGN_OR_RETURN(auto source, ingest::SnapshotFileSource::FromOpenFile(std::move(file), head,
                                                                            std::move(options)));
  ingest::Snapshot snapshot;
  std::string line;
  while (true) {
    VW_ASSIGN_OR_RETURN(const bool more, source->Next(&snapshot));
    if (!more) break;
    ingest::WriteSnapshotJson(snapshot, &line);
    printer.Print(line);
  }
  printer.Flush();
  *total += source->counters();
  std::fprintf(io.err, "vacwatch parse: %s\n",
               SummaryLine(name, "snapshot", source->counters()).c_str());
  return absl::OkStatus();
}

absl::Status CheckFilesExist(const std::vector<std::string>& files) {
  int stdin_count = 0;
  for (const std::string& path : files) {
    if (path == "-") {
      if (++stdin_count > 1) return absl::InvalidArgumentError("'-' (stdin) given twice");
      continue;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return absl::NotFoundError("no such file: " + path);
    if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(path + " is a directory");
  }
  return absl::OkStatus();
}

}  // namespace

std::string SummaryLine(std::string_view name, std::string_view format,
                        const ingest::IngestCounters& counters) {
  std::string line = std::string(name) + " (" + std::string(format) + "): ";
  if (format == "snapshot") {
    line += std::to_string(counters.entries) + " lines, " + std::to_string(counters.snapshots) +
            " snapshots, " + std::to_string(counters.table_rows) + " table rows, ";
  } else {
    line += std::to_string(counters.entries) + " entries, " +
            std::to_string(counters.total_events()) + " events";
    std::string by_type;
    for (int t = 0; t < ingest::kNumLogEventTypes; ++t) {
      if (counters.events[t] == 0) continue;
      if (!by_type.empty()) by_type += ", ";
      by_type += std::string(ingest::LogEventTypeName(static_cast<ingest::LogEventType>(t))) + " " +
                 std::to_string(counters.events[t]);
    }
    if (!by_type.empty()) line += " (" + by_type + ")";
    line += ", " + std::to_string(counters.skipped) + " skipped, ";
  }
  line += std::to_string(counters.total_rejected()) + " rejected";
  std::string by_kind;
  for (int k = 0; k < kNumParseErrorKinds; ++k) {
    if (counters.rejected[k] == 0) continue;
    if (!by_kind.empty()) by_kind += ", ";
    by_kind += std::string(ParseErrorKindName(static_cast<ParseErrorKind>(k))) + " " +
               std::to_string(counters.rejected[k]);
  }
  if (!by_kind.empty()) line += " (" + by_kind + ")";
  return line;
}

absl::Status RunParse(const std::vector<std::string>& args, CommandIo& io) {
  ParseFlags flags;
  ArgParser parser("parse", kDescription);
  parser.AddString("format", "FORMAT",
                   "auto, stderr, csvlog, jsonlog, shipper (JSON lines of Fluent Bit, Vector, "
                   "Filebeat or a Cloud Logging export) or snapshot",
                   &flags.format);
  parser.AddString("log-line-prefix", "PREFIX",
                   "the server's log_line_prefix, for stderr logs (default: recognise the "
                   "common ones)",
                   &flags.log_line_prefix);
  parser.AddString("log-timezone", "ZONE",
                   "the server's log_timezone, an IANA name (Asia/Shanghai): zone abbreviations "
                   "are read in it (CST is US Central or China; without it ambiguous ones are "
                   "read from a table and warned about)",
                   &flags.log_timezone);
  parser.AddString("cluster", "NAME", "the cluster name put on every event", &flags.cluster);
  AddEnvelopeFlags(&parser, &flags.envelope);
  parser.AddString("dead-letter", "FILE", "write rejected entries here (default: stderr)",
                   &flags.dead_letter);
  parser.AddSwitch("strict", "exit with code 1 when any input was rejected", &flags.strict);
  parser.SetPositionals("FILE", "log or snapshot files; - reads stdin", 1, &flags.files);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }

  const bool snapshots_only = flags.format == "snapshot";
  ingest::LogSourceOptions options;
  if (!snapshots_only) {
    auto format = ingest::ParseLogFormat(flags.format);
    if (!format.ok()) {
      return absl::InvalidArgumentError(
          "unknown format '" + flags.format +
          "': expected auto, stderr, csvlog, jsonlog, shipper or snapshot "
          "(see 'vacwatch parse --help')");
    }
    options.format = *format;
  }
  options.cluster = flags.cluster;
  options.log_line_prefix = flags.log_line_prefix;
  options.envelope = flags.envelope;
  if (!flags.log_timezone.empty()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(flags.log_timezone, &zone)) {
      return absl::InvalidArgumentError(
          "--log-timezone '" + flags.log_timezone +
          "' is not a time zone name like Asia/Shanghai (see 'vacwatch parse --help')");
    }
    options.log_timezone = zone;
  }
  VW_RETURN_IF_ERROR(CheckFilesExist(flags.files));

  std::unique_ptr<sinks::DeadLetterSink> dead_letters;
  if (flags.dead_letter.empty()) {
    dead_letters = std::make_unique<sinks::DeadLetterSink>(io.err);
  } else {
    VW_ASSIGN_OR_RETURN(dead_letters, sinks::DeadLetterSink::OpenFile(flags.dead_letter));
  }
  options.errors = dead_letters.get();

  LinePrinter printer(io.out);
  ingest::IngestCounters total;
  for (const std::string& path : flags.files) {
    VW_ASSIGN_OR_RETURN(ingest::InputFile file, ingest::InputFile::Open(path));
    std::string head;
    VW_RETURN_IF_ERROR(file.ReadHead(kHeadBytes, &head));
    const std::string name = path == "-" ? "stdin" : path;
    if (snapshots_only ||
        (options.format == ingest::LogFormat::kAuto && ingest::LooksLikeSnapshot(head))) {
      ingest::SnapshotSourceOptions snapshot_options;
      snapshot_options.errors = dead_letters.get();
      snapshot_options.source_name = name;
      VW_RETURN_IF_ERROR(ParseSnapshotFile(std::move(file), head, std::move(snapshot_options),
                                           printer, io, &total));
      continue;
    }
    ingest::LogSourceOptions file_options = options;
    file_options.source_name = name;
    VW_RETURN_IF_ERROR(
        ParseLogFile(std::move(file), head, std::move(file_options), printer, io, &total));
    VW_RETURN_IF_ERROR(printer.status());
  }
  if (flags.files.size() > 1) {
    std::fprintf(io.err, "vacwatch parse: %s\n", SummaryLine("total", "all", total).c_str());
  }
  if (total.ambiguous_zone_entries > 0) {
    std::fprintf(io.err,
                 "vacwatch parse: warning: %lld entries are stamped '%s', which is %s: give the "
                 "server's log_timezone with --log-timezone ZONE\n",
                 static_cast<long long>(total.ambiguous_zone_entries),
                 std::string(total.ambiguous_zone).c_str(),
                 std::string(ingest::AmbiguousZoneMeanings(total.ambiguous_zone)).c_str());
  }
  VW_RETURN_IF_ERROR(printer.status());
  VW_RETURN_IF_ERROR(dead_letters->Flush());
  if (flags.strict && total.total_rejected() > 0) {
    return absl::DataLossError(absl::StrCat(total.total_rejected(),
                                            " input(s) rejected (--strict); the dead letters say "
                                            "why"));
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
