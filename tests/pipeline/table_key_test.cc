#include "pipeline/table_key.h"

#include <string>

#include "gtest/gtest.h"

namespace vacwatch::pipeline {
namespace {

TEST(TableKeyTest, RoundTrips) {
  TableKey k{"prod-eu-1", "shop", "public", "orders"};
  TableKey back;
  ASSERT_TRUE(TableKey::Decode(k.Encode(), &back));
  EXPECT_EQ(back, k);
  EXPECT_EQ(k.QualifiedName(), "shop.public.orders");
  EXPECT_EQ(k.GlobSubject(), "prod-eu-1/shop.public.orders");
}

TEST(TableKeyTest, RoundTripsNamesWithZeroBytesAndDots) {
  TableKey k{std::string("a\0b", 3), "db.x", "", std::string("\0", 1)};
  TableKey back;
  ASSERT_TRUE(TableKey::Decode(k.Encode(), &back));
  EXPECT_EQ(back, k);
}

TEST(TableKeyTest, OrdersByClusterThenDatabaseThenName) {
  std::vector<TableKey> keys = {
      {"b", "a", "public", "a"},   {"a", "db2", "public", "a"}, {"a", "db", "public", "z"},
      {"a", "db", "public", "ab"}, {"a", "db", "", ""},         {"a", "db", "public", "a"},
      {"ab", "", "", ""},
  };
  std::vector<TableKey> by_struct = keys;
  std::sort(by_struct.begin(), by_struct.end());
  std::sort(keys.begin(), keys.end(),
            [](const TableKey& x, const TableKey& y) { return x.Encode() < y.Encode(); });
  EXPECT_EQ(keys, by_struct);
  // The database entry sorts before its tables.
  EXPECT_LT(TableKey({"a", "db", "", ""}).Encode(), TableKey({"a", "db", "public", "a"}).Encode());
}

TEST(TableKeyTest, EncodeTableKeyMatchesEncode) {
  std::string out = "junk";
  EncodeTableKey("c", "d", "s", "t", &out);
  EXPECT_EQ(out, TableKey({"c", "d", "s", "t"}).Encode());
}

TEST(TableKeyTest, RejectsMalformedBytes) {
  TableKey k;
  EXPECT_FALSE(TableKey::Decode("", &k));
  EXPECT_FALSE(TableKey::Decode("abc", &k));
  EXPECT_FALSE(TableKey::Decode(std::string("a\0\x02", 3), &k));
  std::string good = TableKey({"c", "d", "s", "t"}).Encode();
  EXPECT_FALSE(TableKey::Decode(good + "x", &k));
  EXPECT_FALSE(TableKey::Decode(good.substr(0, good.size() - 1), &k));
}

}  // namespace
}  // namespace vacwatch::pipeline
