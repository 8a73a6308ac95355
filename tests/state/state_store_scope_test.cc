// Scopes (StateStore::OpenScope): each partition's tables, outbox, offsets and meta apart from
// the root's and from each other, with their own outbox numbering, across reopen.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "state/state_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::state {
namespace {

class StateStoreScopeTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateStore> Open() {
    auto store = StateStore::Open(temp_.path() + "/state", StateStoreOptions());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  static std::unique_ptr<StateStore> Scope(const StateStore& root, uint32_t id) {
    auto scope = root.OpenScope(id);
    EXPECT_TRUE(scope.ok()) << scope.status();
    return scope.ok() ? std::move(scope).value() : nullptr;
  }
  // Keys as the pipeline writes them: parts ending in 0x00 0x01.
  static std::string Key(const std::string& cluster, const std::string& table) {
    return cluster + std::string("\0\x01", 2) + "db" + std::string("\0\x01", 2) + table +
           std::string("\0\x01", 2);
  }
  static std::vector<std::string> Tables(const StateStore& store) {
    std::vector<std::string> seen;
    EXPECT_OK(store.ForEachTable([&](std::string_view key, std::string_view value) {
      seen.push_back(std::string(key) + "=" + std::string(value));
      return true;
    }));
    return seen;
  }
  static std::vector<uint64_t> Outbox(const StateStore& store) {
    std::vector<uint64_t> seqs;
    EXPECT_OK(store.ForEachOutbox([&](uint64_t seq, std::string_view) {
      seqs.push_back(seq);
      return true;
    }));
    return seqs;
  }

