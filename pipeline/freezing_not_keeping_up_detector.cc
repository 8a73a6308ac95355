#include "pipeline/freezing_not_keeping_up_detector.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"
#include "pipeline/recommendations.h"

namespace vacwatch::pipeline {
namespace {

int64_t LastFreezeActivityUs(const TableState& s) {
  int64_t last = s.freeze_series_start_us;
  for (int i = 0; i < s.run_count(); ++i) {
    if (s.run(i).aggressive()) {
      last = std::max(last, s.run(i).end_us);
      break;
    }
  }
  if (s.frozenxid_age > s.freeze_max_age) last = std::max(last, s.last_autovacuum_us);
  return last;
}

}  // namespace

void FreezingNotKeepingUpDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                            Verdict* out) const {
  *out = Verdict{};
  const TableTuning& t = *ctx.tuning;
  if (s.frozenxid_age < 0 || s.freeze_max_age <= 0) return;
  if (static_cast<double>(s.frozenxid_age) <=
      t.freeze_warning_fraction * static_cast<double>(s.freeze_max_age)) {
    return;
  }
  if (s.freeze_runs < t.freeze_min_runs || s.freeze_series_start_us == kNever) return;
  const int64_t last = LastFreezeActivityUs(s);
  if (absl::ToUnixMicros(ctx.now) - last > absl::ToInt64Microseconds(t.freeze_window)) return;
  if (s.freeze_age_at_start >= 0 && s.frozenxid_age <= s.freeze_age_at_start) return;
  const CauseFacts facts = GatherCauseFacts(ctx, s);
  out->holds = true;
  out->cause = ClassifyFreezing(facts, t);
  out->severity = Severity::kWarning;
  if (out->cause == Cause::kXminHorizon && facts.holder != nullptr) out->holder = *facts.holder;
}

void FreezingNotKeepingUpDetector::Describe(const EvalContext& ctx, const TableState& s,
                                            Alert* a) const {
  const CauseFacts f = GatherCauseFacts(ctx, s);
  const TableRates rates = s.Rates(ctx.now);
  const Cause cause = static_cast<Cause>(s.alert(kind()).cause);
  const bool table_setting = s.av_flags & TableState::kAvTableFreezeMaxAge;
  std::string why;
  if (cause == Cause::kXminHorizon) {
    if (const HolderRecord* h = s.holder(kind())) {
      why = absl::StrCat("; relfrozenxid cannot pass the horizon held by ",
                         HolderPhrase(*h, ctx.now, RelationName(ctx.db, h->vacuuming_relid)));
    } else {
      why = "; runs remove ~0: the xmin horizon is held back";
    }
  } else if (cause != Cause::kUnknown) {
    why = absl::StrCat("; cause: ", std::string(CauseName(cause)));
  }
  const double since_s =
      absl::ToDoubleSeconds(ctx.now - absl::FromUnixMicros(s.freeze_series_start_us));
  a->summary = absl::StrFormat(
      "%s on %s: freezing is not keeping up: %d anti-wraparound/aggressive vacuums in %s and "
      "relfrozenxid_age still rises, now %s XIDs (%.1fx its autovacuum_freeze_max_age %s%s)%s",
      ctx.key->QualifiedName(), ctx.key->cluster, s.freeze_runs, HumanDuration(since_s),
      HumanCount(static_cast<double>(s.frozenxid_age)),
      static_cast<double>(s.frozenxid_age) / static_cast<double>(s.freeze_max_age),
      HumanCount(static_cast<double>(s.freeze_max_age)), table_setting ? ", table setting" : "",
      why);
  AddEvidence(a, "relfrozenxid_age", s.frozenxid_age);
  AddEvidence(a, "autovacuum_freeze_max_age", s.freeze_max_age);
  AddEvidence(a, "freeze_max_age_source", std::string_view(table_setting ? "table" : "server"));
  AddEvidence(a, "freeze_pressure",
              static_cast<double>(s.frozenxid_age) / static_cast<double>(s.freeze_max_age));
  AddEvidence(a, "anti_wraparound_runs", static_cast<int64_t>(s.freeze_runs));
  AddTimeEvidence(a, "series_start", s.freeze_series_start_us);
  AddEvidence(a, "relfrozenxid_age_at_series_start", s.freeze_age_at_start);
  if (rates.xids_per_s.has_value()) {
    AddEvidence(a, "xids_per_s", *rates.xids_per_s);
    if (*rates.xids_per_s > 0) {
      AddEvidence(
          a, "time_to_freeze_limit_s",
          std::round(std::max<double>(0, static_cast<double>(s.freeze_max_age - s.frozenxid_age)) /
                     *rates.xids_per_s));
      AddEvidence(
          a, "time_to_stop_limit_s",
          std::round(static_cast<double>(kXidStopAge - s.frozenxid_age) / *rates.xids_per_s));
    }
  }
  if (s.run_count() > 0) {
    const RunRecord& r = s.run(0);
    AddTimeEvidence(a, "last_run_end", r.end_us);
    AddEvidence(a, "last_run_removed", r.removed());
    AddEvidence(a, "last_run_not_yet_removable", r.not_yet_removable());
    if (r.cutoff_age != RunRecord::kUnknown32) {
      AddEvidence(a, "last_run_removable_cutoff_age", static_cast<int64_t>(r.cutoff_age));
    }
    AddEvidence(a, "last_run_advanced_relfrozenxid",
                std::string_view((r.flags & RunRecord::kRunFroze) ? "yes" : "no"));
  }
  if (f.holder != nullptr) AddEvidence(a, "oldest_holder_age_xids", f.holder->age_xids);
  a->recommendation = RecommendationFor(ctx, s, kind(), cause, f);
}

}  // namespace vacwatch::pipeline
