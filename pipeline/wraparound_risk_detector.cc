#include "pipeline/wraparound_risk_detector.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"
#include "pipeline/freezing_not_keeping_up_detector.h"
#include "pipeline/recommendations.h"

namespace vacwatch::pipeline {
namespace {

struct Risk {
  bool warned = false;
  double time_to_stop_s = -1;
};

Risk Assess(const EvalContext& ctx, const TableState& s) {
  Risk r;
  r.warned = s.last_warning_us != kNever && absl::ToUnixMicros(ctx.now) - s.last_warning_us <=
                                                absl::ToInt64Microseconds(kServerWarningWindow);
  if (s.frozenxid_age >= 0 && s.frozenxid_age > s.freeze_max_age) {
    const TableRates rates = s.Rates(ctx.now);
    if (rates.xids_per_s.has_value() && *rates.xids_per_s > 0) {
      r.time_to_stop_s =
          std::max(0.0, static_cast<double>(kXidStopAge - s.frozenxid_age) / *rates.xids_per_s);
    }
  }
  return r;
}

}  // namespace

void WraparoundRiskDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                      Verdict* out) const {
  *out = Verdict{};
  const TableTuning& t = *ctx.tuning;
  const Risk r = Assess(ctx, s);
  const bool old = s.frozenxid_age >= t.wraparound_warning_age;
  const bool soon = r.time_to_stop_s >= 0 &&
                    r.time_to_stop_s < absl::ToDoubleSeconds(t.wraparound_warning_horizon);
  if (!r.warned && !old && !soon) return;
  out->holds = true;
  const bool critical = r.warned || s.frozenxid_age >= t.wraparound_critical_age ||
                        (r.time_to_stop_s >= 0 &&
                         r.time_to_stop_s < absl::ToDoubleSeconds(t.wraparound_critical_horizon));
  out->severity = critical ? Severity::kCritical : Severity::kWarning;
  if (r.warned) {
    out->cause = Cause::kServerWarning;
    return;
  }
  const CauseFacts facts = GatherCauseFacts(ctx, s);
  out->cause = ClassifyFreezing(facts, t);
  if (out->cause == Cause::kXminHorizon && facts.holder != nullptr) out->holder = *facts.holder;
}

void WraparoundRiskDetector::Describe(const EvalContext& ctx, const TableState& s, Alert* a) const {
  const TableTuning& t = *ctx.tuning;
  const Risk r = Assess(ctx, s);
  const Cause cause = static_cast<Cause>(s.alert(kind()).cause);
  const std::string what = ctx.key->table.empty() ? absl::StrCat("database ", ctx.key->database)
                                                  : ctx.key->QualifiedName();
  std::string detail;
  if (r.warned) {
    detail = absl::StrCat("the server warned (",
                          std::string(ingest::WraparoundWarningKindName(
                              static_cast<ingest::WraparoundWarningKind>(s.last_warning_kind))),
                          ")");
  } else if (r.time_to_stop_s >= 0) {
    detail = absl::StrFormat(
        "relfrozenxid_age %s XIDs reaches the stop limit in %s at the current "
        "XID rate",
        HumanCount(static_cast<double>(s.frozenxid_age)), HumanDuration(r.time_to_stop_s));
  } else {
    detail = absl::StrFormat(
        "relfrozenxid_age %s XIDs (%.0f%% of the way to the stop limit)",
        HumanCount(static_cast<double>(s.frozenxid_age)),
        100.0 * static_cast<double>(s.frozenxid_age) / static_cast<double>(kXidStopAge));
  }
  a->summary =
      absl::StrCat(what, " on ", ctx.key->cluster, ": transaction ID wraparound risk: ", detail);
  if (s.frozenxid_age >= 0) {
    AddEvidence(a, "relfrozenxid_age", s.frozenxid_age);
    AddEvidence(a, "autovacuum_freeze_max_age", s.freeze_max_age);
  }
  AddEvidence(a, "stop_limit_age", kXidStopAge);
  if (r.time_to_stop_s >= 0) AddEvidence(a, "time_to_stop_limit_s", std::round(r.time_to_stop_s));
  if (s.last_warning_us != kNever) {
    AddTimeEvidence(a, "last_server_warning", s.last_warning_us);
    AddEvidence(a, "server_warning",
                ingest::WraparoundWarningKindName(
                    static_cast<ingest::WraparoundWarningKind>(s.last_warning_kind)));
  }
  AddEvidence(a, "warning_age", t.wraparound_warning_age);
  AddEvidence(a, "critical_age", t.wraparound_critical_age);
  const CauseFacts f = GatherCauseFacts(ctx, s);
  if (ctx.key->table.empty()) {
    a->recommendation = absl::StrCat(
        "Find the tables holding ", ctx.key->database,
        " back (SELECT c.oid::regclass, age(c.relfrozenxid) FROM pg_class c WHERE c.relkind IN "
        "('r','m','t') ORDER BY 2 DESC LIMIT 10;), end whatever holds the xmin horizon "
        "(pg_stat_activity.backend_xmin, pg_replication_slots, pg_prepared_xacts) and VACUUM "
        "(FREEZE, VERBOSE) them now; PostgreSQL stops accepting writes at the stop limit.");
  } else {
    a->recommendation = absl::StrCat(
        "VACUUM (FREEZE, VERBOSE) ", SqlTableName(*ctx.key),
        "; now, before PostgreSQL stops accepting writes. ",
        cause == Cause::kServerWarning ? "" : RecommendationFor(ctx, s, kind(), cause, f));
  }
}

}  // namespace vacwatch::pipeline
