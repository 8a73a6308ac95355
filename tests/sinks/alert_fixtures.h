#ifndef VACWATCH_TESTS_SINKS_ALERT_FIXTURES_H_
#define VACWATCH_TESTS_SINKS_ALERT_FIXTURES_H_

// Alerts for the sinks' tests, built field by field (designated initializers would trip
// -Wmissing-field-initializers).

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "pipeline/alert.h"

namespace vacwatch::sinks::testing {

inline absl::Time At(int seconds) { return absl::FromUnixSeconds(1'795'000'000 + seconds); }

// A firing AutovacuumNotKeepingUp on prod-eu-1/jobs.public.<table>, held by session 4242.
inline pipeline::Alert FiringAlert(const std::string& table = "locked_jobs") {
  pipeline::Alert a;
  a.status = pipeline::AlertStatus::kFiring;
  a.alert = "AutovacuumNotKeepingUp";
  a.severity = pipeline::Severity::kWarning;
  a.cause = pipeline::Cause::kXminHorizon;
  a.cluster = "prod-eu-1";
  a.database = "jobs";
  a.schema = "public";
  a.table = table;
  a.event_time = At(100);
  a.starts_at = At(40);
  a.fingerprint = pipeline::AlertFingerprint(a.cluster, a.database, a.schema, a.table, a.alert);
  a.summary = "jobs.public." + table + " on prod-eu-1: autovacuum is not keeping up";
  a.evidence.push_back({"n_dead_tup", int64_t{129165}});
  a.evidence.push_back({"dead_ratio", 0.41});
  pipeline::AlertHolder h;
  h.kind = "session";
  h.id = "session:4242";
  h.pid = 4242;
  h.application_name = "psql";
  h.state = "idle in transaction";
  h.scope = "cluster";
  a.holder = h;
  a.recommendation = "SELECT pg_terminate_backend(4242);";
  return a;
}

inline pipeline::Alert ResolvedAlert(const std::string& table = "locked_jobs") {
  pipeline::Alert a = FiringAlert(table);
  a.status = pipeline::AlertStatus::kResolved;
  a.event_time = At(200);
  a.ends_at = At(200);
  a.summary = "Resolved after 2m40s: " + a.summary;
  return a;
}

inline pipeline::AlertTransition Transition(uint64_t seq, pipeline::Alert alert) {
  pipeline::AlertTransition t;
  t.seq = seq;
  t.alert = std::move(alert);
  return t;
}

}  // namespace vacwatch::sinks::testing

#endif  // VACWATCH_TESTS_SINKS_ALERT_FIXTURES_H_
