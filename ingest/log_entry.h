#ifndef VACWATCH_INGEST_LOG_ENTRY_H_
#define VACWATCH_INGEST_LOG_ENTRY_H_

// LogEntry: one complete server-log record, independent of the destination it came from.
// The stderr reader fills it from the log_line_prefix and TAB-continuation lines, the
// csvlog reader from its columns, the jsonlog reader from its keys; ParseLogEntry
// (log_entry_parser.h) then turns it into a typed LogEvent.
//
// Lifetime: all views point into the reader's buffer and are valid until the reader's next
// call.

#include <cstdint>
#include <string_view>

#include "absl/time/time.h"

namespace vacwatch::ingest {

struct LogEntry {
  std::string_view time_text;  // as written, zone included; empty when the record has none
  absl::Time time = absl::InfinitePast();
  int32_t utc_offset_s = 0;
  bool has_time = false;
  int32_t pid = 0;            // 0 when the record does not say
  std::string_view severity;  // "LOG", "ERROR", "WARNING", ...
  std::string_view database;  // %d / database_name / dbname; empty when unknown
  // The primary message. Lines are separated by '\n'; a stderr continuation line may still
  // start with its TAB, so the entry parser strips one leading TAB or run of spaces per line.
  std::string_view message;
  // The CONTEXT text (stderr: the CONTEXT line and its continuations), or empty.
  std::string_view context;
  int64_t byte_offset = 0;  // of the record's first byte in its input
  int64_t line_no = 0;      // 1-based physical line of the record's first line
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_ENTRY_H_
