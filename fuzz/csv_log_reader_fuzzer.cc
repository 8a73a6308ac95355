// Fuzzes CsvLogReader (ingest/csv_log_reader.h) through the stream checks
// (fuzz/stream_checks.h), with short entry limits so that oversized records, and the
// resynchronisation after them, are reached by small inputs.

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/csv_log_reader.h"
#include "ingest/log_event.h"

namespace vacwatch::fuzz {
namespace {

// Knob 3 bits 0-1: max_entry_bytes; bit 2: log_timezone UTC (else none).
void FuzzCsvLogReader(std::string_view data) {
  const FuzzInput input(data);
  ingest::CsvLogReader::Options options;
  options.cluster = std::string(kCluster);
  options.source_name = "fuzz";
  static constexpr int64_t kMaxEntryBytes[] = {64, 700, 4096, 1 << 20};
  options.max_entry_bytes = kMaxEntryBytes[input.knob(3) & 3];
  if ((input.knob(3) & 4) != 0) options.log_timezone = absl::UTCTimeZone();
  CheckStream<ingest::LogEvent>(input,
                                [&](int64_t start, ParseErrorSink* errors) {
                                  ingest::CsvLogReader::Options o = options;
                                  o.start_offset = start;
                                  o.errors = errors;
                                  return std::make_unique<ingest::CsvLogReader>(std::move(o));
                                },
                                {});
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(csv_log_reader, vacwatch::fuzz::FuzzCsvLogReader);
