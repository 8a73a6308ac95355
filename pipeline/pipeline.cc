#include "pipeline/pipeline.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "pipeline/alert_text.h"
#include "pipeline/database_state.h"
#include "pipeline/detectors.h"
#include "pipeline/table_cache.h"
#include "pipeline/table_key.h"
#include "pipeline/table_state.h"
#include "pipeline/thresholds.h"
#include "state/coding.h"

namespace vacwatch::pipeline {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A root without a start time (a slot, a walsender) is tracked for XminHorizonHeld from this
// age on: a healthy standby's feedback lags by far less.
constexpr int64_t kMinUntimedRootAgeXids = 1000;

bool SameHolder(const HolderRecord& a, const HolderRecord& b) {
  return a.kind == b.kind && a.pid == b.pid && a.slot_name == b.slot_name && a.gid == b.gid &&
         a.database == b.database;
}

std::string Time(int64_t us) {
  if (us == kNever) return "never";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(us), absl::UTCTimeZone());
}

}  // namespace

// How an input moves through this file, top to bottom: OnSnapshot finds or creates each row's
// table (ResolveSnapshotRow: renames and recreated tables), applies the row and evaluates every
// detector on it (Evaluate, Emit), then the database's and cluster's horizon entries
// (EvaluateHorizonEntries) and the TTL sweep; OnLogEvent routes an event to its table and does
// the same; Checkpoint hands the changed states (TableCache) and the emitted transitions to the
// store's batch; Explain reads one table. Where table states live between inputs, how they are
// loaded, evicted and written, is table_cache.h's business.
class Pipeline::Impl {
 public:
  Impl(const PipelineConfig& config, state::StateStore* store)
      : config_(config),
        store_(store),
        cache_(
            config_.max_cached_tables, store,
            [this](std::string_view key) { return TuningFor(key); }, &counters_) {}

  absl::Status OnSnapshot(const ingest::Snapshot& s);
  absl::Status OnLogEvent(const ingest::LogEvent& e);
  absl::Status Checkpoint(state::StateStore::Batch* batch, std::vector<AlertTransition>* emitted);
  const PipelineCounters& counters() const { return counters_; }
  int64_t TablesTracked() const {
    int64_t n = 0;
    for (const auto& [name, cluster] : clusters_) {
      for (const auto& [db_name, db] : cluster.databases) {
        n += static_cast<int64_t>(db->table_count());
      }
    }
    return n;
  }
  absl::StatusOr<Explanation> Explain(std::string_view table, absl::Time now);

 private:
  using Entry = TableCache::Entry;

  absl::Status EnsureInitialized();
  // Per cluster: its state and its databases (by name: the TTL sweep's order).
  struct ClusterEntry {
    std::unique_ptr<ClusterState> state;
    std::map<std::string, std::unique_ptr<DatabaseState>, std::less<>> databases;
    int64_t tables_over_trigger = 0;  // the sum of its databases' tables_over_trigger
    bool context_changed = false;     // its state changed since the last Checkpoint
  };
  ClusterEntry& ClusterOf(std::string_view name);
  ClusterState& Cluster(std::string_view name);
  DatabaseState& Database(std::string_view cluster, std::string_view database);
  int64_t ClusterTablesOverTrigger(std::string_view cluster) const;
  // The cache's TuningFor: tables matching the same overrides share one tuning.
  const TableTuning* TuningFor(std::string_view encoded_key);

  // The entry of a snapshot row's table: found, created, or moved from its old name (a rename,
  // same relid); a recreated table (same name, new relid) starts over. Resolves the alerts of
  // the table that went.
  absl::StatusOr<Entry*> ResolveSnapshotRow(DatabaseState* db, ClusterState* cluster,
                                            const std::string& key, int64_t relid, absl::Time now);
  absl::Status ForceResolveAll(Entry* e, DatabaseState* db, ClusterState* cluster, absl::Time now,
                               std::string_view why);
  // Runs every detector on the table and emits its transitions.
  // `cluster_over_trigger`: ClusterTablesOverTrigger of the cluster, or -1 to compute it.
  absl::Status Evaluate(Entry* e, DatabaseState* db, ClusterState* cluster, absl::Time now,
                        int64_t cluster_over_trigger = -1);
  // What an emitted transition says: fired, escalated (fired again at a higher severity),
  // root changed (fired again naming another root) or resolved.
  enum class Emission : uint8_t { kFired, kEscalated, kRootChanged, kResolved };
  // `note`: for kResolved the reason when forced, for kEscalated the severity it rose from,
  // for kRootChanged the root it named before.
  void Emit(Entry* e, AlertKind kind, Emission what, const EvalContext& ctx, std::string_view note);
  // Notes `e` in paying_ when its AutovacuumNotKeepingUp fires with cause xmin_horizon.
  void NotePaying(Entry* e);
  // At the end of a snapshot of `db`: evaluates the XminHorizonHeld entries of its cluster
  // root and of its own root, and records on them the tables of `db` paying for each
  // (paying_, gathered while the rows were evaluated).
  absl::Status EvaluateHorizonEntries(DatabaseState* db, ClusterState* cluster, absl::Time now);
  absl::Status SweepTtl(ClusterState* cluster);

  absl::StatusOr<std::string> ResolveSkip(const ingest::LogEvent& e, ClusterState* cluster);

  // The contexts of databases and clusters (database_state.h) are stored at each checkpoint
  // when they changed, under these meta keys, and read back on the first input.
  static std::string DatabaseContextKey(std::string_view cluster, std::string_view database);
  static std::string ClusterContextKey(std::string_view cluster);
  absl::Status LoadContexts();
  // `db` took a snapshot (null: only the cluster's state changed, by a log event).
  void NoteContextChanged(std::string_view cluster, DatabaseState* db);
  void CheckpointContexts(state::StateStore::Batch* batch);

