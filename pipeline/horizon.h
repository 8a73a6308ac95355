#ifndef VACWATCH_PIPELINE_HORIZON_H_
#define VACWATCH_PIPELINE_HORIZON_H_

// Horizon: who holds the xmin horizon of one database, decided from one snapshot
// (domain.md, "Who holds the horizon: the root, not the carriers").
//
// While something pins the horizon, every snapshot taken after it shows the same old
// backend_xmin: those sessions are carriers, and terminating one changes nothing. The root is
// what holds an old value of its own, ranked (PostgreSQL 14+, procarray.c ComputeXidHorizons):
//   1. an xid: a session that wrote and is still open (backend_xid) or a prepared transaction;
//      pins every database (through the snapshots of their sessions): scope cluster;
//   2. a replication slot's xmin (hot_standby_feedback through a slot; catalog_xmin pins only
//      catalogs and is ignored for user tables) or a walsender's backend_xmin (feedback without
//      a slot): every database, scope cluster;
//   3. a session of THIS database whose only old value is its snapshot (a long report, a long
//      ANALYZE): scope database.
// Candidates are compared by their own value (the age of the xid or xmin they hold, exact
// within one snapshot); on a tie the lower rank wins, so a carrier whose xmin equals a root's
// xid never beats it. Backends running a VACUUM are never candidates (their snapshot is
// ignored by other vacuums). When the best candidate is a snapshot-only session whose xmin is
// not older than the oldest xid still running (`horizon.oldest_running_xid`), it is itself a
// carrier of a transaction the snapshot does not list: the root is then kUnknown, with the
// horizon value, never a guess.
//
//   Horizon h;
//   FindHorizon(snapshot, "reporting", &h);
//   if (const HolderRecord* root = h.Root()) ...        // the root for this database's tables
//   const HolderRecord* exact = h.WithXid(cutoff);       // the candidate a vacuum's cutoff names
//
// Plain values; FindHorizon copies what it keeps (no reference to the snapshot survives).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/snapshot.h"

namespace vacwatch::pipeline {

enum class HolderKind : uint8_t {
  kSession = 0,
  kReplicationSlot = 1,
  kPreparedXact = 2,
  kAutovacuumWorker = 3,  // an autovacuum worker outside VACUUM (its ANALYZE)
  kWalsender = 4,         // hot_standby_feedback without a slot
  kUnknown = 5,           // the horizon is held, by nothing the snapshot lists
};
inline constexpr uint8_t kMaxHolderKind = 5;
std::string_view HolderKindName(HolderKind kind);  // session | replication_slot | ...

// One holder of the xmin horizon, owned.
struct HolderRecord {
  HolderKind kind = HolderKind::kSession;
  int32_t pid = 0;                                    // sessions, workers, walsenders
  std::string database;                               // where it lives (empty for slots)
  std::string application_name, state, backend_type;  // sessions, walsenders
  std::string slot_name;                              // replication slots
  std::string gid;                                    // prepared transactions
  int64_t age_xids = 0;          // the age of the value it holds (its xid or its xmin)
  int64_t since_us = INT64_MIN;  // xact_start / prepared time; INT64_MIN = unknown
  bool cluster_wide = false;     // pins every database (scope cluster), else only its own
  int64_t vacuuming_relid = 0;   // (unused since version 3 of the state; kept for decoding)
  // The raw 32-bit value it holds the horizon at: its xid, or its xmin (snapshot-only
  // sessions, slots, walsenders); -1 when the snapshot did not export raw values.
  int64_t horizon_xid = -1;
  // XminHorizonHeld only: the tables already paying for this root ("db.schema.table", one per
  // line, sorted, at most kMaxPayingTables).
  std::string paying_tables;

  bool operator==(const HolderRecord&) const = default;
};
inline constexpr int kMaxPayingTables = 20;

// True when `a` and `b` are the same root holding the same value (a root whose value moved,
// e.g. a slot fed by a standby whose queries finish, is a new episode).
bool SameRoot(const HolderRecord& a, const HolderRecord& b);

struct Horizon {
  std::vector<HolderRecord> candidates;  // ranked: candidates[0] is the root
  int64_t oldest_running_xid = -1;       // from the snapshot's own horizon, -1 unknown
  int64_t next_xid = -1;

  // The root for this database's tables, or null when nothing holds an xid or an xmin.
  const HolderRecord* Root() const { return candidates.empty() ? nullptr : &candidates[0]; }
  // The oldest candidate of scope cluster (an xid, a prepared transaction, a slot, a
  // walsender, or kUnknown), or null.
  const HolderRecord* ClusterRoot() const;
  // The candidate holding exactly this raw value (a vacuum's removable cutoff), or null.
  const HolderRecord* WithXid(int64_t xid) const;
  // The raw value the root holds the horizon at, or -1.
  int64_t horizon_xid() const { return candidates.empty() ? -1 : candidates[0].horizon_xid; }
  // What a vacuum of this database's tables would take as its removable cutoff, as far as the
  // snapshot can tell (ComputeXidHorizons for data tables): the oldest value held by a slot, a
  // walsender, or a backend or prepared transaction OF THIS DATABASE. An xid of another
  // database counts only through this database's carriers (their backend_xmin holds it too),
  // so a database whose sessions take no snapshot while it runs is not pinned by it. The raw
  // value; for snapshots without raw values (recorded before they were exported) a key of that
  // holder's identity (kind, pid, transaction start, gid, slot), at least 2^32 so it never
  // equals an xid; -1 when nothing holds.
  int64_t horizon_key() const { return horizon_key_; }

  int64_t horizon_key_ = -1;  // set by FindHorizon
};

// Keys at or above this are identity keys (Horizon::horizon_key), not xids.
inline constexpr int64_t kFirstIdentityKey = int64_t{1} << 32;

// Fills `*out` (its vectors' capacity reused) from `snapshot` for the tables of `database`.
void FindHorizon(const ingest::Snapshot& snapshot, std::string_view database, Horizon* out);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_HORIZON_H_
