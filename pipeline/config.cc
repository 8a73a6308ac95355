#include "pipeline/config.h"

namespace vacwatch::pipeline {

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kAutovacuumNotKeepingUp:
      return "AutovacuumNotKeepingUp";
    case AlertKind::kFreezingNotKeepingUp:
      return "FreezingNotKeepingUp";
    case AlertKind::kWraparoundRisk:
      return "WraparoundRisk";
    case AlertKind::kAutovacuumThresholdTooLax:
      return "AutovacuumThresholdTooLax";
    case AlertKind::kVacuumOverdueAutovacuumDisabled:
      return "VacuumOverdueAutovacuumDisabled";
  }
  return "unknown";
}

PipelineConfig::PipelineConfig() = default;

TableTuning PipelineConfig::Resolve(std::string_view, std::string_view, std::string_view,
                                    std::string_view) const {
  return defaults;  // stub: overrides land with the YAML loader
}

absl::StatusOr<PipelineConfig> ParsePipelineConfig(std::string_view) {
  return absl::UnimplementedError("config loading not implemented yet");
}

absl::StatusOr<PipelineConfig> LoadPipelineConfig(const std::string&) {
  return absl::UnimplementedError("config loading not implemented yet");
}

}  // namespace vacwatch::pipeline