  PipelineConfig config_;
  state::StateStore* store_;
  PipelineCounters counters_;
  bool initialized_ = false;
  absl::Status init_status_;
  uint64_t last_seq_ = 0;
  std::vector<AlertTransition> pending_;

  absl::node_hash_map<std::string, ClusterEntry> clusters_;
  TableCache cache_;  // after config_ and counters_, which it uses

  // By the set of matching overrides (a bit string): tables alike share one tuning.
  absl::node_hash_map<std::string, TableTuning> tunings_;
  std::string matched_buf_;
  std::string glob_buf_;

  std::string key_buf_;
  std::vector<std::string> row_keys_;  // the keys of the snapshot's rows (capacity reused)
  // During OnSnapshot: the snapshot's tables whose AutovacuumNotKeepingUp fires with cause
  // xmin_horizon (valid until the snapshot is applied: nothing is evicted meanwhile).
  std::vector<Entry*> paying_;

  std::vector<ClusterEntry*> changed_clusters_;    // each once (ClusterEntry::context_changed)
  std::vector<DatabaseState*> changed_databases_;  // may repeat until the checkpoint
  std::string context_buf_;
};

absl::Status Pipeline::Impl::OnSnapshot(const ingest::Snapshot& s) {
  VW_RETURN_IF_ERROR(EnsureInitialized());
  cache_.EvictIfNeeded();
  ClusterState& cluster = Cluster(s.cluster);
  DatabaseState& db = Database(s.cluster, s.database);
  const int64_t rows = static_cast<int64_t>(s.tables.size());
  if (db.last_snapshot() != absl::InfinitePast()) {
    if (s.collected_at == db.last_snapshot()) {
      counters_.duplicates_ignored += rows;
      return absl::OkStatus();
    }
    if (s.collected_at < db.last_snapshot()) {
      counters_.out_of_order_ignored += rows;
      return absl::OkStatus();
    }
  }
  ++counters_.snapshots;
  counters_.table_rows += rows;
  cluster.Advance(s.collected_at);
  db.ApplySnapshot(s);
  cluster.NoteWorkers(s);
  NoteContextChanged(s.cluster, &db);
  const absl::Time now = s.collected_at;
  const int64_t now_us = absl::ToUnixMicros(now);
  // The same for every row: this database's count changes only after the loop.
  const int64_t cluster_over_trigger = ClusterTablesOverTrigger(cluster.cluster());
  int64_t over = 0;
  // The rows' keys; the states of those not cached are loaded with one scan where that pays.
  if (row_keys_.size() < s.tables.size()) row_keys_.resize(s.tables.size());
  for (size_t i = 0; i < s.tables.size(); ++i) {
    const ingest::TableStats& row = s.tables[i];
    EncodeTableKey(s.cluster, s.database, row.schemaname, row.relname, &row_keys_[i]);
  }
  absl::Cleanup end_prefetch = [this] { cache_.EndPrefetch(); };
  VW_RETURN_IF_ERROR(cache_.Prefetch(
      std::span<const std::string>(row_keys_.data(), s.tables.size()), s.cluster, s.database));
  for (size_t i = 0; i < s.tables.size(); ++i) {
    const ingest::TableStats& row = s.tables[i];
    const std::string& key = row_keys_[i];
    absl::StatusOr<Entry*> found = ResolveSnapshotRow(&db, &cluster, key, row.relid, now);
    if (!found.ok()) return found.status();
    Entry* e = *found;
    const Thresholds th = ComputeThresholds(s.settings, s.server_version_num, row);
    bool reset = false;
    const ApplyResult r =
        e->state().ApplySnapshotRow(now, row, th, db.ProgressFor(row.relid), config_.rate_window,
                                    db.horizon().horizon_key(), &reset);
    if (r == ApplyResult::kDuplicate) {
      ++counters_.duplicates_ignored;
      continue;
    }
    if (r == ApplyResult::kOutOfOrder) {
      ++counters_.out_of_order_ignored;
      continue;
    }
    if (reset) ++counters_.counter_resets;
    if (e->state().relid == 0) e->state().relid = row.relid;
    if (!s.measured_bloat.empty()) {
      // A few tables per round at most (the collector rations them): a scan is cheaper than
      // an index of them.
      for (const ingest::MeasuredBloat& m : s.measured_bloat) {
        if (m.relid == row.relid) e->state().ApplyMeasuredBloat(m, now);
      }
    }
    db.NoteTable(key, row.relname, e->state().relid, now_us);
    if (e->state().over_trigger()) ++over;
    cache_.MarkDirty(e);
    VW_RETURN_IF_ERROR(Evaluate(e, &db, &cluster, now, cluster_over_trigger));
    NotePaying(e);
  }
  ClusterOf(s.cluster).tables_over_trigger += over - db.tables_over_trigger;
  db.tables_over_trigger = over;
  // The database entry (server warnings, a root of this database only) and the cluster's:
  // re-evaluated at every snapshot, so what they hold resolves.
  VW_RETURN_IF_ERROR(EvaluateHorizonEntries(&db, &cluster, now));
  return SweepTtl(&cluster);
}

absl::Status Pipeline::Impl::EnsureInitialized() {
  if (initialized_) return init_status_;
  initialized_ = true;
  if (store_ == nullptr) return init_status_;
  absl::StatusOr<uint64_t> seq = store_->LastOutboxSeq();
  if (!seq.ok()) {
    init_status_ = seq.status();
    return init_status_;
  }
  last_seq_ = *seq;
  // Rebuild the per-database table index (relid, name, last seen) from the stored states.
  absl::Status decode_status;
  absl::Status s = store_->ForEachTable([&](std::string_view key, std::string_view value) {
    TableKey k;
    if (!TableKey::Decode(key, &k)) {
      decode_status = absl::DataLossError("state store: malformed table key");
      return false;
    }
    int64_t relid = 0, last_seen = kNever;
    decode_status = TableState::DecodeHeader(value, &relid, &last_seen);
    if (!decode_status.ok()) return false;
    Database(k.cluster, k.database).NoteTable(key, k.table, relid, last_seen);
    return true;
  });
  if (!s.ok()) init_status_ = s;
  if (init_status_.ok() && !decode_status.ok()) init_status_ = decode_status;
  if (init_status_.ok()) init_status_ = LoadContexts();
  return init_status_;
}

