#include "sinks/stdout_sink.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::sinks {
namespace {

// A FILE* that writes into memory, read back with text().
class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&data_, &size_)) {}
  ~MemoryStream() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

pipeline::AlertTransition Transition(uint64_t seq, pipeline::AlertStatus status,
                                     std::string table) {
  pipeline::AlertTransition t;
  t.seq = seq;
  pipeline::Alert& a = t.alert;
  a.status = status;
  a.alert = "AutovacuumNotKeepingUp";
  a.severity = pipeline::Severity::kWarning;
  a.cause = pipeline::Cause::kXminHorizon;
  a.cluster = "c1";
  a.database = "shop";
  a.schema = "public";
  a.table = std::move(table);
  a.event_time = absl::FromUnixSeconds(1795000000 + static_cast<int64_t>(seq) * 60);
  a.starts_at = absl::FromUnixSeconds(1795000000);
  a.fingerprint = "0123456789abcdef";
  a.summary = "dead tuples rising past the trigger, autovacuum removes ~0";
  a.evidence = {{"n_dead_tup", int64_t{500000}}};
  pipeline::AlertHolder h;
  h.kind = "session";
  h.pid = 4242;
  h.application_name = "psql";
  h.state = "idle in transaction";
  h.age_s = 600;
  h.scope = "cluster";
  a.holder = h;
  a.recommendation = "SELECT pg_terminate_backend(4242);";
  if (a.status == pipeline::AlertStatus::kResolved) a.ends_at = a.event_time;
  return t;
}

TEST(StdoutSinkTest, JsonIsOneWriteAlertJsonLinePerTransition) {
  MemoryStream out;
  StdoutSink sink(out.file(), AlertFormat::kJson);
  const auto first = Transition(1, pipeline::AlertStatus::kFiring, "orders");
  const auto second = Transition(2, pipeline::AlertStatus::kResolved, "orders");
  ASSERT_OK(sink.Deliver(first));
  ASSERT_OK(sink.Deliver(second));
  ASSERT_OK(sink.Flush());
  std::string expected, line;
  pipeline::WriteAlertJson(first.alert, &line);
  expected += line + "\n";
  pipeline::WriteAlertJson(second.alert, &line);
  expected += line + "\n";
  EXPECT_EQ(out.text(), expected);
  ASSERT_OK(sink.WriteSummary());
  EXPECT_EQ(out.text(), expected) << "no summary in json";
  EXPECT_EQ(sink.fired(), 1);
  EXPECT_EQ(sink.resolved(), 1);
}

TEST(StdoutSinkTest, TextHasALinePerTransitionAndASummaryTable) {
  MemoryStream out;
  StdoutSink sink(out.file(), AlertFormat::kText);
  ASSERT_OK(sink.Deliver(Transition(1, pipeline::AlertStatus::kFiring, "orders")));
  ASSERT_OK(sink.Deliver(Transition(2, pipeline::AlertStatus::kFiring, "events")));
  ASSERT_OK(sink.Deliver(Transition(3, pipeline::AlertStatus::kResolved, "events")));
  ASSERT_OK(sink.Flush());
  ASSERT_OK(sink.WriteSummary());
  const std::string text = out.text();
  EXPECT_EQ(text,
            "2026-11-18 11:07:40  FIRING    warning  AutovacuumNotKeepingUp  "
            "c1/shop.public.orders  cause=xmin_horizon  dead tuples rising past the trigger, "
            "autovacuum removes ~0\n"
            "2026-11-18 11:08:40  FIRING    warning  AutovacuumNotKeepingUp  "
            "c1/shop.public.events  cause=xmin_horizon  dead tuples rising past the trigger, "
            "autovacuum removes ~0\n"
            "2026-11-18 11:09:40  RESOLVED  warning  AutovacuumNotKeepingUp  "
            "c1/shop.public.events  cause=xmin_horizon  dead tuples rising past the trigger, "
            "autovacuum removes ~0\n"
            "\n"
            "Found 2 alert(s) on 2 table(s), 1 still firing:\n"
            "\n"
            "TABLE                  ALERT                   SEVERITY  CAUSE         "
            "SINCE (UTC)                                         HOLDER"
            "                                                                   FIX\n"
            "c1/shop.public.orders  AutovacuumNotKeepingUp  warning   xmin_horizon  "
            "2026-11-18 11:06:40                                 "
            "session pid 4242 (psql, idle in transaction, open 10 min, cluster-wide)  "
            "SELECT pg_terminate_backend(4242);\n"
            "c1/shop.public.events  AutovacuumNotKeepingUp  warning   xmin_horizon  "
            "2026-11-18 11:06:40 (resolved 2026-11-18 11:09:40)  "
            "session pid 4242 (psql, idle in transaction, open 10 min, cluster-wide)  "
            "SELECT pg_terminate_backend(4242);\n");
}

TEST(StdoutSinkTest, TextSummaryOfNothingSaysSo) {
  MemoryStream out;
  StdoutSink sink(out.file(), AlertFormat::kText);
  ASSERT_OK(sink.WriteSummary());
  EXPECT_EQ(out.text(), "\nNo alerts: every table kept up.\n");
}

TEST(StdoutSinkTest, DescribesEachHolderKind) {
  pipeline::Alert a;
  EXPECT_EQ(DescribeHolder(a), "");
  a.holder.emplace();
  a.holder->kind = "replication_slot";
  a.holder->slot_name = "standby_1";
  a.holder->age_xids = 90000;
  a.holder->scope = "cluster";
  EXPECT_EQ(DescribeHolder(a), "replication slot standby_1 (90000 xids old, cluster-wide)");
  a.holder.emplace();
  a.holder->kind = "prepared_xact";
  a.holder->gid = "tx-17";
  a.holder->database = "shop";
  a.holder->scope = "database";
  EXPECT_EQ(DescribeHolder(a), "prepared transaction 'tx-17' (in shop, this database)");
  a.holder.emplace();
  a.holder->kind = "autovacuum_worker";
  a.holder->pid = 77;
  EXPECT_EQ(DescribeHolder(a), "autovacuum worker pid 77");
}

TEST(StdoutSinkTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseAlertFormat("json"), AlertFormat::kJson);
  EXPECT_EQ(*ParseAlertFormat("text"), AlertFormat::kText);
  EXPECT_EQ(ParseAlertFormat("yaml").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StdoutSinkTest, WriteErrorsAreUnavailable) {
  std::FILE* read_only = std::fopen("/dev/null", "r");
  ASSERT_NE(read_only, nullptr);
  StdoutSink sink(read_only, AlertFormat::kJson);
  absl::Status s = sink.Deliver(Transition(1, pipeline::AlertStatus::kFiring, "t"));
  if (s.ok()) s = sink.Flush();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  std::fclose(read_only);
}

}  // namespace
}  // namespace vacwatch::sinks
