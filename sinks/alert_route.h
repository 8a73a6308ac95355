#ifndef VACWATCH_SINKS_ALERT_ROUTE_H_
#define VACWATCH_SINKS_ALERT_ROUTE_H_

// AlertRoute: which alert transitions one sink gets, by severity and labels (alert_labels.h).
// Every condition set must hold; an empty route takes everything.
//
//   AlertRoute pagerduty;
//   pagerduty.min_severity = Severity::kCritical;            // critical pages only
//   AlertRoute eu;
//   eu.match = {{"cluster", "prod-eu-1"}, {"alertname", "WraparoundRisk"}};
//   if (route.Matches(transition.alert)) sink->Deliver(transition);
//
// A resolved transition carries the highest severity its alert reached (docs/alerts.md), so
// a sink that got the firing transition of a severity gets its resolve too. A transition a
// route leaves out counts as delivered for that sink (its position moves past it).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/alert.h"

namespace vacwatch::sinks {

struct AlertRoute {
  std::optional<pipeline::Severity> min_severity;
  std::vector<pipeline::Severity> severities;  // empty: any
  // Label name -> exact value; a label the alert does not have never matches.
  std::vector<std::pair<std::string, std::string>> match;

  bool Matches(const pipeline::Alert& alert) const;
  // "severity >= warning, cluster=prod-eu-1" or "everything", for logs.
  std::string Describe() const;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERT_ROUTE_H_
