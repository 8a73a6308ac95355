#include "pipeline/xmin_horizon_held_detector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "pipeline/alert_text.h"

namespace vacwatch::pipeline {

const HolderRecord* HorizonEntryRoot(const EvalContext& ctx) {
  if (ctx.db == nullptr || ctx.scope == EntryScope::kTable) return nullptr;
  const Horizon& horizon = ctx.db->horizon();
  if (ctx.scope == EntryScope::kCluster) return horizon.ClusterRoot();
  const HolderRecord* root = horizon.Root();
  if (root == nullptr || root->cluster_wide) return nullptr;
  return root;
}

void XminHorizonHeldDetector::Evaluate(const EvalContext& ctx, const TableState& s,
                                       Verdict* out) const {
  *out = Verdict{};
  const HolderRecord* root = HorizonEntryRoot(ctx);
  if (root == nullptr) return;
  const HolderRecord* held = s.holder(kind());
  if (held != nullptr && s.alert(kind()).phase() != AlertPhase::kInactive &&
      !SameRoot(*held, *root)) {
    return;  // the root went (or its value moved): this episode is over
  }
  out->holds = true;
  out->cause = Cause::kXminHorizon;
  out->severity = Severity::kWarning;
  out->holder = *root;
  if (held != nullptr && SameRoot(*held, *root)) out->holder->paying_tables = held->paying_tables;
  const TableTuning& t = *ctx.tuning;
  const absl::Duration for_duration = t.window(kind()).for_duration;
  // The start time dates the value only when the value cannot move while the root lives: an
  // xid (a session that wrote, a prepared transaction). A snapshot's xmin moves with each
  // statement of a READ COMMITTED transaction, a standby's feedback with its queries: those
  // are timed from when this value was first seen (the window's `for`).
  const bool value_dated_by_start =
      root->kind == HolderKind::kPreparedXact ||
      ((root->kind == HolderKind::kSession || root->kind == HolderKind::kAutovacuumWorker) &&
       root->cluster_wide);
  out->fire_now =
      (value_dated_by_start && root->since_us != INT64_MIN &&
       ctx.now - absl::FromUnixMicros(root->since_us) >= for_duration) ||
      (t.horizon_held_max_age_xids > 0 && root->age_xids >= t.horizon_held_max_age_xids);
}

void XminHorizonHeldDetector::Describe(const EvalContext& ctx, const TableState& s,
                                       Alert* a) const {
  const HolderRecord* h = s.holder(kind());
  const AlertState& state = s.alert(kind());
  const double held_s = absl::ToDoubleSeconds(ctx.now - state.starts_at());
  std::string where = ctx.key->database.empty()
                          ? absl::StrCat("cluster ", ctx.key->cluster)
                          : absl::StrCat("database ", ctx.key->database, " on ", ctx.key->cluster);
  if (h == nullptr) {
    a->summary = absl::StrCat("The xmin horizon of ", where, " was held");
    return;
  }
  const std::string tables = absl::StrReplaceAll(h->paying_tables, {{"\n", ", "}});
  const int64_t paying = h->paying_tables.empty()
                             ? 0
                             : static_cast<int64_t>(std::count(h->paying_tables.begin(),
                                                               h->paying_tables.end(), '\n')) +
                                   1;
  a->summary = absl::StrCat(
      "The xmin horizon of ", where, " is held by ", HolderPhrase(*h, ctx.now, ""), " (seen for ",
      HumanDuration(held_s), "): vacuum can remove no row version newer than xid ",
      h->horizon_xid >= 0 ? absl::StrCat(h->horizon_xid) : std::string("its value"),
      paying > 0 ? absl::StrCat("; tables already paying for it: ", tables)
                 : std::string("; no table alerts yet"));
  AddEvidence(a, "holder_kind", HolderKindName(h->kind));
  if (h->horizon_xid >= 0) AddEvidence(a, "horizon_xid", h->horizon_xid);
  AddEvidence(a, "horizon_age_xids", h->age_xids);
  AddTimeEvidence(a, "held_since", absl::ToUnixMicros(state.starts_at()));
  AddEvidence(a, "held_for_s", std::round(held_s));
  AddEvidence(a, "tables_paying", paying);
  if (paying > 0) AddEvidence(a, "tables_paying_names", tables);
  a->recommendation = HolderFix(*h, "");
}

}  // namespace vacwatch::pipeline
