// Fuzzes JsonLogReader (ingest/json_log_reader.h) through the stream checks
// (fuzz/stream_checks.h), with short line limits so that oversized lines are reached by small
// inputs.

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/json_log_reader.h"
#include "ingest/log_event.h"

namespace vacwatch::fuzz {
namespace {

// Knob 3 bits 0-1: max_entry_bytes; bit 2: log_timezone UTC (else none).
void FuzzJsonLogReader(std::string_view data) {
  const FuzzInput input(data);
  ingest::JsonLogReader::Options options;
  options.cluster = std::string(kCluster);
  options.source_name = "fuzz";
  static constexpr int64_t kMaxEntryBytes[] = {64, 700, 4096, 1 << 20};
  options.max_entry_bytes = kMaxEntryBytes[input.knob(3) & 3];
  if ((input.knob(3) & 4) != 0) options.log_timezone = absl::UTCTimeZone();
  CheckStream<ingest::LogEvent>(input,
                                [&](int64_t start, ParseErrorSink* errors) {
                                  ingest::JsonLogReader::Options o = options;
                                  o.start_offset = start;
                                  o.errors = errors;
                                  return std::make_unique<ingest::JsonLogReader>(std::move(o));
                                },
                                {});
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(json_log_reader, vacwatch::fuzz::FuzzJsonLogReader);
