#include "pipeline/horizon.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <tuple>

#include "common/fnv1a.h"

namespace vacwatch::pipeline {

std::string_view HolderKindName(HolderKind kind) {
  switch (kind) {
    case HolderKind::kSession:
      return "session";
    case HolderKind::kReplicationSlot:
      return "replication_slot";
    case HolderKind::kPreparedXact:
      return "prepared_xact";
    case HolderKind::kAutovacuumWorker:
      return "autovacuum_worker";
    case HolderKind::kWalsender:
      return "walsender";
    case HolderKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool SameRoot(const HolderRecord& a, const HolderRecord& b) {
  if (a.kind != b.kind || a.pid != b.pid || a.slot_name != b.slot_name || a.gid != b.gid ||
      a.database != b.database || a.cluster_wide != b.cluster_wide) {
    return false;
  }
  // Raw values, where both snapshots had them, must match: a slot or walsender whose xmin
  // moved no longer holds the old horizon.
  return a.horizon_xid < 0 || b.horizon_xid < 0 || a.horizon_xid == b.horizon_xid;
}

const HolderRecord* Horizon::ClusterRoot() const {
  for (const HolderRecord& h : candidates) {
    if (h.cluster_wide) return &h;
  }
  return nullptr;
}

const HolderRecord* Horizon::WithXid(int64_t xid) const {
  if (xid < 0) return nullptr;
  for (const HolderRecord& h : candidates) {
    if (h.horizon_xid == xid) return &h;
  }
  return nullptr;
}

namespace {

constexpr std::string_view kAutovacuumWorker = "autovacuum worker";

int64_t MicrosOr(const std::optional<absl::Time>& t) {
  return t.has_value() ? absl::ToUnixMicros(*t) : INT64_MIN;
}

// The rank of a candidate's value on a tie (lower wins): an xid, then a slot or walsender
// xmin, then a snapshot.
enum Rank : int { kXidRank = 0, kFeedbackRank = 1, kSnapshotRank = 2 };

// True when xid `a` is not older than xid `b` (modulo-2^32 comparison, as TransactionIdFollows).
bool XidFollowsOrEquals(int64_t a, int64_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b)) >= 0;
}

// FNV-1a of the root's identity, folded into [2^32, 2^62).
int64_t IdentityKey(const HolderRecord& h) {
  Fnv1a hash;
  auto mix = [&hash](std::string_view part) { hash.AddPart(part); };
  mix(HolderKindName(h.kind));
  mix(std::to_string(h.pid));
  mix(std::to_string(h.since_us));
  mix(h.gid);
  mix(h.slot_name);
  mix(h.database);
  return kFirstIdentityKey +
         static_cast<int64_t>(hash.value() % ((uint64_t{1} << 62) - kFirstIdentityKey));
}

}  // namespace

void FindHorizon(const ingest::Snapshot& s, std::string_view database, Horizon* out) {
  out->candidates.clear();
  out->horizon_key_ = -1;
  out->oldest_running_xid = s.horizon.oldest_running_xid.value_or(-1);
  out->next_xid = s.horizon.next_xid.value_or(-1);
  std::vector<int> ranks;

  auto in_vacuum = [&s](int32_t pid) {
    for (const ingest::VacuumProgress& p : s.vacuum_progress) {
      if (p.pid == pid) return true;
    }
    return false;
  };
  auto add = [&](HolderRecord r, int rank) {
    out->candidates.push_back(std::move(r));
    ranks.push_back(rank);
  };

  for (const ingest::XminHolder& h : s.xmin_holders) {
    // A VACUUM's snapshot is ignored by other vacuums (PROC_IN_VACUUM); the snapshot query
    // leaves them out already, older snapshots list them.
    if (in_vacuum(h.pid)) continue;
    HolderRecord r;
    r.pid = h.pid;
    r.kind =
        h.backend_type == kAutovacuumWorker ? HolderKind::kAutovacuumWorker : HolderKind::kSession;
    r.database = std::string(h.datname);
    r.application_name = std::string(h.application_name);
    r.state = std::string(h.state);
    r.backend_type = std::string(h.backend_type);
    r.since_us = MicrosOr(h.xact_start);
    const bool own_database = h.datname == database;
    const bool has_xid = h.xid_age.has_value();
    const bool xmin_older =
        own_database && h.xmin_age.has_value() && (!has_xid || *h.xmin_age > *h.xid_age);
    if (has_xid) {
      // Its own xid: seen as running by every database's snapshots.
      HolderRecord x = r;
      x.age_xids = *h.xid_age;
      x.horizon_xid = h.backend_xid.value_or(-1);
      x.cluster_wide = true;
      add(std::move(x), kXidRank);
    }
    if (xmin_older) {
      // A snapshot older than any xid it holds: pins this database only.
      r.age_xids = *h.xmin_age;
      r.horizon_xid = h.backend_xmin.value_or(-1);
      r.cluster_wide = false;
      add(std::move(r), kSnapshotRank);
    }
  }
  for (const ingest::PreparedXact& px : s.prepared_xacts) {
    if (!px.xid_age.has_value()) continue;
    HolderRecord r;
    r.kind = HolderKind::kPreparedXact;
    r.gid = std::string(px.gid);
    r.database = std::string(px.database);
    r.age_xids = *px.xid_age;
    r.horizon_xid = px.transaction.value_or(-1);
    r.since_us = MicrosOr(px.prepared);
    r.cluster_wide = true;
    add(std::move(r), kXidRank);
  }
  for (const ingest::ReplicationSlot& slot : s.replication_slots) {
    // Only the slot's xmin holds back user tables (catalog_xmin: system catalogs only).
    if (!slot.xmin_age.has_value()) continue;
    HolderRecord r;
    r.kind = HolderKind::kReplicationSlot;
    r.slot_name = std::string(slot.slot_name);
    r.database = std::string(slot.database);
    r.state = slot.active.has_value() ? (*slot.active ? "active" : "inactive") : "";
    if (slot.active_pid.has_value()) r.pid = static_cast<int32_t>(*slot.active_pid);
    r.age_xids = *slot.xmin_age;
    r.horizon_xid = slot.xmin.value_or(-1);
    r.cluster_wide = true;
    add(std::move(r), kFeedbackRank);
  }
  for (const ingest::Walsender& w : s.walsenders) {
    if (!w.xmin_age.has_value()) continue;
    HolderRecord r;
    r.kind = HolderKind::kWalsender;
    r.pid = w.pid;
    r.application_name = std::string(w.application_name);
    r.state = std::string(w.state);
    r.backend_type = "walsender";
    r.age_xids = *w.xmin_age;
    r.horizon_xid = w.backend_xmin.value_or(-1);
    // backend_start is when the standby connected, not when its feedback xmin was taken:
    // the age of the hold is unknown (since_us stays unknown).
    r.cluster_wide = true;
    add(std::move(r), kFeedbackRank);
  }

  // Oldest value first; on a tie the lower rank, then a fixed order of identities.
  std::vector<size_t> order(out->candidates.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const std::vector<HolderRecord>& c = out->candidates;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_tuple(-c[a].age_xids, ranks[a], static_cast<int>(c[a].kind), c[a].pid,
                           std::string_view(c[a].slot_name), std::string_view(c[a].gid)) <
           std::make_tuple(-c[b].age_xids, ranks[b], static_cast<int>(c[b].kind), c[b].pid,
                           std::string_view(c[b].slot_name), std::string_view(c[b].gid));
  });
  std::vector<HolderRecord> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move(out->candidates[i]));
  out->candidates = std::move(sorted);
  if (out->candidates.empty()) return;
  for (const HolderRecord& c : out->candidates) {
    const bool pins_directly = c.kind == HolderKind::kReplicationSlot ||
                               c.kind == HolderKind::kWalsender || c.database == database;
    if (!pins_directly) continue;
    out->horizon_key_ = c.horizon_xid >= 0 ? c.horizon_xid : IdentityKey(c);
    break;
  }

  // A snapshot-only session on top whose xmin is not older than the oldest running xid took
  // that xid's snapshot: a carrier of a transaction the snapshot does not list.
  const HolderRecord& top = out->candidates[0];
  if (!top.cluster_wide && top.horizon_xid >= 0 && out->oldest_running_xid >= 0 &&
      XidFollowsOrEquals(top.horizon_xid, out->oldest_running_xid)) {
    HolderRecord unknown;
    unknown.kind = HolderKind::kUnknown;
    unknown.database = std::string(database);
    unknown.age_xids = top.age_xids;
    unknown.horizon_xid = top.horizon_xid;
    unknown.cluster_wide = true;
    out->candidates.insert(out->candidates.begin(), std::move(unknown));
  }
}

}  // namespace vacwatch::pipeline
