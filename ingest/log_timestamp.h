#ifndef VACWATCH_INGEST_LOG_TIMESTAMP_H_
#define VACWATCH_INGEST_LOG_TIMESTAMP_H_

// Timestamps as PostgreSQL writes them in its logs, in the server's log_timezone:
//   %m (stderr), csvlog log_time, jsonlog timestamp:  "2026-11-23 23:18:21.286 UTC"
//   %t / %s, csvlog session_start_time:              "2026-11-23 23:18:21 UTC"
//   %n (epoch, always UTC):                           "1700000000.123"
// The zone is the tzdata abbreviation of log_timezone ("UTC", "CEST", "MSK", "IST", ...) or, for
// zones tzdata gives no letters, a numeric offset ("+03", "-0530", "+05:30").
//
//   LogTimestamp ts;
//   std::string_view why;
//   if (!ParseLogTimestamp("2026-11-23 23:18:21.286 CET", &ts, &why)) {
//     ... ParseErrorKind::kBadTimestamp, detail = why ...
//   }
//   // ts.time == 2026-11-23 22:18:21.286 UTC, ts.utc_offset_s == 3600
//
// Ambiguous abbreviations take the zone most servers log in: IST = India (+05:30), CST = US
// Central (-06:00), BST = British Summer Time (+01:00), PST = US Pacific. Nothing here allocates
// and nothing keeps a reference to its arguments.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"

namespace vacwatch::ingest {

struct LogTimestamp {
  absl::Time time = absl::InfinitePast();
  int32_t utc_offset_s = 0;  // of the zone the text was written in (0 for %n)
};

// The shapes a log_line_prefix escape can print.
enum class LogTimeFormat : uint8_t {
  kMillis,   // %m: "YYYY-MM-DD HH:MM:SS.mmm ZONE"
  kSeconds,  // %t, %s: "YYYY-MM-DD HH:MM:SS ZONE"
  kEpoch,    // %n: "SSSSSSSSSS.mmm"
};

// Parses a whole timestamp text of any of the three shapes (fractions of 1-6 digits accepted).
// On failure returns false and, when `why` is non-null, points it at a static description.
bool ParseLogTimestamp(std::string_view text, LogTimestamp* out, std::string_view* why = nullptr);

// Length of the timestamp of shape `format` at the start of `text`, zone token included, or 0
// when the text does not have that shape. Checks the shape only (digits, separators, a zone
// token of letters or a signed offset); the zone is resolved by ParseLogTimestamp. Used by the
// log_line_prefix matcher on every line, so it is cheap.
size_t ScanLogTimestamp(std::string_view text, LogTimeFormat format);

// The UTC offset of a zone abbreviation ("CEST") or numeric offset ("+05:30"), or false.
bool LookupZoneOffset(std::string_view zone, int32_t* offset_s);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_TIMESTAMP_H_
