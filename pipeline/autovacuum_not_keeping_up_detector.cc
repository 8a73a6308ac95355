#include "pipeline/autovacuum_not_keeping_up_detector.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/alert_text.h"
#include "pipeline/recommendations.h"

namespace vacwatch::pipeline {

int IneffectiveRunsSinceOver(const TableState& s, double near_zero_fraction) {
  if (!s.over_trigger()) return 0;
  int logged = 0;
  for (int i = 0; i < s.run_count(); ++i) {
    const RunRecord& r = s.run(i);
    if (r.end_us < s.over_since_us) break;
    const bool left_over =
        r.not_yet_removable() >= 0 && static_cast<double>(r.not_yet_removable()) > s.vacuum_trigger;
    if (left_over || RunRemovedNearZero(r.removed(), r.not_yet_removable(), near_zero_fraction)) {
      ++logged;
    }
  }
  const int64_t counted =
      s.autovacuum_count >= 0 ? std::max<int64_t>(0, s.autovacuum_count - s.avc_at_over) : 0;
  return static_cast<int>(std::max<int64_t>(logged, std::min<int64_t>(counted, 1000)));
}

bool PinReleased(const TableState& s, const TableTuning& t, const AlertState& alert) {
  if (HorizonPinned(s, t)) return false;
  const int64_t since_us = alert.since_us();
  if (s.run_count() > 0 && s.run(0).end_us >= since_us) {
    // The log shows the run: it removed what the pin had held back.
    return s.run(0).removed() > 0;
  }
  // Only the snapshots saw it: autovacuum ran since the alert began and the dead tuples fell
  // across it (NoteCutoff keeps no run that left its dead tuples).
  return s.last_autovacuum_us != kNever && s.last_autovacuum_us > since_us && s.cutoff_runs == 0;
}

absl::Duration ClearWindow(const EvalContext& ctx, const TableState& s, const AlertWindow& window) {
  double cycle_s = ctx.db != nullptr ? static_cast<double>(ctx.db->naptime_s()) : 60;
  if (s.run_count() >= 2 && s.run(0).end_us != kNever && s.run(1).end_us != kNever) {
    cycle_s = std::max(cycle_s, static_cast<double>(s.run(0).end_us - s.run(1).end_us) / 1e6);
  }
  if (s.autovacuum_interval_s >= 0) {
    // Seen by the snapshots: runs that are cancelled or skipped never complete, and the
    // table's cycle is as long as its completed runs are apart.
    cycle_s = std::max(cycle_s, static_cast<double>(s.autovacuum_interval_s));
  }
  if (s.run_count() >= 1 && s.run(0).duration_s().has_value()) {
    cycle_s = std::max(cycle_s, *s.run(0).duration_s());
  }
  if (s.progress.pid != 0 && s.progress.start_us != kNever) {
    cycle_s = std::max(
        cycle_s, static_cast<double>(absl::ToUnixMicros(ctx.now) - s.progress.start_us) / 1e6);
  }
  return std::min(window.clear_for, absl::Seconds(ctx.tuning->clear_cycles * cycle_s));
}

namespace {

// The root a pinned table's alert names: the candidate holding exactly the runs' cutoff, else
// (snapshots without raw values) the database's root; when the snapshot lists no candidate at
// the cutoff, the horizon value itself as kUnknown. nullopt while the latest snapshot is older
// than the pin's first run (the root may be in the next one).
std::optional<HolderRecord> PinnedRoot(const EvalContext& ctx, const TableState& s,
                                       const CauseFacts& f) {
  if (ctx.db == nullptr) return std::nullopt;
  const Horizon& horizon = ctx.db->horizon();
  if (s.cutoff_runs > 0 && s.cutoff_xid >= 0) {
    if (const HolderRecord* exact = horizon.WithXid(s.cutoff_xid)) return *exact;
    if (absl::ToUnixMicros(ctx.db->last_snapshot()) < s.cutoff_since_us) return std::nullopt;
    const HolderRecord* root = horizon.Root();
    if (root != nullptr && root->horizon_xid >= 0) {
      HolderRecord unknown;
      unknown.kind = HolderKind::kUnknown;
      unknown.database = ctx.db->database();
      unknown.horizon_xid = s.cutoff_xid;
      unknown.cluster_wide = true;
      if (horizon.next_xid >= 0) {
        unknown.age_xids = static_cast<uint32_t>(horizon.next_xid - s.cutoff_xid);
      }
      return unknown;
    }
  }
  if (f.holder != nullptr) return *f.holder;
  return std::nullopt;
}

}  // namespace

void AutovacuumNotKeepingUpDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                              Verdict* out) const {
  *out = Verdict{};
  const TableTuning& t = *ctx.tuning;
  if (s.vacuum_trigger < 0 || s.n_dead < 0 || !s.autovacuum_enabled()) return;
  const int64_t now_us = absl::ToUnixMicros(ctx.now);
  const bool over = s.over_trigger() && static_cast<double>(s.n_dead) > s.vacuum_trigger;
  const AlertState& alert = s.alert(kind());
  if (alert.active() && alert.cause == static_cast<uint8_t>(Cause::kXminHorizon)) {
    // Resolved on evidence, at a snapshot of the table (a log entry alone, between snapshots,
    // never resolves it): the table is back under its trigger, or a vacuum after the release
    // removed the backlog (PinReleased; a hot table may be over its trigger again by then).
    out->clear_for = absl::ZeroDuration();
    if (now_us == s.last_snapshot_us && (!over || PinReleased(s, t, alert))) return;
    out->holds = true;
    out->cause = Cause::kXminHorizon;
    // A different root is handed over only when the runs name it exactly (their cutoff is its
    // value): between a release and the next run the old cutoff names nobody, and that is no
    // new root.
    if (ctx.db != nullptr && s.cutoff_runs >= t.ineffective_runs) {
      if (const HolderRecord* exact = ctx.db->horizon().WithXid(s.cutoff_xid)) {
        out->holder = *exact;
      }
    }
    return;
  }
  // The clear window matters only to an alert that fires (hot path: most tables have none).
  if (alert.active()) out->clear_for = ClearWindow(ctx, s, t.window(kind()));
  const bool pinned = HorizonPinned(s, t);
  if (!pinned && (s.size_bytes < t.min_table_bytes || s.n_dead < t.min_dead_tuples)) return;
  if (!over) return;
  const TableRates rates = s.Rates(ctx.now);
  // Not improving: more dead tuples than when it crossed, or runs leave at least as many
  // behind as the run before (compared run to run, so a run's own dip does not count as
  // recovery), or the dead ratio climbs faster than the bloat velocity limit.
  const bool floor_not_falling =
      s.run_count() >= 2 && s.run(0).end_us >= s.over_since_us &&
      s.run(0).not_yet_removable() >= s.run(1).not_yet_removable() &&
      static_cast<double>(s.run(0).not_yet_removable()) > s.vacuum_trigger;
  const bool not_improving =
      pinned || s.n_dead >= s.dead_at_over || floor_not_falling ||
      (rates.dead_ratio_per_h.has_value() && *rates.dead_ratio_per_h > t.bloat_velocity_limit);
  if (!not_improving) return;
  const CauseFacts facts = GatherCauseFacts(ctx, s);
  const bool overdue = now_us - s.over_since_us >= absl::ToInt64Microseconds(t.overdue_after) &&
                       !facts.run_in_progress;
  const bool tried_and_failed =
      IneffectiveRunsSinceOver(s, t.removed_near_zero_fraction) >= t.ineffective_runs ||
      facts.pinned || facts.lock_conflicts >= t.lock_conflict_min_events || facts.run_too_long ||
      overdue;
  if (!tried_and_failed) return;
  const Cause cause = ClassifyNotKeepingUp(facts, t);
  if (cause == Cause::kXminHorizon) {
    out->holder = PinnedRoot(ctx, s, facts);
    // The root is in the next snapshot: wait for it rather than page without it.
    if (facts.pinned && !out->holder.has_value() && ctx.db != nullptr) return;
    out->fire_now = facts.pinned;
  }
  out->holds = true;
  out->cause = cause;
  out->severity = Severity::kWarning;
}

