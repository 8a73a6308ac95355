#ifndef VACWATCH_SINKS_ALERTMANAGER_ALERTMANAGER_SINK_H_
#define VACWATCH_SINKS_ALERTMANAGER_ALERTMANAGER_SINK_H_

// Alertmanager (API v2): each transition is POSTed to `<url>/api/v2/alerts` as Prometheus
// does, one sink (own queue, own position) per Alertmanager of an HA pair.
//
//   labels       alertname severity cause cluster database schema table holder_kind holder
//                (alert_labels.h) + the configured static labels
//   annotations  summary (the alert's), description (its evidence in words,
//                alert_description.h), recommendation, runbook_url (the configured template,
//                url_template.h)
//   startsAt     starts_at; endsAt: resolved: ends_at; firing: now + 4 x resend_interval
//   generatorURL the configured template, when set
//
// While an alert fires it is re-sent every `resend_interval` (Prometheus' resend_delay), each
// time with endsAt pushed forward, so Alertmanager never times it out while it holds and does
// time it out (4 intervals later) if vacwatch stops. What fires is the builder's own map,
// updated as transitions are delivered and seeded at start from the state's firing set
// (Restore; app/firing_set.h). Alertmanager judges times by its own clock, so times are never
// later than the wall clock (a replay of data stamped in the future starts "now"). Labels
// identify an alert in Alertmanager: when a transition changes them (a new root, a higher
// severity) the old label set is ended in the same request, so exactly one stays active.
//
//   AlertmanagerOptions o;
//   o.url = "http://127.0.0.1:9093";
//   VW_ASSIGN_OR_RETURN(auto sink, StartAlertmanagerSink(o, http_options));

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sinks/http/alert_request_builder.h"
#include "sinks/http/http_alert_sink.h"

namespace vacwatch::sinks {

struct AlertmanagerOptions {
  std::string url;  // the Alertmanager's base URL; /api/v2/alerts is appended
  std::vector<std::pair<std::string, std::string>> static_labels;
  std::string runbook_url;    // template; empty: no runbook_url annotation
  std::string generator_url;  // template; empty: no generatorURL
  absl::Duration resend_interval = absl::Minutes(1);
};

class AlertmanagerRequestBuilder final : public AlertRequestBuilder {
 public:
  explicit AlertmanagerRequestBuilder(AlertmanagerOptions options);

  HttpRequest Build(const pipeline::AlertTransition& transition, absl::Time now) override;
  void Done(const pipeline::AlertTransition& transition) override;
  void Restore(const std::vector<pipeline::Alert>& firing) override;
  std::optional<HttpRequest> Heartbeat(absl::Time now) override;
  absl::Duration heartbeat_interval() const override { return options_.resend_interval; }

  size_t firing() const { return firing_.size(); }

 private:
  HttpRequest Request(std::string body) const;
  // Appends one Alertmanager alert object to the array `json` (which has its "[" already).
  void AppendAlert(const pipeline::Alert& alert, absl::Time starts, absl::Time ends,
                   std::string* json) const;
  std::vector<std::pair<std::string, std::string>> Labels(const pipeline::Alert& alert) const;

  const AlertmanagerOptions options_;
  std::map<std::string, pipeline::Alert> firing_;  // by fingerprint: the last firing sent
};

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartAlertmanagerSink(
    const AlertmanagerOptions& options, HttpAlertSinkOptions http);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERTMANAGER_ALERTMANAGER_SINK_H_
