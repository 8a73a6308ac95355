#ifndef VACWATCH_SINKS_HTTP_RETRY_POLICY_H_
#define VACWATCH_SINKS_HTTP_RETRY_POLICY_H_

// RetryPolicy: what an HTTP sink does with an answer, and how long it waits before trying
// again. Retried: no answer at all (connection refused, timeout, TLS error), 429 Too Many
// Requests and every 5xx; never another 4xx (the request itself is wrong and will be wrong
// again: it is given up on, logged and counted). Any 2xx is delivered.
//
//   RetryPolicy policy;                                   // 500 ms doubling to 30 s, +-20 %
//   switch (ClassifyHttpOutcome(client.Post(request))) { ... }
//   absl::Duration wait = policy.Backoff(attempt, absl::Uniform(rng, 0.0, 1.0));
//
// Backoff is exponential with jitter: attempt n (1 = the first retry) waits
// min(max_backoff, initial_backoff * 2^(n-1)) scaled by a factor drawn uniformly from
// [1 - jitter, 1 + jitter], so sinks that failed together do not retry together. Pure: the
// random number is passed in (tests pass fixed ones).

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sinks/http/http_client.h"

namespace vacwatch::sinks {

enum class HttpOutcome : uint8_t {
  kDelivered,  // 2xx
  kRetry,      // no answer, 429, 5xx
  kReject,     // any other status: retrying would not help
};

HttpOutcome ClassifyHttpOutcome(const absl::StatusOr<HttpResponse>& response);
// "HTTP 503: <first 200 bytes of the body>" or the transport error's message.
std::string DescribeHttpResult(const absl::StatusOr<HttpResponse>& response);

struct RetryPolicy {
  absl::Duration initial_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(30);
  double jitter = 0.2;  // 0..1

  // `attempt` >= 1; `unit_random` in [0, 1).
  absl::Duration Backoff(int attempt, double unit_random) const;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_HTTP_RETRY_POLICY_H_
