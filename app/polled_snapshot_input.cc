#include "app/polled_snapshot_input.h"

#include <utility>

namespace vacwatch::app {
namespace {
constexpr char kSourceName[] = "collector";
}  // namespace

PolledSnapshotInput::PolledSnapshotInput(ParseErrorSink* errors)
    : errors_(errors), decoder_(ingest::SnapshotDecoder::Options{.salvage = true}) {}

absl::StatusOr<DriverInput::State> PolledSnapshotInput::Advance() {
  while (!queue_.empty()) {
    // The snapshot's views point into the decoder, not the document: it may go now.
    const std::string document = std::move(queue_.front());
    queue_.pop_front();
    ++counters_.entries;
    counters_.bytes += static_cast<int64_t>(document.size());
    if (!decoder_.TryDecode(document, &snapshot_)) {
      const ParseError& error = decoder_.error();
      ++counters_.rejected[static_cast<int>(error.kind)];
      if (errors_ != nullptr) errors_->OnError(kSourceName, error);
      continue;
    }
    for (size_t i = 0; i < decoder_.dropped_row_count(); ++i) {
      const ParseError row = decoder_.dropped_row(i);
      ++counters_.rejected[static_cast<int>(row.kind)];
      if (errors_ != nullptr) errors_->OnError(kSourceName, row);
    }
    ++counters_.snapshots;
    counters_.table_rows += static_cast<int64_t>(snapshot_.tables.size());
    return State::kReady;
  }
  return State::kIdle;
}

}  // namespace vacwatch::app
