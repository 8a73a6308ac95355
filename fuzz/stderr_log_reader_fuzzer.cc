// Fuzzes StderrLogReader (ingest/stderr_log_reader.h) through the stream checks
// (fuzz/stream_checks.h): a log_line_prefix given or detected, short entry limits and context
// windows so that oversized lines and records that wait for their CONTEXT are reached by small
// inputs.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/log_event.h"
#include "ingest/log_line_prefix.h"
#include "ingest/stderr_log_reader.h"

namespace vacwatch::fuzz {
namespace {

// Prefixes beyond the common ones, with every kind of escape, padding and several free-text
// fields in a row (backtracking).
constexpr std::string_view kOddPrefixes[] = {
    "%t %u@%d %a ",
    "%n %p %e %v %c %x %Q %P %l ",
    "%-10u %10p [%d] ",
    "%m%u%d%a%h:",
};

// Knob 3 bits 0-3: the prefix (0-3: detect it); bits 4-5: max_entry_bytes. Knob 2 bits 2-3:
// the context window; bits 4-5: the log_timezone.
std::string PrefixFor(uint8_t knob) {
  const size_t pick = knob & 0x0f;
  if (pick < 4) return "";
  const std::vector<std::string_view>& common = ingest::LogLinePrefix::CommonPrefixes();
  const size_t i = (pick - 4) % (common.size() + std::size(kOddPrefixes));
  return std::string(i < common.size() ? common[i] : kOddPrefixes[i - common.size()]);
}

std::optional<absl::TimeZone> ZoneFor(uint8_t knob) {
  switch ((knob >> 4) & 3) {
    case 1:
      return absl::UTCTimeZone();
    case 2:
      return absl::FixedTimeZone(5 * 3600 + 1800);
    default:
      return std::nullopt;
  }
}

void FuzzStderrLogReader(std::string_view data) {
  const FuzzInput input(data);
  ingest::StderrLogReader::Options options;
  options.cluster = std::string(kCluster);
  options.source_name = "fuzz";
  options.log_line_prefix = PrefixFor(input.knob(3));
  static constexpr int64_t kMaxEntryBytes[] = {256, 1000, 4096, 1 << 20};
  options.max_entry_bytes = kMaxEntryBytes[(input.knob(3) >> 4) & 3];
  static constexpr int64_t kContextWindows[] = {1, 2, 10, 1000};
  options.context_window_lines = kContextWindows[(input.knob(2) >> 2) & 3];
  options.log_timezone = ZoneFor(input.knob(2));

  const std::string_view payload = input.payload();
  const bool detects = options.log_line_prefix.empty();
  // Detection decides on the first 256 lines or 64 KiB it has, which depends on the chunks
  // unless the whole input is less (then it decides at Finish); a second reader started
  // mid-log detects on other lines.
  const bool detects_at_finish =
      std::count(payload.begin(), payload.end(), '\n') < 256 && payload.size() < size_t{64} * 1024;
  CheckStream<ingest::LogEvent>(
      input,
      [&](int64_t start, ParseErrorSink* errors) {
        ingest::StderrLogReader::Options o = options;
        o.start_offset = start;
        o.errors = errors;
        absl::StatusOr<std::unique_ptr<ingest::StderrLogReader>> reader =
            ingest::StderrLogReader::Create(std::move(o));
        VW_FUZZ_CHECK(reader.ok(), reader.status().ToString());
        return *std::move(reader);
      },
      {.chunk_independent = !detects || detects_at_finish, .restartable = !detects});
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(stderr_log_reader, vacwatch::fuzz::FuzzStderrLogReader);
