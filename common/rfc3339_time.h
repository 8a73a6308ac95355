#ifndef VACWATCH_COMMON_RFC3339_TIME_H_
#define VACWATCH_COMMON_RFC3339_TIME_H_

// ParseRfc3339: the timestamps PostgreSQL writes into JSON (jsonb's timestamptz output), read
// without absl::ParseTime's format interpreter because snapshots carry several per table row:
//
//   absl::Time t;
//   ParseRfc3339("2026-11-23T23:18:23.945964+00:00", &t);  // true
//
// Accepted: YYYY-MM-DD, 'T' or ' ', HH:MM:SS, an optional fraction of 1-9 digits, and a zone
// of Z, +HH, +HH:MM or +HH:MM:SS (PostgreSQL prints seconds for historical zone offsets), plus
// "infinity" / "-infinity". Anything else (including trailing text) returns false and leaves
// `*out` unchanged. Keeps no reference to `text`.

#include <string_view>

#include "absl/time/time.h"

namespace vacwatch {

bool ParseRfc3339(std::string_view text, absl::Time* out);

}  // namespace vacwatch

#endif  // VACWATCH_COMMON_RFC3339_TIME_H_
