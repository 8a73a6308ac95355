#include "common/rfc3339_time.h"

#include <cstdint>

namespace vacwatch {

namespace {

// Reads exactly `n` ASCII digits at `p`.
bool Digits(const char* p, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

bool ParseRfc3339(std::string_view text, absl::Time* out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  // "YYYY-MM-DDTHH:MM:SS" is 19 bytes; the zone is mandatory.
  if (text.size() < 20) {
    if (text == "infinity") {
      *out = absl::InfiniteFuture();
      return true;
    }
    if (text == "-infinity") {
      *out = absl::InfinitePast();
      return true;
    }
    return false;
  }
  // Straight-line: every digit is checked and converted without a branch per character.
  unsigned d[14];
  static constexpr int kDigitAt[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
  unsigned bad = 0;
  for (int i = 0; i < 14; ++i) {
    d[i] = static_cast<unsigned>(static_cast<unsigned char>(p[kDigitAt[i]])) - '0';
    bad |= static_cast<unsigned>(d[i] > 9);
  }
  bad |= static_cast<unsigned>(p[4] != '-') | static_cast<unsigned>(p[7] != '-') |
         static_cast<unsigned>(p[10] != 'T' && p[10] != ' ' && p[10] != 't') |
         static_cast<unsigned>(p[13] != ':') | static_cast<unsigned>(p[16] != ':');
  if (bad != 0) return false;
  const int year = static_cast<int>(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]);
  const int month = static_cast<int>(d[4] * 10 + d[5]);
  const int day = static_cast<int>(d[6] * 10 + d[7]);
  const int hour = static_cast<int>(d[8] * 10 + d[9]);
  const int minute = static_cast<int>(d[10] * 10 + d[11]);
  const int second = static_cast<int>(d[12] * 10 + d[13]);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  p += 19;
  int64_t nanos = 0;
  if (*p == '.') {
    ++p;
    int digits = 0;
    while (p < end && static_cast<unsigned>(*p - '0') <= 9) {
      if (digits < 9) {
        nanos = nanos * 10 + (*p - '0');
        ++digits;
      } else if (*p != '0') {
        return false;  // finer than nanoseconds: PostgreSQL never prints it
      }
      ++p;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  if (p >= end) return false;
  int64_t offset_s = 0;
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    const int sign = *p == '-' ? -1 : 1;
    ++p;
    int oh, om = 0, os = 0;
    if (end - p < 2 || !Digits(p, 2, &oh)) return false;
    p += 2;
    if (p < end) {
      if (*p == ':') ++p;
      if (end - p < 2 || !Digits(p, 2, &om)) return false;
      p += 2;
      if (p < end) {
        if (*p == ':') ++p;
        if (end - p < 2 || !Digits(p, 2, &os)) return false;
        p += 2;
      }
    }
    if (oh > 23 || om > 59 || os > 59) return false;
    offset_s = int64_t{sign} * (int64_t{oh} * 3600 + int64_t{om} * 60 + os);
  } else {
    return false;
  }
  if (p != end) return false;
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + int64_t{hour} * 3600 +
                          int64_t{minute} * 60 + second - offset_s;
  // One inline conversion for the years int64 nanoseconds cover (1678-2262); Duration
  // arithmetic (an out-of-line call) only beyond.
  constexpr int64_t kMaxNanoSeconds = INT64_MAX / 1000000000 - 1;
  if (seconds > -kMaxNanoSeconds && seconds < kMaxNanoSeconds) {
    *out = absl::FromUnixNanos(seconds * 1000000000 + nanos);
  } else {
    *out = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  }
  return true;
}

}  // namespace vacwatch
