// The stored form of DatabaseState's context and of ClusterState (database_state.h). Written
// once per checkpoint for each database that took a snapshot and each cluster that saw an
// input since the last one: small values, so plain state/coding.h helpers, not the hand-sized
// writer of the table states. Grammar (v = zigzag varint, u = varint, s = length-prefixed
// bytes, b = one byte):
//
//   database context := u(version = 1) v(last_snapshot_us) b(has_version) [v(version_num)]
//                       v(max_workers) v(naptime_s) v(tables_over_trigger)
//                       v(oldest_running_xid) v(next_xid) v(horizon_key)
//                       u(n) holder{n} u(m) progress{m}
//   holder           := b(kind) v(pid) s(database) s(application_name) s(state)
//                       s(backend_type) s(slot_name) s(gid) v(age_xids) v(since_us)
//                       b(cluster_wide) v(vacuuming_relid) v(horizon_xid) s(paying_tables)
//   progress         := v(pid) v(relid) b(autovacuum) s(phase) v(start_us)
//                       v(heap_blks_total) v(heap_blks_scanned) v(index_vacuum_count)
//   cluster          := u(version = 1) v(clock_us) v(workers_busy) v(max_workers)
//                       b(swept) [v(last_ttl_sweep_us)] u(n) (v(pid) s(database) v(seen_us)){n}
//
// Times are Unix microseconds, INT64_MIN for never. A version other than 1 is DataLoss: the
// value was written by a newer vacwatch, and guessing its layout would feed the detectors
// wrong holders.

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/database_state.h"
#include "pipeline/stored_value_reader.h"
#include "state/coding.h"

