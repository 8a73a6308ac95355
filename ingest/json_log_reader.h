#ifndef VACWATCH_INGEST_JSON_LOG_READER_H_
#define VACWATCH_INGEST_JSON_LOG_READER_H_

// JsonLogReader: reads PostgreSQL's jsonlog destination (PG15+, log_destination = 'jsonlog'):
// one JSON object per physical line, keys omitted when absent. It reads `timestamp`,
// `dbname`, `pid`, `error_severity`, `message` and `context` and hands them to ParseLogEntry,
// so it yields exactly the events the stderr and csvlog readers give for the same records.
// CloudNativePG's envelope, {"level":..., "record": {"log_time", "process_id" (a string),
// "database_name", "error_severity", "message", "context", ...}}, is read the same way.
//
//   JsonLogReader reader({.cluster = "prod-eu-1", .errors = &dead_letters,
//                         .source_name = "postgresql.json"});
//   reader.Feed(chunk);
//   LogEvent event;
//   while (reader.Next(&event)) Use(event);  // views valid until the next Feed/Next/Finish
//
// Each line is decoded in place with simdjson On Demand (the input buffer keeps the padding
// simdjson needs), so steady-state reading allocates nothing. A line that is not JSON, holds a
// field of the wrong type, has a NUL byte or invalid UTF-8, or is longer than max_entry_bytes
// becomes a ParseError naming the field and the byte within the line, and is counted; the next
// line is read as usual. Objects with neither `message` nor `record` (an operator's own log
// lines) are skipped.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/parse_error.h"
#include "ingest/entry_dispatch.h"
#include "ingest/ingest_counters.h"
#include "ingest/input_buffer.h"
#include "ingest/line_splitter.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"

namespace vacwatch::ingest {

class JsonLogReader final : public LogReader {
 public:
  struct Options {
    std::string cluster;
    int64_t start_offset = 0;           // stream offset of the first byte fed
    int64_t max_entry_bytes = 1 << 20;  // longer lines are rejected as oversized
    ParseErrorSink* errors = nullptr;   // not owned; may be null (errors are still counted)
    std::string source_name;            // names the input in dead letters
    // The server's log_timezone, when known: zone abbreviations are read in it.
    std::optional<absl::TimeZone> log_timezone;
  };

  explicit JsonLogReader(Options options);
  ~JsonLogReader() override;

  void Feed(std::string_view chunk) override;
  void Finish() override;
  bool Next(LogEvent* event) override;
  // The start of the first line not yet fully read. While an oversized line is being dropped
  // that is the oversized line itself (where its successor starts is not known until it ends),
  // as for SnapshotReader: a reader restarted there rejects it once more as kOversized rather
  // than reading its tail as a line of broken JSON.
  int64_t resume_offset() const override {
    return lines_.dropping() ? lines_.offset() : buffer_.offset();
  }
  const IngestCounters& counters() const override { return counters_; }

 private:
  class Decoder;  // the simdjson parser and the line's field views

  // Decodes the line lines_ last returned (without its newline); returns true with `event`
  // filled for an event.
  bool HandleLine(std::string_view line, LogEvent* event);
  // Counts the line as an entry and rejects it.
  void Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
              std::string_view raw);
  EntryDispatch dispatch() {
    return {options_.cluster, options_.source_name, options_.errors, &counters_};
  }

  Options options_;
  InputBuffer buffer_;
  IngestCounters counters_;
  std::unique_ptr<Decoder> decoder_;
  LineSplitter lines_;
  bool finished_ = false;
  LogEntry entry_;
  ParseError error_;  // ParseLogEntry's rejection
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_JSON_LOG_READER_H_
