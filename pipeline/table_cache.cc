#include "pipeline/table_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "pipeline/table_key.h"

namespace vacwatch::pipeline {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Past this many decoded states (a kilobyte each) between inputs, the changed ones are encoded
// and all go back to their bytes (ParkLiveStates), whatever the checkpoint interval: a second
// between checkpoints at 400k rows/s used to hold 6,000 decoded states per partition, 400 MB
// over 64 partitions, and freeing them at each checkpoint cost the allocator 4% of the CPU.
constexpr size_t kMaxLiveStates = 1024;
// Released states are kept for reuse, as many as can be live at once (plus an input's worth).
constexpr size_t kMaxPooledStates = kMaxLiveStates + 256;

}  // namespace

TableCache::TableCache(int64_t max_cached_tables, state::StateStore* store, TuningFor tuning_for,
                       PipelineCounters* counters)
    : max_cached_tables_(max_cached_tables),
      store_(store),
      tuning_for_(std::move(tuning_for)),
      counters_(counters) {
  lru_.prev = lru_.next = &lru_;
}

absl::StatusOr<TableCache::Entry*> TableCache::Find(const std::string& key) {
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    Entry* e = &it->second;
    if (e->prefetched_) {
      e->prefetched_ = false;
      ++counters_->cache_misses;  // it was read from the store for this lookup
    } else {
      ++counters_->cache_hits;
    }
    Touch(e);
    VW_RETURN_IF_ERROR(Materialize(e));
    return e;
  }
  ++counters_->cache_misses;
  if (store_ == nullptr || (!absent_.empty() && absent_.contains(AV(key)))) return nullptr;
  absl::StatusOr<bool> found = store_->GetTable(key, &value_buf_);
  if (!found.ok()) return found.status();
  if (!*found) return nullptr;
  absl::StatusOr<Entry*> loaded = AddLoaded(key, value_buf_);
  if (!loaded.ok()) return loaded.status();
  VW_RETURN_IF_ERROR(Materialize(*loaded));
  return *loaded;
}

TableCache::Entry* TableCache::Create(const std::string& key) {
  Entry* raw = Insert(key);
  raw->encoded_.clear();
  if (state_pool_.empty()) {
    raw->live_state_ = std::make_unique<TableState>();
  } else {
    raw->live_state_ = std::move(state_pool_.back());
    state_pool_.pop_back();
    *raw->live_state_ = TableState{};
  }
  raw->live_index_ = static_cast<uint32_t>(live_.size());
  live_.push_back(raw);
  raw->tuning_ = tuning_for_(key);
  MarkDirty(raw);
  return raw;
}

absl::StatusOr<TableCache::Entry*> TableCache::FindOrCreate(const std::string& key) {
  absl::StatusOr<Entry*> e = Find(key);
  if (!e.ok()) return e.status();
  if (*e != nullptr) return *e;
  return Create(key);
}

void TableCache::MarkDirty(Entry* e) {
  if (e->dirty()) return;
  LruUnlink(e);
  e->dirty_index_ = static_cast<uint32_t>(dirty_.size());
  dirty_.push_back(e);
}

void TableCache::Remove(Entry* e) {
  LruUnlink(e);
  if (e->dirty()) dirty_[e->dirty_index_] = nullptr;
  ReleaseLive(e);
  deleted_keys_.push_back(*e->key_);
  if (IsEntityKey(*e->key_)) --entity_entries_;
  cache_.erase(cache_.find(deleted_keys_.back()));  // destroys *e
}

void TableCache::RemoveStored(const std::string& key) { deleted_keys_.push_back(key); }

