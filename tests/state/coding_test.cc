#include "state/coding.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace vacwatch::state {
namespace {

TEST(CodingTest, Fixed32GoldenBytesAndRoundTrip) {
  std::string out;
  PutFixed32(&out, 0x04030201u);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04", 4));
  std::string_view in = out;
  uint32_t value = 0;
  ASSERT_TRUE(GetFixed32(&in, &value));
  EXPECT_EQ(value, 0x04030201u);
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Fixed64GoldenBytesAndRoundTrip) {
  std::string out;
  PutFixed64(&out, 0x0807060504030201ull);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  std::string_view in = out;
  uint64_t value = 0;
  ASSERT_TRUE(GetFixed64(&in, &value));
  EXPECT_EQ(value, 0x0807060504030201ull);
}

TEST(CodingTest, VarintGoldenBytes) {
  std::string out;
  PutVarint32(&out, 0);
  PutVarint32(&out, 127);
  PutVarint32(&out, 128);
  PutVarint32(&out, 300);
  EXPECT_EQ(out, std::string("\x00\x7f\x80\x01\xac\x02", 6));
  out.clear();
  PutVarint64(&out, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(out, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10));
}

TEST(CodingTest, VarintRoundTrip) {
  const std::vector<uint64_t> values = {
      0, 1, 127, 128, 16383, 16384, UINT32_MAX, 1ull << 35, 1ull << 56, UINT64_MAX - 1, UINT64_MAX};
  std::string out;
  for (uint64_t v : values) PutVarint64(&out, v);
  std::string_view in = out;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());

  out.clear();
  for (uint32_t v : {0u, 1u, 300u, UINT32_MAX}) PutVarint32(&out, v);
  in = out;
  for (uint32_t v : {0u, 1u, 300u, UINT32_MAX}) {
    uint32_t got = 0;
    ASSERT_TRUE(GetVarint32(&in, &got));
    EXPECT_EQ(got, v);
  }
}

TEST(CodingTest, ZigzagGoldenBytesAndRoundTrip) {
  std::string out;
  PutVarsignedint64(&out, 0);
  PutVarsignedint64(&out, -1);
  PutVarsignedint64(&out, 1);
  PutVarsignedint64(&out, -2);
  PutVarsignedint64(&out, 63);
  PutVarsignedint64(&out, -64);
  EXPECT_EQ(out, std::string("\x00\x01\x02\x03\x7e\x7f", 6));

  const std::vector<int64_t> values = {0,       -1,        1,         -1000000,
                                       1000000, INT64_MIN, INT64_MAX, INT64_MIN + 1};
  out.clear();
  for (int64_t v : values) PutVarsignedint64(&out, v);
  std::string_view in = out;
  for (int64_t v : values) {
    int64_t got = 0;
    ASSERT_TRUE(GetVarsignedint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, DoubleRoundTripIsExact) {
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      1.5,
                                      0.1,
                                      -123456.789,
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity()};
  std::string out;
  for (double v : values) PutDouble(&out, v);
  PutDouble(&out, std::numeric_limits<double>::quiet_NaN());
  std::string_view in = out;
  for (double v : values) {
    double got = 0;
    ASSERT_TRUE(GetDouble(&in, &got));
    EXPECT_EQ(std::signbit(got), std::signbit(v));
    EXPECT_EQ(got, v);
  }
  double nan = 0;
  ASSERT_TRUE(GetDouble(&in, &nan));
  EXPECT_TRUE(std::isnan(nan));

  out.clear();
  PutDouble(&out, 1.0);  // 0x3FF0000000000000, little-endian
  EXPECT_EQ(out, std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8));
}

TEST(CodingTest, LengthPrefixedStringGoldenBytesAndViewIntoInput) {
  std::string out;
  PutLengthPrefixedString(&out, "abc");
  PutLengthPrefixedString(&out, "");
  EXPECT_EQ(out, std::string("\x03"
                             "abc"
                             "\x00",
                             5));
  std::string_view in = out;
  std::string_view a, b;
  ASSERT_TRUE(GetLengthPrefixedString(&in, &a));
  ASSERT_TRUE(GetLengthPrefixedString(&in, &b));
  EXPECT_EQ(a, "abc");
  EXPECT_EQ(a.data(), out.data() + 1);
  EXPECT_EQ(b, "");
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, BigEndianSortsNumerically) {
  std::string small, large;
  PutBigEndian64(&small, 255);
  PutBigEndian64(&large, 256);
  EXPECT_EQ(small, std::string("\x00\x00\x00\x00\x00\x00\x00\xff", 8));
  EXPECT_LT(small, large);
  std::string_view in = large;
  uint64_t value = 0;
  ASSERT_TRUE(GetBigEndian64(&in, &value));
  EXPECT_EQ(value, 256u);
  EXPECT_EQ(DecodeBigEndian64(small.data()), 255u);
}

TEST(CodingTest, TruncationReturnsFalse) {
  uint32_t u32;
  uint64_t u64;
  int64_t i64;
  double d;
  std::string_view sv;

  std::string_view three("\x01\x02\x03", 3);
  EXPECT_FALSE(GetFixed32(&three, &u32));
  std::string_view seven("\x01\x02\x03\x04\x05\x06\x07", 7);
  EXPECT_FALSE(GetFixed64(&seven, &u64));
  EXPECT_FALSE(GetDouble(&seven, &d));
  EXPECT_FALSE(GetBigEndian64(&seven, &u64));

  std::string_view empty;
  EXPECT_FALSE(GetVarint32(&empty, &u32));
  EXPECT_FALSE(GetVarint64(&empty, &u64));
  EXPECT_FALSE(GetVarsignedint64(&empty, &i64));
  EXPECT_FALSE(GetLengthPrefixedString(&empty, &sv));

  // A continuation bit with nothing after it.
  std::string_view cut_varint("\xac", 1);
  EXPECT_FALSE(GetVarint64(&cut_varint, &u64));
  // Length 5 but only 3 bytes follow.
  std::string_view cut_string(
      "\x05"
      "abc",
      4);
  EXPECT_FALSE(GetLengthPrefixedString(&cut_string, &sv));
}

TEST(CodingTest, OverlongVarintsAreRejected) {
  uint32_t u32;
  uint64_t u64;
  // Six bytes is too long for a varint32 even if the value would fit.
  std::string_view six("\x80\x80\x80\x80\x80\x00", 6);
  EXPECT_FALSE(GetVarint32(&six, &u32));
  // A value above UINT32_MAX.
  std::string big;
  PutVarint64(&big, 1ull << 32);
  std::string_view big_view = big;
  EXPECT_FALSE(GetVarint32(&big_view, &u32));
  // Eleven bytes, or a tenth byte above 1, overflows 64 bits.
  std::string_view eleven("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01", 11);
  EXPECT_FALSE(GetVarint64(&eleven, &u64));
  std::string_view tenth_too_big("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  EXPECT_FALSE(GetVarint64(&tenth_too_big, &u64));
}

}  // namespace
}  // namespace vacwatch::state
