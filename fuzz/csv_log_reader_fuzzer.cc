// Fuzzes CsvLogReader (ingest/csv_log_reader.h) through the stream checks
// (fuzz/stream_checks.h), with short entry limits so that oversized records, and the
// resynchronisation after them, are reached by small inputs.

#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/record_log_reader_fuzz.h"
#include "ingest/csv_log_reader.h"

namespace vacwatch::fuzz {
namespace {

void FuzzCsvLogReader(std::string_view data) { FuzzRecordLogReader<ingest::CsvLogReader>(data); }

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(csv_log_reader, vacwatch::fuzz::FuzzCsvLogReader);
