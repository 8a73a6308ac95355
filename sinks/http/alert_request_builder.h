#ifndef VACWATCH_SINKS_HTTP_ALERT_REQUEST_BUILDER_H_
#define VACWATCH_SINKS_HTTP_ALERT_REQUEST_BUILDER_H_

// AlertRequestBuilder: what one HTTP service makes of alert transitions (Alertmanager,
// PagerDuty, a webhook). HttpAlertSink (http_alert_sink.h) owns one and calls it from its
// worker thread only, so a builder may keep state (Alertmanager's firing alerts) without
// locks; the exception is Restore(), called once before the worker starts.
//
//   class MyBuilder : public AlertRequestBuilder {
//     HttpRequest Build(const pipeline::AlertTransition& t, absl::Time now) override {...}
//   };
//
// `now` is the wall clock when the request is sent (retries rebuild it): services judge
// activity by their own clock.

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/alert.h"
#include "sinks/http/http_client.h"

namespace vacwatch::sinks {

class AlertRequestBuilder {
 public:
  virtual ~AlertRequestBuilder() = default;

  // The request that delivers `transition`.
  virtual HttpRequest Build(const pipeline::AlertTransition& transition, absl::Time now) = 0;
  // After `transition` was delivered or given up on (a 4xx).
  virtual void Done(const pipeline::AlertTransition& transition) {}
  // What fires according to the state, at start (before any Build).
  virtual void Restore(const std::vector<pipeline::Alert>& firing) {}
  // A request sent every `heartbeat_interval()` while the queue is empty (Alertmanager's
  // re-send of what still fires), or nullopt when there is nothing to send.
  virtual std::optional<HttpRequest> Heartbeat(absl::Time now) { return std::nullopt; }
  virtual absl::Duration heartbeat_interval() const { return absl::InfiniteDuration(); }
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_HTTP_ALERT_REQUEST_BUILDER_H_
