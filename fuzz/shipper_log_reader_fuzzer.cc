// Fuzzes ShipperLogReader (ingest/shipper_log_reader.h): envelope detection per record and the
// rebuilding of entries per cluster, through the stream checks (fuzz/stream_checks.h). The
// restart check is off: a reader restarted at resume_offset reads the records of other clusters
// after that offset again (documented; the pipeline ignores what it applied).

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/log_event.h"
#include "ingest/shipper_log_reader.h"

namespace vacwatch::fuzz {
namespace {

// Knob 3 bits 0-1: max_entry_bytes; bit 2: a cluster field (`cluster`); bit 3: the prefix
// "%m [%p] " given (else detected per cluster); bit 4: a payload field (`payload.line`).
void FuzzShipperLogReader(std::string_view data) {
  const FuzzInput input(data);
  ingest::ShipperLogReader::Options options;
  options.cluster = std::string(kCluster);
  options.source_name = "fuzz";
  static constexpr int64_t kMaxEntryBytes[] = {64, 700, 4096, 1 << 20};
  options.max_entry_bytes = kMaxEntryBytes[input.knob(3) & 3];
  if ((input.knob(3) & 4) != 0) options.envelope.cluster_field = "cluster";
  if ((input.knob(3) & 8) != 0) options.log_line_prefix = "%m [%p] ";
  if ((input.knob(3) & 16) != 0) options.envelope.payload_field = "payload.line";
  CheckStream<ingest::LogEvent>(input,
                                [&](int64_t start, ParseErrorSink* errors) {
                                  ingest::ShipperLogReader::Options o = options;
                                  o.start_offset = start;
                                  o.errors = errors;
                                  auto reader = ingest::ShipperLogReader::Create(std::move(o));
                                  VW_FUZZ_CHECK(reader.ok(), "the options are valid");
                                  return *std::move(reader);
                                },
                                {.chunk_independent = true, .restartable = false});
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(shipper_log_reader, vacwatch::fuzz::FuzzShipperLogReader);
