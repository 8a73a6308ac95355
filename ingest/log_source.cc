#include "ingest/log_source.h"

#include <utility>

#include "common/status_macros.h"
#include "ingest/csv_log_reader.h"
#include "ingest/json_log_reader.h"
#include "ingest/log_timestamp.h"
#include "ingest/shipper_log_reader.h"
#include "ingest/snapshot_reader.h"
#include "ingest/stderr_log_reader.h"

namespace vacwatch::ingest {
namespace {

// How much of a file's start is read to recognise its format: one line is enough, and a
// first line longer than this is no csvlog or jsonlog line we would accept anyway.
constexpr size_t kHeadBytes = size_t{64} << 10;

// The options every reader takes, as the source was given them.
template <typename Options>
Options SharedReaderOptions(const LogSourceOptions& options) {
  Options o;
  o.cluster = options.cluster;
  o.start_offset = options.start_offset;
  o.max_entry_bytes = options.max_entry_bytes;
  o.errors = options.errors;
  o.source_name = options.source_name;
  o.log_timezone = options.log_timezone;
  return o;
}

}  // namespace

// options.format, or the format `first_bytes` look like. Stats snapshots are JSON lines too:
// read as jsonlog they would give nothing, so a snapshot file is refused, not guessed at.
absl::StatusOr<LogFormat> ResolveLogFormat(const LogSourceOptions& options,
                                           std::string_view first_bytes) {
  if (options.format != LogFormat::kAuto) return options.format;
  if (LooksLikeSnapshot(first_bytes)) {
    const std::string name = options.source_name.empty() ? "input" : options.source_name;
    return absl::InvalidArgumentError(name +
                                      " holds stats snapshots, not a server log (pass it as "
                                      "snapshots, or give the log format)");
  }
  const LogFormat format = DetectLogFormat(first_bytes);
  if (format == LogFormat::kJsonlog &&
      (!options.envelope.cluster_field.empty() || !options.envelope.payload_field.empty() ||
       LooksLikeShipperEnvelope(first_bytes, options.envelope))) {
    return LogFormat::kShipper;
  }
  return format;
}

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "auto") return LogFormat::kAuto;
  if (name == "stderr") return LogFormat::kStderr;
  if (name == "csvlog" || name == "csv") return LogFormat::kCsvlog;
  if (name == "jsonlog" || name == "json") return LogFormat::kJsonlog;
  if (name == "shipper") return LogFormat::kShipper;
  return absl::InvalidArgumentError("unknown log format '" + std::string(name) +
                                    "' (expected auto, stderr, csvlog, jsonlog or shipper)");
}

std::string_view LogFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kAuto:
      return "auto";
    case LogFormat::kStderr:
      return "stderr";
    case LogFormat::kCsvlog:
      return "csvlog";
    case LogFormat::kJsonlog:
      return "jsonlog";
    case LogFormat::kShipper:
      return "shipper";
  }
  return "unknown";
}

LogFormat DetectLogFormat(std::string_view first_bytes) {
  std::string_view line = first_bytes.substr(0, first_bytes.find('\n'));
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // a BOM from an editor
  const size_t start = line.find_first_not_of(" \t\r");
  if (start != std::string_view::npos && line[start] == '{') return LogFormat::kJsonlog;
  // csvlog's first column is log_time (%m), unquoted; stderr prefixes put something other
  // than a comma after their timestamp.
  const size_t ts = ScanLogTimestamp(line, LogTimeFormat::kMillis);
  if (ts > 0 && ts < line.size() && line[ts] == ',') return LogFormat::kCsvlog;
  return LogFormat::kStderr;
}

