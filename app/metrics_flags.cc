#include "app/metrics_flags.h"

#include <charconv>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

absl::StatusOr<int64_t> ParseLimit(const std::string& text, const std::string& what) {
  int64_t value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": expected a number of tables (0 = no per-table series), not '", text, "'"));
  }
  return value;
}

}  // namespace

absl::Status ReadMetricsSection(const std::string& yaml, MetricsSettings* settings) {
  if (yaml.empty()) return absl::OkStatus();
  try {
    const YAML::Node root = YAML::Load(yaml);
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const std::string path = absl::StrCat("config key 'metrics.", key, "'");
      if (key != "listen" && key != "table_series_limit") {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": unknown key (listen, table_series_limit)"));
      }
      if (!kv.second.IsScalar()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": expected a value"));
      }
      if (key == "listen") {
        settings->listen = kv.second.Scalar();
        if (settings->listen != "off") {
          absl::StatusOr<MetricsAddress> address = ParseMetricsAddress(settings->listen);
          if (!address.ok()) {
            return absl::InvalidArgumentError(absl::StrCat(path, ": ", address.status().message()));
          }
        }
      } else {
        VW_ASSIGN_OR_RETURN(settings->table_series_limit, ParseLimit(kv.second.Scalar(), path));
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config section 'metrics': ", e.what()));
  }
  return absl::OkStatus();
}

void AddMetricsFlags(ArgParser* parser, MetricsFlags* flags, const std::string& default_listen) {
  parser->AddString("metrics-listen", "ADDR",
                    absl::StrCat("serve /metrics, /healthz and /readyz on HOST:PORT, or off "
                                 "(default: ",
                                 default_listen, "; or metrics.listen)"),
                    &flags->listen);
  parser->AddString("metrics-table-series", "N",
                    "per-table gauges on /metrics for at most N tables (default 0: none; or "
                    "metrics.table_series_limit)",
                    &flags->table_series);
}

absl::Status ApplyMetricsFlags(const MetricsFlags& flags, MetricsSettings* settings) {
  if (!flags.listen.empty()) {
    if (flags.listen != "off") {
      absl::StatusOr<MetricsAddress> address = ParseMetricsAddress(flags.listen);
      if (!address.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--metrics-listen: ", address.status().message()));
      }
    }
    settings->listen = flags.listen;
  }
  if (!flags.table_series.empty()) {
    VW_ASSIGN_OR_RETURN(settings->table_series_limit,
                        ParseLimit(flags.table_series, "--metrics-table-series"));
  }
  return absl::OkStatus();
}

absl::StatusOr<MetricsRuntime> StartMetrics(const MetricsSettings& settings,
                                            const std::string& command) {
  MetricsRuntime runtime;
  if (settings.listen == "off") return runtime;
  VW_ASSIGN_OR_RETURN(MetricsAddress address, ParseMetricsAddress(settings.listen));
  ServiceMetricsOptions options;
  options.command = command;
  options.table_series_limit = settings.table_series_limit;
  runtime.metrics = std::make_unique<ServiceMetrics>(options);
  VW_ASSIGN_OR_RETURN(runtime.server, MetricsServer::Start(address, runtime.metrics.get()));
  return runtime;
}

}  // namespace vacwatch::app
