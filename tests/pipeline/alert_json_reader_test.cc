#include "pipeline/alert_json_reader.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::pipeline {
namespace {

pipeline::Alert FullAlert() {
  pipeline::Alert a;
  a.status = AlertStatus::kFiring;
  a.alert = "AutovacuumNotKeepingUp";
  a.severity = Severity::kWarning;
  a.cause = Cause::kXminHorizon;
  a.cluster = "prod-eu-1";
  a.database = "shop";
  a.schema = "public";
  a.table = "orders \"quoted\"\n\\";
  a.event_time = absl::FromUnixMillis(1795000000123);
  a.starts_at = absl::FromUnixMicros(1794999000123456);
  a.fingerprint = pipeline::AlertFingerprint(a.cluster, a.database, a.schema, a.table, a.alert);
  a.summary = "dead tuples 1.2M, 3.4x over trigger; autovacuum removed 0 (xmin pinned) — ünïcode";
  a.evidence = {{"n_dead_tup", int64_t{1234567}},
                {"dead_ratio", 0.4567},
                {"whole_double", 3.0},
                {"tiny", 1e-300},
                {"negative", int64_t{-5}},
                {"reason", std::string("runs removed ~0")}};
  pipeline::AlertHolder h;
  h.kind = "session";
  h.pid = 4242;
  h.application_name = "psql";
  h.state = "idle in transaction";
  h.backend_type = "client backend";
  h.database = "shop";
  h.age_xids = 123456;
  h.age_s = 540.25;
  h.scope = "cluster";
  a.holder = h;
  a.recommendation = "End pid 4242: SELECT pg_terminate_backend(4242);";
  return a;
}

TEST(AlertJsonParserTest, RoundTripIsByteIdentical) {
  std::string json;
  pipeline::WriteAlertJson(FullAlert(), &json);
  auto parsed = ParseAlertJson(json);
  ASSERT_OK(parsed);
  std::string again;
  pipeline::WriteAlertJson(*parsed, &again);
  EXPECT_EQ(again, json);
  EXPECT_EQ(parsed->table, FullAlert().table);
  EXPECT_EQ(parsed->event_time, FullAlert().event_time);
  EXPECT_EQ(parsed->starts_at, FullAlert().starts_at);
  ASSERT_TRUE(parsed->holder.has_value());
  EXPECT_EQ(*parsed->holder, *FullAlert().holder);
  ASSERT_EQ(parsed->evidence.size(), 6u);
  EXPECT_EQ(parsed->evidence[0], FullAlert().evidence[0]);
  EXPECT_EQ(parsed->evidence[1], FullAlert().evidence[1]);
  EXPECT_EQ(parsed->evidence[5], FullAlert().evidence[5]);
}

TEST(AlertJsonParserTest, ResolvedWithoutHolderRoundTrips) {
  pipeline::Alert a = FullAlert();
  a.status = AlertStatus::kResolved;
  a.holder.reset();
  a.ends_at = absl::FromUnixSeconds(1795000600);
  a.evidence.clear();
  a.evidence.push_back({"inf", std::numeric_limits<double>::infinity()});
  std::string json;
  pipeline::WriteAlertJson(a, &json);
  auto parsed = ParseAlertJson(json);
  ASSERT_OK(parsed);
  EXPECT_FALSE(parsed->holder.has_value());
  ASSERT_TRUE(parsed->ends_at.has_value());
  EXPECT_EQ(*parsed->ends_at, *a.ends_at);
  ASSERT_EQ(parsed->evidence.size(), 1u);
  EXPECT_TRUE(std::isnan(std::get<double>(parsed->evidence[0].value)));
  std::string again;
  pipeline::WriteAlertJson(*parsed, &again);
  EXPECT_EQ(again, json);
}

TEST(AlertJsonParserTest, UnknownKeysAreSkipped) {
  auto parsed = ParseAlertJson(
      R"({"status":"firing","future":{"a":[1,2]},"alert":"WraparoundRisk","evidence":{}})");
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->alert, "WraparoundRisk");
}

TEST(AlertJsonParserTest, MalformedDocumentsAreDataLossNamingTheField) {
  auto not_json = ParseAlertJson("not json");
  EXPECT_EQ(not_json.status().code(), absl::StatusCode::kDataLoss);
  auto bad_time = ParseAlertJson(R"({"status":"firing","event_time":"yesterday"})");
  EXPECT_EQ(bad_time.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad_time.status().message().find("event_time"), absl::string_view::npos);
  auto bad_pid = ParseAlertJson(R"({"holder":{"kind":"session","pid":"x"}})");
  EXPECT_EQ(bad_pid.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad_pid.status().message().find("holder.pid"), absl::string_view::npos);
  auto bad_evidence = ParseAlertJson(R"({"evidence":{"x":[1]}})");
  EXPECT_EQ(bad_evidence.status().code(), absl::StatusCode::kDataLoss);
}

TEST(AlertJsonParserTest, EveryStatusSeverityAndCauseRoundTrips) {
  for (AlertStatus status : {AlertStatus::kFiring, AlertStatus::kResolved}) {
    for (Severity severity : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
      for (int c = 0; c <= kMaxCause; ++c) {
        pipeline::Alert a = FullAlert();
        a.status = status;
        a.severity = severity;
        a.cause = static_cast<Cause>(c);
        std::string json;
        pipeline::WriteAlertJson(a, &json);
        auto parsed = ParseAlertJson(json);
        ASSERT_OK(parsed);
        EXPECT_EQ(parsed->status, status);
        EXPECT_EQ(parsed->severity, severity);
        EXPECT_EQ(parsed->cause, a.cause);
        std::string again;
        pipeline::WriteAlertJson(*parsed, &again);
        EXPECT_EQ(again, json);
      }
    }
  }
}

TEST(AlertJsonParserTest, AnUnknownStatusSeverityOrCauseIsDataLossNamingTheField) {
  for (const auto& [field, json] : {
           std::pair{"status", R"({"status":"pending","alert":"WraparoundRisk"})"},
           std::pair{"severity", R"({"status":"firing","severity":"page"})"},
           std::pair{"cause", R"({"status":"firing","cause":"gremlins"})"},
           std::pair{"cause", R"({"cause":""})"},
           std::pair{"status", R"({"status":1})"},
       }) {
    auto parsed = ParseAlertJson(json);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss) << json;
    EXPECT_NE(parsed.status().message().find(absl::StrCat(field, ":")), absl::string_view::npos)
        << parsed.status();
  }
}

}  // namespace
}  // namespace vacwatch::pipeline
