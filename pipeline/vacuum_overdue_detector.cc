#include "pipeline/vacuum_overdue_detector.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"

namespace vacwatch::pipeline {

void VacuumOverdueDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                     Verdict* out) const {
  *out = Verdict{};
  const TableTuning& t = *ctx.tuning;
  if (s.vacuum_trigger < 0 || s.n_dead < 0 || s.autovacuum_enabled()) return;
  if (s.size_bytes < t.min_table_bytes || s.n_dead < t.min_dead_tuples) return;
  if (static_cast<double>(s.n_dead) <= s.vacuum_trigger) return;
  out->holds = true;
  out->cause = Cause::kAutovacuumDisabled;
  out->severity = Severity::kWarning;
}

void VacuumOverdueDetector::Describe(const EvalContext& ctx, const TableState& s, Alert* a) const {
  const double over_for_s =
      s.over_trigger() ? absl::ToDoubleSeconds(ctx.now - absl::FromUnixMicros(s.over_since_us)) : 0;
  a->summary = absl::StrFormat(
      "%s on %s: autovacuum is disabled and the table is %s dead tuples over its trigger of %s "
      "for %s (%.0f%% dead); only anti-wraparound vacuums will run",
      ctx.key->QualifiedName(), ctx.key->cluster, HumanCount(s.lag()), HumanCount(s.vacuum_trigger),
      HumanDuration(over_for_s), 100 * s.dead_ratio());
  AddEvidence(a, "n_dead_tup", s.n_dead);
  AddEvidence(a, "n_live_tup", s.n_live);
  AddEvidence(a, "dead_ratio", s.dead_ratio());
  AddEvidence(a, "vacuum_trigger", s.vacuum_trigger);
  AddTimeEvidence(a, "over_trigger_since", s.over_since_us);
  AddTimeEvidence(a, "last_autovacuum", s.last_autovacuum_us);
  AddTimeEvidence(a, "last_vacuum", s.last_vacuum_us);
  AddEvidence(a, "relation_size_bytes", s.size_bytes);
  a->recommendation = absl::StrCat(
      "VACUUM (VERBOSE) ", SqlTableName(*ctx.key),
      "; now. If autovacuum was turned off for this table on purpose, schedule that VACUUM; "
      "otherwise turn it back on: ALTER TABLE ",
      SqlTableName(*ctx.key),
      " RESET (autovacuum_enabled); (and check that the server has autovacuum = on and "
      "track_counts = on).");
}

}  // namespace vacwatch::pipeline
