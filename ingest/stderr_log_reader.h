#ifndef VACWATCH_INGEST_STDERR_LOG_READER_H_
#define VACWATCH_INGEST_STDERR_LOG_READER_H_

// StderrLogReader: reads PostgreSQL's stderr destination (also the files logging_collector
// writes for it). A record starts with a line that carries the log_line_prefix followed by
// "SEVERITY:" and spaces; the lines after it that do not (TAB-indented continuations, Cloud SQL's
// unindented ones) belong to it. DETAIL / HINT / QUERY / CONTEXT / LOCATION / STATEMENT lines
// are records of their own in the file but belong to the previous primary record of the SAME
// pid: pids interleave, so the "canceling autovacuum task" ERROR of pid A is held until A's
// CONTEXT line (which names the table) arrives, A logs another primary record, a window of
// lines passes, or Finish().
//
//   auto reader = StderrLogReader::Create({.cluster = "prod-eu-1",
//                                          .log_line_prefix = "%m [%p] %q%u@%d ",
//                                          .errors = &dead_letters});
//   (*reader)->Feed(chunk);
//   LogEvent event;
//   while ((*reader)->Next(&event)) Use(event);  // views valid until the next Feed/Next/Finish
//
// Events come out in the order of their first lines in the input, so resume_offset() is the
// start of the first record whose event has not been returned (or that is not complete yet).
// Without a prefix the reader buffers the first lines (up to 64 KiB / 256 lines), picks the
// common prefix that matches most of them (log_line_prefix.h) and then proceeds.
//
// Bad input is counted and reported, never fatal: a continuation line with no record above it
// (kOrphanContinuation), a record over max_entry_bytes (kOversized; its bytes are dropped as
// they arrive, so a 10 MB line costs no more than max_entry_bytes of memory), invalid UTF-8 or a
// NUL byte in an autovacuum record (kInvalidEncoding), a timestamp with an unknown zone
// (kBadTimestamp), and whatever ParseLogEntry rejects. Only records that may be about
// autovacuum (MayBeAutovacuumEntry) are checked for encoding and have their timestamp resolved;
// the rest are counted as skipped after a look at their first bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"
#include "ingest/log_line_prefix.h"
#include "ingest/log_reader.h"
#include "ingest/parse_error.h"

namespace vacwatch::ingest {

class StderrLogReader final : public LogReader {
 public:
  struct Options {
    std::string cluster;
    std::string log_line_prefix;        // PostgreSQL's escapes; empty = detect
    int64_t start_offset = 0;           // stream offset of the first byte fed
    int64_t max_entry_bytes = 1 << 20;  // larger records are rejected as oversized
    ParseErrorSink* errors = nullptr;   // not owned; may be null (errors are still counted)
    std::string source_name;            // names the input in dead letters
    // A record waiting for its CONTEXT completes without it after this many further lines.
    int64_t context_window_lines = 1000;
  };

  // InvalidArgument when log_line_prefix does not compile (an unknown escape).
  static absl::StatusOr<std::unique_ptr<StderrLogReader>> Create(Options options);

  void Feed(std::string_view chunk) override;
  void Finish() override;
  bool Next(LogEvent* event) override;
  int64_t resume_offset() const override;
  const IngestCounters& counters() const override { return counters_; }

  // The prefix in use: the configured one, or the detected one once detection has run (before
  // that, the default "%m [%p] ").
  const LogLinePrefix& prefix() const { return prefix_; }

 private:
  // A record in the buffer, by stream offsets (the buffer moves when it is compacted).
  struct Record {
    int64_t begin = 0;  // first byte of the head line
    int64_t line_no = 0;
    int64_t message_begin = 0;  // after "SEVERITY:  "
    int64_t end = 0;            // end of its last line, '\n' excluded
    int64_t time_begin = 0, time_end = 0;
    int64_t database_begin = 0, database_end = 0;
    int64_t context_begin = 0, context_end = 0;  // its CONTEXT record's message, if any
    int32_t pid = 0;
    uint8_t severity_index = 0;  // into LogLinePrefix's severity names
    bool candidate = false;      // MayBeAutovacuumEntry
    bool waits_for_context = false;
    bool complete = false;
    bool oversized = false;
    int64_t deadline_line = 0;  // waits_for_context: give up after this line
  };

  explicit StderrLogReader(Options options, LogLinePrefix prefix, bool detect);

  // Processes complete lines of the buffer until an event is ready or input runs out.
  void ProcessLines();
  void ProcessLine(std::string_view line, int64_t line_begin, bool at_end);
  void StartRecord(const PrefixMatch& match, std::string_view line, int64_t line_begin);
  void CloseOpenRecord();
  void CompleteWaiting(size_t index);
  void ExpireWaiting();
  bool DetectPrefix(bool at_end);
  // Turns the front record of the queue into an event, or counts it; true for an event.
  bool EmitFront(LogEvent* event);
  void Reject(const Record& record, ParseErrorKind kind, std::string_view field,
              std::string_view detail, std::string_view raw);
  void Compact();
  std::string_view View(int64_t begin, int64_t end) const {
    return std::string_view(buffer_).substr(static_cast<size_t>(begin - base_),
                                            static_cast<size_t>(end - begin));
  }

  Options options_;
  LogLinePrefix prefix_;
  bool detecting_;
  IngestCounters counters_;

  std::string buffer_;   // bytes from stream offset base_ on
  int64_t base_ = 0;     // stream offset of buffer_[0]
  int64_t scan_ = 0;     // stream offset of the first line not yet processed
  int64_t line_no_ = 0;  // physical lines processed
  bool finished_ = false;

  // Records in input order; the front ones are complete or waiting. `open_` is the record
  // whose continuation lines are still arriving (its index in queue_), or -1.
  std::vector<Record> queue_;
  size_t queue_head_ = 0;
  int64_t open_ = -1;
  // An oversized line being dropped: bytes are discarded until its end.
  bool discarding_line_ = false;
  std::string oversized_raw_;  // the first bytes of the oversized record, for its dead letter

  LogEntry entry_;
  ParseError error_;
  PrefixMatch match_;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_STDERR_LOG_READER_H_
