#ifndef VACWATCH_APP_SERVICE_LOG_H_
#define VACWATCH_APP_SERVICE_LOG_H_

// WriteServiceLog: one line of `vacwatch run`'s log on stderr, the same shape from every part
// of the service (the consumer loop, the sinks' worker threads, start-up):
//
//   2026-12-07T03:19:15.204Z info vacwatch run: consuming pg.logs and pg.stats as group demo
//
// Levels: "info", "warning", "error". One fprintf and a flush per line, so lines from several
// threads never interleave within a line. Does nothing when `out` is null.

#include <cstdio>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vacwatch::app {

inline void WriteServiceLog(std::FILE* out, std::string_view level, std::string_view message) {
  if (out == nullptr) return;
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   std::string(level), " vacwatch run: ", std::string(message), "\n");
  std::fputs(line.c_str(), out);
  std::fflush(out);
}

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_SERVICE_LOG_H_
