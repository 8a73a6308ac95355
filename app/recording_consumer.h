#ifndef VACWATCH_APP_RECORDING_CONSUMER_H_
#define VACWATCH_APP_RECORDING_CONSUMER_H_

// RecordingConsumer: an EventConsumer that hands every input to another consumer (the
// pipeline) and shows the same inputs, and the transitions the pipeline emitted, to a
// report::Recorder, so `vacwatch report` and `advise` see exactly what `replay` decided on:
//
//   PipelineConsumer pipeline(config, store);
//   report::Recorder recorder(report::RecorderOptions{});
//   RecordingConsumer consumer(&pipeline, &recorder);
//   ReplayRunner runner(options, &consumer, store, &sink);
//
// Keeps both pointers (they must outlive it). Not thread-safe: one driver calls it.

#include <cstddef>
#include <string_view>
#include <vector>

#include "app/event_consumer.h"
#include "report/recording.h"

namespace vacwatch::app {

class RecordingConsumer final : public EventConsumer {
 public:
  RecordingConsumer(EventConsumer* inner, report::Recorder* recorder)
      : inner_(inner), recorder_(recorder) {}

  absl::Status OnSnapshot(const ingest::Snapshot& snapshot) override {
    absl::Status s = inner_->OnSnapshot(snapshot);
    if (s.ok()) recorder_->OnSnapshot(snapshot);
    return s;
  }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    absl::Status s = inner_->OnLogEvent(event);
    if (s.ok()) recorder_->OnLogEvent(event);
    return s;
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    const size_t before = emitted->size();
    absl::Status s = inner_->Checkpoint(batch, emitted);
    for (size_t i = before; i < emitted->size(); ++i) recorder_->OnTransition((*emitted)[i]);
    return s;
  }
  const pipeline::PipelineCounters* pipeline_counters() const override {
    return inner_->pipeline_counters();
  }
  int64_t TablesTracked() const override { return inner_->TablesTracked(); }
  absl::StatusOr<pipeline::Explanation> Explain(std::string_view table) override {
    return inner_->Explain(table);
  }

 private:
  EventConsumer* const inner_;
  report::Recorder* const recorder_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_RECORDING_CONSUMER_H_
