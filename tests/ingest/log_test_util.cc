#include "tests/ingest/log_test_util.h"

#include "absl/time/time.h"

namespace vacwatch::ingest::testing {

std::string TabJoin(const std::vector<std::string_view>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n\t";
    out += lines[i];
  }
  return out;
}

EntryOutcome EntryHarness::Parse(std::string_view severity,
                                 const std::vector<std::string_view>& lines,
                                 const std::vector<std::string_view>& context,
                                 std::string_view database) {
  severity_ = std::string(severity);
  message_ = TabJoin(lines);
  context_ = TabJoin(context);
  database_ = std::string(database);
  entry = LogEntry();
  entry.time_text = "2024-05-01 12:00:00.000 UTC";
  entry.time = absl::FromUnixSeconds(1714564800);
  entry.has_time = true;
  entry.pid = 31337;
  entry.severity = severity_;
  entry.database = database_;
  entry.message = message_;
  entry.context = context_;
  entry.byte_offset = 100;
  entry.line_no = 7;
  event = LogEvent();
  error = ParseError();
  return ParseLogEntry(entry, "test-cluster", &event, &error);
}

}  // namespace vacwatch::ingest::testing