void AutovacuumNotKeepingUpDetector::Describe(const EvalContext& ctx, const TableState& s,
                                              Alert* a) const {
  const TableTuning& t = *ctx.tuning;
  const CauseFacts f = GatherCauseFacts(ctx, s);
  const TableRates rates = s.Rates(ctx.now);
  const Cause cause = static_cast<Cause>(s.alert(kind()).cause);
  const double over_for_s =
      s.over_trigger() ? absl::ToDoubleSeconds(ctx.now - absl::FromUnixMicros(s.over_since_us)) : 0;

  std::string why;
  switch (cause) {
    case Cause::kXminHorizon:
      // The ring keeps the last kRunRing runs: a full one is a lower bound, said as such.
      if (f.pinned_runs > 0) {
        why = absl::StrCat(f.pinned_runs >= kRunRing ? "at least " : "", f.pinned_runs,
                           " runs in a row removed ~0 dead tuples");
      } else {
        why = "runs leave their dead tuples behind";
      }
      if (const HolderRecord* h = s.holder(kind())) {
        absl::StrAppend(&why, "; horizon held by ",
                        HolderPhrase(*h, ctx.now, RelationName(ctx.db, h->vacuuming_relid)));
      }
      break;
    case Cause::kLockConflicts:
      why = absl::StrCat(f.lock_conflicts >= kConflictRing ? "at least " : "", f.lock_conflicts,
                         " autovacuum runs skipped or cancelled in ",
                         HumanDuration(absl::ToDoubleSeconds(t.lock_window)));
      break;
    case Cause::kCostThrottled:
      why = absl::StrFormat(
          "a %s run at %.0f pages/s (cost_limit %d, cost_delay %g ms) while the "
          "table refills its trigger in %s",
          HumanDuration(f.run_elapsed_s), f.run_pages_per_s, s.cost_limit, s.cost_delay_ms,
          HumanDuration(f.recross_s));
      break;
    case Cause::kWorkerStarvation:
      why =
          absl::StrCat("all ", f.workers_busy, " of ", f.max_workers, " autovacuum workers busy, ",
                       f.tables_over_trigger, " tables over their trigger");
      break;
    case Cause::kInsufficientMaintenanceWorkMem:
      why = absl::StrCat("runs need ", f.max_index_scans, " index passes");
      break;
    default:
      why = "autovacuum runs but the table does not recover";
      if (s.last_log_us == kNever) {
        absl::StrAppend(&why,
                        " (no autovacuum log entry of it seen: skipped or cancelled runs, which "
                        "only the log shows, cannot be ruled out; log_autovacuum_min_duration = 0 "
                        "would show them)");
      }
      break;
  }
  if (cause == Cause::kXminHorizon && f.cutoff_runs > 0 && s.cutoff_xid >= 0 &&
      s.cutoff_xid < kFirstIdentityKey) {
    absl::StrAppend(&why, "; its last ", f.cutoff_runs, " runs all stopped at removable cutoff ",
                    s.cutoff_xid);
  }
  a->summary = absl::StrFormat(
      "%s on %s: autovacuum is not keeping up (%s): %s dead tuples (%.0f%% of the table), %s over "
      "its trigger of %s for %s; %s",
      ctx.key->QualifiedName(), ctx.key->cluster, std::string(CauseName(cause)),
      HumanCount(static_cast<double>(s.n_dead)), 100 * s.dead_ratio(), HumanCount(s.lag()),
      HumanCount(s.vacuum_trigger), HumanDuration(over_for_s), why);

  AddEvidence(a, "n_dead_tup", s.n_dead);
  AddEvidence(a, "n_live_tup", s.n_live);
  AddEvidence(a, "dead_ratio", s.dead_ratio());
  AddEvidence(a, "vacuum_trigger", s.vacuum_trigger);
  AddEvidence(a, "over_trigger_by", s.lag());
  AddTimeEvidence(a, "over_trigger_since", s.over_since_us);
  AddEvidence(a, "over_trigger_for_s", std::round(over_for_s));
  AddEvidence(a, "dead_at_crossing", s.dead_at_over);
  AddEvidence(a, "autovacuum_scale_factor", s.scale_factor);
  AddEvidence(a, "autovacuum_threshold", s.base_threshold);
  AddEvidence(a, "relation_size_bytes", s.size_bytes);
  AddTimeEvidence(a, "last_autovacuum", s.last_autovacuum_us);
  AddEvidence(a, "ineffective_runs",
              static_cast<int64_t>(IneffectiveRunsSinceOver(s, t.removed_near_zero_fraction)));
  AddEvidence(a, "runs_removing_near_zero", static_cast<int64_t>(f.pinned_runs));
  AddEvidence(a, "floor_rises", static_cast<int64_t>(f.floor_rises));
  if (s.cutoff_xid >= 0 && s.cutoff_xid < kFirstIdentityKey) {
    AddEvidence(a, "removable_cutoff", s.cutoff_xid);
    AddEvidence(a, "runs_at_removable_cutoff", static_cast<int64_t>(f.cutoff_runs));
  }
  AddEvidence(a, "log_entries_seen", std::string_view(s.last_log_us == kNever ? "no" : "yes"));
  if (s.run_count() > 0) {
    const RunRecord& r = s.run(0);
    AddTimeEvidence(a, "last_run_end", r.end_us);
    AddEvidence(a, "last_run_removed", r.removed());
    AddEvidence(a, "last_run_not_yet_removable", r.not_yet_removable());
    if (r.cutoff_age != RunRecord::kUnknown32) {
      AddEvidence(a, "last_run_removable_cutoff_age", static_cast<int64_t>(r.cutoff_age));
    }
    if (r.index_scans != UINT8_MAX) {
      AddEvidence(a, "last_run_index_scans", static_cast<int64_t>(r.index_scans));
    }
  }
  AddEvidence(a, "lock_conflicts_in_window", static_cast<int64_t>(f.lock_conflicts));
  // The rings hold the latest runs and conflicts: a full one means "at least".
  if (f.lock_conflicts >= kConflictRing || f.pinned_runs >= kRunRing) {
    AddEvidence(a, "counts_are_lower_bounds", std::string_view("yes"));
  }
  if (f.run_elapsed_s >= 0) {
    AddEvidence(a, f.run_in_progress ? "run_in_progress_s" : "last_run_duration_s",
                f.run_elapsed_s);
  }
  if (f.run_pages_per_s >= 0) AddEvidence(a, "run_pages_per_s", f.run_pages_per_s);
  if (f.recross_s >= 0) AddEvidence(a, "time_to_refill_trigger_s", f.recross_s);
  AddEvidence(a, "cost_limit", static_cast<int64_t>(s.cost_limit));
  AddEvidence(a, "cost_delay_ms", static_cast<double>(s.cost_delay_ms));
  AddEvidence(a, "autovacuum_workers_busy", f.workers_busy);
  AddEvidence(a, "autovacuum_max_workers", f.max_workers);
  AddEvidence(a, "cluster_tables_over_trigger", f.tables_over_trigger);
  AddRateEvidence(a, s, rates, t);

  a->recommendation = RecommendationFor(ctx, s, kind(), cause, f);
}

