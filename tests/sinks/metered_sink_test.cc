// MeteredSink (sinks/metered_sink.h): what it counts at the AlertSink interface.

#include "sinks/metered_sink.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::sinks {
namespace {

using pipeline::AlertStatus;
using pipeline::AlertTransition;
using pipeline::Severity;

class FakeSink : public AlertSink {
 public:
  absl::Status Deliver(const AlertTransition& t) override {
    if (!deliver_status.ok()) return deliver_status;
    seqs.push_back(t.seq);
    return absl::OkStatus();
  }
  absl::Status Flush() override { return flush_status; }

  absl::Status deliver_status, flush_status;
  std::vector<uint64_t> seqs;
};

AlertTransition Transition(uint64_t seq, std::string fingerprint, std::string alert,
                           AlertStatus status, Severity severity) {
  AlertTransition t;
  t.seq = seq;
  t.alert.fingerprint = std::move(fingerprint);
  t.alert.alert = std::move(alert);
  t.alert.status = status;
  t.alert.severity = severity;
  return t;
}

int64_t Load(const std::atomic<int64_t>& v) { return v.load(); }

TEST(MeteredSinkTest, CountsConfirmedDeliveriesFailuresRetriesAndQueue) {
  FakeSink inner;
  MeteredSink sink(&inner);
  ASSERT_OK(sink.Deliver(Transition(1, "f1", "A", AlertStatus::kFiring, Severity::kWarning)));
  ASSERT_OK(sink.Deliver(Transition(2, "f2", "A", AlertStatus::kFiring, Severity::kWarning)));
  EXPECT_EQ(Load(sink.metrics().queued), 2);
  EXPECT_EQ(Load(sink.metrics().delivered), 0);  // not confirmed before Flush
  inner.flush_status = absl::UnavailableError("brokers away");
  EXPECT_FALSE(sink.Flush().ok());
  EXPECT_EQ(Load(sink.metrics().failed), 1);
  EXPECT_EQ(Load(sink.metrics().queued), 2);
  // The driver hands the same transitions over again: retries.
  inner.flush_status = absl::OkStatus();
  ASSERT_OK(sink.Deliver(Transition(1, "f1", "A", AlertStatus::kFiring, Severity::kWarning)));
  ASSERT_OK(sink.Deliver(Transition(2, "f2", "A", AlertStatus::kFiring, Severity::kWarning)));
  ASSERT_OK(sink.Flush());
  EXPECT_EQ(Load(sink.metrics().retries), 2);
  EXPECT_EQ(Load(sink.metrics().delivered), 4);
  EXPECT_EQ(Load(sink.metrics().queued), 0);
  inner.deliver_status = absl::UnavailableError("no");
  EXPECT_FALSE(
      sink.Deliver(Transition(3, "f3", "A", AlertStatus::kFiring, Severity::kWarning)).ok());
  EXPECT_EQ(Load(sink.metrics().failed), 2);
  EXPECT_EQ(inner.seqs, (std::vector<uint64_t>{1, 2, 1, 2}));
}

TEST(MeteredSinkTest, LeavesTheRestToTheInnerSink) {
  FakeSink inner;
  MeteredSink sink(&inner);
  EXPECT_FALSE(sink.is_async());
  EXPECT_EQ(sink.sink_metrics(), &sink.metrics());
  EXPECT_EQ(inner.sink_metrics(), nullptr);
}

}  // namespace
}  // namespace vacwatch::sinks
