// MeteredSink (sinks/metered_sink.h): what it counts at the AlertSink interface, and the alerts
// firing by name and severity as the transitions say, seeded from the state at start.

#include "sinks/metered_sink.h"

#include <atomic>
#include <map>
#include <string>
#include <utility>
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

TEST(MeteredSinkTest, FiringFollowsTransitionsFromTheSeededState) {
  FakeSink inner;
  MeteredSink sink(&inner);
  pipeline::Alert open;
  open.fingerprint = "old";
  open.alert = "WraparoundRisk";
  open.severity = Severity::kCritical;
  sink.Seed({open});
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(sink.firing(), (std::map<Key, int64_t>{{{"WraparoundRisk", "critical"}, 1}}));

  ASSERT_OK(sink.Deliver(
      Transition(1, "t1", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kWarning)));
  ASSERT_OK(sink.Deliver(
      Transition(2, "t2", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kWarning)));
  // t1 escalates; a redelivery of t2 changes nothing; the old one resolves.
  ASSERT_OK(sink.Deliver(
      Transition(3, "t1", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kCritical)));
  ASSERT_OK(sink.Deliver(
      Transition(2, "t2", "AutovacuumNotKeepingUp", AlertStatus::kFiring, Severity::kWarning)));
  ASSERT_OK(sink.Deliver(
      Transition(4, "old", "WraparoundRisk", AlertStatus::kResolved, Severity::kCritical)));
  EXPECT_EQ(sink.firing(), (std::map<Key, int64_t>{{{"AutovacuumNotKeepingUp", "critical"}, 1},
                                                   {{"AutovacuumNotKeepingUp", "warning"}, 1}}));
}

}  // namespace
}  // namespace vacwatch::sinks
