#include "ingest/log_timestamp.h"

#include <array>

#include "absl/time/civil_time.h"

namespace vacwatch::ingest {
namespace {

struct ZoneAbbrev {
  std::string_view name;
  int32_t offset_s;
};

constexpr int32_t H(int hours, int minutes = 0) {
  return hours * 3600 + (hours < 0 ? -minutes : minutes) * 60;
}

// tzdata abbreviations PostgreSQL prints for common log_timezone settings. Zones that tzdata
// names only by offset ("+03", "-0530") go through the numeric path instead.
constexpr std::array<ZoneAbbrev, 62> kZones = {{
    {"UTC", 0},         {"GMT", 0},          {"UCT", 0},         {"Z", 0},
    {"WET", 0},         {"WEST", H(1)},      {"BST", H(1)},      {"IST", H(5, 30)},
    {"CET", H(1)},      {"CEST", H(2)},      {"MET", H(1)},      {"MEST", H(2)},
    {"EET", H(2)},      {"EEST", H(3)},      {"MSK", H(3)},      {"MSD", H(4)},
    {"IDT", H(3)},      {"SAST", H(2)},      {"CAT", H(2)},      {"EAT", H(3)},
    {"WAT", H(1)},      {"PKT", H(5)},       {"NPT", H(5, 45)},  {"WIB", H(7)},
    {"WITA", H(8)},     {"WIT", H(9)},       {"HKT", H(8)},      {"SGT", H(8)},
    {"PHT", H(8)},      {"AWST", H(8)},      {"JST", H(9)},      {"KST", H(9)},
    {"ACST", H(9, 30)}, {"ACDT", H(10, 30)}, {"AEST", H(10)},    {"AEDT", H(11)},
    {"ChST", H(10)},    {"NZST", H(12)},     {"NZDT", H(13)},    {"HST", H(-10)},
    {"HDT", H(-9)},     {"AKST", H(-9)},     {"AKDT", H(-8)},    {"PST", H(-8)},
    {"PDT", H(-7)},     {"MST", H(-7)},      {"MDT", H(-6)},     {"CST", H(-6)},
    {"CDT", H(-5)},     {"EST", H(-5)},      {"EDT", H(-4)},     {"AST", H(-4)},
    {"ADT", H(-3)},     {"NST", H(-3, 30)},  {"NDT", H(-2, 30)}, {"BRT", H(-3)},
    {"BRST", H(-2)},    {"ART", H(-3)},      {"CLT", H(-4)},     {"CLST", H(-3)},
    {"SST", H(-11)},    {"CCT", H(8)},
}};

// Abbreviations that tzdata gives to several zones, with the reading kZones uses first.
struct AmbiguousAbbrev {
  std::string_view name;
  std::string_view meanings;
};
constexpr std::array<AmbiguousAbbrev, 10> kAmbiguous = {{
    {"CST", "US Central (-06:00, read so) or China (+08:00, Asia/Shanghai)"},
    {"CDT", "US Central daylight (-05:00, read so) or Cuba (-04:00)"},
    {"IST", "India (+05:30, read so), Israel (+02:00) or Ireland (+01:00)"},
    {"IDT", "Israel daylight (+03:00, read so) or Irish daylight"},
    {"BST", "British Summer Time (+01:00, read so) or Bangladesh (+06:00)"},
    {"AST", "Atlantic (-04:00, read so) or Arabia (+03:00)"},
    {"ADT", "Atlantic daylight (-03:00, read so) or Arabia daylight"},
    {"MST", "US Mountain (-07:00, read so) or Malaysia (+08:00)"},
    {"SST", "Samoa (-11:00, read so) or Singapore (+08:00)"},
    {"CCT", "China Coast (+08:00, read so) or Cocos Islands (+06:30)"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Reads exactly `n` digits at text[pos..].
bool Digits(std::string_view text, size_t pos, size_t n, int* value) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

// Length of a zone token at the start of `text`: letters, or a sign and 2 or 4 digits
// (optionally "hh:mm"). 0 when there is none.
size_t ZoneTokenLength(std::string_view text) {
  if (text.empty()) return 0;
  if (text[0] == '+' || text[0] == '-') {
    size_t n = 1;
    while (n < text.size() && n < 5 && IsDigit(text[n])) ++n;
    if (n == 3 && text.size() >= 6 && text[3] == ':' && IsDigit(text[4]) && IsDigit(text[5])) {
      return 6;
    }
    return (n == 3 || n == 5) ? n : 0;
  }
  size_t n = 0;
  while (n < text.size() && n < 6 && IsAlpha(text[n])) ++n;
  if (n < text.size() && IsAlpha(text[n])) return 0;  // longer than any abbreviation
  return n;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Fail(std::string_view* why, std::string_view text) {
  if (why != nullptr) *why = text;
  return false;
}

// An optional ".f" to ".ffffff" at text[*pos] (%m, %n and csvlog print 3 digits, other tools up
// to 6), as microseconds; *pos moves past it. Digits beyond the sixth are left for the caller
// to refuse.
bool ParseFraction(std::string_view text, size_t* pos, int64_t* micros, std::string_view* why) {
  if (*pos >= text.size() || text[*pos] != '.') return true;
  ++*pos;
  size_t digits = 0;
  while (*pos < text.size() && IsDigit(text[*pos]) && digits < 6) {
    *micros = *micros * 10 + (text[*pos] - '0');
    ++*pos;
    ++digits;
  }
  if (digits == 0) return Fail(why, "missing fraction digits");
  for (; digits < 6; ++digits) *micros *= 10;
  return true;
}

// "SSSSSSSSSS[.fff]" (%n): seconds since the epoch, UTC.
bool ParseEpoch(std::string_view text, LogTimestamp* out, std::string_view* why) {
  size_t pos = 0;
  int64_t seconds = 0;
  while (pos < text.size() && IsDigit(text[pos])) {
    if (pos >= 12) return Fail(why, "epoch seconds out of range");
    seconds = seconds * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == 0) return Fail(why, "not a timestamp");
  int64_t micros = 0;
  if (!ParseFraction(text, &pos, &micros, why)) return false;
  if (pos != text.size()) return Fail(why, "trailing text after epoch timestamp");
  out->time = absl::FromUnixSeconds(seconds) + absl::Microseconds(micros);
  out->utc_offset_s = 0;
  return true;
}

}  // namespace

bool LookupZoneOffset(std::string_view zone, int32_t* offset_s) {
  if (zone.empty()) return false;
  if (zone[0] == '+' || zone[0] == '-') {
    if (ZoneTokenLength(zone) != zone.size()) return false;
    int hours = 0;
    int minutes = 0;
    if (!Digits(zone, 1, 2, &hours)) return false;
    if (zone.size() == 5 && !Digits(zone, 3, 2, &minutes)) return false;
    if (zone.size() == 6 && !Digits(zone, 4, 2, &minutes)) return false;
    if (hours > 15 || minutes > 59) return false;
    int32_t offset = hours * 3600 + minutes * 60;
    *offset_s = zone[0] == '-' ? -offset : offset;
    return true;
  }
  for (const ZoneAbbrev& z : kZones) {
    if (z.name == zone) {
      *offset_s = z.offset_s;
      return true;
    }
  }
  return false;
}

size_t ScanLogTimestamp(std::string_view text, LogTimeFormat format) {
  if (format == LogTimeFormat::kEpoch) {
    size_t n = 0;
    while (n < text.size() && IsDigit(text[n])) ++n;
    if (n == 0 || n > 12 || n + 4 > text.size() || text[n] != '.') return 0;
    if (!IsDigit(text[n + 1]) || !IsDigit(text[n + 2]) || !IsDigit(text[n + 3])) return 0;
    return n + 4;
  }
  // "YYYY-MM-DD HH:MM:SS" checked by position; cheap enough for every line.
  if (text.size() < 21) return 0;
  const char* p = text.data();
  if (!(IsDigit(p[0]) && IsDigit(p[1]) && IsDigit(p[2]) && IsDigit(p[3]) && p[4] == '-' &&
        IsDigit(p[5]) && IsDigit(p[6]) && p[7] == '-' && IsDigit(p[8]) && IsDigit(p[9]) &&
        p[10] == ' ' && IsDigit(p[11]) && IsDigit(p[12]) && p[13] == ':' && IsDigit(p[14]) &&
        IsDigit(p[15]) && p[16] == ':' && IsDigit(p[17]) && IsDigit(p[18]))) {
    return 0;
  }
  size_t pos = 19;
  if (format == LogTimeFormat::kMillis) {
    if (text.size() < 25 || p[19] != '.' || !IsDigit(p[20]) || !IsDigit(p[21]) || !IsDigit(p[22])) {
      return 0;
    }
    pos = 23;
  }
  if (pos >= text.size() || text[pos] != ' ') return 0;
  ++pos;
  size_t zone = ZoneTokenLength(text.substr(pos));
  return zone == 0 ? 0 : pos + zone;
}

std::string_view AmbiguousZoneMeanings(std::string_view abbreviation) {
  for (const AmbiguousAbbrev& a : kAmbiguous) {
    if (a.name == abbreviation) return a.meanings;
  }
  return {};
}

bool ParseLogTimestamp(std::string_view text, LogTimestamp* out, std::string_view* why) {
  return ParseLogTimestampIn(text, nullptr, out, why);
}

bool ParseLogTimestampIn(std::string_view text, const absl::TimeZone* tz, LogTimestamp* out,
                         std::string_view* why) {
  out->ambiguous_zone = {};
  if (text.size() < 5) return Fail(why, "not a timestamp");
  if (text[4] != '-') return ParseEpoch(text, out, why);

  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) ||
      text[7] != '-' || !Digits(text, 8, 2, &day) || (text[10] != ' ' && text[10] != 'T') ||
      !Digits(text, 11, 2, &hour) || text[13] != ':' || !Digits(text, 14, 2, &minute) ||
      text[16] != ':' || !Digits(text, 17, 2, &second)) {
    return Fail(why, "not a timestamp");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return Fail(why, "date or time field out of range");
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (!ParseFraction(text, &pos, &micros, why)) return false;
  if (pos >= text.size() || text[pos] != ' ') return Fail(why, "missing time zone");
  std::string_view zone = text.substr(pos + 1);
  const bool named = !zone.empty() && IsAlpha(zone[0]);
  const bool universal = zone == "UTC" || zone == "GMT" || zone == "UCT" || zone == "Z";
  if (tz != nullptr && named && !universal) {
    // The server's zone is known: its rules decide the offset, whatever the letters.
    if (ZoneTokenLength(zone) != zone.size()) return Fail(why, "unknown time zone");
    const absl::CivilSecond civil(year, month, day, hour, minute, second);
    const absl::TimeZone::TimeInfo info = tz->At(civil);
    absl::Time t = info.pre;
    if (info.kind == absl::TimeZone::TimeInfo::REPEATED) {
      // The hour a DST change repeats: the abbreviation tells which of the two it was.
      if (tz->At(info.pre).zone_abbr != zone) t = info.post;
    }
    out->time = t + absl::Microseconds(micros);
    out->utc_offset_s = tz->At(t).offset;
    return true;
  }
  int32_t offset = 0;
  if (!LookupZoneOffset(zone, &offset)) return Fail(why, "unknown time zone");
  for (const AmbiguousAbbrev& a : kAmbiguous) {
    if (a.name == zone) out->ambiguous_zone = a.name;
  }

  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t local_seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
  out->time = absl::FromUnixSeconds(local_seconds - offset) + absl::Microseconds(micros);
  out->utc_offset_s = offset;
  return true;
}

}  // namespace vacwatch::ingest
