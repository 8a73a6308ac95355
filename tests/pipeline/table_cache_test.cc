#include "pipeline/table_cache.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include "pipeline/table_key.h"
#include "state/state_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::pipeline {
namespace {

std::string Key(const std::string& table) {
  std::string key;
  EncodeTableKey("prod", "shop", "public", table, &key);
  return key;
}

class TableCacheTest : public ::testing::Test {
 protected:
  void Open() {
    auto store = state::StateStore::Open(dir_.path() + "/state", state::StateStoreOptions());
    ASSERT_OK(store);
    store_ = std::move(*store);
  }
  std::unique_ptr<TableCache> NewCache(int64_t max_cached_tables, bool with_store = true) {
    counters_ = PipelineCounters();
    return std::make_unique<TableCache>(
        max_cached_tables, with_store ? store_.get() : nullptr,
        [this](std::string_view) { return &config_.defaults; }, &counters_);
  }
  // Writes what the cache's checkpoint puts into the batch.
  void Commit(TableCache* cache) {
    state::StateStore::Batch batch;
    cache->Checkpoint(&batch);
    ASSERT_OK(store_->Commit(&batch));
  }
  // A dirty entry for `table` with `relid` in its state.
  static void Add(TableCache* cache, const std::string& table, int64_t relid) {
    TableCache::Entry* e = cache->Create(Key(table));
    e->state().relid = relid;
  }
  // The relid of `table`'s state, 0 when the cache and the store lack it.
  static int64_t RelidOf(TableCache* cache, const std::string& table) {
    absl::StatusOr<TableCache::Entry*> e = cache->Find(Key(table));
    EXPECT_OK(e);
    return e.ok() && *e != nullptr ? (*e)->state().relid : 0;
  }

