#include "sinks/http/retry_policy.h"

#include "gtest/gtest.h"

namespace vacwatch::sinks {
namespace {

HttpResponse Status(int code) {
  HttpResponse r;
  r.status = code;
  return r;
}

TEST(RetryPolicyTest, RetriesNoAnswerTooManyRequestsAndServerErrorsOnly) {
  EXPECT_EQ(ClassifyHttpOutcome(Status(200)), HttpOutcome::kDelivered);
  EXPECT_EQ(ClassifyHttpOutcome(Status(202)), HttpOutcome::kDelivered);
  EXPECT_EQ(ClassifyHttpOutcome(Status(429)), HttpOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpOutcome(Status(500)), HttpOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpOutcome(Status(503)), HttpOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpOutcome(absl::UnavailableError("connection refused")), HttpOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpOutcome(Status(400)), HttpOutcome::kReject);
  EXPECT_EQ(ClassifyHttpOutcome(Status(401)), HttpOutcome::kReject);
  EXPECT_EQ(ClassifyHttpOutcome(Status(404)), HttpOutcome::kReject);
  EXPECT_EQ(ClassifyHttpOutcome(Status(301)), HttpOutcome::kReject);
  EXPECT_EQ(ClassifyHttpOutcome(absl::InvalidArgumentError("bad URL")), HttpOutcome::kReject);
}

TEST(RetryPolicyTest, BackoffDoublesUpToTheMaximum) {
  RetryPolicy p;
  p.initial_backoff = absl::Milliseconds(100);
  p.max_backoff = absl::Milliseconds(1000);
  p.jitter = 0;
  EXPECT_EQ(p.Backoff(1, 0.7), absl::Milliseconds(100));
  EXPECT_EQ(p.Backoff(2, 0.7), absl::Milliseconds(200));
  EXPECT_EQ(p.Backoff(3, 0.7), absl::Milliseconds(400));
  EXPECT_EQ(p.Backoff(4, 0.7), absl::Milliseconds(800));
  EXPECT_EQ(p.Backoff(5, 0.7), absl::Milliseconds(1000));
  EXPECT_EQ(p.Backoff(60, 0.7), absl::Milliseconds(1000)) << "no overflow";
}

TEST(RetryPolicyTest, JitterSpreadsEachWaitWithinItsFraction) {
  RetryPolicy p;
  p.initial_backoff = absl::Seconds(1);
  p.max_backoff = absl::Seconds(30);
  p.jitter = 0.2;
  EXPECT_EQ(p.Backoff(1, 0.0), absl::Milliseconds(800));
  EXPECT_EQ(p.Backoff(1, 0.5), absl::Seconds(1));
  EXPECT_EQ(p.Backoff(1, 1.0), absl::Milliseconds(1200));
  EXPECT_EQ(p.Backoff(2, 0.0), absl::Milliseconds(1600));
}

TEST(RetryPolicyTest, DescribesTheAnswerForLogs) {
  HttpResponse r = Status(503);
  r.body = "overloaded\n";
  EXPECT_EQ(DescribeHttpResult(r), "HTTP 503: overloaded");
  EXPECT_EQ(DescribeHttpResult(absl::UnavailableError("POST x: refused")), "POST x: refused");
}

}  // namespace
}  // namespace vacwatch::sinks
