#include "report/markup.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace vacwatch::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i] (1-4), or 0 when it is not one.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  size_t n;
  uint32_t cp;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF (not XML characters).
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0xFFFE || cp == 0xFFFF) {
    return 0;
  }
  return n;
}

}  // namespace

void AppendEscaped(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    switch (c) {
      case '&':
        out->append("&amp;");
        ++i;
        continue;
      case '<':
        out->append("&lt;");
        ++i;
        continue;
      case '>':
        out->append("&gt;");
        ++i;
        continue;
      case '"':
        out->append("&quot;");
        ++i;
        continue;
      case '\'':
        out->append("&#39;");
        ++i;
        continue;
      default:
        break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      if (c == '\t' || c == '\n' || c == '\r') {
        out->push_back(c);
      } else {
        out->append(kReplacement);
      }
      ++i;
      continue;
    }
    const size_t n = Utf8Length(text, i);
    if (n == 0) {
      out->append(kReplacement);
      ++i;
      continue;
    }
    out->append(text.substr(i, n));
    i += n;
  }
}

std::string Escaped(std::string_view text) {
  std::string out;
  AppendEscaped(text, &out);
  return out;
}

void AppendFixed(double value, int decimals, std::string* out) {
  if (!std::isfinite(value)) value = 0;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string_view s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  // "-0.0" and friends: a sign on zero would make equal inputs print differently.
  bool all_zero = true;
  for (char c : s) {
    if (c != '-' && c != '0' && c != '.') all_zero = false;
  }
  if (all_zero && !s.empty() && s[0] == '-') s.remove_prefix(1);
  out->append(s);
}

std::string Fixed(double value, int decimals) {
  std::string out;
  AppendFixed(value, decimals, &out);
  return out;
}

namespace {
std::string Scaled(double value, const char* const* units, double base, int count) {
  if (!std::isfinite(value)) value = 0;
  const double sign = value < 0 ? -1 : 1;
  double v = std::fabs(value);
  int unit = 0;
  while (v >= base && unit + 1 < count) {
    v /= base;
    ++unit;
  }
  std::string out = Fixed(sign * v, unit == 0 || v >= 100 ? 0 : 1);
  out += units[unit];
  return out;
}
}  // namespace

std::string Count(double value) {
  static const char* const kUnits[] = {"", "k", "M", "G", "T"};
  return Scaled(value, kUnits, 1000, 5);
}

std::string Bytes(double value) {
  static const char* const kUnits[] = {" B", " KiB", " MiB", " GiB", " TiB"};
  return Scaled(value, kUnits, 1024, 5);
}

}  // namespace vacwatch::report
