#ifndef VACWATCH_INGEST_INGEST_COUNTERS_H_
#define VACWATCH_INGEST_INGEST_COUNTERS_H_

// What a reader has seen: entries read, events of each type, entries skipped (not about
// autovacuum), entries rejected by error kind. Plain integers, owned by one reader (one
// thread); sums across readers with operator+=.

#include <array>
#include <cstdint>
#include <string_view>

#include "common/parse_error.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {

struct IngestCounters {
  int64_t entries = 0;  // complete log entries (or snapshot documents) seen
  int64_t bytes = 0;    // input bytes consumed
  std::array<int64_t, kNumLogEventTypes> events{};      // by LogEventType
  int64_t snapshots = 0;                                // snapshot documents decoded
  int64_t table_rows = 0;                               // table rows in those snapshots
  int64_t skipped = 0;                                  // entries with nothing for vacwatch
  std::array<int64_t, kNumParseErrorKinds> rejected{};  // by ParseErrorKind
  // Entries whose time zone abbreviation names several zones (CST...) and was read without a
  // configured log_timezone; the first such abbreviation (static text).
  int64_t ambiguous_zone_entries = 0;
  std::string_view ambiguous_zone;
  // stderr logs: lines that are not continuation lines (no leading TAB), and those the
  // log_line_prefix matched. A configured prefix that matches none is a wrong prefix.
  int64_t head_candidates = 0;
  int64_t head_lines = 0;
  // Entries with nothing for vacwatch whose message is not English (lc_messages): a server
  // that logs in another language hides its autovacuum entries.
  int64_t translated_entries = 0;

  int64_t total_events() const;
  int64_t total_rejected() const;
  IngestCounters& operator+=(const IngestCounters& other);
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_INGEST_COUNTERS_H_
