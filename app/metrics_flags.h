#ifndef VACWATCH_APP_METRICS_FLAGS_H_
#define VACWATCH_APP_METRICS_FLAGS_H_

// The metrics settings of `run` and `replay`: the config's `metrics:` section, then the flags
// over it, then the listener started (metrics_server.h) with its ServiceMetrics:
//
//   metrics:                       # configs/vacwatch.yaml
//     listen: 127.0.0.1:9187       # or off
//     table_series_limit: 500      # per-table gauges for at most 500 tables; 0 = off
//
//   MetricsSettings settings;                          // run: listen = "127.0.0.1:9187"
//   VW_RETURN_IF_ERROR(ReadMetricsSection(config.metrics_yaml, &settings));
//   AddMetricsFlags(&parser, &flags.metrics);          // --metrics-listen, --metrics-table-series
//   VW_RETURN_IF_ERROR(ApplyMetricsFlags(flags.metrics, &settings));
//   VW_ASSIGN_OR_RETURN(MetricsRuntime metrics, StartMetrics(settings, "run"));
//   options.metrics = metrics.metrics.get();           // null when listen is off
//
// Errors: InvalidArgument naming the key or flag.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "app/arg_parser.h"
#include "app/metrics_server.h"
#include "app/service_metrics.h"

namespace vacwatch::app {

struct MetricsSettings {
  std::string listen = "off";  // HOST:PORT or off
  int64_t table_series_limit = 0;
};

// The flags as given (empty: not given).
struct MetricsFlags {
  std::string listen;
  std::string table_series;
};

// The metrics: section (YAML text from config_loader.h) into `settings`.
absl::Status ReadMetricsSection(const std::string& yaml, MetricsSettings* settings);
void AddMetricsFlags(ArgParser* parser, MetricsFlags* flags, const std::string& default_listen);
absl::Status ApplyMetricsFlags(const MetricsFlags& flags, MetricsSettings* settings);

// The listener and what it serves; both null when listen is off. The server goes first.
struct MetricsRuntime {
  std::unique_ptr<ServiceMetrics> metrics;
  std::unique_ptr<MetricsServer> server;
};
absl::StatusOr<MetricsRuntime> StartMetrics(const MetricsSettings& settings,
                                            const std::string& command);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_METRICS_FLAGS_H_
