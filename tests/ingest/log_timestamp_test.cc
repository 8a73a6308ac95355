#include "ingest/log_timestamp.h"

#include "gtest/gtest.h"

namespace vacwatch::ingest {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(LogTimestamp, MillisUtc) {
  LogTimestamp ts;
  ASSERT_TRUE(ParseLogTimestamp("2026-11-23 23:18:21.286 UTC", &ts));
  EXPECT_EQ(ts.time, Utc(2026, 11, 23, 23, 18, 21) + absl::Milliseconds(286));
  EXPECT_EQ(ts.utc_offset_s, 0);
}

TEST(LogTimestamp, SecondsWithAbbreviation) {
  LogTimestamp ts;
  ASSERT_TRUE(ParseLogTimestamp("2024-06-27 00:00:07 CEST", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 6, 26, 22, 0, 7));
  EXPECT_EQ(ts.utc_offset_s, 7200);
  ASSERT_TRUE(ParseLogTimestamp("2024-01-01 10:00:00.500 PST", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 1, 1, 18, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(ts.utc_offset_s, -8 * 3600);
}

TEST(LogTimestamp, EveryListedAbbreviationResolves) {
  for (std::string_view zone :
       {"UTC", "GMT", "CET", "CEST", "EET",  "EEST", "WET",  "WEST", "MSK",  "EST",
        "EDT", "CST", "CDT", "MST",  "MDT",  "PST",  "PDT",  "AKST", "AKDT", "HST",
        "IST", "JST", "KST", "AEST", "AEDT", "ACST", "AWST", "NZST", "NZDT", "BRT"}) {
    int32_t offset = 99;
    EXPECT_TRUE(LookupZoneOffset(zone, &offset)) << zone;
    EXPECT_NE(offset, 99) << zone;
  }
  int32_t offset = 0;
  ASSERT_TRUE(LookupZoneOffset("IST", &offset));
  EXPECT_EQ(offset, 5 * 3600 + 1800);
  ASSERT_TRUE(LookupZoneOffset("ACST", &offset));
  EXPECT_EQ(offset, 9 * 3600 + 1800);
}

TEST(LogTimestamp, NumericOffsets) {
  LogTimestamp ts;
  ASSERT_TRUE(ParseLogTimestamp("2024-01-01 03:00:00.000 +03", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(ts.utc_offset_s, 3 * 3600);
  ASSERT_TRUE(ParseLogTimestamp("2024-01-01 00:00:00 -0530", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 1, 1, 5, 30, 0));
  EXPECT_EQ(ts.utc_offset_s, -(5 * 3600 + 1800));
  ASSERT_TRUE(ParseLogTimestamp("2024-01-01 05:30:00 +05:30", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(ts.utc_offset_s, 5 * 3600 + 1800);
}

TEST(LogTimestamp, Epoch) {
  LogTimestamp ts;
  ASSERT_TRUE(ParseLogTimestamp("1700000000.123", &ts));
  EXPECT_EQ(ts.time, absl::FromUnixSeconds(1700000000) + absl::Milliseconds(123));
  EXPECT_EQ(ts.utc_offset_s, 0);
}

TEST(LogTimestamp, LeapYearAndMonthEnds) {
  LogTimestamp ts;
  ASSERT_TRUE(ParseLogTimestamp("2024-02-29 23:59:59.999 UTC", &ts));
  EXPECT_EQ(ts.time, Utc(2024, 2, 29, 23, 59, 59) + absl::Milliseconds(999));
  ASSERT_TRUE(ParseLogTimestamp("2000-03-01 00:00:00 UTC", &ts));
  EXPECT_EQ(ts.time, Utc(2000, 3, 1, 0, 0, 0));
  ASSERT_TRUE(ParseLogTimestamp("1999-12-31 23:59:59 UTC", &ts));
  EXPECT_EQ(ts.time, Utc(1999, 12, 31, 23, 59, 59));
}

TEST(LogTimestamp, Errors) {
  LogTimestamp ts;
  std::string_view why;
  EXPECT_FALSE(ParseLogTimestamp("2024-01-01 00:00:00.000 XYZT", &ts, &why));
  EXPECT_EQ(why, "unknown time zone");
  EXPECT_FALSE(ParseLogTimestamp("2024-01-01 00:00:00.000", &ts, &why));
  EXPECT_EQ(why, "missing time zone");
  EXPECT_FALSE(ParseLogTimestamp("2024-13-01 00:00:00 UTC", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("2024-01-01 24:00:00 UTC", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("2024-01-0x 00:00:00 UTC", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("2024-01-01 00:00:00 +3", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("2024-01-01 00:00:00 UTC junk", &ts, &why));
  EXPECT_FALSE(ParseLogTimestamp("17000x", &ts, &why));
}

TEST(LogTimestamp, ScanFindsTheEndOfTheZone) {
  EXPECT_EQ(ScanLogTimestamp("2026-11-23 23:18:21.286 UTC [13110] LOG:", LogTimeFormat::kMillis),
            27u);
  EXPECT_EQ(ScanLogTimestamp("2023-02-27 23:21:40 UTC-63fd3b04.cf0-LOG:", LogTimeFormat::kSeconds),
            23u);
  EXPECT_EQ(ScanLogTimestamp("2023-02-27 23:21:40 +0530 x", LogTimeFormat::kSeconds), 25u);
  EXPECT_EQ(ScanLogTimestamp("2023-02-27 23:21:40 +05:30 x", LogTimeFormat::kSeconds), 26u);
  EXPECT_EQ(ScanLogTimestamp("1700000000.123 [1]", LogTimeFormat::kEpoch), 14u);
  EXPECT_EQ(ScanLogTimestamp("2026-11-23 23:18:21 UTC", LogTimeFormat::kMillis), 0u);
  EXPECT_EQ(ScanLogTimestamp("\tpages: 0 removed", LogTimeFormat::kMillis), 0u);
  EXPECT_EQ(ScanLogTimestamp("2026-11-23 23:18:21.286 ", LogTimeFormat::kMillis), 0u);
  EXPECT_EQ(ScanLogTimestamp("", LogTimeFormat::kEpoch), 0u);
}

}  // namespace
}  // namespace vacwatch::ingest
