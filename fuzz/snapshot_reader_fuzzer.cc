// Fuzzes SnapshotReader (ingest/snapshot_reader.h) through the stream checks
// (fuzz/stream_checks.h): JSON lines cut anywhere, short line limits so that oversized lines
// are reached by small inputs.

#include <memory>
#include <string_view>

#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_reader.h"

namespace vacwatch::fuzz {
namespace {

// Knob 3 bits 0-1: max_line_bytes.
void FuzzSnapshotReader(std::string_view data) {
  const FuzzInput input(data);
  ingest::SnapshotReaderOptions options;
  options.source_name = "fuzz";
  static constexpr int64_t kMaxLineBytes[] = {100, 2000, 8192, int64_t{64} << 20};
  options.max_line_bytes = kMaxLineBytes[input.knob(3) & 3];
  CheckStream<ingest::Snapshot>(input,
                                [&](int64_t start, ParseErrorSink* errors) {
                                  ingest::SnapshotReaderOptions o = options;
                                  o.start_offset = start;
                                  o.errors = errors;
                                  return std::make_unique<ingest::SnapshotReader>(std::move(o));
                                },
                                {});
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(snapshot_reader, vacwatch::fuzz::FuzzSnapshotReader);
