#ifndef VACWATCH_PIPELINE_XMIN_HORIZON_HELD_DETECTOR_H_
#define VACWATCH_PIPELINE_XMIN_HORIZON_HELD_DETECTOR_H_

// XminHorizonHeld (warning): one root has held the xmin horizon for the alert's `for` (default
// 10 min), or holds a value older than horizon_held_max_age_xids. One alert per cluster and
// root: a root of scope cluster (an xid, a prepared transaction, a slot, a walsender) is
// judged on the cluster's entry (its key has no database), a snapshot-only session on its
// database's entry (no schema or table); table entries never hold. The pipeline evaluates both
// entries at the end of every snapshot, with that snapshot's database.
//
// The pipeline makes a root's entry only once the root has held for min(`for`, 1 min) by its
// own start time (xact_start, prepare time) or, without one (slots, walsenders), once it is
// 1,000 XIDs old: a busy database always has some transaction running, and most never matter.
// It holds while the root is the same one holding the same value (SameRoot); a different root
// clears it (resolved if it fired: the root went), and the next snapshot starts the new one's
// window. A root whose value is an xid (a session that wrote, a prepared transaction) and whose
// xact_start / prepare time is already `for` ago fires at once; a snapshot's or a standby's
// xmin, which can move while its holder lives, is timed from when that value was first seen. The
// alert names the root, its age, and the tables already paying for it (the pipeline keeps them in
// the holder's paying_tables: the tables whose AutovacuumNotKeepingUp fires with this root).

#include "pipeline/detector.h"

namespace vacwatch::pipeline {

class XminHorizonHeldDetector final : public Detector {
 public:
  AlertKind kind() const override { return AlertKind::kXminHorizonHeld; }
  void Evaluate(const EvalContext& ctx, const TableState& table, Verdict* out) const override;
  void Describe(const EvalContext& ctx, const TableState& table, Alert* alert) const override;
};

// The root an XminHorizonHeld entry judges in this context: the cluster root for the
// cluster's entry, the database's own root when it pins only that database for a database
// entry; null for table entries or when nothing holds.
const HolderRecord* HorizonEntryRoot(const EvalContext& ctx);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_XMIN_HORIZON_HELD_DETECTOR_H_
