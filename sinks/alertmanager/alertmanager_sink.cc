#include "sinks/alertmanager/alertmanager_sink.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "sinks/alert_description.h"
#include "sinks/alert_labels.h"
#include "sinks/http/url_template.h"

namespace vacwatch::sinks {
namespace {

std::string BaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// One object of the array, written by hand around JsonWriter's escaping: the writer writes
// one top-level value, the array holds several.
void AppendString(std::string_view key, std::string_view value, bool* first, std::string* out) {
  if (!*first) out->push_back(',');
  *first = false;
  out->push_back('"');
  JsonWriter::AppendEscaped(key, out);
  out->append("\":\"");
  JsonWriter::AppendEscaped(value, out);
  out->push_back('"');
}

}  // namespace

AlertmanagerRequestBuilder::AlertmanagerRequestBuilder(AlertmanagerOptions options)
    : options_(std::move(options)) {}

std::vector<std::pair<std::string, std::string>> AlertmanagerRequestBuilder::Labels(
    const pipeline::Alert& alert) const {
  std::vector<std::pair<std::string, std::string>> labels = AlertLabels(alert);
  for (const auto& label : options_.static_labels) {
    const std::string& name = label.first;
    auto it = std::find_if(labels.begin(), labels.end(),
                           [&name](const auto& l) { return l.first == name; });
    if (it == labels.end()) labels.push_back(label);  // the alert's own win
  }
  return labels;
}

void AlertmanagerRequestBuilder::AppendAlert(const pipeline::Alert& alert, absl::Time starts,
                                             absl::Time ends, std::string* json) const {
  if (json->back() != '[') json->push_back(',');
  json->append("{\"labels\":{");
  bool first = true;
  for (const auto& [name, value] : Labels(alert)) AppendString(name, value, &first, json);
  json->append("},\"annotations\":{");
  first = true;
  if (!alert.summary.empty()) AppendString("summary", alert.summary, &first, json);
  const std::string description = DescribeEvidence(alert);
  if (!description.empty()) AppendString("description", description, &first, json);
  if (!alert.recommendation.empty()) {
    AppendString("recommendation", alert.recommendation, &first, json);
  }
  if (!options_.runbook_url.empty()) {
    AppendString("runbook_url", ExpandAlertTemplate(options_.runbook_url, alert), &first, json);
  }
  json->append("},");
  first = true;
  std::string time;
  JsonWriter::AppendTime(starts, &time);
  AppendString("startsAt", time, &first, json);
  time.clear();
  JsonWriter::AppendTime(ends, &time);
  AppendString("endsAt", time, &first, json);
  if (!options_.generator_url.empty()) {
    AppendString("generatorURL", ExpandAlertTemplate(options_.generator_url, alert), &first, json);
  }
  json->push_back('}');
}

HttpRequest AlertmanagerRequestBuilder::Request(std::string body) const {
  HttpRequest request;
  request.url = absl::StrCat(BaseUrl(options_.url), "/api/v2/alerts");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

HttpRequest AlertmanagerRequestBuilder::Build(const pipeline::AlertTransition& transition,
                                              absl::Time now) {
  const pipeline::Alert& alert = transition.alert;
  const absl::Time starts =
      std::min(alert.starts_at == absl::InfinitePast() ? now : alert.starts_at, now);
  std::string json = "[";
  if (alert.status == pipeline::AlertStatus::kFiring) {
    AppendAlert(alert, starts, now + 4 * options_.resend_interval, &json);
  } else {
    const absl::Time ends = std::clamp(alert.ends_at.value_or(alert.event_time), starts, now);
    AppendAlert(alert, starts, ends, &json);
  }
  // A label set that changed (new root, higher severity) ends the old one in Alertmanager.
  auto it = firing_.find(alert.fingerprint);
  if (it != firing_.end() && Labels(it->second) != Labels(alert)) {
    const absl::Time old_starts = std::min(it->second.starts_at, now);
    AppendAlert(it->second, old_starts, now, &json);
  }
  json.push_back(']');
  return Request(std::move(json));
}

void AlertmanagerRequestBuilder::Done(const pipeline::AlertTransition& transition) {
  if (transition.alert.status == pipeline::AlertStatus::kFiring) {
    firing_[transition.alert.fingerprint] = transition.alert;
  } else {
    firing_.erase(transition.alert.fingerprint);
  }
}

void AlertmanagerRequestBuilder::Restore(const std::vector<pipeline::Alert>& firing) {
  for (const pipeline::Alert& alert : firing) firing_[alert.fingerprint] = alert;
}

std::optional<HttpRequest> AlertmanagerRequestBuilder::Heartbeat(absl::Time now) {
  if (firing_.empty()) return std::nullopt;
  std::string json = "[";
  for (const auto& [fingerprint, alert] : firing_) {
    AppendAlert(alert, std::min(alert.starts_at, now), now + 4 * options_.resend_interval, &json);
  }
  json.push_back(']');
  return Request(std::move(json));
}

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartAlertmanagerSink(
    const AlertmanagerOptions& options, HttpAlertSinkOptions http) {
  if (options.url.empty()) return absl::InvalidArgumentError("alertmanager: no URL");
  if (options.resend_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("alertmanager: resend_interval must be > 0");
  }
  if (http.name.empty()) http.name = absl::StrCat("alertmanager ", options.url);
  return HttpAlertSink::Start(std::move(http),
                              std::make_unique<AlertmanagerRequestBuilder>(options));
}

}  // namespace vacwatch::sinks