absl::Status TableCache::Prefetch(std::span<const std::string> keys, std::string_view cluster,
                                  std::string_view database) {
  // A scan step costs a fraction of a point lookup, but the scan also passes the database's
  // tables that are cached or not in the snapshot: worth it when a good share of rows miss.
  constexpr size_t kMinMissing = 4;
  const size_t rows = keys.size();
  missing_.clear();
  // With a large cache nearly every probe misses the CPU cache (a fleet's snapshots visit its
  // tables in turn). Requesting the memory of the lookup a few rows ahead lets the misses of
  // consecutive rows overlap instead of following one another, and the state bytes of a row
  // found here are requested for the decode that follows.
  constexpr size_t kLookAhead = 8;
  for (size_t i = 0; i < std::min(rows, kLookAhead); ++i) cache_.prefetch(keys[i]);
  for (size_t i = 0; i < rows; ++i) {
    if (i + kLookAhead < rows) cache_.prefetch(keys[i + kLookAhead]);
    auto it = cache_.find(keys[i]);
    if (it == cache_.end()) {
      if (store_ != nullptr) missing_.push_back(&keys[i]);
      continue;
    }
    __builtin_prefetch(it->second.encoded_.data());
  }
  if (missing_.size() < kMinMissing || missing_.size() * 4 < rows) {
    return absl::OkStatus();
  }
  std::sort(missing_.begin(), missing_.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  missing_.erase(std::unique(missing_.begin(), missing_.end(),
                             [](const std::string* a, const std::string* b) { return *a == *b; }),
                 missing_.end());
  EncodeDatabaseKeyRange(cluster, database, &range_begin_, &range_end_);
  size_t next = 0;  // missing_[next] is the first key the scan has not passed
  absl::Status scan = store_->ForEachTableInRange(
      range_begin_, range_end_, [&](std::string_view key, std::string_view value) {
        while (next < missing_.size() && *missing_[next] < key) {
          absent_.insert(AV(*missing_[next++]));
        }
        if (next == missing_.size()) return false;
        if (*missing_[next] == key) {
          // A state that does not decode is left to the row's own lookup, which reports it.
          absl::StatusOr<Entry*> e = AddLoaded(*missing_[next], value);
          if (e.ok()) (*e)->prefetched_ = true;
          ++next;
        }
        return next < missing_.size();
      });
  if (!scan.ok()) {
    absent_.clear();  // the rows' own lookups decide
    return absl::OkStatus();
  }
  while (next < missing_.size()) absent_.insert(AV(*missing_[next++]));
  return absl::OkStatus();
}

void TableCache::EvictIfNeeded() {
  if (live_.size() > kMaxLiveStates) ParkLiveStates();
  // Without a store an evicted state would be lost: memory-only pipelines keep everything.
  if (store_ == nullptr) return;
  // A few hundred spare nodes cover the misses of one input (a snapshot's rows).
  constexpr size_t kMaxSpareNodes = 1024;
  if (!cache_reserved_ && static_cast<int64_t>(cache_.size()) > max_cached_tables_) {
    // Once the cache is full, room for twice the bound: evictions leave tombstones, and a full
    // table rehashes in place (every key hashed again) once inserts have used up the free
    // slots. At twice the bound that happens every ~max_cached_tables misses instead of every
    // ~15% of it. (Not at construction: most pipelines never fill a cache of the default size.)
    cache_reserved_ = true;
    if (max_cached_tables_ <= (int64_t{1} << 24)) {
      cache_.reserve(static_cast<size_t>(max_cached_tables_) * 2);
    }
  }
  // Database and cluster entries (server warnings, XminHorizonHeld) are not tables: they do not
  // count against the bound, so a fleet of exactly max_cached_tables tables stays in memory.
  while (static_cast<int64_t>(cache_.size()) - entity_entries_ > max_cached_tables_ &&
         lru_.next != &lru_) {
    Entry* victim = static_cast<Entry*>(lru_.next);
    if (IsEntityKey(*victim->key_)) --entity_entries_;
    LruUnlink(victim);
    ++counters_->cache_evictions;
    ReleaseLive(victim);  // a clean entry used since the last checkpoint
    Cache::iterator it = cache_.find(*victim->key_);
    if (spare_nodes_.size() < kMaxSpareNodes) {
      spare_nodes_.push_back(cache_.extract(it));
    } else {
      cache_.erase(it);
    }
  }
}

void TableCache::Checkpoint(state::StateStore::Batch* batch) {
  // Deletes first: a key deleted and written again in the same batch ends up written.
  std::sort(deleted_keys_.begin(), deleted_keys_.end());
  deleted_keys_.erase(std::unique(deleted_keys_.begin(), deleted_keys_.end()), deleted_keys_.end());
  for (const std::string& key : deleted_keys_) {
    if (!cache_.contains(key)) batch->DeleteTable(key);
  }
  deleted_keys_.clear();
  // Every entry goes back to its encoded bytes, the changed ones encoded first (a parked one
  // holds its encoding already; those used but not changed still hold theirs).
  ParkLiveStates();
  // Removed entries (null) go; their keys are among the deletes. Key order makes the store's
  // memtable inserts sequential (much cheaper than random ones) and fixes the LRU order.
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), nullptr), dirty_.end());
  std::sort(dirty_.begin(), dirty_.end(),
            [](const Entry* a, const Entry* b) { return *a->key_ < *b->key_; });
  for (Entry* e : dirty_) {
    batch->PutTable(*e->key_, e->encoded_);
    e->dirty_index_ = Entry::kNotListed;
    LruAppend(e);
  }
  dirty_.clear();
}

