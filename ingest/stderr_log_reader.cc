#include "ingest/stderr_log_reader.h"

#include "absl/status/status.h"

namespace vacwatch::ingest {

// Placeholder until the reader lands (next commit): log_source.cc already links against it.
absl::StatusOr<std::unique_ptr<StderrLogReader>> StderrLogReader::Create(Options options) {
  return absl::UnimplementedError("stderr reader not implemented yet");
}

void StderrLogReader::Feed(std::string_view chunk) {}
void StderrLogReader::Finish() {}
bool StderrLogReader::Next(LogEvent* event) { return false; }
int64_t StderrLogReader::resume_offset() const { return 0; }

}  // namespace vacwatch::ingest
