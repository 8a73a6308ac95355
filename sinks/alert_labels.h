#ifndef VACWATCH_SINKS_ALERT_LABELS_H_
#define VACWATCH_SINKS_ALERT_LABELS_H_

// The labels of an alert, as Alertmanager shows them and routes match them: alertname,
// severity, cause, cluster, database, schema, table, holder_kind, holder (the root's stable
// id, "session:4242"). A label whose value is empty (a cluster-wide alert has no table, most
// alerts no holder) is left out, as Prometheus does.
//
//   for (const auto& [name, value] : AlertLabels(alert)) ...
//   std::optional<std::string> v = AlertLabel(alert, "cause");   // nullopt: no such label
//
// Pure; keeps no reference past the call.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/alert.h"

namespace vacwatch::sinks {

// In the order above.
std::vector<std::pair<std::string, std::string>> AlertLabels(const pipeline::Alert& alert);
// One label's value; nullopt for a name that is not one of the labels above or is empty.
std::optional<std::string> AlertLabel(const pipeline::Alert& alert, std::string_view name);
// Whether `name` is one of the labels above.
bool IsAlertLabelName(std::string_view name);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERT_LABELS_H_
