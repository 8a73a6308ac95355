#include "app/config_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

// The YAML text of `node` (a section), or empty for an absent or null one.
std::string SectionText(const YAML::Node& node) {
  if (!node || node.IsNull()) return "";
  YAML::Emitter out;
  out << node;
  return out.c_str();
}

// Keys of the pipeline section, for the hint when one is written at the top (configs from
// before sections existed).
bool IsPipelineKey(const std::string& key) {
  static constexpr std::string_view kKeys[] = {"table_ttl",
                                               "max_cached_tables",
                                               "rate_window",
                                               "worker_busy_fraction",
                                               "starvation_min_tables_over_trigger",
                                               "defaults",
                                               "overrides",
                                               "log_timezone",
                                               "clusters"};
  for (std::string_view k : kKeys) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<VacwatchConfig> ParseConfig(std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config is not valid YAML: ", e.what()));
  }
  VacwatchConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        "config: expected a mapping with the sections pipeline, kafka, sinks, metrics, collector");
  }
  std::string pipeline_yaml;
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      std::string* section = key == "pipeline"    ? &pipeline_yaml
                             : key == "kafka"     ? &config.kafka_yaml
                             : key == "sinks"     ? &config.sinks_yaml
                             : key == "metrics"   ? &config.metrics_yaml
                             : key == "collector" ? &config.collector_yaml
                                                  : nullptr;
      if (section == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("config key '", key, "': unknown key",
                         IsPipelineKey(key)
                             ? absl::StrCat("; pipeline settings go under 'pipeline:' (write "
                                            "'pipeline:' at the top and indent them below it)")
                             : "; the sections are pipeline, kafka, sinks, metrics and collector"));
      }
      if (!kv.second.IsNull() && !kv.second.IsMap()) {
        return absl::InvalidArgumentError(
            absl::StrCat("config key '", key, "': expected a mapping"));
      }
      *section = SectionText(kv.second);
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  absl::StatusOr<pipeline::PipelineConfig> pipeline =
      pipeline::ParsePipelineConfig(pipeline_yaml, "pipeline.");
  if (!pipeline.ok()) return pipeline.status();
  config.pipeline = *std::move(pipeline);
  return config;
}

absl::StatusOr<VacwatchConfig> LoadConfig(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config ", path, " is a directory: give the YAML file (e.g. configs/vacwatch.yaml)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<VacwatchConfig> config = ParseConfig(buffer.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace vacwatch::app
