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
// With the server's log_timezone known (an IANA name: --log-timezone, the config's
// `log_timezone:`, or the snapshots' log_timezone setting), every abbreviation is read in that
// zone (a numeric offset and UTC/GMT are exact anyway). Without it, abbreviations come from a
// table, and those that name several zones (CST: US Central or China; IST: India, Israel or
// Ireland; BST, AST, CDT, MST, SST, CCT) take the one most servers log in and are flagged
// `ambiguous_zone` so the caller can say so: never a silent guess. Nothing here allocates and
// nothing keeps a reference to its arguments.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"

namespace vacwatch::ingest {

struct LogTimestamp {
  absl::Time time = absl::InfinitePast();
  int32_t utc_offset_s = 0;  // of the zone the text was written in (0 for %n)
  // Read without a configured zone from an abbreviation that names several zones: which one
  // (a view of static text), else empty.
  std::string_view ambiguous_zone;
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
// The same, reading zone abbreviations in `zone` (null: from the table). A local time that
// does not exist in `zone` (skipped by a DST change) is read with the offset before the change.
bool ParseLogTimestampIn(std::string_view text, const absl::TimeZone* zone, LogTimestamp* out,
                         std::string_view* why = nullptr);

// What an ambiguous abbreviation may mean, for the warning: "US Central (-06:00), China
// (+08:00)"; empty when `abbreviation` is not ambiguous.
std::string_view AmbiguousZoneMeanings(std::string_view abbreviation);

// Length of the timestamp of shape `format` at the start of `text`, zone token included, or 0
// when the text does not have that shape. Checks the shape only (digits, separators, a zone
// token of letters or a signed offset); the zone is resolved by ParseLogTimestamp. Used by the
// log_line_prefix matcher on every line, so it is cheap.
size_t ScanLogTimestamp(std::string_view text, LogTimeFormat format);

// The UTC offset of a zone abbreviation ("CEST") or numeric offset ("+05:30"), or false.
bool LookupZoneOffset(std::string_view zone, int32_t* offset_s);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_TIMESTAMP_H_
