#include "state/state_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "state/coding.h"
#include "state/source_offset.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::state {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  std::string StateDir() const { return temp_.path() + "/state"; }

  std::unique_ptr<StateStore> OpenOrDie() {
    auto store = StateStore::Open(StateDir(), StateStoreOptions());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  testing::ScopedTempDir temp_;
};

TEST_F(StateStoreTest, CreatesAnEmptyStore) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  std::string value;
  auto found = store->GetTable("t", &value);
  ASSERT_OK(found);
  EXPECT_FALSE(*found);
  auto offset = store->GetOffset("log:/x");
  ASSERT_OK(offset);
  EXPECT_FALSE(offset->has_value());
  auto last = store->LastOutboxSeq();
  ASSERT_OK(last);
  EXPECT_EQ(*last, 0u);
  int visited = 0;
  ASSERT_OK(store->ForEachTable([&](std::string_view, std::string_view) { return ++visited; }));
  ASSERT_OK(store->ForEachOutbox([&](uint64_t, std::string_view) { return ++visited; }));
  EXPECT_EQ(visited, 0);
}

TEST_F(StateStoreTest, RefusesAMissingDirWhenNotAllowedToCreate) {
  StateStoreOptions options;
  options.create_if_missing = false;
  auto store = StateStore::Open(StateDir(), options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound) << store.status();
}

TEST_F(StateStoreTest, ReopenKeepsEverything) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    StateStore::Batch batch;
    batch.PutTable("c/db/public/orders", "state-1");
    batch.PutOutbox(1, R"({"status":"firing"})");
    batch.PutOffset("log:/var/log/pg.log", SourceOffset(1048576));
    batch.PutOffset("stats:/var/log/snap.jsonl", SourceOffset(-7));
    batch.PutMeta("pipeline_version", "3");
    ASSERT_OK(store->Commit(&batch));
  }
  StateStoreOptions options;
  options.create_if_missing = false;
  auto reopened = StateStore::Open(StateDir(), options);
  ASSERT_OK(reopened);
  StateStore& store = **reopened;
  std::string value;
  auto found = store.GetTable("c/db/public/orders", &value);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(value, "state-1");
  auto offset = store.GetOffset("log:/var/log/pg.log");
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, std::optional<SourceOffset>(SourceOffset(1048576)));
  offset = store.GetOffset("stats:/var/log/snap.jsonl");
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, std::optional<SourceOffset>(SourceOffset(-7)));
  auto meta = store.GetMeta("pipeline_version");
  ASSERT_OK(meta);
  EXPECT_EQ(*meta, std::optional<std::string>("3"));
  std::vector<std::pair<uint64_t, std::string>> outbox;
  ASSERT_OK(store.ForEachOutbox([&](uint64_t seq, std::string_view v) {
    outbox.emplace_back(seq, std::string(v));
    return true;
  }));
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].first, 1u);
  EXPECT_EQ(outbox[0].second, R"({"status":"firing"})");
}

TEST_F(StateStoreTest, BatchIsAtomicAcrossFamiliesAndInvisibleUntilCommit) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  batch.PutTable("t1", "a");
  batch.PutOutbox(7, "alert");
  batch.PutOffset("log:/a", SourceOffset(10));
  batch.PutMeta("k", "v");
  EXPECT_EQ(batch.count(), 4);

  std::string value;
  auto found = store->GetTable("t1", &value);
  ASSERT_OK(found);
  EXPECT_FALSE(*found) << "visible before Commit";

  ASSERT_OK(store->Commit(&batch));
  EXPECT_EQ(batch.count(), 0) << "Commit clears the batch";
  found = store->GetTable("t1", &value);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  auto offset = store->GetOffset("log:/a");
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, std::optional<SourceOffset>(SourceOffset(10)));
  auto meta = store->GetMeta("k");
  ASSERT_OK(meta);
  EXPECT_EQ(*meta, std::optional<std::string>("v"));

  // Deletes and puts of one batch land together too.
  batch.DeleteTable("t1");
  batch.PutTable("t2", "b");
  batch.DeleteOutbox(7);
  batch.PutOffset("log:/a", SourceOffset(20));
  ASSERT_OK(store->Commit(&batch));
  found = store->GetTable("t1", &value);
  ASSERT_OK(found);
  EXPECT_FALSE(*found);
  int outbox_entries = 0;
  ASSERT_OK(store->ForEachOutbox([&](uint64_t, std::string_view) { return ++outbox_entries; }));
  EXPECT_EQ(outbox_entries, 0);
  offset = store->GetOffset("log:/a");
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, std::optional<SourceOffset>(SourceOffset(20)));
}