  vacwatch::testing::ScopedTempDir dir_;
  std::unique_ptr<state::StateStore> store_;
  PipelineConfig config_;
  PipelineCounters counters_;
};

TEST_F(TableCacheTest, WithoutAStoreNothingIsEvicted) {
  std::unique_ptr<TableCache> cache = NewCache(1, /*with_store=*/false);
  Add(cache.get(), "a", 1);
  Add(cache.get(), "b", 2);
  Add(cache.get(), "c", 3);
  state::StateStore::Batch batch;
  cache->Checkpoint(&batch);
  cache->EvictIfNeeded();
  EXPECT_EQ(RelidOf(cache.get(), "a"), 1);
  EXPECT_EQ(RelidOf(cache.get(), "c"), 3);
  EXPECT_EQ(counters_.cache_evictions, 0);
  EXPECT_EQ(counters_.cache_hits, 2);
}

TEST_F(TableCacheTest, EvictsTheLeastRecentlyUsedCleanEntryAndReadsItBack) {
  Open();
  std::unique_ptr<TableCache> cache = NewCache(2);
  Add(cache.get(), "a", 1);
  Add(cache.get(), "b", 2);
  Add(cache.get(), "c", 3);
  Commit(cache.get());                      // clean now, in key order: a is the least recently used
  EXPECT_EQ(RelidOf(cache.get(), "a"), 1);  // used: b is now
  Commit(cache.get());
  cache->EvictIfNeeded();
  EXPECT_EQ(counters_.cache_evictions, 1);
  EXPECT_EQ(counters_.cache_misses, 0);
  EXPECT_EQ(RelidOf(cache.get(), "b"), 2);  // read back from the store
  EXPECT_EQ(counters_.cache_misses, 1);
  EXPECT_EQ(RelidOf(cache.get(), "a"), 1);
  EXPECT_EQ(counters_.cache_misses, 1);
}

TEST_F(TableCacheTest, DirtyEntriesStayUntilTheCheckpoint) {
  Open();
  std::unique_ptr<TableCache> cache = NewCache(1);
  Add(cache.get(), "a", 1);
  Add(cache.get(), "b", 2);
  cache->EvictIfNeeded();
  EXPECT_EQ(counters_.cache_evictions, 0);
  EXPECT_EQ(RelidOf(cache.get(), "a"), 1);
  EXPECT_EQ(RelidOf(cache.get(), "b"), 2);
  EXPECT_EQ(counters_.cache_hits, 2);
}

// Many tables changed between two checkpoints (a long interval, a backlog) do not stay decoded:
// past a thousand or so the changed states are encoded and parked, still dirty, and the
// checkpoint writes what they held last, including a change made after a state was parked.
TEST_F(TableCacheTest, ManyChangedStatesAreParkedEncodedAndStillWritten) {
  Open();
  std::unique_ptr<TableCache> cache = NewCache(1 << 20);
  constexpr int kTables = 5000;
  for (int i = 0; i < kTables; ++i) {
    cache->EvictIfNeeded();  // between inputs, as the pipeline calls it
    Add(cache.get(), absl::StrCat("t", i), 1000 + i);
  }
  cache->EvictIfNeeded();
  // Parked, then changed again: decoded from its parked bytes, dirty with the new value.
  absl::StatusOr<TableCache::Entry*> e = cache->Find(Key("t7"));
  ASSERT_OK(e);
  ASSERT_NE(*e, nullptr);
  EXPECT_EQ((*e)->state().relid, 1007);
  (*e)->state().relid = 77;
  cache->MarkDirty(*e);
  Commit(cache.get());
  // A new cache reads everything back from the store.
  std::unique_ptr<TableCache> fresh = NewCache(1 << 20);
  EXPECT_EQ(RelidOf(fresh.get(), "t0"), 1000);
  EXPECT_EQ(RelidOf(fresh.get(), "t7"), 77);
  EXPECT_EQ(RelidOf(fresh.get(), absl::StrCat("t", kTables - 1)), 1000 + kTables - 1);
  EXPECT_EQ(counters_.cache_misses, 3);
}

TEST_F(TableCacheTest, RemovedAndRemovedStoredStatesAreDeletedAtTheCheckpoint) {
  Open();
  std::unique_ptr<TableCache> cache = NewCache(10);
  Add(cache.get(), "a", 1);
  Add(cache.get(), "b", 2);
  Add(cache.get(), "c", 3);
  Commit(cache.get());
  absl::StatusOr<TableCache::Entry*> a = cache->Find(Key("a"));
  ASSERT_OK(a);
  cache->Remove(*a);
  Commit(cache.get());
  cache = NewCache(10);  // "b" is not cached in this one
  cache->RemoveStored(Key("b"));
  Commit(cache.get());
  cache = NewCache(10);
  EXPECT_EQ(RelidOf(cache.get(), "a"), 0);
  EXPECT_EQ(RelidOf(cache.get(), "b"), 0);
  EXPECT_EQ(RelidOf(cache.get(), "c"), 3);
}

TEST_F(TableCacheTest, PrefetchLoadsTheMissingRowsOfASnapshotWithOneScan) {
  Open();
  std::unique_ptr<TableCache> cache = NewCache(100);
  for (int i = 0; i < 8; ++i) Add(cache.get(), absl::StrCat("t", i), 100 + i);
  Commit(cache.get());
  cache = NewCache(100);
  std::vector<std::string> keys(10);
  for (int i = 0; i < 10; ++i) keys[i] = Key(absl::StrCat("t", i));  // t8, t9: new
  ASSERT_OK(cache->Prefetch(keys, "prod", "shop"));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(RelidOf(cache.get(), absl::StrCat("t", i)), i < 8 ? 100 + i : 0) << i;
  }
  cache->EndPrefetch();
  EXPECT_EQ(counters_.cache_misses, 10);  // each row read from the store (or absent from it)
  EXPECT_EQ(counters_.cache_hits, 0);
}

TEST_F(TableCacheTest, AStateThatDoesNotDecodeIsDataLossAndNotKept) {
  Open();
  state::StateStore::Batch batch;
  batch.PutTable(Key("broken"), "not a table state");
  ASSERT_OK(store_->Commit(&batch));
  std::unique_ptr<TableCache> cache = NewCache(10);
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<TableCache::Entry*> e = cache->Find(Key("broken"));
    EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss) << e.status();
  }
  EXPECT_EQ(counters_.cache_misses, 2);
}

}  // namespace
}  // namespace vacwatch::pipeline