namespace {
constexpr std::string_view kDatabaseContextPrefix = "ctx:db:";
constexpr std::string_view kClusterContextPrefix = "ctx:cluster:";
}  // namespace

std::string Pipeline::Impl::DatabaseContextKey(std::string_view cluster,
                                               std::string_view database) {
  std::string key(kDatabaseContextPrefix);
  state::PutLengthPrefixedString(&key, cluster);
  key.append(database);
  return key;
}

std::string Pipeline::Impl::ClusterContextKey(std::string_view cluster) {
  std::string key(kClusterContextPrefix);
  key.append(cluster);
  return key;
}

absl::Status Pipeline::Impl::LoadContexts() {
  absl::Status status;
  VW_RETURN_IF_ERROR(
      store_->ForEachMeta(kClusterContextPrefix, [&](std::string_view key, std::string_view value) {
        key.remove_prefix(kClusterContextPrefix.size());
        ClusterEntry& entry = ClusterOf(key);
        status = entry.state->Decode(value);
        return status.ok();
      }));
  VW_RETURN_IF_ERROR(status);
  VW_RETURN_IF_ERROR(store_->ForEachMeta(
      kDatabaseContextPrefix, [&](std::string_view key, std::string_view value) {
        key.remove_prefix(kDatabaseContextPrefix.size());
        std::string_view cluster;
        if (!state::GetLengthPrefixedString(&key, &cluster)) {
          status = absl::DataLossError("state store: malformed database context key");
          return false;
        }
        DatabaseState& db = Database(cluster, key);
        status = db.DecodeContext(value);
        ClusterOf(cluster).tables_over_trigger += db.tables_over_trigger;
        return status.ok();
      }));
  return status;
}

void Pipeline::Impl::NoteContextChanged(std::string_view cluster, DatabaseState* db) {
  if (store_ == nullptr) return;
  ClusterEntry& entry = ClusterOf(cluster);
  if (!entry.context_changed) {
    entry.context_changed = true;
    changed_clusters_.push_back(&entry);
  }
  if (db != nullptr) changed_databases_.push_back(db);
}

void Pipeline::Impl::CheckpointContexts(state::StateStore::Batch* batch) {
  for (ClusterEntry* entry : changed_clusters_) {
    context_buf_.clear();
    entry->state->Encode(&context_buf_);
    batch->PutMeta(ClusterContextKey(entry->state->cluster()), context_buf_);
    entry->context_changed = false;
  }
  changed_clusters_.clear();
  std::sort(changed_databases_.begin(), changed_databases_.end());
  changed_databases_.erase(std::unique(changed_databases_.begin(), changed_databases_.end()),
                           changed_databases_.end());
  for (DatabaseState* db : changed_databases_) {
    context_buf_.clear();
    db->EncodeContext(&context_buf_);
    batch->PutMeta(DatabaseContextKey(db->cluster(), db->database()), context_buf_);
  }
  changed_databases_.clear();
}

Pipeline::Impl::ClusterEntry& Pipeline::Impl::ClusterOf(std::string_view name) {
  auto it = clusters_.find(AV(name));
  if (it == clusters_.end()) {
    it = clusters_.try_emplace(std::string(name)).first;
    it->second.state = std::make_unique<ClusterState>(std::string(name));
  }
  return it->second;
}

ClusterState& Pipeline::Impl::Cluster(std::string_view name) { return *ClusterOf(name).state; }

DatabaseState& Pipeline::Impl::Database(std::string_view cluster, std::string_view database) {
  auto& databases = ClusterOf(cluster).databases;
  auto it = databases.find(database);
  if (it == databases.end()) {
    it = databases
             .emplace(std::string(database),
                      std::make_unique<DatabaseState>(std::string(cluster), std::string(database)))
             .first;
  }
  return *it->second;
}

int64_t Pipeline::Impl::ClusterTablesOverTrigger(std::string_view cluster) const {
  auto it = clusters_.find(AV(cluster));
  return it == clusters_.end() ? 0 : it->second.tables_over_trigger;
}

const TableTuning* Pipeline::Impl::TuningFor(std::string_view encoded_key) {
  if (config_.overrides.empty()) return &config_.defaults;
  TableKey key;
  TableKey::Decode(encoded_key, &key);
  // The set of matching overrides decides the tuning: one bit per override, any number of them.
  matched_buf_.assign((config_.overrides.size() + 7) / 8, '\0');
  glob_buf_ = key.GlobSubject();
  for (size_t i = 0; i < config_.overrides.size(); ++i) {
    if (fnmatch(config_.overrides[i].match.c_str(), glob_buf_.c_str(), 0) == 0) {
      matched_buf_[i / 8] = static_cast<char>(matched_buf_[i / 8] | (1 << (i % 8)));
    }
  }
  auto it = tunings_.find(matched_buf_);
  if (it == tunings_.end()) it = tunings_.emplace(matched_buf_, config_.Resolve(glob_buf_)).first;
  return &it->second;
}

