#ifndef VACWATCH_INGEST_CSV_LOG_READER_H_
#define VACWATCH_INGEST_CSV_LOG_READER_H_

// CsvLogReader: reads PostgreSQL's csvlog destination (log_destination = 'csvlog').
//
// A record is one CSV row as csvlog.c writes it: non-NULL text values are quoted with `"`
// doubled inside, and newlines inside a quoted value are kept raw, so one record may span many
// physical lines. The column set is recognised by its count: 23 (9.6-12), 24 (13, adds
// backend_type) or 26 (14-18, adds leader_pid and query_id). The reader takes log_time,
// database_name, process_id, error_severity, message and context from each record and hands
// them to ParseLogEntry, so it yields exactly the events the stderr and jsonlog readers give.
//
//   CsvLogReader reader({.cluster = "prod-eu-1", .errors = &dead_letters,
//                        .source_name = "postgresql.csv"});
//   reader.Feed(chunk);
//   LogEvent event;
//   while (reader.Next(&event)) Use(event);  // views valid until the next Feed/Next/Finish
//
// Broken records (a quote left open at the end of input, a stray character after a closing
// quote, a wrong column count, a record over max_entry_bytes, a NUL byte or invalid UTF-8 in a
// field we read) become a ParseError and are counted; the reader then resynchronises at the
// next physical line, after the broken record's first line, that starts with a timestamp the
// way every csvlog record does. Memory stays bounded by max_entry_bytes plus one chunk.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/parse_error.h"
#include "ingest/entry_dispatch.h"
#include "ingest/ingest_counters.h"
#include "ingest/input_buffer.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"

namespace vacwatch::ingest {

class CsvLogReader final : public LogReader {
 public:
  struct Options {
    std::string cluster;
    int64_t start_offset = 0;           // stream offset of the first byte fed
    int64_t max_entry_bytes = 1 << 20;  // larger records are rejected as oversized
    ParseErrorSink* errors = nullptr;   // not owned; may be null (errors are still counted)
    std::string source_name;            // names the input in dead letters
    // The server's log_timezone, when known: zone abbreviations are read in it.
    std::optional<absl::TimeZone> log_timezone;
  };

  explicit CsvLogReader(Options options);

  void Feed(std::string_view chunk) override;
  void Finish() override;
  // A record cut by the end of what is here (quoted newlines) stays unread: not finished.
  void FinishCut(bool cut_line_continues) override {}
  bool Next(LogEvent* event) override;
  // The start of the first record not yet fully read. While the rest of a broken record (an
  // oversized one arriving in pieces, one cut short) is being skipped, that is the broken
  // record's start, since where the next record starts is not known until resynchronisation
  // finds it: a reader restarted there rejects that record once more, the same way, rather than
  // reading its tail as a record of its own. Once the input is finished and read, it ends.
  int64_t resume_offset() const override {
    const bool skipping = mode_ != Mode::kRecord && !(finished_ && buffer_.empty());
    return skipping ? broken_offset_ : buffer_.offset();
  }
  const IngestCounters& counters() const override { return counters_; }

 private:
  // Where the scanner stands inside the record being read.
  enum class ScanState : uint8_t { kFieldStart, kUnquoted, kQuoted, kAfterQuote };
  // What the reader does with the bytes at the front of the buffer.
  enum class Mode : uint8_t { kRecord, kSkipLine, kResync };
  enum class Scan : uint8_t { kRecord, kNeedMore, kBroken };

  struct Field {
    uint32_t begin = 0;  // offsets into the record; quotes excluded
    uint32_t end = 0;
    bool escaped = false;  // holds doubled quotes to undo
  };

  Scan ScanRecord();
  void AddField(size_t begin, size_t end, bool escaped);
  void ResetScan();
  // Turns the complete record of `record_len_` bytes at the front of the buffer into an entry
  // and consumes it; returns true with `event` filled when the entry is an event.
  bool HandleRecord(LogEvent* event);
  bool ProcessRecord(std::string_view record, LogEvent* event);
  std::string_view FieldText(std::string_view record, int index, std::string* scratch) const;
  // Counts and reports a broken record, then moves to resynchronisation.
  void RejectBroken(ParseErrorKind kind, std::string_view field, std::string_view detail);
  // RejectBroken for a record over max_entry_bytes, or for a quoting fault at scan_pos_ (which
  // is oversized too when it lies past the limit, whatever the chunks); return Scan::kBroken.
  Scan RejectOversized();
  Scan RejectMalformed(std::string_view detail);
  // Counts the record as an entry and rejects it.
  void Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
              std::string_view raw, int64_t byte_offset, int64_t line_no);
  EntryDispatch dispatch() {
    return {options_.cluster, options_.source_name, options_.errors, &counters_};
  }
  void ConsumeLines(size_t n);

  Options options_;
  InputBuffer buffer_;
  IngestCounters counters_;
  bool finished_ = false;
  Mode mode_ = Mode::kRecord;
  int64_t broken_offset_ = 0;  // stream offset of the broken record being skipped
  int64_t line_no_ = 1;        // physical line of buffer_.data()[0]

  // Scanner state of the record at the front of the buffer, kept across Feed calls so a long
  // record is scanned once.
  ScanState state_ = ScanState::kFieldStart;
  size_t scan_pos_ = 0;
  size_t field_begin_ = 0;
  bool field_escaped_ = false;
  int field_count_ = 0;
  size_t record_len_ = 0;
  std::vector<Field> fields_;

  // Reused per record: unescaped copies of fields that held doubled quotes.
  std::string message_scratch_, context_scratch_, database_scratch_, detail_scratch_;
  LogEntry entry_;
  ParseError error_;  // ParseLogEntry's rejection
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_CSV_LOG_READER_H_