absl::StatusOr<std::unique_ptr<LogReader>> MakeLogReader(const LogSourceOptions& options,
                                                         std::string_view first_bytes) {
  VW_ASSIGN_OR_RETURN(const LogFormat format, ResolveLogFormat(options, first_bytes));
  switch (format) {
    case LogFormat::kCsvlog:
      return std::make_unique<CsvLogReader>(SharedReaderOptions<CsvLogReader::Options>(options));
    case LogFormat::kJsonlog:
      return std::make_unique<JsonLogReader>(SharedReaderOptions<JsonLogReader::Options>(options));
    case LogFormat::kShipper: {
      auto o = SharedReaderOptions<ShipperLogReader::Options>(options);
      o.log_line_prefix = options.log_line_prefix;
      o.envelope = options.envelope;
      VW_ASSIGN_OR_RETURN(auto reader, ShipperLogReader::Create(std::move(o)));
      return std::unique_ptr<LogReader>(std::move(reader));
    }
    case LogFormat::kStderr:
    case LogFormat::kAuto: {
      auto o = SharedReaderOptions<StderrLogReader::Options>(options);
      o.log_line_prefix = options.log_line_prefix;
      VW_ASSIGN_OR_RETURN(auto reader, StderrLogReader::Create(std::move(o)));
      return std::unique_ptr<LogReader>(std::move(reader));
    }
  }
  return absl::InternalError("unhandled log format");
}

LogFileSource::LogFileSource(InputFile file, LogFormat format, std::unique_ptr<LogReader> reader,
                             bool hold_cut_entry)
    : file_(std::move(file)),
      format_(format),
      reader_(std::move(reader)),
      chunk_(std::make_unique_for_overwrite<char[]>(kChunkBytes)),
      hold_cut_entry_(hold_cut_entry) {}

void LogFileSource::Feed(std::string_view data) {
  if (!hold_cut_entry_) {
    reader_->Feed(data);
    return;
  }
  const size_t nl = data.rfind('\n');
  if (nl == std::string_view::npos) {
    tail_.append(data);
    // A line longer than a chunk is the reader's to cut as oversized: hold only a bounded tail.
    if (tail_.size() >= kChunkBytes) {
      reader_->Feed(tail_);
      tail_.clear();
    }
    return;
  }
  if (!tail_.empty()) {
    reader_->Feed(tail_);
    tail_.clear();
  }
  reader_->Feed(data.substr(0, nl + 1));
  tail_.assign(data.substr(nl + 1));
}

absl::StatusOr<std::unique_ptr<LogFileSource>> LogFileSource::Open(const std::string& path,
                                                                   LogSourceOptions options) {
  VW_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  VW_RETURN_IF_ERROR(file.SkipTo(options.start_offset));
  std::string head;
  VW_RETURN_IF_ERROR(file.ReadHead(kHeadBytes, &head));
  return FromOpenFile(std::move(file), std::move(head), std::move(options));
}

absl::StatusOr<std::unique_ptr<LogFileSource>> LogFileSource::FromOpenFile(
    InputFile file, std::string_view head, LogSourceOptions options) {
  if (options.source_name.empty()) options.source_name = file.is_stdin() ? "stdin" : file.path();
  VW_ASSIGN_OR_RETURN(options.format, ResolveLogFormat(options, head));
  VW_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, MakeLogReader(options, head));
  std::unique_ptr<LogFileSource> source(new LogFileSource(
      std::move(file), options.format, std::move(reader), options.hold_cut_entry));
  source->Feed(head);
  return source;
}

absl::StatusOr<bool> LogFileSource::Next(LogEvent* event) {
  while (true) {
    if (reader_->Next(event)) return true;
    if (finished_) return false;
    VW_ASSIGN_OR_RETURN(const size_t n, file_.Read(chunk_.get(), kChunkBytes));
    if (n == 0) {
      if (tail_.empty()) {
        reader_->Finish();
      } else {
        reader_->FinishCut(/*cut_line_continues=*/tail_[0] == '\t');
      }
      finished_ = true;
    } else {
      Feed(std::string_view(chunk_.get(), n));
    }
  }
}

}  // namespace vacwatch::ingest
