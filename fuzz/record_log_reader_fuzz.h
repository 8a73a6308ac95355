#ifndef VACWATCH_FUZZ_RECORD_LOG_READER_FUZZ_H_
#define VACWATCH_FUZZ_RECORD_LOG_READER_FUZZ_H_

// The fuzz body the csvlog and jsonlog readers share: their options and their stream checks
// are the same, only the reader differs. Short entry limits make oversized records, and the
// resynchronisation after them, reachable by small inputs.
//
//   void FuzzCsvLogReader(std::string_view data) { FuzzRecordLogReader<CsvLogReader>(data); }
//
// Knob 3 bits 0-1: max_entry_bytes; bit 2: log_timezone UTC (else none).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/log_event.h"

namespace vacwatch::fuzz {

template <typename Reader>
void FuzzRecordLogReader(std::string_view data) {
  const FuzzInput input(data);
  typename Reader::Options options;
  options.cluster = std::string(kCluster);
  options.source_name = "fuzz";
  static constexpr int64_t kMaxEntryBytes[] = {64, 700, 4096, 1 << 20};
  options.max_entry_bytes = kMaxEntryBytes[input.knob(3) & 3];
  if ((input.knob(3) & 4) != 0) options.log_timezone = absl::UTCTimeZone();
  CheckStream<ingest::LogEvent>(input,
                                [&](int64_t start, ParseErrorSink* errors) {
                                  typename Reader::Options o = options;
                                  o.start_offset = start;
                                  o.errors = errors;
                                  return std::make_unique<Reader>(std::move(o));
                                },
                                {});
}

}  // namespace vacwatch::fuzz

#endif  // VACWATCH_FUZZ_RECORD_LOG_READER_FUZZ_H_