TEST_F(StateStoreTest, ClearedBatchWritesNothing) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  batch.PutTable("t", "v");
  batch.PutOutbox(5, "x");
  batch.Clear();
  EXPECT_EQ(batch.count(), 0);
  ASSERT_OK(store->Commit(&batch));
  std::string value;
  auto found = store->GetTable("t", &value);
  ASSERT_OK(found);
  EXPECT_FALSE(*found);
  auto last = store->LastOutboxSeq();
  ASSERT_OK(last);
  EXPECT_EQ(*last, 0u);
}

TEST_F(StateStoreTest, OutboxIsInSequenceOrderAndNumberingSurvivesReopen) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    StateStore::Batch batch;
    // Written out of order, and across the byte boundaries a little-endian key would break.
    for (uint64_t seq : {300u, 2u, 256u, 1u, 255u}) {
      batch.PutOutbox(seq, "alert " + std::to_string(seq));
    }
    ASSERT_OK(store->Commit(&batch));
    auto last = store->LastOutboxSeq();
    ASSERT_OK(last);
    EXPECT_EQ(*last, 300u);

    std::vector<uint64_t> seqs;
    ASSERT_OK(store->ForEachOutbox([&](uint64_t seq, std::string_view value) {
      EXPECT_EQ(value, "alert " + std::to_string(seq));
      seqs.push_back(seq);
      return true;
    }));
    EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 255, 256, 300}));

    // Delivered: the outbox empties, the numbering does not go back.
    for (uint64_t seq : seqs) batch.DeleteOutbox(seq);
    ASSERT_OK(store->Commit(&batch));
    last = store->LastOutboxSeq();
    ASSERT_OK(last);
    EXPECT_EQ(*last, 300u);
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto last = store->LastOutboxSeq();
  ASSERT_OK(last);
  EXPECT_EQ(*last, 300u);
  int entries = 0;
  ASSERT_OK(store->ForEachOutbox([&](uint64_t, std::string_view) { return ++entries; }));
  EXPECT_EQ(entries, 0);

  // A lower seq later does not lower the mark.
  StateStore::Batch batch;
  batch.PutOutbox(5, "late");
  ASSERT_OK(store->Commit(&batch));
  last = store->LastOutboxSeq();
  ASSERT_OK(last);
  EXPECT_EQ(*last, 300u);
}

TEST_F(StateStoreTest, ForEachOutboxStopsWhenVisitReturnsFalse) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  for (uint64_t seq = 1; seq <= 5; ++seq) batch.PutOutbox(seq, "a");
  ASSERT_OK(store->Commit(&batch));
  std::vector<uint64_t> seen;
  ASSERT_OK(store->ForEachOutbox([&](uint64_t seq, std::string_view) {
    seen.push_back(seq);
    return seq < 2;
  }));
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
}

TEST_F(StateStoreTest, ForEachTableVisitsInKeyOrderUntilFalse) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  for (std::string_view key : {"b/x", "a/z", "c", "a/y", "b"}) batch.PutTable(key, key);
  ASSERT_OK(store->Commit(&batch));

  std::vector<std::string> keys;
  ASSERT_OK(store->ForEachTable([&](std::string_view key, std::string_view value) {
    EXPECT_EQ(key, value);
    keys.emplace_back(key);
    return true;
  }));
  EXPECT_EQ(keys, (std::vector<std::string>{"a/y", "a/z", "b", "b/x", "c"}));

  keys.clear();
  ASSERT_OK(store->ForEachTable([&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return keys.size() < 3;
  }));
  EXPECT_EQ(keys, (std::vector<std::string>{"a/y", "a/z", "b"}));
}

TEST_F(StateStoreTest, ForEachTableInRangeVisitsOnlyTheRange) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  for (std::string_view key : {"b/x", "a/z", "c", "a/y", "b", "b/y"}) batch.PutTable(key, key);
  ASSERT_OK(store->Commit(&batch));

  std::vector<std::string> keys;
  ASSERT_OK(store->ForEachTableInRange("a/z", "b/y", [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }));
  EXPECT_EQ(keys, (std::vector<std::string>{"a/z", "b", "b/x"}));

  keys.clear();
  ASSERT_OK(store->ForEachTableInRange("b", "c", [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return keys.size() < 2;
  }));
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "b/x"}));
}

