#include "pipeline/threshold_too_lax_detector.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"

namespace vacwatch::pipeline {
namespace {

struct LaxCycles {
  int count = 0;
  double peak_ratio = 0;
  int64_t peak_dead = 0;
};

LaxCycles CountLaxCycles(const EvalContext& ctx, const TableState& s) {
  const TableTuning& t = *ctx.tuning;
  LaxCycles c;
  const int64_t from = absl::ToUnixMicros(ctx.now) - absl::ToInt64Microseconds(t.lax_window);
  for (int i = 0; i < s.cycle_count(); ++i) {
    const CycleRecord& r = s.cycle(i);
    if (r.end_us < from) break;
    if (r.peak_ratio >= t.healthy_dead_ratio * t.lax_peak_factor &&
        r.peak_dead >= t.lax_min_dead_tuples && r.post_ratio < t.healthy_dead_ratio) {
      ++c.count;
      c.peak_ratio = std::max<double>(c.peak_ratio, r.peak_ratio);
      c.peak_dead = std::max(c.peak_dead, r.peak_dead);
    }
  }
  return c;
}

double RoundDownScale(double v) {
  static constexpr double kSteps[] = {0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001};
  for (double step : kSteps) {
    if (v >= step) return step;
  }
  return 0.001;
}

int64_t RoundNice(double v) {
  if (v < 50) return 50;
  const double mag = std::pow(10.0, std::floor(std::log10(v)));
  const double lead = v / mag;
  const double nice = lead >= 5 ? 5 : lead >= 2 ? 2 : 1;
  return static_cast<int64_t>(nice * mag);
}

}  // namespace

SuggestedTrigger SuggestTrigger(double reltuples, double healthy_ratio, double peak_dead,
                                double current_trigger) {
  SuggestedTrigger s;
  reltuples = std::max(1.0, reltuples);
  // Dead ratio d/(live+d) <= h  <=>  d <= h/(1-h) * live.
  double target = healthy_ratio / (1 - healthy_ratio) * reltuples;
  // Dead tuples keep coming while the run works: aim below by the observed overshoot.
  const double overshoot = current_trigger > 0 ? std::max(1.0, peak_dead / current_trigger) : 1;
  target /= overshoot;
  s.threshold = RoundNice(0.1 * target);
  s.scale_factor = RoundDownScale((target - static_cast<double>(s.threshold)) / reltuples);
  return s;
}

void ThresholdTooLaxDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                       Verdict* out) const {
  *out = Verdict{};
  const TableTuning& t = *ctx.tuning;
  if (s.vacuum_trigger < 0 || !s.autovacuum_enabled() || s.size_bytes < t.min_table_bytes) return;
  if (s.alert(AlertKind::kAutovacuumNotKeepingUp).phase() != AlertPhase::kInactive) return;
  const double trigger_ratio = s.vacuum_trigger / (std::max(0.0, s.reltuples) + s.vacuum_trigger);
  if (trigger_ratio <= t.healthy_dead_ratio) return;
  if (CountLaxCycles(ctx, s).count < t.lax_min_cycles) return;
  out->holds = true;
  out->cause = Cause::kScaleFactorTooLarge;
  out->severity = Severity::kInfo;
}

void ThresholdTooLaxDetector::Describe(const EvalContext& ctx, const TableState& s,
                                       Alert* a) const {
  const TableTuning& t = *ctx.tuning;
  const LaxCycles c = CountLaxCycles(ctx, s);
  const SuggestedTrigger sug = SuggestTrigger(s.reltuples, t.healthy_dead_ratio,
                                              static_cast<double>(c.peak_dead), s.vacuum_trigger);
  a->summary = absl::StrFormat(
      "%s on %s: autovacuum keeps up but only after %s dead tuples pile up (peaks at %.0f%% dead, "
      "healthy is %.0f%%): its trigger %s = %d + %g x %s rows is too lax for its size",
      ctx.key->QualifiedName(), ctx.key->cluster, HumanCount(static_cast<double>(c.peak_dead)),
      100 * c.peak_ratio, 100 * t.healthy_dead_ratio, HumanCount(s.vacuum_trigger),
      s.base_threshold, s.scale_factor, HumanCount(std::max(0.0, s.reltuples)));
  AddEvidence(a, "peak_dead_ratio", c.peak_ratio);
  AddEvidence(a, "peak_dead_tuples", c.peak_dead);
  AddEvidence(a, "lax_cycles", static_cast<int64_t>(c.count));
  AddEvidence(a, "healthy_dead_ratio", t.healthy_dead_ratio);
  AddEvidence(a, "vacuum_trigger", s.vacuum_trigger);
  AddEvidence(a, "autovacuum_scale_factor", s.scale_factor);
  AddEvidence(a, "autovacuum_threshold", s.base_threshold);
  AddEvidence(a, "reltuples", s.reltuples);
  AddEvidence(a, "relation_size_bytes", s.size_bytes);
  AddEvidence(a, "suggested_scale_factor", sug.scale_factor);
  AddEvidence(a, "suggested_threshold", sug.threshold);
  a->recommendation = absl::StrFormat(
      "ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = %g, autovacuum_vacuum_threshold = "
      "%d); -- vacuums at ~%s dead tuples instead of %s, keeping peaks near %.0f%% dead",
      SqlTableName(*ctx.key), sug.scale_factor, sug.threshold,
      HumanCount(static_cast<double>(sug.threshold) +
                 sug.scale_factor * std::max(0.0, s.reltuples)),
      HumanCount(s.vacuum_trigger), 100 * t.healthy_dead_ratio);
}

}  // namespace vacwatch::pipeline
