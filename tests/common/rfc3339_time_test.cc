#include "common/rfc3339_time.h"

#include <string_view>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vacwatch {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(Rfc3339TimeTest, ParsesPostgresJsonbTimestamps) {
  absl::Time t;
  ASSERT_TRUE(ParseRfc3339("2026-11-23T23:18:23.945964+00:00", &t));
  EXPECT_EQ(t, Utc(2026, 11, 23, 23, 18, 23) + absl::Microseconds(945964));
  ASSERT_TRUE(ParseRfc3339("2026-11-23T23:18:23+05:30", &t));
  EXPECT_EQ(t, Utc(2026, 11, 23, 17, 48, 23));
  ASSERT_TRUE(ParseRfc3339("2026-11-23T23:18:23.5-08:00", &t));
  EXPECT_EQ(t, Utc(2026, 11, 24, 7, 18, 23) + absl::Milliseconds(500));
  ASSERT_TRUE(ParseRfc3339("1883-11-18T12:00:00-07:52:58", &t));  // LMT offsets have seconds
  EXPECT_EQ(t, Utc(1883, 11, 18, 19, 52, 58));
  ASSERT_TRUE(ParseRfc3339("2024-02-29 00:00:00Z", &t));
  EXPECT_EQ(t, Utc(2024, 2, 29, 0, 0, 0));
  ASSERT_TRUE(ParseRfc3339("2026-01-01T00:00:00.123456789+01", &t));
  EXPECT_EQ(t, Utc(2025, 12, 31, 23, 0, 0) + absl::Nanoseconds(123456789));
  ASSERT_TRUE(ParseRfc3339("1969-12-31T23:59:59Z", &t));
  EXPECT_EQ(absl::ToUnixSeconds(t), -1);
  ASSERT_TRUE(ParseRfc3339("1600-01-01T00:00:00.5Z", &t));  // beyond int64 nanoseconds
  EXPECT_EQ(t, Utc(1600, 1, 1, 0, 0, 0) + absl::Milliseconds(500));
  ASSERT_TRUE(ParseRfc3339("9999-12-31T23:59:59.999999+00:00", &t));
  EXPECT_EQ(t, Utc(9999, 12, 31, 23, 59, 59) + absl::Microseconds(999999));
  ASSERT_TRUE(ParseRfc3339("infinity", &t));
  EXPECT_EQ(t, absl::InfiniteFuture());
  ASSERT_TRUE(ParseRfc3339("-infinity", &t));
  EXPECT_EQ(t, absl::InfinitePast());
}

TEST(Rfc3339TimeTest, RejectsEverythingElse) {
  const absl::Time before = absl::UnixEpoch();
  for (std::string_view bad :
       {"", "2026-11-23", "2026-11-23T23:18:23", "2026-11-23T23:18:23.+00:00",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T23:60:00Z", "2026-11-23T23:18:60Z",
        "2026-11-23T23:18:23+0", "2026-11-23T23:18:23+00:0", "2026-11-23T23:18:23+00:00x",
        "2026-11-23T23:18:23 UTC", "2026/11/23T23:18:23Z", "2026-11-23T23:18:23Zjunk",
        "20a6-11-23T23:18:23Z", "2026-11-23T23:18:23.1234567891Z", "infinityy"}) {
    absl::Time t = before;
    EXPECT_FALSE(ParseRfc3339(bad, &t)) << bad;
    EXPECT_EQ(t, before) << bad;
  }
}

}  // namespace
}  // namespace vacwatch
