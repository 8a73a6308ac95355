#include "sinks/pagerduty/pagerduty_sink.h"

#include <variant>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "sinks/alert_description.h"
#include "sinks/http/url_template.h"

namespace vacwatch::sinks {
namespace {

constexpr size_t kMaxSummary = 1024;  // PagerDuty's limit

}  // namespace

std::string_view PagerDutySeverity(pipeline::Severity severity) {
  switch (severity) {
    case pipeline::Severity::kCritical:
      return "critical";
    case pipeline::Severity::kInfo:
      return "info";
    case pipeline::Severity::kWarning:
      break;
  }
  return "warning";
}

HttpRequest PagerDutyRequestBuilder::Build(const pipeline::AlertTransition& transition,
                                           absl::Time now) {
  const pipeline::Alert& alert = transition.alert;
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Field("routing_key", options_.routing_key);
  const bool firing = alert.status == pipeline::AlertStatus::kFiring;
  w.Field("event_action", firing ? "trigger" : "resolve");
  w.Field("dedup_key", alert.fingerprint);
  if (firing) {
    w.Key("payload");
    w.BeginObject();
    std::string summary = alert.summary.empty() ? AlertHeadline(alert) : alert.summary;
    if (summary.size() > kMaxSummary) {
      summary.resize(kMaxSummary - 3);
      summary.append("...");
    }
    w.Field("summary", summary);
    w.Field("source",
            absl::StrCat(alert.cluster, alert.database.empty() ? "" : "/", alert.database));
    w.Field("severity", PagerDutySeverity(alert.severity));
    w.TimeField("timestamp", alert.event_time);
    if (!alert.table.empty()) {
      w.Field("component", absl::StrCat(alert.database, ".", alert.schema, ".", alert.table));
    }
    w.Field("group", alert.cluster);
    w.Field("class", alert.alert);
    w.Key("custom_details");
    w.BeginObject();
    w.Field("cause", pipeline::CauseName(alert.cause));
    w.TimeField("starts_at", alert.starts_at);
    for (const pipeline::EvidenceItem& item : alert.evidence) {
      std::visit([&](const auto& v) { w.Field(item.name, v); }, item.value);
    }
    const std::string holder = DescribeHolder(alert);
    if (!holder.empty()) w.Field("holder", holder);
    if (!alert.recommendation.empty()) w.Field("recommendation", alert.recommendation);
    w.EndObject();
    w.EndObject();
    w.Field("client", "vacwatch");
    if (!options_.runbook_url.empty()) {
      w.Key("links");
      w.BeginArray();
      w.BeginObject();
      w.Field("href", ExpandAlertTemplate(options_.runbook_url, alert));
      w.Field("text", "runbook");
      w.EndObject();
      w.EndArray();
    }
  }
  w.EndObject();
  HttpRequest request;
  request.url = options_.url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartPagerDutySink(const PagerDutyOptions& options,
                                                                  HttpAlertSinkOptions http) {
  if (options.routing_key.empty()) return absl::InvalidArgumentError("pagerduty: no routing key");
  if (http.name.empty()) http.name = "pagerduty";
  return HttpAlertSink::Start(std::move(http), std::make_unique<PagerDutyRequestBuilder>(options));
}

}  // namespace vacwatch::sinks
