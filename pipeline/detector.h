#ifndef VACWATCH_PIPELINE_DETECTOR_H_
#define VACWATCH_PIPELINE_DETECTOR_H_

// Detector: one alert's logic, as a const object (no state of its own; the per-table state it
// reads and the AlertState it drives live in TableState). The pipeline calls Evaluate at every
// evaluation of a table (cheap: no allocation unless the condition holds with a holder), and
// Describe only when a transition is emitted (builds the strings of the Alert).
//
//   Verdict v;
//   detector.Evaluate(ctx, table, &v);
//   ... AlertState::Step(ctx.now, v.holds, window) ...
//   if (fired) detector.Describe(ctx, table, &alert);   // summary, evidence, recommendation
//
// All detectors are listed in detectors.h. EvalContext's pointers are valid for the call only.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "pipeline/alert.h"
#include "pipeline/cause_classifier.h"
#include "pipeline/config.h"
#include "pipeline/database_state.h"
#include "pipeline/explanation.h"
#include "pipeline/table_key.h"
#include "pipeline/table_state.h"

namespace vacwatch::pipeline {

// What an entry of the state stands for: a table, a database (server warnings and its
// snapshot-only roots) or a cluster (its cluster-wide roots).
enum class EntryScope : uint8_t { kTable, kDatabase, kCluster };

struct EvalContext {
  absl::Time now;
  EntryScope scope = EntryScope::kTable;
  const TableKey* key = nullptr;  // set for Describe (schema/table empty: a database entry)
  const TableTuning* tuning = nullptr;
  const PipelineConfig* config = nullptr;
  const DatabaseState* db = nullptr;  // null before the database's first snapshot
  const ClusterState* cluster = nullptr;
  int64_t cluster_tables_over_trigger = 0;
};

// The cause facts of `table` in this evaluation's context (GatherCauseFacts with the context's
// time, tuning, configuration, database and cluster).
inline CauseFacts GatherCauseFacts(const EvalContext& ctx, const TableState& table) {
  return GatherCauseFacts(ctx.now, *ctx.tuning, *ctx.config, table, ctx.db, ctx.cluster,
                          ctx.cluster_tables_over_trigger);
}

struct Verdict {
  bool holds = false;
  Cause cause = Cause::kUnknown;
  Severity severity = Severity::kWarning;
  std::optional<HolderRecord> holder;  // set when the cause names one
  // The evidence is already conclusive: fire without waiting for the window's `for`.
  bool fire_now = false;
  // Resolve after this long clear instead of the window's clear_for (set whether the condition
  // holds or not: it applies to the clear evaluations that follow).
  std::optional<absl::Duration> clear_for;

  // A fresh verdict again, every member as above (keep in step with them). The pipeline reuses
  // one for the detectors of every row: constructing one zeroed the holder's 320 bytes each time.
  void Reset() {
    holds = false;
    cause = Cause::kUnknown;
    severity = Severity::kWarning;
    holder.reset();
    fire_now = false;
    clear_for.reset();
  }
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual AlertKind kind() const = 0;
  // Decides whether the alert's condition holds now, and its cause and severity.
  virtual void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const = 0;
  // Fills summary, evidence and recommendation of `*alert` (cause, severity and holder are
  // already set from the alert's state).
  virtual void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const = 0;
  // Adds to `out` which of its conditions hold for `table` now (`vacwatch explain`). The
  // default gives Evaluate's verdict; detectors with several conditions list each.
  virtual void Explain(const EvalContext& ctx, const TableState& table, ExplainSection* out) const;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_DETECTOR_H_