absl::StatusOr<Pipeline::Impl::Entry*> Pipeline::Impl::ResolveSnapshotRow(DatabaseState* db,
                                                                          ClusterState* cluster,
                                                                          const std::string& key,
                                                                          int64_t relid,
                                                                          absl::Time now) {
  absl::StatusOr<Entry*> found = cache_.Find(key);
  if (!found.ok()) return found.status();
  Entry* e = *found;
  if (e != nullptr && e->state().relid != 0 && relid != 0 && e->state().relid != relid) {
    // Same name, new relid: the old table was dropped and a new one created.
    VW_RETURN_IF_ERROR(ForceResolveAll(e, db, cluster, now, "table was dropped and recreated"));
    e->state() = TableState{};  // the entry keeps its tuning
    ++counters_.tables_dropped_relid;
    return e;
  }
  if (e != nullptr) return e;
  const std::string* old_key = relid != 0 ? db->KeyOfRelid(relid) : nullptr;
  if (old_key != nullptr && *old_key != key) {
    std::string old = *old_key;
    absl::StatusOr<Entry*> previous = cache_.Find(old);
    if (!previous.ok()) return previous.status();
    if (*previous != nullptr) {
      // Same relid, new name: a rename. The history moves; alerts raised under the old name
      // resolve under it and fire again under the new one if the condition still holds.
      VW_RETURN_IF_ERROR(ForceResolveAll(*previous, db, cluster, now, "table was renamed"));
      TableState moved = std::move((*previous)->state());
      cache_.Remove(*previous);
      db->ForgetTable(old);
      Entry* fresh = cache_.Create(key);
      fresh->state() = std::move(moved);
      ++counters_.tables_renamed;
      return fresh;
    }
    db->ForgetTable(old);
  }
  return cache_.Create(key);
}

absl::Status Pipeline::Impl::ForceResolveAll(Entry* e, DatabaseState* db, ClusterState* cluster,
                                             absl::Time now, std::string_view why) {
  EvalContext ctx;
  ctx.now = now;
  ctx.tuning = e->tuning();
  ctx.config = &config_;
  ctx.db = db;
  ctx.cluster = cluster;
  ctx.cluster_tables_over_trigger = ClusterTablesOverTrigger(cluster->cluster());
  for (int k = 0; k < kNumAlertKinds && e->state().has_alerts(); ++k) {
    const AlertKind kind = static_cast<AlertKind>(k);
    AlertState& a = e->state().mutable_alert(kind);
    absl::StatusOr<AlertStep> step = a.ForceResolve(now);
    if (!step.ok()) return step.status();
    if (*step == AlertStep::kResolved) Emit(e, kind, Emission::kResolved, ctx, why);
    a.cause = 0;
    a.severity = 0;
    e->state().set_holder(kind, std::nullopt);
  }
  e->state().ReleaseIdleAlerts();
  cache_.MarkDirty(e);
  return absl::OkStatus();
}

absl::Status Pipeline::Impl::Evaluate(Entry* e, DatabaseState* db, ClusterState* cluster,
                                      absl::Time now, int64_t cluster_over_trigger) {
  EvalContext ctx;
  ctx.now = now;
  ctx.tuning = e->tuning();
  ctx.config = &config_;
  ctx.db = db;
  ctx.cluster = cluster;
  ctx.cluster_tables_over_trigger = cluster_over_trigger >= 0
                                        ? cluster_over_trigger
                                        : ClusterTablesOverTrigger(cluster->cluster());
  if (IsEntityKey(e->key())) {
    // A database or cluster entry (no table name): which one, from its key.
    TableKey key;
    if (TableKey::Decode(e->key(), &key)) {
      ctx.scope = key.database.empty() ? EntryScope::kCluster : EntryScope::kDatabase;
    }
  }
  const auto& detectors = AllDetectors();
  Verdict v;
  for (int k = 0; k < kNumAlertKinds; ++k) {
    const AlertKind kind = static_cast<AlertKind>(k);
    v.Reset();
    detectors[k]->Evaluate(ctx, e->state(), &v);
    // An inactive alert whose condition does not hold has nothing to do (and no state).
    if (!v.holds && e->state().alert(kind).phase() == AlertPhase::kInactive) continue;
    AlertState& a = e->state().mutable_alert(kind);
    const AlertPhase before = a.phase();
    // Cause, severity and holder are decided while the alert is pending (a known cause beats
    // unknown, a later one replaces an earlier one) and frozen once it fires, so the resolved
    // alert says what the firing one said.
    if (v.holds && (before == AlertPhase::kInactive || before == AlertPhase::kPending)) {
      if (v.cause != Cause::kUnknown || a.cause == static_cast<uint8_t>(Cause::kUnknown) ||
          before == AlertPhase::kInactive) {
        if (a.cause != static_cast<uint8_t>(v.cause)) {
          e->state().set_holder(kind, std::move(v.holder));
        } else if (v.holder.has_value()) {
          // The same holder seen again keeps the oldest horizon it was seen holding: that is
          // the evidence the cause was decided on (a worker's xmin moves between transactions).
          const HolderRecord* kept = e->state().holder(kind);
          if (kept != nullptr && SameHolder(*kept, *v.holder)) {
            v.holder->age_xids = std::max(v.holder->age_xids, kept->age_xids);
            if (v.holder->vacuuming_relid == 0) v.holder->vacuuming_relid = kept->vacuuming_relid;
            v.holder->since_us =
                std::min(v.holder->since_us == kNever ? kept->since_us : v.holder->since_us,
                         kept->since_us == kNever ? v.holder->since_us : kept->since_us);
          }
          e->state().set_holder(kind, std::move(v.holder));
        }
        a.cause = static_cast<uint8_t>(v.cause);
      }
      a.severity = static_cast<uint8_t>(v.severity);
    }
    if (v.holds && before == AlertPhase::kFiring && v.holder.has_value() &&
        kind == AlertKind::kAutovacuumNotKeepingUp) {
      // A different root, proved by the runs, while firing: the alert names it from now on.
      const HolderRecord* kept = e->state().holder(kind);
      if (kept != nullptr && !SameRoot(*kept, *v.holder)) {
        const std::string was = HolderId(*kept);
        e->state().set_holder(kind, std::move(v.holder));
        Emit(e, kind, Emission::kRootChanged, ctx, was);
      }
    }
    AlertWindow window = e->tuning()->window(kind);
    if (v.fire_now) window.for_duration = absl::ZeroDuration();
    if (v.clear_for.has_value()) window.clear_for = *v.clear_for;
    absl::StatusOr<AlertStep> step = a.Step(now, v.holds, window);
    if (!step.ok()) return step.status();
    if (*step == AlertStep::kFired) Emit(e, kind, Emission::kFired, ctx, "");
    if (*step == AlertStep::kResolved) Emit(e, kind, Emission::kResolved, ctx, "");
    const uint8_t was = a.severity;
    if (v.holds && a.Escalate(static_cast<uint8_t>(v.severity))) {
      Emit(e, kind, Emission::kEscalated, ctx, SeverityName(static_cast<Severity>(was)));
    }
    if (a.phase() == AlertPhase::kInactive && before != AlertPhase::kInactive) {
      a.cause = 0;
      a.severity = 0;
      e->state().set_holder(kind, std::nullopt);
    }
  }
  e->state().ReleaseIdleAlerts();
  return absl::OkStatus();
}

