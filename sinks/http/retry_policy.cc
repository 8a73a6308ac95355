#include "sinks/http/retry_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace vacwatch::sinks {

HttpOutcome ClassifyHttpOutcome(const absl::StatusOr<HttpResponse>& response) {
  if (!response.ok()) {
    // A URL curl cannot use stays unusable.
    return absl::IsInvalidArgument(response.status()) ? HttpOutcome::kReject : HttpOutcome::kRetry;
  }
  const int status = response->status;
  if (status >= 200 && status < 300) return HttpOutcome::kDelivered;
  if (status == 429 || status >= 500) return HttpOutcome::kRetry;
  return HttpOutcome::kReject;
}

std::string DescribeHttpResult(const absl::StatusOr<HttpResponse>& response) {
  if (!response.ok()) return std::string(response.status().message());
  std::string text = absl::StrCat("HTTP ", response->status);
  if (!response->body.empty()) {
    absl::StrAppend(&text, ": ", response->body.substr(0, 200));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  return text;
}

absl::Duration RetryPolicy::Backoff(int attempt, double unit_random) const {
  absl::Duration base = initial_backoff;
  for (int i = 1; i < attempt && base < max_backoff; ++i) base *= 2;
  base = std::min(base, max_backoff);
  const double j = std::clamp(jitter, 0.0, 1.0);
  const double factor = 1.0 - j + 2.0 * j * std::clamp(unit_random, 0.0, 1.0);
  return std::max(absl::ZeroDuration(), base * factor);
}

}  // namespace vacwatch::sinks
