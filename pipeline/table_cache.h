#ifndef VACWATCH_PIPELINE_TABLE_CACHE_H_
#define VACWATCH_PIPELINE_TABLE_CACHE_H_

// TableCache: the pipeline's table states by store key (table_key.h), held in memory up to
// max_cached_tables and read from and written back to the StateStore. Between checkpoints the
// entries in use hold their state decoded (live), up to about a thousand: past that, at the next
// EvictIfNeeded, they go back to their bytes, the changed ones encoded first. The others keep
// only the encoded bytes, about a seventh of the decoded size, which is what lets a cache of a
// million tables fit in memory. Entries changed since the last checkpoint are dirty and stay
// (live or encoded); clean ones form an LRU list and are evicted past the bound. Database and
// cluster entries (IsEntityKey) do not count against it.
//
//   TableCache cache(config.max_cached_tables, store, tuning_for, &counters);
//   cache.EvictIfNeeded();                                  // between inputs, never during one
//   VW_ASSIGN_OR_RETURN(TableCache::Entry* e, cache.FindOrCreate(key));
//   e->state().ApplyVacuum(event);
//   cache.MarkDirty(e);
//   cache.Checkpoint(&batch);                               // dirty states and deletes
//
// Lifetime: an Entry* stays valid until Remove(it) or the next EvictIfNeeded (which evicts only
// clean entries), so hold none across inputs. `store` (null: memory only, nothing is ever
// evicted) and `counters` must outlive the cache. Errors: only from the store, and DataLoss for
// a stored state that does not decode (that entry is not kept: the next lookup reads the store
// again). Not thread-safe: the pipeline's thread owns it.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/table_state.h"
#include "state/state_store.h"

namespace vacwatch::pipeline {

class TableCache {
 private:
  // Links of the LRU list of clean entries, kept in the entries themselves (no allocation when
  // an entry becomes clean or is used).
  struct LruLink {
    LruLink* prev = nullptr;  // null while not in the list
    LruLink* next = nullptr;
  };

 public:
  // A cached table: its state and its tuning (config overrides matched once, at insertion).
  class Entry : private LruLink {
   public:
    const std::string& key() const { return *key_; }
    // The decoded state: valid from Find / Create until the next Checkpoint or EvictIfNeeded.
    TableState& state() { return *live_state_; }
    const TableState& state() const { return *live_state_; }
    const TableTuning* tuning() const { return tuning_; }

   private:
    friend class TableCache;
    static constexpr uint32_t kNotListed = UINT32_MAX;
    bool dirty() const { return dirty_index_ != kNotListed; }

    const std::string* key_ = nullptr;        // the cache node's own key (node_hash_map: stable)
    std::unique_ptr<TableState> live_state_;  // while in use (Find / Create .. Checkpoint)
    std::string encoded_;                     // the state as stored, while not live
    const TableTuning* tuning_ = nullptr;
    uint32_t dirty_index_ = kNotListed;  // position in dirty_ while dirty
    uint32_t live_index_ = kNotListed;   // position in live_ while live
    bool prefetched_ = false;            // loaded by Prefetch, not yet looked up
  };

  // The tuning of the table `key` names; the pointer must stay valid as long as the cache.
  using TuningFor = std::function<const TableTuning*(std::string_view key)>;

  // Counts cache_hits, cache_misses and cache_evictions into `*counters`.
  TableCache(int64_t max_cached_tables, state::StateStore* store, TuningFor tuning_for,
             PipelineCounters* counters);
  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  // The entry of `key`, live, from the cache or else the store; null when neither has it.
  absl::StatusOr<Entry*> Find(const std::string& key);
  // A new dirty entry for `key` (which must not be cached) with a default TableState.
  Entry* Create(const std::string& key);
  absl::StatusOr<Entry*> FindOrCreate(const std::string& key);
  // The entry's state changed: written at the next Checkpoint, not evicted before it.
  void MarkDirty(Entry* e);
  // Drops the entry (destroys *e) and deletes its state from the store at the next Checkpoint.
  void Remove(Entry* e);
  // Deletes the stored state of `key`, which is not cached, at the next Checkpoint.
  void RemoveStored(const std::string& key);

  // Loads the states of `keys` (the rows of one snapshot of `database`) that are not cached,
  // with one scan of the database's key range when enough of them miss, for the Find of each
  // row that follows; a key the scan shows absent is not looked up again until EndPrefetch.
  // `keys` must stay unchanged until EndPrefetch. A failed scan is left to the rows' own
  // lookups: always OK.
  absl::Status Prefetch(std::span<const std::string> keys, std::string_view cluster,
                        std::string_view database);
  void EndPrefetch() { absent_.clear(); }

  // Evicts the least recently used clean entries past the bound, and returns the entries used
  // since the last checkpoint to their encoded bytes when there are many (changed ones stay
  // dirty). Invalidates their Entry* and states.
  void EvictIfNeeded();

  // Puts every state changed since the last call into `batch` (in key order) after the deletes
  // of removed ones (a key deleted and created again ends up written), and returns every entry
  // to its encoded bytes.
  void Checkpoint(state::StateStore::Batch* batch);

 private:
  using Cache = absl::node_hash_map<std::string, Entry>;

  // Puts a state read from the store into the cache (a clean entry, decoded when first used).
  absl::StatusOr<Entry*> AddLoaded(const std::string& key, std::string_view value);
  // A new cache entry for `key` (not in the cache), in a node of an evicted entry if one is
  // spare; its state is left as the node had it.
  Entry* Insert(const std::string& key);
  void LruAppend(Entry* e);
  void LruUnlink(Entry* e);
  void Touch(Entry* e);
  // Decodes the entry's state into a live one (a no-op when live). DataLoss if it does not
  // decode (the entry is dropped).
  absl::Status Materialize(Entry* e);
  void ReleaseLive(Entry* e);  // back to encoded only (the state must be encoded already)
  // Every live entry back to its bytes, the changed ones encoded first (they stay dirty).
  void ParkLiveStates();

  const int64_t max_cached_tables_;
  state::StateStore* const store_;
  const TuningFor tuning_for_;
  PipelineCounters* const counters_;

  Cache cache_;                  // nodes stay put: Entry* is stable
  bool cache_reserved_ = false;  // the cache has reached its bound and been given room
  LruLink lru_;                  // sentinel of the clean entries, lru_.next the least recently used
  std::vector<Cache::node_type> spare_nodes_;  // evicted nodes, for the next misses
  std::vector<Entry*> dirty_;  // in the order they became dirty; null: removed since
  std::vector<Entry*> live_;   // entries with a live state; null: released since
  std::vector<std::unique_ptr<TableState>> state_pool_;  // released live states
  std::vector<std::string> deleted_keys_;
  int64_t entity_entries_ = 0;  // database and cluster entries in cache_ (IsEntityKey)

  std::string value_buf_;
  std::vector<const std::string*> missing_;
  absl::flat_hash_set<absl::string_view> absent_;  // views into Prefetch's keys
  std::string range_begin_, range_end_;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_TABLE_CACHE_H_
