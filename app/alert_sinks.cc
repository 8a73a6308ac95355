#include "app/alert_sinks.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sinks/alertmanager/alertmanager_sink.h"
#include "sinks/pagerduty/pagerduty_sink.h"
#include "sinks/webhook/webhook_sink.h"

namespace vacwatch::app {
namespace {

sinks::HttpAlertSinkOptions HttpOptions(const HttpSinkSettings& settings, std::string name,
                                        const std::function<void(const std::string&)>& log) {
  sinks::HttpAlertSinkOptions o;
  o.name = std::move(name);
  o.client = settings.client;
  o.retry = settings.retry;
  o.queue_capacity = settings.queue_capacity;
  o.log = log;
  return o;
}

}  // namespace

void AddSinkFlags(ArgParser* parser, SinkFlags* flags) {
  parser->AddRepeated("alertmanager-url", "URL",
                      "send alerts to this Alertmanager (API v2; repeat for each of an HA "
                      "pair); replaces sinks.alertmanager.urls",
                      &flags->alertmanager_urls);
  parser->AddString("pagerduty-routing-key", "KEY",
                    absl::StrCat("page through PagerDuty (Events API v2) with this routing key "
                                 "(default: $",
                                 kPagerDutyKeyEnv, ", else sinks.pagerduty.routing_key)"),
                    &flags->pagerduty_routing_key);
  parser->AddString("webhook-url", "URL",
                    "POST each alert's JSON to this URL; replaces sinks.webhook.url",
                    &flags->webhook_url);
}

absl::StatusOr<std::unique_ptr<AlertSinks>> AlertSinks::Start(
    const SinksConfig& config, const SinkFlags& flags,
    const std::function<void(const std::string&)>& log) {
  auto sinks = std::make_unique<AlertSinks>();
  auto add = [&](std::string name, std::unique_ptr<sinks::HttpAlertSink> sink,
                 const sinks::AlertRoute& route) {
    sinks->http_.push_back(
        {std::move(name), sink.get(), std::make_unique<sinks::AlertRoute>(route)});
    sinks->owned_.push_back(std::move(sink));
  };
  const std::vector<std::string>& am_urls =
      flags.alertmanager_urls.empty() ? config.alertmanager_urls : flags.alertmanager_urls;
  for (const std::string& url : am_urls) {
    sinks::AlertmanagerOptions am = config.alertmanager;
    am.url = url;
    const std::string name = absl::StrCat("alertmanager:", url);
    VW_ASSIGN_OR_RETURN(auto sink, sinks::StartAlertmanagerSink(
                                       am, HttpOptions(config.alertmanager_http, name, log)));
    add(name, std::move(sink), config.alertmanager_route);
  }
  sinks::PagerDutyOptions pd = config.pagerduty;
  if (!flags.pagerduty_routing_key.empty()) {
    pd.routing_key = flags.pagerduty_routing_key;
  } else if (const char* env = std::getenv(kPagerDutyKeyEnv); env != nullptr && *env != '\0') {
    pd.routing_key = env;
  }
  if (!pd.routing_key.empty()) {
    VW_ASSIGN_OR_RETURN(auto sink, sinks::StartPagerDutySink(
                                       pd, HttpOptions(config.pagerduty_http, "pagerduty", log)));
    add("pagerduty", std::move(sink), config.pagerduty_route);
  }
  sinks::WebhookOptions webhook = config.webhook;
  if (!flags.webhook_url.empty()) webhook.url = flags.webhook_url;
  if (!webhook.url.empty()) {
    const std::string name = absl::StrCat("webhook:", webhook.url);
    VW_ASSIGN_OR_RETURN(
        auto sink, sinks::StartWebhookSink(webhook, HttpOptions(config.webhook_http, name, log)));
    add(name, std::move(sink), config.webhook_route);
  }
  return sinks;
}

void AlertSinks::AddSynchronous(std::string name, sinks::AlertSink* sink,
                                const sinks::AlertRoute& route) {
  synchronous_.push_back({std::move(name), sink, std::make_unique<sinks::AlertRoute>(route)});
}

std::vector<DriverSink> AlertSinks::driver_sinks() const {
  std::vector<DriverSink> out;
  for (const auto* list : {&synchronous_, &http_}) {
    for (const Entry& e : *list) out.push_back({e.name, e.sink, e.route.get()});
  }
  return out;
}

std::vector<std::string> AlertSinks::Describe() const {
  std::vector<std::string> out;
  for (const Entry& e : http_) out.push_back(absl::StrCat(e.name, " (", e.route->Describe(), ")"));
  return out;
}

std::string DescribeUndelivered(const std::vector<UndeliveredSink>& behind) {
  std::string text;
  for (const UndeliveredSink& u : behind) {
    absl::StrAppend(&text, text.empty() ? "" : "; ", u.name, ": ", u.transitions,
                    " transition(s) not delivered");
    if (!u.last_error.empty()) absl::StrAppend(&text, " (", u.last_error, ")");
  }
  return text;
}

}  // namespace vacwatch::app
