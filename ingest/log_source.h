#ifndef VACWATCH_INGEST_LOG_SOURCE_H_
#define VACWATCH_INGEST_LOG_SOURCE_H_

// Choosing and driving a log reader.
//
// MakeLogReader builds the reader for a log destination, recognising it from the first bytes
// when asked to (kAuto): '{' opens a jsonlog line (or a shipper's wrapper around a log line,
// when its object has a `log`, `message` or `textPayload` string and no `error_severity`), a
// timestamp followed by ',' a csvlog record,
// anything else is stderr; what LooksLikeSnapshot (snapshot_reader.h) recognises is refused as
// InvalidArgument, since a snapshot file read as jsonlog would give nothing. LogFileSource reads
// one file (or stdin, "-") through such a reader:
//
//   LogSourceOptions options;
//   options.cluster = "prod-eu-1";
//   options.errors = &dead_letters;
//   VW_ASSIGN_OR_RETURN(auto source, LogFileSource::Open("postgresql.csv", options));
//   LogEvent event;
//   while (true) {
//     VW_ASSIGN_OR_RETURN(bool more, source->Next(&event));   // event valid until next call
//     if (!more) break;
//     Use(event);
//   }
//   Save(source->resume_offset());  // reopen with start_offset = this to continue
//
// A missing file is NotFound with the path in the message; a read error ends Next with its
// status. Bad entries never end Next: they go to options.errors and the counters.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/input_file.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"
#include "ingest/shipper_envelope.h"

namespace vacwatch::ingest {

// kShipper: JSON lines of a log shipper (Fluent Bit, Vector, Filebeat, Cloud Logging; see
// shipper_envelope.h), each wrapping a stderr, csvlog or jsonlog line.
enum class LogFormat : uint8_t { kAuto, kStderr, kCsvlog, kJsonlog, kShipper };

// "auto", "stderr", "csvlog", "jsonlog", "shipper" (also "csv", "json"); InvalidArgument
// otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name);
std::string_view LogFormatName(LogFormat format);
// The destination the first bytes of a log look like (never kAuto). Reads only the first line;
// knows nothing of snapshots (MakeLogReader checks for those first).
LogFormat DetectLogFormat(std::string_view first_bytes);

struct LogSourceOptions {
  LogFormat format = LogFormat::kAuto;
  std::string cluster;
  // stderr only: PostgreSQL's log_line_prefix; empty = recognise the common ones.
  std::string log_line_prefix;
  int64_t start_offset = 0;           // resume from this byte of the input
  int64_t max_entry_bytes = 1 << 20;  // entries longer than this are rejected as oversized
  ParseErrorSink* errors = nullptr;   // not owned; receives every rejected entry
  std::string source_name;            // names the input in dead letters (default: the path)
  // The input goes on after this run (a log still being written, read again from
  // resume_offset by a later run with the same state): an entry cut at the end of the input
  // (the last line has no '\n') is not read now, neither rejected nor half-parsed, and
  // resume_offset stays at its start. Off: the end of input ends every entry.
  bool hold_cut_entry = false;
  // The server's log_timezone (an IANA zone), when known: timestamps' zone abbreviations are
  // read in it. Unknown: read from a table, ambiguous ones (CST...) counted in the counters.
  std::optional<absl::TimeZone> log_timezone;
  // Shippers' JSON wrappers: which fields hold the log line, the cluster and the time. With a
  // cluster or payload field given, a JSON input is always read as shipper records.
  EnvelopeOptions envelope;
};

// options.format, or (kAuto) the format `first_bytes` look like: what MakeLogReader builds a
// reader for. InvalidArgument as MakeLogReader.
absl::StatusOr<LogFormat> ResolveLogFormat(const LogSourceOptions& options,
                                           std::string_view first_bytes);

// The reader for options.format, or for the format `first_bytes` look like when kAuto
// (InvalidArgument naming options.source_name when they look like a stats snapshot). The
// reader has not been fed: pass it `first_bytes` too.
absl::StatusOr<std::unique_ptr<LogReader>> MakeLogReader(const LogSourceOptions& options,
                                                         std::string_view first_bytes);

class LogFileSource {
 public:
  static constexpr size_t kChunkBytes = 1 << 20;

  // Opens `path` ("-" = stdin), moves to options.start_offset and picks the reader.
  static absl::StatusOr<std::unique_ptr<LogFileSource>> Open(const std::string& path,
                                                             LogSourceOptions options);
  // For a caller that already opened the file (at options.start_offset) and read its first
  // bytes to decide what it is: `head` is fed (copied) before anything else is read.
  static absl::StatusOr<std::unique_ptr<LogFileSource>> FromOpenFile(InputFile file,
                                                                     std::string_view head,
                                                                     LogSourceOptions options);

  // Fills `event` with the next event and returns true; false at the end of input. `event`'s
  // views are valid until the next call.
  absl::StatusOr<bool> Next(LogEvent* event);

  LogFormat format() const { return format_; }
  const std::string& path() const { return file_.path(); }
  const IngestCounters& counters() const { return reader_->counters(); }
  std::string_view suggested_prefix() const { return reader_->suggested_prefix(); }
  int64_t resume_offset() const { return reader_->resume_offset(); }
  // With hold_cut_entry: bytes at the end of the input left for a later run (0 when the input
  // ended with a complete line).
  int64_t held_bytes() const { return finished_ ? static_cast<int64_t>(tail_.size()) : 0; }

 private:
  LogFileSource(InputFile file, LogFormat format, std::unique_ptr<LogReader> reader,
                bool hold_cut_entry);
  // Feeds `data`, holding back what follows its last '\n' when hold_cut_entry_.
  void Feed(std::string_view data);

  InputFile file_;
  LogFormat format_;
  std::unique_ptr<LogReader> reader_;
  std::unique_ptr<char[]> chunk_;
  bool finished_ = false;
  bool hold_cut_entry_ = false;
  std::string tail_;  // not yet fed: after the last '\n' seen (hold_cut_entry_)
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_SOURCE_H_
