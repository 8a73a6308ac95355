#include "pipeline/database_state.h"

#include <algorithm>
#include <tuple>

namespace vacwatch::pipeline {

namespace {

constexpr std::string_view kAutovacuumWorker = "autovacuum worker";

int64_t MicrosOr(const std::optional<absl::Time>& t) {
  return t.has_value() ? absl::ToUnixMicros(*t) : INT64_MIN;
}

}  // namespace

DatabaseState::DatabaseState(std::string cluster, std::string database)
    : cluster_(std::move(cluster)),
      database_(std::move(database)),
      by_key_(0, ByKeyHash{this}, ByKeyEq{this}),
      by_relid_(0, ByRelidHash{this}, ByRelidEq{this}),
      by_name_(0, ByNameHash{this}, ByNameEq{this}) {}

void DatabaseState::ApplySnapshot(const ingest::Snapshot& s) {
  last_snapshot_ = s.collected_at;
  server_version_num_ = s.server_version_num;
  max_workers_ = s.settings.autovacuum_max_workers.value_or(3);
  naptime_s_ = s.settings.autovacuum_naptime.value_or(60);
  progress_.clear();
  for (const ingest::VacuumProgress& p : s.vacuum_progress) {
    ProgressRecord r;
    r.pid = p.pid;
    r.relid = p.relid;
    r.autovacuum = p.backend_type == kAutovacuumWorker;
    r.phase = std::string(p.phase);
    r.start_us = MicrosOr(p.xact_start);
    r.heap_blks_total = p.heap_blks_total.value_or(-1);
    r.heap_blks_scanned = p.heap_blks_scanned.value_or(-1);
    r.index_vacuum_count = p.index_vacuum_count.value_or(-1);
    // Progress rows of other databases are kept too: they tell which table a worker holding
    // this database's horizon is busy with. Only relids of this database match its tables.
    if (!p.datname.empty() && p.datname != database_) r.relid = 0;
    progress_.push_back(std::move(r));
  }
  FindHorizon(s, database_, &horizon_);
}

const ProgressRecord* DatabaseState::ProgressFor(int64_t relid) const {
  if (relid == 0) return nullptr;
  for (const ProgressRecord& p : progress_) {
    if (p.relid == relid) return &p;
  }
  return nullptr;
}

void DatabaseState::StoreBytes(uint32_t i, std::string_view key, std::string_view name) {
  if (arena_garbage_ > 4096 && arena_garbage_ * 2 > arena_.size()) CompactArena();
  Record& r = records_[i];
  r.offset = static_cast<uint32_t>(arena_.size());
  r.key_size = static_cast<uint32_t>(key.size());
  r.name_size = static_cast<uint32_t>(name.size());
  arena_.append(key);
  arena_.append(name);
}

void DatabaseState::CompactArena() {
  std::string compact;
  compact.reserve(arena_.size() - arena_garbage_);
  for (uint32_t i : by_key_) {
    Record& r = records_[i];
    const size_t offset = compact.size();
    compact.append(arena_, r.offset, r.key_size + r.name_size);
    r.offset = static_cast<uint32_t>(offset);
  }
  arena_ = std::move(compact);
  arena_garbage_ = 0;
}

void DatabaseState::AddName(uint32_t i) {
  // Database-level entries (empty name) are not tables a skip line could name.
  if (records_[i].name_size == 0) return;
  auto [n, added] = by_name_.try_emplace(i, 0);
  ++n->second;
}

void DatabaseState::RemoveName(uint32_t i) {
  if (records_[i].name_size == 0) return;
  auto n = by_name_.find(NameOf(i));
  if (n == by_name_.end()) return;
  if (--n->second <= 0) {
    by_name_.erase(n);
    return;
  }
  if (n->first != i) return;
  // The leaving table represents its name: another table of that name takes over.
  const int32_t count = n->second;
  by_name_.erase(n);
  for (uint32_t j : by_key_) {
    if (j != i && records_[j].name_size != 0 && NameOf(j) == NameOf(i)) {
      by_name_.emplace(j, count);
      return;
    }
  }
}

void DatabaseState::NoteTable(std::string_view key, std::string_view relname, int64_t relid,
                              int64_t seen_us) {
  const absl::string_view k(key.data(), key.size());
  const absl::string_view name(relname.data(), relname.size());
  auto it = by_key_.find(k);
  uint32_t i;
  if (it == by_key_.end()) {
    if (free_records_.empty()) {
      i = static_cast<uint32_t>(records_.size());
      records_.emplace_back();
    } else {
      i = free_records_.back();
      free_records_.pop_back();
      records_[i] = Record{};
    }
    StoreBytes(i, key, relname);
    by_key_.insert(i);
    AddName(i);
  } else {
    i = *it;
    if (NameOf(i) != name) {
      RemoveName(i);
      arena_garbage_ += records_[i].key_size + records_[i].name_size;
      StoreBytes(i, key, relname);
      AddName(i);
    }
  }
  Record& t = records_[i];
  if (t.relid != relid) {
    if (t.relid != 0) {
      auto r = by_relid_.find(t.relid);
      if (r != by_relid_.end() && *r == i) by_relid_.erase(r);
    }
    records_[i].relid = relid;
    if (relid != 0) {
      // The latest table noted with a relid is the one it names.
      auto r = by_relid_.find(relid);
      if (r != by_relid_.end()) by_relid_.erase(r);
      by_relid_.insert(i);
    }
  }
  records_[i].last_seen_us = std::max(records_[i].last_seen_us, seen_us);
}

void DatabaseState::ForgetTable(std::string_view key) {
  auto it = by_key_.find(absl::string_view(key.data(), key.size()));
  if (it == by_key_.end()) return;
  const uint32_t i = *it;
  RemoveName(i);
  if (records_[i].relid != 0) {
    auto r = by_relid_.find(records_[i].relid);
    if (r != by_relid_.end() && *r == i) by_relid_.erase(r);
  }
  by_key_.erase(it);
  arena_garbage_ += records_[i].key_size + records_[i].name_size;
  records_[i] = Record{};
  free_records_.push_back(i);
}

bool DatabaseState::HasTable(std::string_view key) const {
  return by_key_.contains(absl::string_view(key.data(), key.size()));
}

const std::string* DatabaseState::KeyOfRelid(int64_t relid) const {
  auto it = by_relid_.find(relid);
  if (it == by_relid_.end()) return nullptr;
  const absl::string_view key = KeyOf(*it);
  found_key_.assign(key.data(), key.size());
  return &found_key_;
}

const std::string* DatabaseState::KeyOfRelname(std::string_view relname, int* matches) const {
  auto it = by_name_.find(absl::string_view(relname.data(), relname.size()));
  if (it == by_name_.end()) {
    *matches = 0;
    return nullptr;
  }
  *matches = it->second;
  if (it->second != 1) return nullptr;
  const absl::string_view key = KeyOf(it->first);
  found_key_.assign(key.data(), key.size());
  return &found_key_;
}

void ClusterState::LearnPid(int32_t pid, std::string_view database, absl::Time t) {
  if (pid == 0 || database.empty()) return;
  const int64_t t_us = absl::ToUnixMicros(t);
  if (pids_.size() > 4096) {
    const int64_t horizon = t_us - absl::ToInt64Microseconds(absl::Hours(1));
    absl::erase_if(pids_, [&](const auto& kv) { return kv.second.seen_us < horizon; });
  }
  PidEntry& e = pids_[pid];
  if (e.database != database) e.database = std::string(database);
  e.seen_us = std::max(e.seen_us, t_us);
}

const std::string* ClusterState::DatabaseOfPid(int32_t pid, absl::Time t) const {
  auto it = pids_.find(pid);
  if (it == pids_.end()) return nullptr;
  if (absl::ToUnixMicros(t) - it->second.seen_us > absl::ToInt64Microseconds(absl::Hours(1))) {
    return nullptr;
  }
  return &it->second.database;
}

void ClusterState::NoteWorkers(const ingest::Snapshot& s) {
  scratch_pids_.clear();
  for (const ingest::XminHolder& h : s.xmin_holders) {
    if (h.backend_type == kAutovacuumWorker) scratch_pids_.push_back(h.pid);
  }
  for (const ingest::VacuumProgress& p : s.vacuum_progress) {
    // pg_stat_progress_vacuum lists manual VACUUMs too; only workers count against the pool.
    if (p.backend_type.empty() || p.backend_type == kAutovacuumWorker) {
      scratch_pids_.push_back(p.pid);
    }
  }
  std::sort(scratch_pids_.begin(), scratch_pids_.end());
  workers_busy_ = std::unique(scratch_pids_.begin(), scratch_pids_.end()) - scratch_pids_.begin();
  max_workers_ = s.settings.autovacuum_max_workers.value_or(max_workers_);
  for (const ingest::XminHolder& h : s.xmin_holders) {
    if (h.backend_type == kAutovacuumWorker) LearnPid(h.pid, h.datname, s.collected_at);
  }
  for (const ingest::VacuumProgress& p : s.vacuum_progress)
    LearnPid(p.pid, p.datname, s.collected_at);
}

}  // namespace vacwatch::pipeline