void Pipeline::Impl::Emit(Entry* e, AlertKind kind, Emission what, const EvalContext& base,
                          std::string_view note) {
  const bool firing = what != Emission::kResolved;
  TableKey key;
  TableKey::Decode(e->key(), &key);
  EvalContext ctx = base;
  ctx.key = &key;
  const AlertState& a = e->state().alert(kind);
  const Detector* d = AllDetectors()[static_cast<int>(kind)];
  AlertTransition t;
  t.seq = ++last_seq_;
  Alert& al = t.alert;
  FillAlertHeader(key, kind, a, e->state().holder(kind), firing, ctx.now, &al);
  d->Describe(ctx, e->state(), &al);
  if (what == Emission::kResolved) {
    al.summary = absl::StrCat(
        "Resolved", note.empty() ? "" : absl::StrCat(" (", std::string(note), ")"), " after ",
        HumanDuration(absl::ToDoubleSeconds(*al.ends_at - al.starts_at)), ": ", al.summary);
  } else if (what == Emission::kEscalated) {
    al.summary = absl::StrCat("Escalated to ", std::string(SeverityName(al.severity)), " (was ",
                              std::string(note), "): ", al.summary);
  } else if (what == Emission::kRootChanged) {
    al.summary = absl::StrCat("Root changed (was ", std::string(note), "): ", al.summary);
  }
  pending_.push_back(std::move(t));
  ++counters_.transitions;
}

void Pipeline::Impl::NotePaying(Entry* e) {
  const TableState& s = e->state();
  if (!s.has_alerts()) return;
  const AlertState& a = s.alert(AlertKind::kAutovacuumNotKeepingUp);
  if (!a.active() || a.cause != static_cast<uint8_t>(Cause::kXminHorizon) ||
      s.holder(AlertKind::kAutovacuumNotKeepingUp) == nullptr) {
    return;
  }
  // Only the entry: its name is built if a tracked root turns out to be the one it names.
  paying_.push_back(e);
}

absl::Status Pipeline::Impl::EvaluateHorizonEntries(DatabaseState* db, ClusterState* cluster,
                                                    absl::Time now) {
  absl::Cleanup forget_paying = [this] { paying_.clear(); };
  const Horizon& horizon = db->horizon();
  const HolderRecord* cluster_root = horizon.ClusterRoot();
  const HolderRecord* db_root =
      horizon.Root() != nullptr && !horizon.Root()->cluster_wide ? horizon.Root() : nullptr;
  const int64_t now_us = absl::ToUnixMicros(now);
  const std::string db_prefix = absl::StrCat(db->database(), ".");
  for (const bool cluster_entry : {true, false}) {
    const HolderRecord* root = cluster_entry ? cluster_root : db_root;
    // The cluster's entry is indexed under a database of no name, so that the TTL sweep and
    // a restart find it like any other.
    DatabaseState& index = cluster_entry ? Database(cluster->cluster(), "") : *db;
    EncodeTableKey(cluster->cluster(), cluster_entry ? "" : db->database(), "", "", &key_buf_);
    const std::string key = key_buf_;
    Entry* e = nullptr;
    if (index.HasTable(key)) {
      absl::StatusOr<Entry*> found = cache_.Find(key);
      if (!found.ok()) return found.status();
      e = *found;
    }
    if (e == nullptr) {
      // Every busy database has some transaction running at each snapshot: an entry (a state
      // to keep and write) is made only for a root that has held for a while, by its own
      // start time, or, without one (slots, walsenders), that is already old in XIDs.
      if (root == nullptr) continue;
      const absl::Duration wait = std::min(
          config_.defaults.window(AlertKind::kXminHorizonHeld).for_duration, absl::Minutes(1));
      const bool worth_tracking = root->since_us != kNever
                                      ? now - absl::FromUnixMicros(root->since_us) >= wait
                                      : root->age_xids >= kMinUntimedRootAgeXids;
      if (!worth_tracking) continue;
      e = cache_.Create(key);
    }
    e->state().Touch(now);
    index.NoteTable(key, "", 0, now_us);
    cache_.MarkDirty(e);
    VW_RETURN_IF_ERROR(Evaluate(e, db, cluster, now));
    // The tables of this database paying for the root the entry names: replaces what the
    // entry knew of this database, keeps the other databases' (sorted, bounded).
    HolderRecord* held = e->state().mutable_holder(AlertKind::kXminHorizonHeld);
    if (held == nullptr) continue;
    std::vector<std::string> names;
    for (absl::string_view line : absl::StrSplit(held->paying_tables, '\n', absl::SkipEmpty())) {
      if (!absl::StartsWith(line, db_prefix)) names.emplace_back(line);
    }
    TableKey paying_key;
    for (Entry* p : paying_) {
      const HolderRecord* h = p->state().holder(AlertKind::kAutovacuumNotKeepingUp);
      if (h == nullptr || !SameRoot(*h, *held) || !TableKey::Decode(p->key(), &paying_key)) {
        continue;
      }
      names.push_back(absl::StrCat(paying_key.database, ".", paying_key.QualifiedName()));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.size() > static_cast<size_t>(kMaxPayingTables)) names.resize(kMaxPayingTables);
    held->paying_tables = absl::StrJoin(names, "\n");
  }
  return absl::OkStatus();
}