namespace vacwatch::pipeline {
namespace {

constexpr uint32_t kContextVersion = 1;

int64_t MicrosOf(absl::Time t) {
  return t == absl::InfinitePast() ? std::numeric_limits<int64_t>::min() : absl::ToUnixMicros(t);
}
absl::Time TimeOf(int64_t us) {
  return us == std::numeric_limits<int64_t>::min() ? absl::InfinitePast()
                                                   : absl::FromUnixMicros(us);
}

void PutB(std::string* out, uint8_t b) { out->push_back(static_cast<char>(b)); }
void PutV(std::string* out, int64_t v) { state::PutVarsignedint64(out, v); }
void PutS(std::string* out, std::string_view s) { state::PutLengthPrefixedString(out, s); }

void PutHolder(const HolderRecord& h, std::string* out) {
  PutB(out, static_cast<uint8_t>(h.kind));
  PutV(out, h.pid);
  PutS(out, h.database);
  PutS(out, h.application_name);
  PutS(out, h.state);
  PutS(out, h.backend_type);
  PutS(out, h.slot_name);
  PutS(out, h.gid);
  PutV(out, h.age_xids);
  PutV(out, h.since_us);
  PutB(out, h.cluster_wide ? 1 : 0);
  PutV(out, h.vacuuming_relid);
  PutV(out, h.horizon_xid);
  PutS(out, h.paying_tables);
}

bool GetHolder(StoredValueReader* r, HolderRecord* h) {
  const uint8_t kind = r->B();
  if (kind > kMaxHolderKind) return false;
  h->kind = static_cast<HolderKind>(kind);
  h->pid = r->Narrow<int32_t>(r->V());
  h->database = r->S();
  h->application_name = r->S();
  h->state = r->S();
  h->backend_type = r->S();
  h->slot_name = r->S();
  h->gid = r->S();
  h->age_xids = r->V();
  h->since_us = r->V();
  h->cluster_wide = r->B() != 0;
  h->vacuuming_relid = r->V();
  h->horizon_xid = r->V();
  h->paying_tables = r->S();
  return r->ok();
}

}  // namespace

void DatabaseState::EncodeContext(std::string* out) const {
  state::PutVarint32(out, kContextVersion);
  PutV(out, MicrosOf(last_snapshot_));
  PutB(out, server_version_num_.has_value() ? 1 : 0);
  if (server_version_num_.has_value()) PutV(out, *server_version_num_);
  PutV(out, max_workers_);
  PutV(out, naptime_s_);
  PutV(out, tables_over_trigger);
  PutV(out, horizon_.oldest_running_xid);
  PutV(out, horizon_.next_xid);
  PutV(out, horizon_.horizon_key_);
  state::PutVarint32(out, static_cast<uint32_t>(horizon_.candidates.size()));
  for (const HolderRecord& h : horizon_.candidates) PutHolder(h, out);
  state::PutVarint32(out, static_cast<uint32_t>(progress_.size()));
  for (const ProgressRecord& p : progress_) {
    PutV(out, p.pid);
    PutV(out, p.relid);
    PutB(out, p.autovacuum ? 1 : 0);
    PutS(out, p.phase);
    PutV(out, p.start_us);
    PutV(out, p.heap_blks_total);
    PutV(out, p.heap_blks_scanned);
    PutV(out, p.index_vacuum_count);
  }
}

absl::Status DatabaseState::DecodeContext(std::string_view bytes) {
  StoredValueReader r(bytes);
  if (r.Varint() != kContextVersion || !r.ok()) {
    return absl::DataLossError("database context: unknown version");
  }
  const absl::Time last_snapshot = TimeOf(r.V());
  std::optional<int64_t> version_num;
  if (r.B() != 0) version_num = r.V();
  const int64_t max_workers = r.V();
  const int64_t naptime_s = r.V();
  const int64_t over = r.V();
  Horizon horizon;
  horizon.oldest_running_xid = r.V();
  horizon.next_xid = r.V();
  horizon.horizon_key_ = r.V();
  horizon.candidates.resize(r.Count());
  for (HolderRecord& h : horizon.candidates) {
    if (!GetHolder(&r, &h)) return absl::DataLossError("database context: malformed holder");
  }
  std::vector<ProgressRecord> progress(r.Count());
  for (ProgressRecord& p : progress) {
    p.pid = r.Narrow<int32_t>(r.V());
    p.relid = r.V();
    p.autovacuum = r.B() != 0;
    p.phase = r.S();
    p.start_us = r.V();
    p.heap_blks_total = r.V();
    p.heap_blks_scanned = r.V();
    p.index_vacuum_count = r.V();
  }
  if (!r.ok()) return absl::DataLossError("database context: truncated or malformed value");
  if (!r.done()) return absl::DataLossError("database context: trailing bytes");
  last_snapshot_ = last_snapshot;
  server_version_num_ = version_num;
  max_workers_ = max_workers;
  naptime_s_ = naptime_s;
  tables_over_trigger = over;
  horizon_ = std::move(horizon);
  progress_ = std::move(progress);
  return absl::OkStatus();
}

void ClusterState::Encode(std::string* out) const {
  state::PutVarint32(out, kContextVersion);
  PutV(out, MicrosOf(clock_));
  PutV(out, workers_busy_);
  PutV(out, max_workers_);
  PutB(out, last_ttl_sweep_us.has_value() ? 1 : 0);
  if (last_ttl_sweep_us.has_value()) PutV(out, *last_ttl_sweep_us);
  std::vector<std::pair<int32_t, const PidEntry*>> pids;
  pids.reserve(pids_.size());
  for (const auto& [pid, entry] : pids_) pids.emplace_back(pid, &entry);
  std::sort(pids.begin(), pids.end());
  state::PutVarint32(out, static_cast<uint32_t>(pids.size()));
  for (const auto& [pid, entry] : pids) {
    PutV(out, pid);
    PutS(out, entry->database);
    PutV(out, entry->seen_us);
  }
}

absl::Status ClusterState::Decode(std::string_view bytes) {
  StoredValueReader r(bytes);
  if (r.Varint() != kContextVersion || !r.ok()) {
    return absl::DataLossError("cluster context: unknown version");
  }
  const absl::Time clock = TimeOf(r.V());
  const int64_t busy = r.V();
  const int64_t max_workers = r.V();
  std::optional<int64_t> swept;
  if (r.B() != 0) swept = r.V();
  absl::flat_hash_map<int32_t, PidEntry> pids;
  const uint32_t n = r.Count();
  pids.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    const auto pid = r.Narrow<int32_t>(r.V());
    PidEntry e;
    e.database = r.S();
    e.seen_us = r.V();
    pids[pid] = std::move(e);
  }
  if (!r.ok()) return absl::DataLossError("cluster context: truncated or malformed value");
  if (!r.done()) return absl::DataLossError("cluster context: trailing bytes");
  clock_ = clock;
  workers_busy_ = busy;
  max_workers_ = max_workers;
  last_ttl_sweep_us = swept;
  pids_ = std::move(pids);
  return absl::OkStatus();
}

}  // namespace vacwatch::pipeline
