#ifndef VACWATCH_PIPELINE_DATABASE_STATE_H_
#define VACWATCH_PIPELINE_DATABASE_STATE_H_

// DatabaseState and ClusterState: what the pipeline knows about one database and one cluster
// beyond single tables, rebuilt from the latest snapshot. Their context (all but the table
// index, which the pipeline rebuilds from the stored table states) is kept in the state at
// each checkpoint (EncodeContext / DecodeContext, database_state_codec.cc), so that after a
// restart a log event before the database's next snapshot meets the same holders, workers
// and pid map as it would have without the restart.
//
// DatabaseState (per cluster + database):
//   - the xmin horizon holders of its latest snapshot: sessions (pid, application_name, state,
//     backend_type, xact_start, age), replication slots, prepared transactions; and which one
//     pins THIS database's tables: a session or a prepared transaction pins only its own
//     database, a replication slot's xmin (hot_standby_feedback) pins every database (a logical
//     slot's catalog_xmin pins only catalogs and is ignored for user tables);
//   - the vacuums in progress (pg_stat_progress_vacuum);
//   - an index of the tables seen in it: by relid (renames) and by relname (skip lines name only
//     the relation). This index is the one structure that grows with the number of tables
//     (about 130 bytes per table: a 32-byte record, the key and name bytes in one arena, and
//     three hash sets of 4-byte record numbers); table states themselves are bounded by
//     max_cached_tables.
// ClusterState (per cluster): the event-time clock, autovacuum workers busy vs
//   autovacuum_max_workers, tables over their trigger per database, and a pid -> database map
//   learned from vacuum/analyze/cancel entries and from the snapshots' autovacuum workers (an
//   autovacuum worker serves one database), used to place skip lines that carry no database.
//
//   DatabaseState db("prod-eu-1", "reporting");
//   db.ApplySnapshot(snapshot);                    // copies what it keeps
//   const HolderRecord* root = db.horizon().Root();
//
// Nothing keeps a reference to a Snapshot past ApplySnapshot.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/snapshot.h"
#include "pipeline/horizon.h"

namespace vacwatch::pipeline {

struct ProgressRecord {
  int32_t pid = 0;
  int64_t relid = 0;
  bool autovacuum = false;  // backend_type "autovacuum worker"
  std::string phase;
  int64_t start_us = INT64_MIN;  // xact_start
  int64_t heap_blks_total = -1, heap_blks_scanned = -1, index_vacuum_count = -1;
};

class DatabaseState {
 public:
  DatabaseState(std::string cluster, std::string database);
  // The index's hash functions point back to it: not copyable or movable.
  DatabaseState(const DatabaseState&) = delete;
  DatabaseState& operator=(const DatabaseState&) = delete;

  const std::string& cluster() const { return cluster_; }
  const std::string& database() const { return database_; }

  // Replaces holders, slots, prepared transactions, progress and settings with the snapshot's.
  void ApplySnapshot(const ingest::Snapshot& snapshot);
  absl::Time last_snapshot() const { return last_snapshot_; }
  void set_last_snapshot(absl::Time t) { last_snapshot_ = t; }

  // Who holds this database's horizon in the latest snapshot (horizon.h): the root, the
  // cluster-wide root, the candidate holding a given value.
  const Horizon& horizon() const { return horizon_; }
  // The vacuum in progress on `relid`, or null.
  const ProgressRecord* ProgressFor(int64_t relid) const;
  const std::vector<ProgressRecord>& progress() const { return progress_; }

  // Table index. Keys are the pipeline's encoded table keys (table_key.h).
  // Records (or refreshes) a table under its encoded key.
  void NoteTable(std::string_view key, std::string_view relname, int64_t relid, int64_t seen_us);
  void ForgetTable(std::string_view key);
  bool HasTable(std::string_view key) const;
  size_t table_count() const { return by_key_.size(); }
  // Calls fn(key, relid, last_seen_us) for every table, in no particular order. `fn` must not
  // change the index.
  template <typename Fn>
  void ForEachTable(Fn fn) const {
    for (uint32_t i : by_key_) fn(KeyOf(i), records_[i].relid, records_[i].last_seen_us);
  }
  // The key of the table with this relid, or null. The pointer (to a copy) stays valid until
  // the next KeyOfRelid / KeyOfRelname call on this DatabaseState.
  const std::string* KeyOfRelid(int64_t relid) const;
  // The key of the only table named `relname` (any schema), or null when none or several.
  // Same validity as KeyOfRelid.
  const std::string* KeyOfRelname(std::string_view relname, int* matches) const;

  int64_t autovacuum_max_workers() const { return max_workers_; }
  int64_t naptime_s() const { return naptime_s_; }
  std::optional<int64_t> server_version_num() const { return server_version_num_; }

  // Tables of this database over their vacuum trigger in the latest complete snapshot.
  int64_t tables_over_trigger = 0;

  // The context: the latest snapshot's time, holders, progress and settings, and
  // tables_over_trigger. Encode appends to `*out`; Decode replaces the context (not the
  // index) and returns DataLoss for bytes it cannot read (an unknown version included).
  void EncodeContext(std::string* out) const;
  absl::Status DecodeContext(std::string_view bytes);

 private:
  std::string cluster_, database_;
  absl::Time last_snapshot_ = absl::InfinitePast();
  Horizon horizon_;
  std::vector<ProgressRecord> progress_;
  int64_t max_workers_ = 3;
  int64_t naptime_s_ = 60;
  std::optional<int64_t> server_version_num_;

