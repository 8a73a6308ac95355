#ifndef VACWATCH_APP_EVENT_CONSUMER_H_
#define VACWATCH_APP_EVENT_CONSUMER_H_

// EventConsumer: what the Driver (driver.h) feeds, pipeline::Pipeline's three calls.
// PipelineConsumer is the real one; tests record what they are fed instead.
//
//   PipelineConsumer consumer(config, store);   // keeps `store`; the config is copied
//   driver.Run(&consumer);
//
// Not thread-safe: one driver calls it.

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/explanation.h"
#include "pipeline/pipeline.h"
#include "state/state_store.h"

namespace vacwatch::app {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  virtual absl::Status OnSnapshot(const ingest::Snapshot& snapshot) = 0;
  virtual absl::Status OnLogEvent(const ingest::LogEvent& event) = 0;
  // Adds the changes since the last checkpoint to `batch` and the alert transitions they
  // emitted to `emitted` (Pipeline::Checkpoint).
  virtual absl::Status Checkpoint(state::StateStore::Batch* batch,
                                  std::vector<pipeline::AlertTransition>* emitted) = 0;
  // The pipeline's counters, when the consumer is a pipeline (null otherwise).
  virtual const pipeline::PipelineCounters* pipeline_counters() const { return nullptr; }
  // Pipeline::TablesTracked, when the consumer is a pipeline (-1 otherwise).
  virtual int64_t TablesTracked() const { return -1; }
  // Pipeline::Explain, when the consumer is a pipeline.
  virtual absl::StatusOr<pipeline::Explanation> Explain(std::string_view table) {
    return absl::UnimplementedError("this consumer cannot explain");
  }
};

// A pipeline::Pipeline over `store` (not owned; must outlive it).
class PipelineConsumer final : public EventConsumer {
 public:
  PipelineConsumer(const pipeline::PipelineConfig& config, state::StateStore* store)
      : config_(config), pipeline_(config_, store) {}
  absl::Status OnSnapshot(const ingest::Snapshot& snapshot) override {
    return pipeline_.OnSnapshot(snapshot);
  }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    return pipeline_.OnLogEvent(event);
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    return pipeline_.Checkpoint(batch, emitted);
  }
  const pipeline::PipelineCounters* pipeline_counters() const override {
    return &pipeline_.counters();
  }
  int64_t TablesTracked() const override { return pipeline_.TablesTracked(); }
  absl::StatusOr<pipeline::Explanation> Explain(std::string_view table) override;

 private:
  const pipeline::PipelineConfig config_;
  pipeline::Pipeline pipeline_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_EVENT_CONSUMER_H_
