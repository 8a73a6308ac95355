#ifndef VACWATCH_APP_CONFIG_LOADER_H_
#define VACWATCH_APP_CONFIG_LOADER_H_

// The one config file of vacwatch (configs/vacwatch.yaml), read once and handed out by section,
// so each part validates only its own keys:
//
//   pipeline:    detectors, windows, time zones: pipeline::PipelineConfig (pipeline/config.h)
//   kafka:       brokers, topics, consumer group: `vacwatch run`
//   sinks:       Alertmanager, PagerDuty, webhooks
//   metrics:     the /metrics listener and per-table series (app/metrics_flags.h)
//   collector:   the PostgreSQL servers to take snapshots of
//
//   VW_ASSIGN_OR_RETURN(VacwatchConfig config, LoadConfig("configs/vacwatch.yaml"));
//   Pipeline pipeline(config.pipeline, store);
//
// A section's errors name the key by its whole path ("config key 'pipeline.defaults.for': ...").
// A key outside the five sections is an error (a typo must not silently fall back to a
// default); a pipeline setting written at the top, as before sections existed, is told where it
// belongs. The kafka, sinks, metrics and collector sections are kept as YAML text for the commands
// that read them. Errors: NotFound for a missing file, InvalidArgument for anything else.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "pipeline/config.h"

namespace vacwatch::app {

struct VacwatchConfig {
  pipeline::PipelineConfig pipeline;
  // The other sections, as YAML text; empty when the file has none.
  std::string kafka_yaml;
  std::string sinks_yaml;
  std::string metrics_yaml;
  std::string collector_yaml;
};

absl::StatusOr<VacwatchConfig> LoadConfig(const std::string& path);
// Same, from YAML text (tests).
absl::StatusOr<VacwatchConfig> ParseConfig(std::string_view yaml_text);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_CONFIG_LOADER_H_
