#include "sinks/alert_route.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "sinks/alert_labels.h"

namespace vacwatch::sinks {

bool AlertRoute::Matches(const pipeline::Alert& alert) const {
  if (min_severity.has_value() && alert.severity < *min_severity) return false;
  if (!severities.empty() &&
      std::find(severities.begin(), severities.end(), alert.severity) == severities.end()) {
    return false;
  }
  for (const auto& [name, value] : match) {
    const std::optional<std::string> actual = AlertLabel(alert, name);
    if (!actual.has_value() || *actual != value) return false;
  }
  return true;
}

std::string AlertRoute::Describe() const {
  std::string text;
  auto add = [&text](const std::string& part) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", part);
  };
  if (min_severity.has_value()) {
    add(absl::StrCat("severity >= ", std::string(pipeline::SeverityName(*min_severity))));
  }
  if (!severities.empty()) {
    std::string names;
    for (pipeline::Severity s : severities) {
      absl::StrAppend(&names, names.empty() ? "" : "|", std::string(pipeline::SeverityName(s)));
    }
    add(absl::StrCat("severity in ", names));
  }
  for (const auto& [name, value] : match) add(absl::StrCat(name, "=", value));
  return text.empty() ? "everything" : text;
}

}  // namespace vacwatch::sinks
