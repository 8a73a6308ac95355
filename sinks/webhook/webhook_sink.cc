#include "sinks/webhook/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vacwatch::sinks {

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  std::string hex;
  hex.reserve(size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

HttpRequest WebhookRequestBuilder::Build(const pipeline::AlertTransition& transition,
                                         absl::Time now) {
  HttpRequest request;
  request.url = options_.url;
  pipeline::WriteAlertJson(transition.alert, &request.body);
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Vacwatch-Seq", absl::StrCat(transition.seq)}};
  if (!options_.bearer_token.empty()) {
    request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", options_.bearer_token));
  }
  if (!options_.hmac_secret.empty()) {
    request.headers.emplace_back(options_.signature_header,
                                 "sha256=" + HmacSha256Hex(options_.hmac_secret, request.body));
  }
  return request;
}

absl::StatusOr<std::unique_ptr<HttpAlertSink>> StartWebhookSink(const WebhookOptions& options,
                                                                HttpAlertSinkOptions http) {
  if (options.url.empty()) return absl::InvalidArgumentError("webhook: no URL");
  if (http.name.empty()) http.name = absl::StrCat("webhook ", options.url);
  return HttpAlertSink::Start(std::move(http), std::make_unique<WebhookRequestBuilder>(options));
}

}  // namespace vacwatch::sinks