  testing::ScopedTempDir temp_;
};

TEST_F(StateStoreScopeTest, ScopesAndRootNeverSeeEachOthersEntries) {
  auto root = Open();
  auto p0 = Scope(*root, 0);
  auto p7 = Scope(*root, 7);
  ASSERT_NE(p7, nullptr);
  EXPECT_EQ(p7->scope(), 7u);
  EXPECT_FALSE(root->scope().has_value());

  StateStore::Batch r = root->NewBatch();
  r.PutTable(Key("a", "t"), "root");
  r.PutOutbox(1, "r1");
  r.PutOffset("kafka:logs/0", SourceOffset(5));
  r.PutMeta("m", "root");
  ASSERT_OK(root->Commit(&r));
  StateStore::Batch b0 = p0->NewBatch();
  b0.PutTable(Key("a", "t"), "p0");
  b0.PutTable(Key("b", "u"), "p0");
  b0.PutOutbox(1, "p0-1");
  b0.PutOutbox(2, "p0-2");
  b0.PutOffset("kafka:logs/0", SourceOffset(42));
  b0.PutMeta("m", "p0");
  ASSERT_OK(p0->Commit(&b0));
  StateStore::Batch b7 = p7->NewBatch();
  b7.PutTable(Key("c", "v"), "p7");
  b7.PutOutbox(9, "p7-9");
  ASSERT_OK(p7->Commit(&b7));

  EXPECT_EQ(Tables(*root), std::vector<std::string>{Key("a", "t") + "=root"});
  EXPECT_EQ(Tables(*p0), (std::vector<std::string>{Key("a", "t") + "=p0", Key("b", "u") + "=p0"}));
  EXPECT_EQ(Tables(*p7), std::vector<std::string>{Key("c", "v") + "=p7"});
  EXPECT_EQ(Outbox(*root), std::vector<uint64_t>{1});
  EXPECT_EQ(Outbox(*p0), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Outbox(*p7), std::vector<uint64_t>{9});
  EXPECT_EQ(*p0->LastOutboxSeq(), 2u);
  EXPECT_EQ(*p7->LastOutboxSeq(), 9u);
  EXPECT_EQ(*root->LastOutboxSeq(), 1u);

  std::string value;
  ASSERT_TRUE(*p0->GetTable(Key("a", "t"), &value));
  EXPECT_EQ(value, "p0");
  EXPECT_FALSE(*p7->GetTable(Key("a", "t"), &value));
  EXPECT_EQ(**p0->GetOffset("kafka:logs/0"), SourceOffset(42));
  EXPECT_EQ(**root->GetOffset("kafka:logs/0"), SourceOffset(5));
  EXPECT_FALSE(p7->GetOffset("kafka:logs/0")->has_value());
  EXPECT_EQ(**p0->GetMeta("m"), "p0");
  EXPECT_FALSE(p7->GetMeta("m")->has_value());

  // A range scan stays within the scope and hands back the caller's keys.
  std::vector<std::string> range;
  ASSERT_OK(p0->ForEachTableInRange(Key("a", ""), Key("a", "\xff"),
                                    [&](std::string_view key, std::string_view) {
                                      range.emplace_back(key);
                                      return true;
                                    }));
  EXPECT_EQ(range, std::vector<std::string>{Key("a", "t")});
}

TEST_F(StateStoreScopeTest, NumberingAndEntriesSurviveReopen) {
  {
    auto root = Open();
    auto p3 = Scope(*root, 3);
    StateStore::Batch b = p3->NewBatch();
    b.PutOutbox(17, "x");
    b.PutTable(Key("a", "t"), "v");
    ASSERT_OK(p3->Commit(&b));
    b = p3->NewBatch();
    b.DeleteOutbox(17);
    ASSERT_OK(p3->Commit(&b));
  }
  auto root = Open();
  auto p3 = Scope(*root, 3);
  EXPECT_EQ(*p3->LastOutboxSeq(), 17u);  // numbering goes on after the entry is gone
  EXPECT_TRUE(Outbox(*p3).empty());
  EXPECT_EQ(Tables(*p3), std::vector<std::string>{Key("a", "t") + "=v"});
  EXPECT_EQ(*root->LastOutboxSeq(), 0u);
}

TEST_F(StateStoreScopeTest, RefusesABatchOfAnotherScope) {
  auto root = Open();
  auto p1 = Scope(*root, 1);
  auto p2 = Scope(*root, 2);
  StateStore::Batch b = p1->NewBatch();
  b.PutTable(Key("a", "t"), "v");
  EXPECT_EQ(p2->Commit(&b).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(root->Commit(&b).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_OK(p1->Commit(&b));
  EXPECT_EQ(p1->OpenScope(4).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(StateStoreScopeTest, HighestScopeIdHasAnEnd) {
  auto root = Open();
  auto last = Scope(*root, UINT32_MAX);
  StateStore::Batch b = last->NewBatch();
  b.PutTable(Key("z", "t"), "v");
  b.PutOutbox(1, "x");
  ASSERT_OK(last->Commit(&b));
  StateStore::Batch r = root->NewBatch();
  r.PutTable(Key("zz", "t"), "root");
  ASSERT_OK(root->Commit(&r));
  EXPECT_EQ(Tables(*last), std::vector<std::string>{Key("z", "t") + "=v"});
  EXPECT_EQ(Tables(*root), std::vector<std::string>{Key("zz", "t") + "=root"});
  EXPECT_EQ(Outbox(*last), std::vector<uint64_t>{1});
  EXPECT_TRUE(Outbox(*root).empty());
}

TEST_F(StateStoreScopeTest, MetaPrefixScansStayInTheirScope) {
  auto root = Open();
  auto p2 = Scope(*root, 2);
  StateStore::Batch r = root->NewBatch();
  r.PutMeta("firing:a", "root-a");
  r.PutMeta("other", "x");
  ASSERT_OK(root->Commit(&r));
  StateStore::Batch b = p2->NewBatch();
  b.PutMeta("firing:a", "p2-a");
  b.PutMeta("firing:b", "p2-b");
  b.PutMeta("firinh", "not in the prefix");
  ASSERT_OK(p2->Commit(&b));
  auto scan = [](const StateStore& store, std::string_view prefix) {
    std::vector<std::string> seen;
    EXPECT_OK(store.ForEachMeta(prefix, [&](std::string_view key, std::string_view value) {
      seen.push_back(std::string(key) + "=" + std::string(value));
      return true;
    }));
    return seen;
  };
  EXPECT_EQ(scan(*p2, "firing:"), (std::vector<std::string>{"firing:a=p2-a", "firing:b=p2-b"}));
  EXPECT_EQ(scan(*root, "firing:"), std::vector<std::string>{"firing:a=root-a"});
  b = p2->NewBatch();
  b.DeleteMeta("firing:a");
  ASSERT_OK(p2->Commit(&b));
  EXPECT_EQ(scan(*p2, "firing:"), std::vector<std::string>{"firing:b=p2-b"});
  // The root's whole meta: its own keys only (the format version and the two above).
  const std::vector<std::string> all = scan(*root, "");
  EXPECT_EQ(all.size(), 3u);
}

// The state-size gauge asks the root: scopes are key prefixes in the same column families, so
// what a scope writes is in the root's size, and every handle reports the whole database.
TEST_F(StateStoreScopeTest, SizeIsTheWholeDatabasesFromAnyHandle) {
  auto root = Open();
  auto p3 = Scope(*root, 3);
  const int64_t before = root->ApproximateSizeBytes();
  StateStore::Batch b = p3->NewBatch();
  const std::string value(1000, 'x');
  for (int i = 0; i < 100; ++i) b.PutTable(Key("c", absl::StrCat("t", i)), value);
  ASSERT_OK(p3->Commit(&b));
  EXPECT_GE(root->ApproximateSizeBytes() - before, 100 * 1000);
  EXPECT_EQ(p3->ApproximateSizeBytes(), root->ApproximateSizeBytes());
}

}  // namespace
}  // namespace vacwatch::state
