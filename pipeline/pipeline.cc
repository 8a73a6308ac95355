#include "pipeline/pipeline.h"

namespace vacwatch::pipeline {

// Stub so the seam compiles; the model and detectors land next.
class Pipeline::Impl {
 public:
  Impl(const PipelineConfig& config, state::StateStore* store) : config_(config), store_(store) {}
  PipelineConfig config_;
  state::StateStore* store_;
  PipelineCounters counters_;
};

Pipeline::Pipeline(const PipelineConfig& config, state::StateStore* store)
    : impl_(std::make_unique<Impl>(config, store)) {}
Pipeline::~Pipeline() = default;

absl::Status Pipeline::OnSnapshot(const ingest::Snapshot& snapshot) {
  ++impl_->counters_.snapshots;
  impl_->counters_.table_rows += static_cast<int64_t>(snapshot.tables.size());
  return absl::OkStatus();
}

absl::Status Pipeline::OnLogEvent(const ingest::LogEvent&) {
  ++impl_->counters_.log_events;
  return absl::OkStatus();
}

absl::Status Pipeline::Checkpoint(state::StateStore::Batch*, std::vector<AlertTransition>*) {
  return absl::OkStatus();
}

const PipelineCounters& Pipeline::counters() const { return impl_->counters_; }

}  // namespace vacwatch::pipeline
