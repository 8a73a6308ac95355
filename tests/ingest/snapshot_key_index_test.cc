#include "ingest/snapshot_key_index.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace vacwatch::ingest::snapshot_keys {
namespace {

// A key as the decoder sees it: inside a document, followed by readable (padding) bytes.
class PaddedKey {
 public:
  explicit PaddedKey(std::string_view key) : bytes_(std::string(key) + std::string(8, '\0')) {}
  std::string_view view() const { return std::string_view(bytes_.data(), bytes_.size() - 8); }

 private:
  std::string bytes_;
};

template <typename T, size_t N>
void ExpectEveryKeyFound(const Schema<T, N>& schema) {
  for (size_t i = 0; i < N; ++i) {
    const PaddedKey key(schema.fields[i].name);
    EXPECT_EQ(schema.FindIndex(Fingerprint(key.view()), key.view()), static_cast<int>(i))
        << schema.fields[i].name;
  }
}

TEST(SnapshotKeyIndexTest, EveryKnownKeyFindsItsOwnField) {
  ExpectEveryKeyFound(kSnapshotSchema);
  ExpectEveryKeyFound(kTableSchema);
  ExpectEveryKeyFound(kSettingsSchema);
  ExpectEveryKeyFound(kXminHolderSchema);
  ExpectEveryKeyFound(kReplicationSlotSchema);
  ExpectEveryKeyFound(kPreparedXactSchema);
  ExpectEveryKeyFound(kWalsenderSchema);
  ExpectEveryKeyFound(kHorizonSchema);
  ExpectEveryKeyFound(kVacuumProgressSchema);
  ExpectEveryKeyFound(kMeasuredBloatSchema);
}

TEST(SnapshotKeyIndexTest, UnknownKeysAreNotFound) {
  for (std::string_view unknown : {"", "n", "n_dead", "n_dead_tup_", "N_DEAD_TUP", "xmin"}) {
    const PaddedKey key(unknown);
    EXPECT_EQ(kTableSchema.FindIndex(Fingerprint(key.view()), key.view()), -1) << unknown;
  }
  // Same length, same first and last eight bytes: only the middle tells them apart.
  const PaddedKey middle("total_vaXuum_time");
  ASSERT_EQ(middle.view().size(), std::string_view("total_vacuum_time").size());
  EXPECT_EQ(kTableSchema.FindIndex(Fingerprint(middle.view()), middle.view()), -1);
}

TEST(SnapshotKeyIndexTest, RequiredFieldsAreTheSchemasMask) {
  EXPECT_EQ(kSnapshotSchema.required_mask, 1u | 2u | 4u);  // cluster, database, collected_at
  EXPECT_EQ(kTableSchema.required_mask, 1u | 2u | 4u);     // relid, schemaname, relname
  EXPECT_EQ(kHorizonSchema.required_mask, 0u);
}

TEST(SnapshotKeyIndexTest, KeyOrderLearnsThePositionsOfThePreviousObject) {
  KeyOrder order;
  const PaddedKey relid("relid"), dead("n_dead_tup"), unknown("not_a_column");
  // First object: looked up in the index, remembered by position.
  EXPECT_EQ(order.Lookup(kTableSchema, 0, relid.view())->name, "relid");
  EXPECT_EQ(order.Lookup(kTableSchema, 1, dead.view())->name, "n_dead_tup");
  EXPECT_EQ(order.Lookup(kTableSchema, 2, unknown.view()), nullptr);
  // The same keys again, and a different key at a learnt position: still the right fields.
  EXPECT_EQ(order.Lookup(kTableSchema, 0, relid.view())->name, "relid");
  EXPECT_EQ(order.Lookup(kTableSchema, 1, relid.view())->name, "relid");
  EXPECT_EQ(order.Lookup(kTableSchema, 0, dead.view())->name, "n_dead_tup");
  EXPECT_EQ(order.Lookup(kTableSchema, 100, dead.view())->name, "n_dead_tup");
}

}  // namespace
}  // namespace vacwatch::ingest::snapshot_keys
