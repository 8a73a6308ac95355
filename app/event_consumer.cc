#include "app/event_consumer.h"

#include "absl/time/time.h"

namespace vacwatch::app {

absl::StatusOr<pipeline::Explanation> PipelineConsumer::Explain(std::string_view table) {
  return pipeline_.Explain(table, absl::InfinitePast());
}

}  // namespace vacwatch::app
