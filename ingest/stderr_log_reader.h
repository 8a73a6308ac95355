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
// Byte offsets count from Options::start_offset; line numbers from the first byte fed (1).
// Without a prefix the reader buffers the first lines (up to 64 KiB / 256 lines), picks the
// common prefix that matches most of them (log_line_prefix.h) and then proceeds.
//
// Bad input is counted and reported, never fatal: a continuation line with no record above it
// (kOrphanContinuation), a line or an autovacuum record over max_entry_bytes (kOversized,
// whatever the chunking: a 10 MB line fed in one call is cut at the limit like one fed in pieces,
// so it costs no more than about max_entry_bytes of memory; the lines of a record that is not
// about autovacuum are never held, so only each of them is checked), invalid UTF-8 or a
// NUL byte in an autovacuum record (kInvalidEncoding), a timestamp with an unknown zone
// (kBadTimestamp), and whatever ParseLogEntry rejects. Only records that may be about
// autovacuum (MayBeAutovacuumEntry) are checked for encoding and have their timestamp resolved;
// the rest are counted as skipped after a look at their first bytes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/parse_error.h"
#include "ingest/entry_dispatch.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"
#include "ingest/log_line_prefix.h"
#include "ingest/log_reader.h"
#include "ingest/log_timestamp.h"

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
    // The server's log_timezone, when known: zone abbreviations are read in it.
    std::optional<absl::TimeZone> log_timezone;
    // A record waiting for its CONTEXT completes without it after this many further lines.
    int64_t context_window_lines = 1000;
  };

  // InvalidArgument when log_line_prefix does not compile (an unknown escape).
  static absl::StatusOr<std::unique_ptr<StderrLogReader>> Create(Options options);

  void Feed(std::string_view chunk) override;
  void Finish() override;
  // Returns only records complete before the cut, whatever `cut_line_continues` says: the
  // record open at the cut and those waiting for their CONTEXT stay for the next reader.
  void FinishCut(bool cut_line_continues) override;
  void EndOpenEntry() override;
  bool Next(LogEvent* event) override;
  int64_t resume_offset() const override;
  const IngestCounters& counters() const override { return counters_; }
  // Bytes allocated for input: the records not yet returned by Next plus about
  // 2 * max_entry_bytes of the lines being read, whatever the chunk sizes.
  size_t buffer_capacity() const { return buffer_.capacity(); }

  // The prefix in use: the configured one, or the detected one once detection has run (before
  // that, the default "%m [%p] ").
  const LogLinePrefix& prefix() const { return prefix_; }
  // False while the first lines are still buffered to detect the prefix.
  bool prefix_settled() const { return !detecting_; }
  std::string_view suggested_prefix() const override { return suggested_prefix_; }

 private:
  // A record that may be about autovacuum, queued in input order until it is complete (its
  // last continuation line seen and, for a cancel, its CONTEXT) and then returned by Next.
  // Ranges are indices into buffer_ (shifted when it is compacted).
  struct Record {
    int64_t stream_begin = 0;  // stream offset of the head line
    int64_t line_no = 0;
    size_t begin = 0;          // head line
    size_t message_begin = 0;  // after "SEVERITY:  "
    size_t end = 0;            // end of its last line ('\n' excluded)
    size_t severity_begin = 0, severity_end = 0;
    size_t time_begin = 0, time_end = 0;
    size_t database_begin = 0, database_end = 0;
    size_t context_begin = 0, context_end = 0;  // the message of its CONTEXT record, if any
    int64_t context_deadline = 0;               // line after which it stops waiting
    int32_t pid = 0;
    LogTimeFormat time_format = LogTimeFormat::kMillis;
    bool waits_for_context = false;
    bool complete = false;
    bool dead = false;  // already rejected (oversized): returns nothing
  };
  // What the lines after the last head line belong to.
  enum class Open : uint8_t {
    kNone,     // no record yet: a continuation line is an orphan
    kQueued,   // a queued record (open_seq_)
    kContext,  // the CONTEXT record of the waiting record open_seq_
    kIgnored,  // a record with nothing for vacwatch
  };

  StderrLogReader(Options options, LogLinePrefix prefix, bool detect);

  Record& RecordAt(int64_t seq) { return queue_[static_cast<size_t>(seq - popped_)]; }
  std::string_view Bytes(size_t begin, size_t end) const {
    return std::string_view(buffer_).substr(begin, end - begin);
  }
  bool ReadyToDetect() const;
  void DetectPrefix();
  void CheckGivenPrefix();
  void FeedSlice(std::string_view chunk);
  void ProcessCompleteLines();
  void ProcessLine(size_t begin, size_t end, bool oversized);
  void StartRecord(const PrefixMatch& match, size_t begin, size_t end, bool oversized);
  void ExtendOpen(size_t end, bool oversized, std::string_view line);
  void CloseOpen();
  void StopWaiting(size_t waiting_index);
  void FinishOversizedLine();
  bool Emit(Record& record, LogEvent* event);
  void Report(ParseErrorKind kind, std::string_view field, std::string_view detail,
              int64_t stream_offset, int64_t line_no, std::string_view raw);
  EntryDispatch dispatch() {
    return {options_.cluster, options_.source_name, options_.errors, &counters_};
  }
  void Compact();

  Options options_;
  LogLinePrefix prefix_;
  std::string suggested_prefix_;
  bool checked_given_prefix_ = false;  // the given prefix was tried on the first lines
  std::string first_lines_;            // the first lines, while a given prefix is on trial
  bool detecting_;
  int detect_lines_ = 0;  // complete lines buffered while detecting
  bool finished_ = false;
  IngestCounters counters_;

  std::string buffer_;       // unconsumed input
  size_t scan_ = 0;          // index in buffer_ of the first line not yet processed
  int64_t scan_stream_ = 0;  // its stream offset
  int64_t line_no_ = 0;      // physical lines processed

  std::vector<Record> queue_;  // [queue_head_, end) not yet returned
  size_t queue_head_ = 0;
  int64_t popped_ = 0;            // records erased from queue_'s front (seq = popped_ + index)
  std::vector<int64_t> waiting_;  // seqs of records waiting for their CONTEXT, oldest first
  Open open_ = Open::kNone;
  int64_t open_seq_ = 0;
  int64_t open_stream_begin_ = 0;  // stream offset of the last head line
  bool open_oversized_reported_ = false;

  bool discarding_ = false;      // dropping the rest of an oversized line
  int64_t discarded_bytes_ = 0;  // of that line, beyond what is kept in buffer_

  PrefixMatch match_;
  LogEntry entry_;
  ParseError error_;  // ParseLogEntry's rejection
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_STDERR_LOG_READER_H_