  // The index is compact because it grows with every table of the fleet: one record per
  // table, its key and name bytes in one arena, and hash sets of record numbers whose hash and
  // equality look through to the records (heterogeneous lookup by key, relid or name).
  struct Record {
    int64_t relid = 0;
    int64_t last_seen_us = INT64_MIN;
    uint32_t offset = 0;  // of the key in arena_, the name right after it
    uint32_t key_size = 0;
    uint32_t name_size = 0;
  };
  struct ByKeyHash {
    using is_transparent = void;
    const DatabaseState* db;
    size_t operator()(uint32_t i) const { return (*this)(db->KeyOf(i)); }
    size_t operator()(absl::string_view key) const { return absl::Hash<absl::string_view>()(key); }
  };
  struct ByKeyEq {
    using is_transparent = void;
    const DatabaseState* db;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, absl::string_view b) const { return db->KeyOf(a) == b; }
    bool operator()(absl::string_view a, uint32_t b) const { return a == db->KeyOf(b); }
  };
  struct ByRelidHash {
    using is_transparent = void;
    const DatabaseState* db;
    size_t operator()(uint32_t i) const { return (*this)(db->records_[i].relid); }
    size_t operator()(int64_t relid) const { return absl::Hash<int64_t>()(relid); }
  };
  struct ByRelidEq {
    using is_transparent = void;
    const DatabaseState* db;
    bool operator()(uint32_t a, uint32_t b) const {
      return db->records_[a].relid == db->records_[b].relid;
    }
    bool operator()(uint32_t a, int64_t b) const { return db->records_[a].relid == b; }
    bool operator()(int64_t a, uint32_t b) const { return a == db->records_[b].relid; }
  };
  // The name set is keyed by names (one entry per distinct name): two records of one name
  // are equal here.
  struct ByNameHash {
    using is_transparent = void;
    const DatabaseState* db;
    size_t operator()(uint32_t i) const { return (*this)(db->NameOf(i)); }
    size_t operator()(absl::string_view name) const {
      return absl::Hash<absl::string_view>()(name);
    }
  };
  struct ByNameEq {
    using is_transparent = void;
    const DatabaseState* db;
    bool operator()(uint32_t a, uint32_t b) const { return db->NameOf(a) == db->NameOf(b); }
    bool operator()(uint32_t a, absl::string_view b) const { return db->NameOf(a) == b; }
    bool operator()(absl::string_view a, uint32_t b) const { return a == db->NameOf(b); }
  };

  absl::string_view KeyOf(uint32_t i) const {
    return absl::string_view(arena_.data() + records_[i].offset, records_[i].key_size);
  }
  absl::string_view NameOf(uint32_t i) const {
    return absl::string_view(arena_.data() + records_[i].offset + records_[i].key_size,
                             records_[i].name_size);
  }
  // Stores key and name in the arena for record `i` (compacting the arena when half of it is
  // garbage).
  void StoreBytes(uint32_t i, std::string_view key, std::string_view name);
  void CompactArena();
  void AddName(uint32_t i);
  void RemoveName(uint32_t i);

  std::vector<Record> records_;
  std::vector<uint32_t> free_records_;
  std::string arena_;
  size_t arena_garbage_ = 0;
  absl::flat_hash_set<uint32_t, ByKeyHash, ByKeyEq> by_key_;
  absl::flat_hash_set<uint32_t, ByRelidHash, ByRelidEq> by_relid_;  // the latest per relid
  // One record per distinct name (the name's representative) and how many records have it.
  absl::flat_hash_map<uint32_t, int32_t, ByNameHash, ByNameEq> by_name_;
  mutable std::string found_key_;  // what KeyOfRelid / KeyOfRelname point to
};

class ClusterState {
 public:
  explicit ClusterState(std::string cluster) : cluster_(std::move(cluster)) {}
  const std::string& cluster() const { return cluster_; }

  // The cluster's event-time clock: the latest event time seen. Never goes backwards.
  absl::Time now() const { return clock_; }
  void Advance(absl::Time t) {
    if (t > clock_) clock_ = t;
  }

  // pid -> database of autovacuum workers. Entries older than an hour of event time are
  // pruned once the map holds more than a few thousand (pids are reused; workers are short).
  void LearnPid(int32_t pid, std::string_view database, absl::Time t);
  // The database `pid` last served, if learned (and not older than an hour before `t`).
  const std::string* DatabaseOfPid(int32_t pid, absl::Time t) const;

  // Autovacuum workers busy in the latest snapshot (distinct pids of autovacuum workers among
  // xmin holders and vacuums in progress) and autovacuum_max_workers.
  void NoteWorkers(const ingest::Snapshot& snapshot);
  int64_t workers_busy() const { return workers_busy_; }
  int64_t max_workers() const { return max_workers_; }

  // When the pipeline last swept the cluster's tables for the table_ttl (event time, us);
  // nullopt before the first sweep.
  std::optional<int64_t> last_ttl_sweep_us;

  // Everything above but the name, as for DatabaseState::EncodeContext (the pid map in pid
  // order, so the same state gives the same bytes).
  void Encode(std::string* out) const;
  absl::Status Decode(std::string_view bytes);

 private:
  std::string cluster_;
  absl::Time clock_ = absl::InfinitePast();
  struct PidEntry {
    std::string database;
    int64_t seen_us = 0;
  };
  absl::flat_hash_map<int32_t, PidEntry> pids_;
  int64_t workers_busy_ = 0;
  int64_t max_workers_ = 3;
  std::vector<int32_t> scratch_pids_;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_DATABASE_STATE_H_
