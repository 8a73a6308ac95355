#ifndef VACWATCH_SINKS_WEBHOOK_WEBHOOK_SINK_H_
#define VACWATCH_SINKS_WEBHOOK_WEBHOOK_SINK_H_

// Generic webhook: each transition is POSTed as the alert JSON of docs/alerts.md, as is (the
// bytes `vacwatch replay` prints, without the newline), with
//
//   Content-Type: application/json
//   X-Vacwatch-Seq: 42                          the transition's outbox seq (a receiver can
//                                               drop a redelivery: fingerprint + seq)
//   Authorization: Bearer <token>               when a bearer token is configured
//   X-Vacwatch-Signature: sha256=<hex>          when a secret is configured: HMAC-SHA256 of the
//                                               body with the secret (OpenSSL), lowercase hex
//
// The receiver recomputes the HMAC over the raw body and compares in constant time. 429/5xx
// are retried, other 4xx are not (HttpAlertSink).
//
//   WebhookOptions o;
//   o.url = "https://hooks.example/vacwatch";
//   o.hmac_secret = secret;
//   VW_ASSIGN_OR_RETURN(auto sink, StartWebhookSink(o, http_options));

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sinks/http/alert_request_builder.h"
#include "sinks/http/http_alert_sink.h"

namespace vacwatch::sinks {

struct WebhookOptions {
  std::string url;
  std::string bearer_token;  // empty: no Authorization header
  std::string hmac_secret;   // empty: no signature header
  std::string signature_header = "X-Vacwatch-Signature";
};

class WebhookRequestBuilder final : public AlertRequestBuilder {
 public:
  explicit WebhookRequestBuilder(WebhookOptions options) : options_(std::move(options)) {}
  HttpRequest Build(const pipeline::AlertTransition& transition, absl::Time now) override;

 private:
  const WebhookOptions options_;
};

// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
std::string HmacSha256Hex(std::string_view secret, std::string_view body);

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartWebhookSink(const WebhookOptions& options,
                                                                HttpAlertSinkOptions http);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_WEBHOOK_WEBHOOK_SINK_H_