absl::Status Pipeline::Impl::SweepTtl(ClusterState* cluster) {
  const int64_t now_us = absl::ToUnixMicros(cluster->now());
  const int64_t ttl_us = absl::ToInt64Microseconds(config_.table_ttl);
  const int64_t every_us = std::max<int64_t>(ttl_us / 24, 1);
  ClusterEntry& entry = ClusterOf(cluster->cluster());
  if (!cluster->last_ttl_sweep_us.has_value()) {
    cluster->last_ttl_sweep_us = now_us;
    return absl::OkStatus();
  }
  if (now_us - *cluster->last_ttl_sweep_us < every_us) return absl::OkStatus();
  cluster->last_ttl_sweep_us = now_us;
  for (auto db = entry.databases.begin(); db != entry.databases.end(); ++db) {
    std::vector<std::string> expired;
    db->second->ForEachTable([&](absl::string_view key, int64_t, int64_t last_seen_us) {
      if (last_seen_us != kNever && now_us - last_seen_us > ttl_us) {
        expired.emplace_back(key.data(), key.size());
      }
    });
    std::sort(expired.begin(), expired.end());  // emission order must not follow the hash map
    for (const std::string& key : expired) {
      absl::StatusOr<Entry*> e = cache_.Find(key);
      if (!e.ok()) return e.status();
      if (*e != nullptr) {
        VW_RETURN_IF_ERROR(ForceResolveAll(*e, db->second.get(), cluster, cluster->now(),
                                           "table not seen for the table_ttl"));
        cache_.Remove(*e);
      } else {
        cache_.RemoveStored(key);
      }
      db->second->ForgetTable(key);
      ++counters_.tables_dropped_ttl;
    }
  }
  return absl::OkStatus();
}