void AutovacuumNotKeepingUpDetector::Explain(const EvalContext& ctx, const TableState& s,
                                             ExplainSection* out) const {
  const TableTuning& t = *ctx.tuning;
  const int64_t now_us = absl::ToUnixMicros(ctx.now);
  out->Condition("autovacuum is on for the table", s.autovacuum_enabled(),
                 s.autovacuum_enabled() ? "yes" : "no (VacuumOverdueAutovacuumDisabled's case)");
  out->Condition("a snapshot gave its trigger", s.vacuum_trigger >= 0 && s.n_dead >= 0,
                 s.vacuum_trigger >= 0 ? HumanCount(s.vacuum_trigger) : "no snapshot yet");
  const bool pinned = HorizonPinned(s, t);
  out->Condition(
      "runs prove the horizon pinned", pinned,
      absl::StrCat(s.cutoff_runs, " runs at removable cutoff ",
                   s.cutoff_xid >= 0 && s.cutoff_xid < kFirstIdentityKey
                       ? absl::StrCat(s.cutoff_xid)
                       : std::string(s.cutoff_xid >= 0 ? "(the root's identity)" : "(unknown)"),
                   "; needs ", t.ineffective_runs),
      "enough evidence whatever the size: the floors below do not apply then");
  const bool floors = s.size_bytes >= t.min_table_bytes && s.n_dead >= t.min_dead_tuples;
  out->Condition(
      "past the floors", floors || pinned,
      absl::StrCat(HumanBytes(static_cast<double>(s.size_bytes)),
                   " >= ", HumanBytes(static_cast<double>(t.min_table_bytes)), " and ",
                   HumanCount(static_cast<double>(s.n_dead)), " dead >= ", t.min_dead_tuples),
      "min_table_bytes, min_dead_tuples");
  const bool over = s.over_trigger() && static_cast<double>(s.n_dead) > s.vacuum_trigger;
  out->Condition(
      "over its trigger", over,
      absl::StrCat(
          HumanCount(static_cast<double>(s.n_dead)), " dead vs trigger ",
          HumanCount(s.vacuum_trigger),
          s.over_trigger()
              ? absl::StrCat(", since ",
                             HumanDuration(static_cast<double>(now_us - s.over_since_us) / 1e6),
                             " ago")
              : std::string()));
  const TableRates rates = s.Rates(ctx.now);
  const bool floor_not_falling =
      s.run_count() >= 2 && s.run(0).end_us >= s.over_since_us &&
      s.run(0).not_yet_removable() >= s.run(1).not_yet_removable() &&
      static_cast<double>(s.run(0).not_yet_removable()) > s.vacuum_trigger;
  const bool rising = s.n_dead >= s.dead_at_over;
  const bool fast =
      rates.dead_ratio_per_h.has_value() && *rates.dead_ratio_per_h > t.bloat_velocity_limit;
  out->Condition(
      "not getting better", pinned || rising || floor_not_falling || fast,
      absl::StrCat("dead now ", s.n_dead, " vs at crossing ", s.dead_at_over, "; post-run floor ",
                   floor_not_falling ? "not falling" : "falling", "; dead ratio ",
                   rates.dead_ratio_per_h.has_value()
                       ? absl::StrFormat("%+.3f/h", *rates.dead_ratio_per_h)
                       : std::string("rate not known yet"),
                   " (limit ", t.bloat_velocity_limit, "/h)"));
  const CauseFacts f = GatherCauseFacts(ctx, s);
  const int ineffective = IneffectiveRunsSinceOver(s, t.removed_near_zero_fraction);
  const bool overdue = s.over_trigger() &&
                       now_us - s.over_since_us >= absl::ToInt64Microseconds(t.overdue_after) &&
                       !f.run_in_progress;
  out->Condition(
      "autovacuum tried and failed",
      ineffective >= t.ineffective_runs || f.pinned ||
          f.lock_conflicts >= t.lock_conflict_min_events || f.run_too_long || overdue,
      absl::StrCat(ineffective, " ineffective runs since crossing (needs ", t.ineffective_runs,
                   "), ", f.lock_conflicts, " skips/cancels in ",
                   HumanDuration(absl::ToDoubleSeconds(t.lock_window)), " (needs ",
                   t.lock_conflict_min_events, "), run too long: ", f.run_too_long ? "yes" : "no",
                   ", overdue: ", overdue ? "yes" : "no"));
  const AlertState& alert = s.alert(kind());
  if (alert.active() && alert.cause == static_cast<uint8_t>(Cause::kXminHorizon)) {
    out->Condition(
        "a snapshot found it back under its trigger (the pin's resolution)",
        !over && now_us == s.last_snapshot_us,
        absl::StrCat("latest snapshot ", s.last_snapshot_us == now_us ? "now" : "earlier", ", ",
                     over ? "over" : "under", " the trigger"),
        "a firing pinned-horizon alert holds until then");
  }
  Verdict v;
  Evaluate(ctx, s, &v);
  out->Condition("condition holds", v.holds,
                 v.holds
                     ? absl::StrCat("cause ", std::string(CauseName(v.cause)),
                                    v.fire_now ? ", fires at once (the runs are the proof)" : "")
                     : std::string("no"));
  out->Add(
      "cause facts",
      absl::StrCat(
          "pinned_runs ", f.pinned_runs, ", cutoff_runs ", f.cutoff_runs, ", floor_rises ",
          f.floor_rises, ", lock_conflicts ", f.lock_conflicts, ", run_in_progress ",
          f.run_in_progress ? "yes" : "no",
          f.run_elapsed_s >= 0 ? absl::StrFormat(", run %.0fs", f.run_elapsed_s) : std::string(),
          f.run_pages_per_s >= 0 ? absl::StrFormat(" at %.0f pages/s", f.run_pages_per_s)
                                 : std::string(),
          ", cost delay ", f.cost_delayed ? "yes" : "no", ", workers busy ", f.workers_busy, "/",
          f.max_workers, ", index passes ", f.max_index_scans),
      "ClassifyNotKeepingUp reads them in this order: pin, locks, floor, throttling, "
      "workers, memory");
  out->Add("clear window",
           HumanDuration(absl::ToDoubleSeconds(ClearWindow(ctx, s, t.window(kind())))),
           "clear_cycles autovacuum cycles for causes other than a pinned horizon, which "
           "resolves at the first snapshot under the trigger");
}

}  // namespace vacwatch::pipeline
