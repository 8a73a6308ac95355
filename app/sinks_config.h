#ifndef VACWATCH_APP_SINKS_CONFIG_H_
#define VACWATCH_APP_SINKS_CONFIG_H_

// The config file's `sinks:` section (docs/sinks.md has every key; configs/vacwatch.yaml an
// example): where alert transitions go besides stdout and the Kafka alert topic, which of them
// each sink gets, and how hard an HTTP sink tries.
//
//   sinks:
//     sink_retry_for: 60s             # replay: how long a sink that is down is waited for
//     http: {timeout: 10s, initial_backoff: 500ms, max_backoff: 30s, queue_size: 1000}
//     stdout: {route: {min_severity: info}}
//     alertmanager: {urls: [http://am:9093], static_labels: {team: dba}, resend_interval: 1m}
//     pagerduty: {routing_key: ${PD_KEY}, route: {min_severity: critical}}
//     webhook: {url: https://hooks/x, bearer_token: ${TOKEN}, hmac_secret: ${SECRET}}
//
// String values may name environment variables as ${NAME} (secrets stay out of the file).
// Errors are InvalidArgument naming the key by its whole path ("config key
// 'sinks.pagerduty.route.min_severity': ..."); an unknown key is an error, never ignored.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sinks/alert_route.h"
#include "sinks/alertmanager/alertmanager_sink.h"
#include "sinks/http/http_client.h"
#include "sinks/http/retry_policy.h"
#include "sinks/pagerduty/pagerduty_sink.h"
#include "sinks/webhook/webhook_sink.h"

namespace vacwatch::app {

// How an HTTP sink sends: `sinks.http` for all, a sink's own `http:` over it.
struct HttpSinkSettings {
  sinks::HttpClientOptions client;
  sinks::RetryPolicy retry;
  size_t queue_capacity = 1000;
};

struct SinksConfig {
  absl::Duration sink_retry_for = absl::Seconds(60);
  sinks::AlertRoute stdout_route;
  sinks::AlertRoute kafka_route;

  std::vector<std::string> alertmanager_urls;
  sinks::AlertmanagerOptions alertmanager;  // url is set per URL
  sinks::AlertRoute alertmanager_route;     // default: severity >= warning
  HttpSinkSettings alertmanager_http;

  sinks::PagerDutyOptions pagerduty;  // on when a routing key is known
  sinks::AlertRoute pagerduty_route;  // default: critical only
  HttpSinkSettings pagerduty_http;

  sinks::WebhookOptions webhook;    // on when url is set
  sinks::AlertRoute webhook_route;  // default: everything
  HttpSinkSettings webhook_http;
};

// The defaults above when `yaml` is empty.
absl::StatusOr<SinksConfig> ParseSinksConfig(std::string_view yaml);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_SINKS_CONFIG_H_