TEST_F(StateStoreTest, OffsetsAreOverwrittenPerSource) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch batch;
  batch.PutOffset("log:/a", SourceOffset(1));
  batch.PutOffset("log:/b", SourceOffset(2));
  ASSERT_OK(store->Commit(&batch));
  batch.PutOffset("log:/a", SourceOffset(100));
  ASSERT_OK(store->Commit(&batch));
  auto a = store->GetOffset("log:/a");
  auto b = store->GetOffset("log:/b");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, std::optional<SourceOffset>(SourceOffset(100)));
  EXPECT_EQ(*b, std::optional<SourceOffset>(SourceOffset(2)));
}

TEST_F(StateStoreTest, SecondOpenOfTheSameDirIsUnavailable) {
  auto first = OpenOrDie();
  ASSERT_NE(first, nullptr);
  auto second = StateStore::Open(StateDir(), StateStoreOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_NE(second.status().message().find("is in use by another vacwatch"),
            absl::string_view::npos)
      << second.status();
  // Once the first closes, the dir opens again.
  first.reset();
  EXPECT_NE(OpenOrDie(), nullptr);
}

// Rewrites the meta family's format version with the raw RocksDB API, as a future vacwatch
// would have written it.
void WriteRawFormatVersion(const std::string& dir, std::string_view encoded) {
  rocksdb::DBOptions options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "tables", "outbox", "offsets", "meta"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[4], "format_version",
                      rocksdb::Slice(encoded.data(), encoded.size()))
                  .ok());
  for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
}

TEST_F(StateStoreTest, UnknownFormatVersionIsRefused) {
  { ASSERT_NE(OpenOrDie(), nullptr); }
  std::string version_two;
  PutFixed32(&version_two, 2);
  WriteRawFormatVersion(StateDir(), version_two);
  auto store = StateStore::Open(StateDir(), StateStoreOptions());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
  EXPECT_NE(store.status().message().find("format version 2"), absl::string_view::npos)
      << store.status();
}

TEST_F(StateStoreTest, GarbledFormatVersionIsRefused) {
  { ASSERT_NE(OpenOrDie(), nullptr); }
  WriteRawFormatVersion(StateDir(), "v1");
  auto store = StateStore::Open(StateDir(), StateStoreOptions());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

TEST_F(StateStoreTest, FormatVersionOneIsStoredAsFixed32) {
  { ASSERT_NE(OpenOrDie(), nullptr); }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto version = store->GetMeta("format_version");
  ASSERT_OK(version);
  EXPECT_EQ(*version, std::optional<std::string>(std::string("\x01\x00\x00\x00", 4)));
}

TEST_F(StateStoreTest, ForeignRocksDbIsNotTouched) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, StateDir(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "users", &handle).ok());
  ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  db.reset();

  auto store = StateStore::Open(StateDir(), StateStoreOptions());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

TEST_F(StateStoreTest, DefaultFamilyDataWithoutVersionIsRefused) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, StateDir(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "someone", "else").ok());
  db.reset();

  auto store = StateStore::Open(StateDir(), StateStoreOptions());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

TEST_F(StateStoreTest, BatchesAreMovable) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  StateStore::Batch first;
  first.PutTable("moved", "yes");
  first.PutOutbox(9, "a");
  StateStore::Batch second = std::move(first);
  ASSERT_OK(store->Commit(&second));
  std::string value;
  auto found = store->GetTable("moved", &value);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  auto last = store->LastOutboxSeq();
  ASSERT_OK(last);
  EXPECT_EQ(*last, 9u);
}

}  // namespace
}  // namespace vacwatch::state

namespace vacwatch::state {
namespace {

TEST(SourceIdTest, FilesAndKafkaPartitionsHaveIdsOfTheirOwnKind) {
  auto log = MakeSourceId(SourceKind::kLog, "/var/log/pg/../pg/postgresql.log");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*log, "log:/var/log/pg/postgresql.log");
  EXPECT_EQ(MakeKafkaSourceId("pg-logs", 7), "kafka:pg-logs/7");
  EXPECT_NE(MakeKafkaSourceId("pg-logs", 7), MakeKafkaSourceId("pg-logs", 17));
}

}  // namespace
}  // namespace vacwatch::state
