// Fuzzes JsonLogReader (ingest/json_log_reader.h) through the stream checks
// (fuzz/stream_checks.h), with short line limits so that oversized lines are reached by small
// inputs.

#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/record_log_reader_fuzz.h"
#include "ingest/json_log_reader.h"

namespace vacwatch::fuzz {
namespace {

void FuzzJsonLogReader(std::string_view data) { FuzzRecordLogReader<ingest::JsonLogReader>(data); }

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(json_log_reader, vacwatch::fuzz::FuzzJsonLogReader);
