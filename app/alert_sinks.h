#ifndef VACWATCH_APP_ALERT_SINKS_H_
#define VACWATCH_APP_ALERT_SINKS_H_

// AlertSinks: the sinks one command delivers to, built from the config's `sinks:` section
// (sinks_config.h) and the command line, in the order the driver feeds them: the synchronous
// ones the command adds (stdout for `replay`, the Kafka alert topic for `run`), then one
// Alertmanager sink per URL, PagerDuty, the webhook. Each has a stable name (its position in
// the state: "stdout", "kafka", "alertmanager:<url>", "pagerduty", "webhook:<url>") and its
// route.
//
//   SinkFlags flags;   // --alertmanager-url (repeatable), --pagerduty-routing-key, --webhook-url
//   VW_ASSIGN_OR_RETURN(auto sinks, AlertSinks::Start(config, flags, log));
//   sinks->AddSynchronous("stdout", &stdout_sink, config.stdout_route);
//   Driver driver(options, &consumer, store, sinks->driver_sinks());
//
// Flags replace what the config says for the same sink; the PagerDuty routing key comes from
// --pagerduty-routing-key, else $VACWATCH_PAGERDUTY_ROUTING_KEY, else the config. The HTTP
// sinks' workers start in Start() and stop when this is destroyed: keep it alive as long as
// the driver. Errors: InvalidArgument for a sink that cannot be built (a URL that is empty).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/arg_parser.h"
#include "app/driver.h"
#include "app/sinks_config.h"
#include "sinks/alert_sink.h"
#include "sinks/http/http_alert_sink.h"

namespace vacwatch::app {

inline constexpr char kPagerDutyKeyEnv[] = "VACWATCH_PAGERDUTY_ROUTING_KEY";

struct SinkFlags {
  std::vector<std::string> alertmanager_urls;
  std::string pagerduty_routing_key;
  std::string webhook_url;
};

// --alertmanager-url URL (repeatable), --pagerduty-routing-key KEY, --webhook-url URL: the
// same for `replay` and `run`.
void AddSinkFlags(ArgParser* parser, SinkFlags* flags);

class AlertSinks {
 public:
  // `log` gets one line per outage and per rejected transition of an HTTP sink (from their
  // worker threads); may be null.
  static absl::StatusOr<std::unique_ptr<AlertSinks>> Start(
      const SinksConfig& config, const SinkFlags& flags,
      const std::function<void(const std::string&)>& log);

  // A synchronous sink (not owned), fed before the HTTP ones.
  void AddSynchronous(std::string name, sinks::AlertSink* sink, const sinks::AlertRoute& route);

  std::vector<DriverSink> driver_sinks() const;
  // The HTTP sinks' names, for a start-up line: "alertmanager:http://am:9093 (severity >=
  // warning)".
  std::vector<std::string> Describe() const;
  bool has_http_sinks() const { return !http_.empty(); }

 private:
  struct Entry {
    std::string name;
    sinks::AlertSink* sink = nullptr;
    std::unique_ptr<sinks::AlertRoute> route;
  };
  std::vector<Entry> synchronous_;
  std::vector<Entry> http_;
  std::vector<std::unique_ptr<sinks::HttpAlertSink>> owned_;
};

// "alertmanager:http://am:9093: 3 transition(s) not delivered (connection refused)" lines for
// the sinks still behind, joined by "; ".
std::string DescribeUndelivered(const std::vector<UndeliveredSink>& behind);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_ALERT_SINKS_H_
