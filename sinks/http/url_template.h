#ifndef VACWATCH_SINKS_HTTP_URL_TEMPLATE_H_
#define VACWATCH_SINKS_HTTP_URL_TEMPLATE_H_

// ExpandAlertTemplate: a configured link (runbook, generator URL) with the alert's labels put
// in: "https://wiki/runbooks/{alertname}#{cause}" -> ".../AutovacuumNotKeepingUp#lock_conflicts".
// Placeholders are the label names of alert_labels.h plus {fingerprint}; a label the alert
// does not have becomes empty, an unknown placeholder stays as written. Values are
// percent-encoded except for unreserved characters (RFC 3986). Keeps no references.

#include <string>
#include <string_view>

#include "pipeline/alert.h"

namespace vacwatch::sinks {

std::string ExpandAlertTemplate(std::string_view text, const pipeline::Alert& alert);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_HTTP_URL_TEMPLATE_H_