absl::Status Pipeline::Impl::OnLogEvent(const ingest::LogEvent& e) {
  VW_RETURN_IF_ERROR(EnsureInitialized());
  cache_.EvictIfNeeded();
  ClusterState& cluster = Cluster(e.cluster);
  cluster.Advance(e.time);
  NoteContextChanged(e.cluster, nullptr);
  std::string key;
  switch (e.type) {
    case ingest::LogEventType::kVacuum:
    case ingest::LogEventType::kAnalyze:
    case ingest::LogEventType::kVacuumCancelled:
    case ingest::LogEventType::kAnalyzeCancelled: {
      std::string_view database = e.database;
      if (database.empty()) {
        if (const std::string* d = cluster.DatabaseOfPid(e.pid, e.time)) database = *d;
      }
      if (e.table.empty() || database.empty()) {
        ++counters_.unresolved_skips;
        return absl::OkStatus();
      }
      cluster.LearnPid(e.pid, database, e.time);
      EncodeTableKey(e.cluster, database, e.schema, e.table, &key_buf_);
      key = key_buf_;
      break;
    }
    case ingest::LogEventType::kVacuumSkipped:
    case ingest::LogEventType::kAnalyzeSkipped: {
      absl::StatusOr<std::string> k = ResolveSkip(e, &cluster);
      if (!k.ok()) return k.status();
      if (k->empty()) {
        ++counters_.unresolved_skips;
        return absl::OkStatus();
      }
      key = std::move(*k);
      break;
    }
    case ingest::LogEventType::kWraparoundWarning: {
      std::string_view database = e.database;
      if (database.empty()) {
        if (const std::string* d = cluster.DatabaseOfPid(e.pid, e.time)) database = *d;
      }
      if (!e.table.empty() && !e.schema.empty() && !database.empty()) {
        EncodeTableKey(e.cluster, database, e.schema, e.table, &key_buf_);
      } else {
        EncodeTableKey(e.cluster, database, "", "", &key_buf_);
      }
      key = key_buf_;
      break;
    }
  }
  TableKey names;
  TableKey::Decode(key, &names);
  DatabaseState& db = Database(names.cluster, names.database);
  absl::StatusOr<Entry*> found = cache_.FindOrCreate(key);
  if (!found.ok()) return found.status();
  Entry* entry = *found;
  ApplyResult r = ApplyResult::kApplied;
  switch (e.type) {
    case ingest::LogEventType::kVacuum:
      r = entry->state().ApplyVacuum(e);
      break;
    case ingest::LogEventType::kAnalyze:
      r = entry->state().ApplyAnalyze(e);
      break;
    case ingest::LogEventType::kVacuumCancelled:
      r = entry->state().ApplyConflict(e, ConflictKind::kVacuumCancelled);
      break;
    case ingest::LogEventType::kAnalyzeCancelled:
      r = entry->state().ApplyConflict(e, ConflictKind::kAnalyzeCancelled);
      break;
    case ingest::LogEventType::kVacuumSkipped:
      r = entry->state().ApplyConflict(e, ConflictKind::kVacuumSkipped);
      break;
    case ingest::LogEventType::kAnalyzeSkipped:
      r = entry->state().ApplyConflict(e, ConflictKind::kAnalyzeSkipped);
      break;
    case ingest::LogEventType::kWraparoundWarning:
      r = entry->state().ApplyWraparoundWarning(e);
      break;
  }
  if (r == ApplyResult::kDuplicate) {
    ++counters_.duplicates_ignored;
    return absl::OkStatus();
  }
  if (r == ApplyResult::kOutOfOrder) {
    ++counters_.out_of_order_ignored;
    return absl::OkStatus();
  }
  ++counters_.log_events;
  db.NoteTable(key, names.table, entry->state().relid, absl::ToUnixMicros(e.time));
  cache_.MarkDirty(entry);
  if (e.type != ingest::LogEventType::kAnalyze) {
    VW_RETURN_IF_ERROR(Evaluate(entry, &db, &cluster, cluster.now()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Pipeline::Impl::ResolveSkip(const ingest::LogEvent& e,
                                                        ClusterState* cluster) {
  std::string_view database = e.database;
  if (database.empty()) {
    if (const std::string* d = cluster->DatabaseOfPid(e.pid, e.time)) database = *d;
  }
  int matches = 0;
  const auto& databases = ClusterOf(e.cluster).databases;
  if (!database.empty()) {
    auto it = databases.find(database);
    if (it == databases.end()) return std::string();
    const std::string* key = it->second->KeyOfRelname(e.table, &matches);
    return key != nullptr ? *key : std::string();
  }
  // No database in the line and the pid is unknown: the name must be unique in the cluster.
  std::string only;
  int total = 0;
  for (const auto& [name, db] : databases) {
    const std::string* key = db->KeyOfRelname(e.table, &matches);
    total += matches;
    if (key != nullptr) only = *key;  // the pointer is valid only until db's next lookup
  }
  return total == 1 ? only : std::string();
}

absl::Status Pipeline::Impl::Checkpoint(state::StateStore::Batch* batch,
                                        std::vector<AlertTransition>* emitted) {
  VW_RETURN_IF_ERROR(EnsureInitialized());
  cache_.Checkpoint(batch);
  CheckpointContexts(batch);
  std::string json;
  for (AlertTransition& t : pending_) {
    WriteAlertJson(t.alert, &json);
    batch->PutOutbox(t.seq, json);
    emitted->push_back(std::move(t));
  }
  pending_.clear();
  cache_.EvictIfNeeded();
  return absl::OkStatus();
}

absl::StatusOr<Explanation> Pipeline::Impl::Explain(std::string_view name, absl::Time now) {
  VW_RETURN_IF_ERROR(EnsureInitialized());
  TableKey key;
  const size_t slash = name.find('/');
  const size_t dot1 = name.find('.', slash == std::string_view::npos ? 0 : slash + 1);
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : name.find('.', dot1 + 1);
  if (slash == std::string_view::npos || dot2 == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", std::string(name),
                                                   "' is not cluster/database.schema.table (e.g. "
                                                   "prod-eu-1/shop.public.orders)"));
  }
  key.cluster = std::string(name.substr(0, slash));
  key.database = std::string(name.substr(slash + 1, dot1 - slash - 1));
  key.schema = std::string(name.substr(dot1 + 1, dot2 - dot1 - 1));
  key.table = std::string(name.substr(dot2 + 1));
  const std::string encoded = key.Encode();
  absl::StatusOr<Entry*> found = cache_.Find(encoded);
  if (!found.ok()) return found.status();
  if (*found == nullptr) {
    return absl::NotFoundError(absl::StrCat("no state for ", std::string(name),
                                            ": vacwatch has not seen that table (names are "
                                            "cluster/database.schema.table as the snapshots "
                                            "spell them)"));
  }
  Entry* e = *found;
  const TableState& s = e->state();
  auto cluster_it = clusters_.find(AV(key.cluster));
  ClusterState* cluster = cluster_it != clusters_.end() ? cluster_it->second.state.get() : nullptr;
  DatabaseState* db = nullptr;
  if (cluster_it != clusters_.end()) {
    auto db_it = cluster_it->second.databases.find(key.database);
    if (db_it != cluster_it->second.databases.end()) db = db_it->second.get();
  }
  if (now == absl::InfinitePast()) {
    now = cluster != nullptr && cluster->now() != absl::InfinitePast()
              ? cluster->now()
              : absl::FromUnixMicros(s.last_seen_us == kNever ? 0 : s.last_seen_us);
  }
  EvalContext ctx;
  ctx.now = now;
  ctx.key = &key;
  ctx.tuning = e->tuning();
  ctx.config = &config_;
  ctx.db = db;
  ctx.cluster = cluster;
  ctx.cluster_tables_over_trigger = ClusterTablesOverTrigger(key.cluster);

  Explanation out;
  out.table = key.GlobSubject();
  ExplainSection& id = out.Section("Table");
  id.Add("relid", absl::StrCat(s.relid));
  id.Add("first seen", Time(s.first_seen_us));
  id.Add("last snapshot", Time(s.last_snapshot_us));
  id.Add("last log event", Time(s.last_log_us),
         s.last_log_us == kNever ? "no autovacuum log entry seen: skips and cancels show only "
                                   "in the log (log_autovacuum_min_duration = 0)"
                                 : "");
  id.Add("judged at", Time(absl::ToUnixMicros(now)));

  ExplainSection& trigger = out.Section("Autovacuum trigger");
  trigger.Add("vacuum trigger",
              s.vacuum_trigger < 0
                  ? std::string("unknown (no snapshot yet)")
                  : absl::StrFormat("%s = threshold %d + scale_factor %g x reltuples %s",
                                    HumanCount(s.vacuum_trigger), s.base_threshold, s.scale_factor,
                                    HumanCount(std::max(0.0, s.reltuples))),
              (s.av_flags & (TableState::kAvTableScaleFactor | TableState::kAvTableThreshold))
                  ? "the table's reloptions"
                  : "the server's settings");
  if (s.insert_trigger >= 0) trigger.Add("insert trigger", HumanCount(s.insert_trigger));
  trigger.Add("freeze max age", absl::StrCat(s.freeze_max_age));
  trigger.Add("cost limit / delay", absl::StrFormat("%d / %g ms", s.cost_limit, s.cost_delay_ms));

  ExplainSection& dead = out.Section("Dead tuples");
  dead.Add("n_dead_tup", absl::StrCat(s.n_dead),
           "the latest snapshot's, or what the latest run left");
  dead.Add("n_live_tup", absl::StrCat(s.n_live));
  dead.Add("dead ratio", absl::StrFormat("%.1f%%", 100 * s.dead_ratio()));
  dead.Add("over the trigger since", s.over_trigger() ? Time(s.over_since_us) : "not over");
  const TableRates rates = s.Rates(now);
  auto rate = [](const std::optional<double>& v, const char* unit) {
    return v.has_value() ? absl::StrFormat("%.3g %s", *v, unit) : std::string("not known yet");
  };
  dead.Add("dead tuples generated", rate(rates.dead_growth_per_s, "/s"));
  dead.Add("dead tuples removed", rate(rates.removal_per_s, "/s"), "from the log's runs");
  dead.Add("dead ratio velocity", rate(rates.dead_ratio_per_h, "/h"));

  ExplainSection& runs = out.Section("Last runs (newest first)");
  for (int i = 0; i < s.run_count(); ++i) {
    const RunRecord& r = s.run(i);
    runs.Add(Time(r.end_us),
             absl::StrCat(r.removed(), " removed, ", r.not_yet_removable(),
                          " dead but not yet removable",
                          r.duration_s().has_value() ? absl::StrFormat(", %.1fs", *r.duration_s())
                                                     : std::string(),
                          r.aggressive() ? ", aggressive" : ""));
  }
  if (s.run_count() == 0) runs.Add("runs", "none logged");
  for (int i = 0; i < s.conflict_count(); ++i) {
    const ConflictRecord& c = s.conflict(i);
    runs.Add(Time(c.t_us()), c.kind() == ConflictKind::kVacuumSkipped     ? "vacuum skipped"
                             : c.kind() == ConflictKind::kVacuumCancelled ? "vacuum cancelled"
                             : c.kind() == ConflictKind::kAnalyzeSkipped  ? "analyze skipped"
                                                                          : "analyze cancelled");
  }

  ExplainSection& horizon = out.Section("Horizon");
  horizon.Add("removable cutoff of the latest runs",
              s.cutoff_xid < 0                    ? std::string("unknown")
              : s.cutoff_xid >= kFirstIdentityKey ? std::string("the root's (older snapshot)")
                                                  : absl::StrCat(s.cutoff_xid),
              absl::StrCat(s.cutoff_runs, " runs in a row at it left dead tuples behind"));
  if (db != nullptr && db->horizon().Root() != nullptr) {
    const HolderRecord* root = db->horizon().Root();
    horizon.Add("root in the latest snapshot", HolderPhrase(*root, now, ""),
                root->cluster_wide ? "scope cluster" : "scope database");
    const HolderRecord* exact = db->horizon().WithXid(s.cutoff_xid);
    horizon.Add("holds the runs' cutoff",
                exact != nullptr ? HolderPhrase(*exact, now, "") : std::string("nothing listed"));
  } else {
    horizon.Add("root", "no snapshot of this database in this run");
  }

  const auto& detectors = AllDetectors();
  for (int k = 0; k < kNumAlertKinds; ++k) {
    const AlertKind kind = static_cast<AlertKind>(k);
    ExplainSection& d = out.Section(absl::StrCat("Detector ", std::string(AlertKindName(kind))));
    detectors[k]->Explain(ctx, s, &d);
    const AlertState& a = s.alert(kind);
    const AlertWindow& w = e->tuning()->window(kind);
    d.Add("alert",
          absl::StrCat(std::string(AlertPhaseName(a.phase())),
                       a.phase() != AlertPhase::kInactive
                           ? absl::StrCat(" since ", Time(a.since_us()), ", cause ",
                                          std::string(CauseName(static_cast<Cause>(a.cause))))
                           : std::string()),
          absl::StrCat("for ", HumanDuration(absl::ToDoubleSeconds(w.for_duration)), ", clear_for ",
                       HumanDuration(absl::ToDoubleSeconds(w.clear_for)),
                       w.enabled ? "" : ", disabled"));
    if (const HolderRecord* h = s.holder(kind)) d.Add("names", HolderPhrase(*h, now, ""));
  }
  return out;
}

absl::StatusOr<Explanation> Pipeline::Explain(std::string_view table, absl::Time now) {
  return impl_->Explain(table, now);
}

Pipeline::Pipeline(const PipelineConfig& config, state::StateStore* store)
    : impl_(std::make_unique<Impl>(config, store)) {}
Pipeline::~Pipeline() = default;

absl::Status Pipeline::OnSnapshot(const ingest::Snapshot& snapshot) {
  return impl_->OnSnapshot(snapshot);
}

absl::Status Pipeline::OnLogEvent(const ingest::LogEvent& event) {
  return impl_->OnLogEvent(event);
}

absl::Status Pipeline::Checkpoint(state::StateStore::Batch* batch,
                                  std::vector<AlertTransition>* emitted) {
  return impl_->Checkpoint(batch, emitted);
}

const PipelineCounters& Pipeline::counters() const { return impl_->counters(); }
int64_t Pipeline::TablesTracked() const { return impl_->TablesTracked(); }

}  // namespace vacwatch::pipeline
