#include "sinks/alert_labels.h"

#include <array>

namespace vacwatch::sinks {
namespace {

constexpr std::array<std::string_view, 9> kNames = {"alertname", "severity",    "cause",
                                                    "cluster",   "database",    "schema",
                                                    "table",     "holder_kind", "holder"};

std::string Value(const pipeline::Alert& alert, size_t index) {
  switch (index) {
    case 0:
      return alert.alert;
    case 1:
      return std::string(pipeline::SeverityName(alert.severity));
    case 2:
      return std::string(pipeline::CauseName(alert.cause));
    case 3:
      return alert.cluster;
    case 4:
      return alert.database;
    case 5:
      return alert.schema;
    case 6:
      return alert.table;
    case 7:
      return alert.holder.has_value() ? alert.holder->kind : std::string();
    case 8:
      return alert.holder.has_value() ? alert.holder->id : std::string();
    default:
      return std::string();
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> AlertLabels(const pipeline::Alert& alert) {
  std::vector<std::pair<std::string, std::string>> labels;
  labels.reserve(kNames.size());
  for (size_t i = 0; i < kNames.size(); ++i) {
    std::string value = Value(alert, i);
    if (!value.empty()) labels.emplace_back(std::string(kNames[i]), std::move(value));
  }
  return labels;
}

std::optional<std::string> AlertLabel(const pipeline::Alert& alert, std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] != name) continue;
    std::string value = Value(alert, i);
    if (value.empty()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

bool IsAlertLabelName(std::string_view name) {
  for (std::string_view n : kNames) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace vacwatch::sinks
