#ifndef VACWATCH_SINKS_PAGERDUTY_PAGERDUTY_SINK_H_
#define VACWATCH_SINKS_PAGERDUTY_PAGERDUTY_SINK_H_

// PagerDuty Events API v2: a firing transition is a `trigger`, a resolved one a `resolve`,
// both with dedup_key = the alert's fingerprint, so PagerDuty keeps one incident per problem
// on one table (a re-sent trigger updates it; at-least-once delivery never opens two).
//
//   trigger  {"routing_key", "event_action": "trigger", "dedup_key",
//             "payload": {"summary" (the alert's, cut at 1024), "source": cluster/database,
//                         "severity": critical|warning|info, "timestamp": event_time,
//                         "component": database.schema.table, "group": cluster,
//                         "class": alertname, "custom_details": {cause, evidence..., holder,
//                         recommendation, starts_at}},
//             "client": "vacwatch", "links": [runbook]}
//   resolve  {"routing_key", "event_action": "resolve", "dedup_key"}
//
// PagerDuty answers 202; 429 and 5xx are retried, 400 (a bad routing key, a malformed event)
// is not (HttpAlertSink). The URL is configurable (tests point it at a local server; an EU
// account uses https://events.eu.pagerduty.com/v2/enqueue).
//
//   PagerDutyOptions o;
//   o.routing_key = key;   // from the config, --pagerduty-routing-key or the environment
//   VW_ASSIGN_OR_RETURN(auto sink, StartPagerDutySink(o, http_options));

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sinks/http/alert_request_builder.h"
#include "sinks/http/http_alert_sink.h"

namespace vacwatch::sinks {

inline constexpr char kPagerDutyEventsUrl[] = "https://events.pagerduty.com/v2/enqueue";

struct PagerDutyOptions {
  std::string routing_key;  // the integration key of a service's Events API v2 integration
  std::string url = kPagerDutyEventsUrl;
  std::string runbook_url;  // template (url_template.h); empty: no link
};

class PagerDutyRequestBuilder final : public AlertRequestBuilder {
 public:
  explicit PagerDutyRequestBuilder(PagerDutyOptions options) : options_(std::move(options)) {}
  HttpRequest Build(const pipeline::AlertTransition& transition, absl::Time now) override;

 private:
  const PagerDutyOptions options_;
};

// PagerDuty's severity for ours: critical, warning and info are PagerDuty's names too.
std::string_view PagerDutySeverity(pipeline::Severity severity);

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartPagerDutySink(const PagerDutyOptions& options,
                                                                  HttpAlertSinkOptions http);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_PAGERDUTY_PAGERDUTY_SINK_H_