absl::StatusOr<TableCache::Entry*> TableCache::AddLoaded(const std::string& key,
                                                         std::string_view value) {
  TableKey k;
  if (!TableKey::Decode(key, &k)) return absl::DataLossError("malformed table key");
  Entry* raw = Insert(key);
  raw->encoded_.assign(value.data(), value.size());  // decoded when first used
  raw->tuning_ = tuning_for_(key);
  LruAppend(raw);
  // No eviction here: callers hold Entry pointers until their input is applied. Evictions
  // happen between inputs (EvictIfNeeded at the top of OnSnapshot / OnLogEvent, Checkpoint).
  return raw;
}

TableCache::Entry* TableCache::Insert(const std::string& key) {
  Cache::iterator it;
  if (!spare_nodes_.empty()) {
    Cache::node_type node = std::move(spare_nodes_.back());
    spare_nodes_.pop_back();
    node.key() = key;  // reuses the string's capacity
    it = cache_.insert(std::move(node)).position;
  } else {
    it = cache_.try_emplace(key).first;
  }
  Entry* e = &it->second;
  e->key_ = &it->first;
  if (IsEntityKey(it->first)) ++entity_entries_;
  e->prev = e->next = nullptr;
  e->dirty_index_ = Entry::kNotListed;
  e->live_index_ = Entry::kNotListed;
  e->prefetched_ = false;
  e->tuning_ = nullptr;
  return e;
}

void TableCache::LruAppend(Entry* e) {
  e->prev = lru_.prev;
  e->next = &lru_;
  lru_.prev->next = e;
  lru_.prev = e;
}

void TableCache::LruUnlink(Entry* e) {
  if (e->prev == nullptr) return;
  e->prev->next = e->next;
  e->next->prev = e->prev;
  e->prev = e->next = nullptr;
}

void TableCache::Touch(Entry* e) {
  if (e->prev == nullptr || e->next == &lru_) return;  // not in the list, or already last
  LruUnlink(e);
  LruAppend(e);
}

absl::Status TableCache::Materialize(Entry* e) {
  if (e->live_state_ != nullptr) return absl::OkStatus();
  if (state_pool_.empty()) {
    e->live_state_ = std::make_unique<TableState>();
  } else {
    e->live_state_ = std::move(state_pool_.back());
    state_pool_.pop_back();
  }
  if (absl::Status s = TableState::Decode(e->encoded_, e->live_state_.get()); !s.ok()) {
    // Not kept: the next lookup reads the store again (and fails the same way).
    const size_t key_size = e->key_->size();
    state_pool_.push_back(std::move(e->live_state_));
    LruUnlink(e);
    if (IsEntityKey(*e->key_)) --entity_entries_;
    spare_nodes_.push_back(cache_.extract(cache_.find(*e->key_)));
    return absl::DataLossError(
        absl::StrCat("table state of ", key_size, "-byte key: ", s.message()));
  }
  e->live_index_ = static_cast<uint32_t>(live_.size());
  live_.push_back(e);
  return absl::OkStatus();
}

void TableCache::ParkLiveStates() {
  for (Entry* e : live_) {
    if (e == nullptr) continue;
    if (e->dirty()) {
      e->encoded_.clear();
      e->state().Encode(&e->encoded_);  // still dirty: written from these bytes
    }
    ReleaseLive(e);
  }
  live_.clear();
}

void TableCache::ReleaseLive(Entry* e) {
  if (e->live_index_ != Entry::kNotListed) {
    live_[e->live_index_] = nullptr;
    e->live_index_ = Entry::kNotListed;
  }
  if (e->live_state_ != nullptr && state_pool_.size() < kMaxPooledStates) {
    state_pool_.push_back(std::move(e->live_state_));
  }
  e->live_state_.reset();
}

}  // namespace vacwatch::pipeline
