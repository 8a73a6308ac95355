#ifndef VACWATCH_SINKS_HTTP_HTTP_ALERT_SINK_H_
#define VACWATCH_SINKS_HTTP_HTTP_ALERT_SINK_H_

// HttpAlertSink: an asynchronous AlertSink over HTTP. Deliver() copies the transition into a
// bounded queue and returns at once; a worker thread of its own sends the queue in order, one
// request per transition (AlertRequestBuilder says what to send), retrying each per its
// RetryPolicy until it is delivered or rejected for good (a 4xx other than 429: logged,
// counted in rejected(), and passed over so one bad alert cannot block the rest). A dead or
// slow service therefore never blocks the caller: when the queue is full Deliver() returns
// ResourceExhausted and the driver feeds the sink later from the outbox, from its own
// position (app/driver.h).
//
//   HttpAlertSinkOptions o;
//   o.name = "webhook";
//   VW_ASSIGN_OR_RETURN(auto sink, HttpAlertSink::Start(o, std::make_unique<WebhookBuilder>(..)));
//   sink->Deliver(t);                  // queued (or ResourceExhausted: try again later)
//   sink->delivered_through();         // every seq handed to Deliver up to here is done
//
// Retries never end on their own: in `run` a sink that is down catches up when it is back;
// `replay` gives up after its sink_retry_for and destroys the sink, which stops the worker
// (interrupting a backoff or waiting out the request in flight, at most the client timeout).
// What was queued and not delivered is lost from memory only: the outbox still holds it.
// Deliver, delivered_through and the counters may be called from any one thread; the builder
// runs on the worker.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sinks/alert_sink.h"
#include "sinks/http/alert_request_builder.h"
#include "sinks/http/http_client.h"
#include "sinks/http/retry_policy.h"
#include "sinks/sink_metrics.h"

namespace vacwatch::sinks {

struct HttpAlertSinkOptions {
  std::string name;  // in log lines: "alertmanager http://am:9093"
  HttpClientOptions client;
  RetryPolicy retry;
  size_t queue_capacity = 1000;
  // Where one line per rejected transition and per outage (first failure, recovery) goes;
  // null: nowhere. Written from the worker thread.
  std::function<void(const std::string&)> log;
  // Tests: called with each backoff before the worker waits it out.
  std::function<void(absl::Duration)> on_backoff;
};

class HttpAlertSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<HttpAlertSink>> Start(
      HttpAlertSinkOptions options, std::unique_ptr<AlertRequestBuilder> builder);
  ~HttpAlertSink() override;  // stops the worker
  HttpAlertSink(const HttpAlertSink&) = delete;
  HttpAlertSink& operator=(const HttpAlertSink&) = delete;

  // ResourceExhausted when the queue is full. Seqs must increase from call to call.
  absl::Status Deliver(const pipeline::AlertTransition& transition) override;
  absl::Status Flush() override { return absl::OkStatus(); }
  bool is_async() const override { return true; }
  uint64_t delivered_through() const override;
  std::string last_error() const override;
  void Restore(const std::vector<pipeline::Alert>& firing) override;

  // Waits until delivered_through() >= seq or `timeout` passes; true when it got there.
  bool WaitDelivered(uint64_t seq, absl::Duration timeout) const;

  // delivered: transitions the service accepted; failed: requests that failed (re-sends
  // included; a rejected transition's too); retries; queued: the queue's length. Filled by the
  // worker as it goes.
  const SinkMetrics* sink_metrics() const override { return &metrics_; }

  int64_t delivered() const;  // transitions the service accepted
  int64_t rejected() const;   // transitions given up on (4xx)
  int64_t retries() const;    // requests sent again after a failure
  const std::string& name() const { return options_.name; }

 private:
  HttpAlertSink(HttpAlertSinkOptions options, std::unique_ptr<AlertRequestBuilder> builder);
  void Work();
  // Sends until delivered, rejected or stopping; the outcome (kRetry only when stopping).
  // `what` names the request in the log line of a rejection.
  HttpOutcome Send(const std::function<HttpRequest()>& build, int max_attempts,
                   const std::string& what);
  // Waits `d` unless stopping; false when stopping.
  bool WaitUnlessStopping(absl::Duration d);

  const HttpAlertSinkOptions options_;
  std::unique_ptr<AlertRequestBuilder> builder_;  // worker only (after Start)
  HttpClient client_;                             // worker only

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // queue, stop, progress
  std::deque<pipeline::AlertTransition> queue_;
  uint64_t last_offered_ = 0;
  bool stopping_ = false;
  int64_t delivered_ = 0, rejected_ = 0, retries_ = 0;
  std::string last_error_;
  bool failing_ = false;
  SinkMetrics metrics_;  // atomics: written under mu_ beside the counts, read from anywhere
  std::vector<pipeline::Alert> restore_;  // handed over by Restore() to the worker
  bool has_restore_ = false;
  std::thread worker_;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_HTTP_HTTP_ALERT_SINK_H_
