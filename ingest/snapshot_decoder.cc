#include "ingest/snapshot_decoder.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/rfc3339_time.h"
#include "ingest/snapshot_key_index.h"
#include "simdjson.h"

namespace vacwatch::ingest {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// The key index (snapshot_key_index.h) says which member each key goes to.
using snapshot_keys::FieldSpec;
using snapshot_keys::FieldType;
using snapshot_keys::KeyOrder;
using snapshot_keys::Schema;

std::string_view ErrorCodeName(error_code code) {
  switch (code) {
    case simdjson::SUCCESS:
      return "SUCCESS";
    case simdjson::CAPACITY:
      return "CAPACITY";
    case simdjson::MEMALLOC:
      return "MEMALLOC";
    case simdjson::TAPE_ERROR:
      return "TAPE_ERROR";
    case simdjson::DEPTH_ERROR:
      return "DEPTH_ERROR";
    case simdjson::STRING_ERROR:
      return "STRING_ERROR";
    case simdjson::T_ATOM_ERROR:
      return "T_ATOM_ERROR";
    case simdjson::F_ATOM_ERROR:
      return "F_ATOM_ERROR";
    case simdjson::N_ATOM_ERROR:
      return "N_ATOM_ERROR";
    case simdjson::NUMBER_ERROR:
      return "NUMBER_ERROR";
    case simdjson::UTF8_ERROR:
      return "UTF8_ERROR";
    case simdjson::EMPTY:
      return "EMPTY";
    case simdjson::UNESCAPED_CHARS:
      return "UNESCAPED_CHARS";
    case simdjson::UNCLOSED_STRING:
      return "UNCLOSED_STRING";
    case simdjson::INCORRECT_TYPE:
      return "INCORRECT_TYPE";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "NUMBER_OUT_OF_RANGE";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "INCOMPLETE_ARRAY_OR_OBJECT";
    case simdjson::TRAILING_CONTENT:
      return "TRAILING_CONTENT";
    case simdjson::OUT_OF_BOUNDS:
      return "OUT_OF_BOUNDS";
    default:
      return "JSON_ERROR";
  }
}

ParseErrorKind KindOf(error_code code) {
  switch (code) {
    case simdjson::INCORRECT_TYPE:
      return ParseErrorKind::kWrongType;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return ParseErrorKind::kBadNumber;
    case simdjson::UTF8_ERROR:
      return ParseErrorKind::kInvalidEncoding;
    case simdjson::EMPTY:
    case simdjson::UNCLOSED_STRING:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::OUT_OF_BOUNDS:
      return ParseErrorKind::kTruncated;
    case simdjson::CAPACITY:
      return ParseErrorKind::kOversized;
    default:
      return ParseErrorKind::kBadStructure;
  }
}

// Errors that concern one value (its start is the position to report) rather than the
// document's structure (where the iterator stopped is).
bool IsValueError(error_code code) {
  switch (code) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::STRING_ERROR:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return true;
    default:
      return false;
  }
}

// Byte index of the first invalid UTF-8 sequence (only called once simdjson said there is one).
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    size_t len;
    uint32_t min_cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min_cp = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min_cp = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min_cp = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return i;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

// `s` with every byte that is not part of valid UTF-8 written as the JSON text \\xNN (a
// backslash, x and two hex digits once decoded), so a name in another encoding (a database in
// SQL_ASCII or LATIN1) is kept, escaped, instead of losing the whole snapshot. Appends to
// `*out`, and to `*starts` where in `*out` each escape begins; returns how many bytes were
// escaped.
constexpr size_t kEscapeBytes = 5;  // \\xNN
size_t EscapeInvalidUtf8(std::string_view s, std::string* out, std::vector<size_t>* starts) {
  size_t escaped = 0;
  while (!s.empty()) {
    const size_t bad = FirstInvalidUtf8(s);
    out->append(s.substr(0, bad));
    if (bad >= s.size()) break;
    static constexpr char kHex[] = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(s[bad]);
    starts->push_back(out->size());
    out->append("\\\\x");
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 15]);
    ++escaped;
    s.remove_prefix(bad + 1);
  }
  return escaped;
}

// An integer literal (what get_int64 calls INCORRECT_TYPE when it does not fit in 64 bits).
bool IsIntegerToken(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  if (token.empty()) return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  if (s.empty()) return false;
  const char* first = s.data();
  if (*first == '+') ++first;  // from_chars refuses a plus sign
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseSettingBool(std::string_view s, bool* out) {
  // pg_settings prints "on"/"off"; the rest are the spellings PostgreSQL itself accepts.
  if (s == "on" || s == "true" || s == "yes" || s == "1") {
    *out = true;
  } else if (s == "off" || s == "false" || s == "no" || s == "0") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

// The decoder's state and steps; SnapshotDecoder::Impl is this under the header's name. In the
// unnamed namespace its template instantiations (one DecodeObject per schema) have internal
// linkage, so GCC inlines each into its one caller; as members of SnapshotDecoder::Impl they are
// weak symbols, and decoding was 5-8% slower (snapshot_decoder_bench).
struct Decoder {
  od::parser parser;
  od::document doc;
  std::unique_ptr<char[]> buf;
  size_t buf_capacity = 0;  // bytes usable before the padding
  const char* base = nullptr;
  size_t len = 0;
  std::string_view document;          // the caller's, as given to Run (base may point to a copy)
  bool salvage = false;               // Options::salvage
  std::string escaped;                // the document with invalid UTF-8 escaped, when it had some
  std::vector<size_t> escape_starts;  // where in `escaped` each escape begins
  // Table rows left out of the last decoded snapshot, with why.
  struct DroppedRow {
    ParseErrorKind kind;
    std::string field, detail;
    int64_t byte_offset = 0;
  };
  std::vector<DroppedRow> dropped_rows;

  // Where the decoder is, for error messages: tables[3].reloptions[1] is
  // {{"tables", 3}, {"reloptions", 1}} with depth 2.
  struct Segment {
    std::string_view key;
    int64_t index = -1;
  };
  std::array<Segment, 3> path{};
  int depth = 0;

  // Per object type, the order its keys came in last time (KeyOrder).
  KeyOrder top_order, table_order, settings_order, holder_order, slot_order, prepared_order,
      progress_order, walsender_order, horizon_order, bloat_order;
  template <typename T>
  KeyOrder& OrderOf() {
    if constexpr (std::is_same_v<T, Snapshot>) return top_order;
    if constexpr (std::is_same_v<T, TableStats>) return table_order;
    if constexpr (std::is_same_v<T, AutovacuumSettings>) return settings_order;
    if constexpr (std::is_same_v<T, XminHolder>) return holder_order;
    if constexpr (std::is_same_v<T, ReplicationSlot>) return slot_order;
    if constexpr (std::is_same_v<T, PreparedXact>) return prepared_order;
    if constexpr (std::is_same_v<T, VacuumProgress>) return progress_order;
    if constexpr (std::is_same_v<T, Walsender>) return walsender_order;
    if constexpr (std::is_same_v<T, SnapshotHorizon>) return horizon_order;
    if constexpr (std::is_same_v<T, MeasuredBloat>) return bloat_order;
  }
  template <typename T, size_t N>
  const FieldSpec<T>* Lookup(const Schema<T, N>& schema, size_t position, std::string_view key) {
    return OrderOf<T>().Lookup(schema, position, key);
  }

  // reloptions vectors of rows from earlier snapshots, kept for their capacity.
  std::vector<std::vector<std::string_view>> spare_strings;

  std::string field, detail;
  ParseError error;

  // `readable`: bytes readable from document.data(); 0 = unknown (copy).
  bool Run(std::string_view document, size_t readable, Snapshot* out);

  void Reset(Snapshot* out);
  void RecycleTables(std::vector<TableStats>* tables);

  // The offset in the caller's document of `p`, a pointer into the bytes parsed (their end when
  // outside). Where invalid UTF-8 was escaped, the bytes parsed are longer than the document:
  // a position after an escape moves back by its 4 extra bytes, one inside it is its byte's.
  int64_t Position(const char* p) const {
    const size_t at =
        (p == nullptr || p < base || p > base + len) ? len : static_cast<size_t>(p - base);
    if (escape_starts.empty() || base != escaped.data()) return static_cast<int64_t>(at);
    size_t shift = 0;
    for (const size_t start : escape_starts) {
      if (start >= at) break;
      if (at < start + kEscapeBytes) return static_cast<int64_t>(start - shift);
      shift += kEscapeBytes - 1;
    }
    return static_cast<int64_t>(at - shift);
  }
  bool Fail(ParseErrorKind kind, std::string_view code, int64_t position);
  bool FailJson(error_code code, od::value* v);
  bool NullOr(error_code code, od::value& v, bool* was_null);
  bool NullOrInt(error_code code, od::value& v, bool* was_null) {
    if (code == simdjson::INCORRECT_TYPE && IsIntegerToken(v.raw_json_token())) {
      code = simdjson::NUMBER_OUT_OF_RANGE;
    }
    return NullOr(code, v, was_null);
  }

  // Bytes from `s` to the next '"', in 8-byte words: stage 1 has checked that the string is
  // closed inside the document, and the padding makes reading past its end safe.
  size_t QuoteEnd(const char* s) const {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kQuotes = kOnes * '"';
    const size_t limit = static_cast<size_t>(base + len - s);
    for (size_t i = 0; i < limit; i += 8) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      const uint64_t x = word ^ kQuotes;  // zero bytes where the quotes are
      const uint64_t found = (x - kOnes) & ~x & (kOnes * 0x80);
      if (found != 0) {
        return std::min(limit, i + static_cast<size_t>(__builtin_ctzll(found) >> 3));
      }
    }
    return limit;
  }
  // The key as written (escapes are not decoded: no known key has one).
  std::string_view RawKey(od::field& f) const {
    const char* k = f.key().raw();
    return {k, QuoteEnd(k)};
  }
  // The contents of a string value without unescaping (timestamps, numbers in strings): they
  // never hold escapes, and one that does fails to parse as what it should be.
  error_code RawString(od::value& v, std::string_view* out) const {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw); e) return e;
    *out = std::string_view(raw.raw(), QuoteEnd(raw.raw()));
    return simdjson::SUCCESS;
  }

  template <typename T, size_t N>
  bool DecodeObject(od::value& v, const Schema<T, N>& schema, int level, T* out);
  // Fails at `position` naming the first required field of `schema` (an object at path[level])
  // whose bit is not in `seen`; true when there is none.
  template <typename T, size_t N>
  bool RequireFields(const Schema<T, N>& schema, uint32_t seen, int level, int64_t position);
  template <typename T, size_t N>
  bool DecodeArray(od::value& v, const Schema<T, N>& schema, std::vector<T>* out);
  template <typename T>
  bool DecodeField(const FieldSpec<T>& spec, od::value& v, T* out);
  // A number or boolean; null leaves it absent.
  template <typename V, typename T>
  bool DecodeOptional(od::value& v, std::optional<V> T::*member, T* out) {
    V x;
    if (auto e = v.get(x); e) {
      bool was_null;
      if (!(std::is_same_v<V, int64_t> ? NullOrInt(e, v, &was_null) : NullOr(e, v, &was_null))) {
        return false;
      }
      (out->*member).reset();
      return true;
    }
    out->*member = x;
    return true;
  }
  bool DecodeSection(FieldType type, od::value& v, Snapshot* out);
  bool DecodeStrings(od::value& v, std::vector<std::string_view>* out);
  bool DecodeOid(od::value& v, bool required, int64_t* out, bool* present);
  bool DecodeSetting(FieldType type, od::value& v, const FieldSpec<AutovacuumSettings>& spec,
                     AutovacuumSettings* out);
};

bool Decoder::Fail(ParseErrorKind kind, std::string_view code, int64_t position) {
  field.clear();
  for (int i = 0; i < depth; ++i) {
    if (i > 0) field.push_back('.');
    field.append(path[i].key);
    if (path[i].index >= 0) absl::StrAppend(&field, "[", path[i].index, "]");
  }
  detail.assign(code);
  absl::StrAppend(&detail, " at byte ", position);
  error.kind = kind;
  error.field = field;
  error.detail = detail;
  error.byte_offset = position;
  return false;
}

bool Decoder::FailJson(error_code code, od::value* v) {
  const char* at = nullptr;
  if (v != nullptr && IsValueError(code)) {
    at = v->raw_json_token().data();
  } else if (doc.current_location().get(at) != simdjson::SUCCESS) {
    at = nullptr;  // at the end of the document
  }
  return Fail(KindOf(code), ErrorCodeName(code), Position(at));
}

// After a typed read failed with `code`: a null is an absent value (returns true with
// *was_null), anything else is the error.
bool Decoder::NullOr(error_code code, od::value& v, bool* was_null) {
  *was_null = false;
  if (code == simdjson::INCORRECT_TYPE) {
    bool is_null = false;
    if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      *was_null = true;
      return true;
    }
  }
  return FailJson(code, &v);
}

bool Decoder::DecodeOid(od::value& v, bool required, int64_t* out, bool* present) {
  *present = false;
  od::json_type type;
  if (auto e = v.type().get(type); e) return FailJson(e, &v);
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = RawString(v, &s); e) return FailJson(e, &v);
    if (!ParseInt(s, out) || *out < 0) {
      return Fail(ParseErrorKind::kBadNumber, "BAD_OID", Position(v.raw_json_token().data()));
    }
  } else if (type == od::json_type::number) {
    if (auto e = v.get_int64().get(*out); e) {
      bool was_null;
      NullOrInt(e, v, &was_null);
      return false;
    }
    if (*out < 0) {
      return Fail(ParseErrorKind::kBadNumber, "BAD_OID", Position(v.raw_json_token().data()));
    }
  } else if (type == od::json_type::null) {
    if (required) {
      return Fail(ParseErrorKind::kMissingField, "NULL", Position(v.raw_json_token().data()));
    }
    return true;
  } else {
    return FailJson(simdjson::INCORRECT_TYPE, &v);
  }
  *present = true;
  return true;
}

bool Decoder::DecodeStrings(od::value& v, std::vector<std::string_view>* out) {
  out->clear();
  od::array array;
  if (auto e = v.get_array().get(array); e) {
    bool was_null;
    return NullOr(e, v, &was_null);
  }
  Segment& segment = path[depth - 1];
  int64_t i = 0;
  for (auto element : array) {
    segment.index = i++;
    if (auto e = element.error(); e) return FailJson(e, nullptr);
    od::value& item = element.value_unsafe();
    std::string_view s;
    if (auto e = item.get_string().get(s); e) return FailJson(e, &item);
    if (out->capacity() == 0 && !spare_strings.empty()) {
      // A new row: take the capacity an earlier snapshot's row left behind.
      *out = std::move(spare_strings.back());
      spare_strings.pop_back();
    }
    out->push_back(s);
  }
  segment.index = -1;
  return true;
}

bool Decoder::DecodeSetting(FieldType type, od::value& v, const FieldSpec<AutovacuumSettings>& spec,
                            AutovacuumSettings* out) {
  std::string_view s;
  if (auto e = RawString(v, &s); e) {
    bool was_null;
    if (!NullOr(e, v, &was_null)) return false;
    // null: leave the setting absent
    if (type == FieldType::kSettingInt) (out->*spec.opt_int).reset();
    if (type == FieldType::kSettingDouble) (out->*spec.opt_double).reset();
    if (type == FieldType::kSettingBool) (out->*spec.opt_bool).reset();
    return true;
  }
  bool ok = false;
  if (type == FieldType::kSettingInt) {
    int64_t x;
    ok = ParseInt(s, &x);
    if (ok) out->*spec.opt_int = x;
  } else if (type == FieldType::kSettingDouble) {
    double x;
    ok = ParseDouble(s, &x);
    if (ok) out->*spec.opt_double = x;
  } else {
    bool x;
    ok = ParseSettingBool(s, &x);
    if (ok) out->*spec.opt_bool = x;
  }
  if (!ok) {
    return Fail(type == FieldType::kSettingBool ? ParseErrorKind::kBadStructure
                                                : ParseErrorKind::kBadNumber,
                type == FieldType::kSettingBool ? "BAD_BOOL" : "BAD_NUMBER",
                Position(v.raw_json_token().data()));
  }
  return true;
}

template <typename T>
bool Decoder::DecodeField(const FieldSpec<T>& spec, od::value& v, T* out) {
  bool was_null = false;
  switch (spec.type) {
    case FieldType::kOptInt:
      return DecodeOptional(v, spec.opt_int, out);
    case FieldType::kOptDouble:
      return DecodeOptional(v, spec.opt_double, out);
    case FieldType::kString:
    case FieldType::kRequiredString: {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) {
        if (!NullOr(e, v, &was_null)) return false;
        if (spec.type == FieldType::kRequiredString) {
          return Fail(ParseErrorKind::kMissingField, "NULL", Position(v.raw_json_token().data()));
        }
        out->*spec.str = std::string_view();
        return true;
      }
      out->*spec.str = s;
      return true;
    }
    case FieldType::kOptTime:
    case FieldType::kRequiredTime: {
      std::string_view s;
      if (auto e = RawString(v, &s); e) {
        if (!NullOr(e, v, &was_null)) return false;
        if (spec.type == FieldType::kRequiredTime) {
          return Fail(ParseErrorKind::kMissingField, "NULL", Position(v.raw_json_token().data()));
        }
        (out->*spec.opt_time).reset();
        return true;
      }
      absl::Time t;
      if (!ParseRfc3339(s, &t)) {
        return Fail(ParseErrorKind::kBadTimestamp, "BAD_TIMESTAMP",
                    Position(v.raw_json_token().data()));
      }
      if (spec.type == FieldType::kRequiredTime) {
        out->*spec.time = t;
      } else {
        out->*spec.opt_time = t;
      }
      return true;
    }
    case FieldType::kOptBool:
      return DecodeOptional(v, spec.opt_bool, out);
    case FieldType::kOid: {
      bool present;
      return DecodeOid(v, /*required=*/true, &(out->*spec.int64), &present);
    }
    case FieldType::kOptOid: {
      int64_t x;
      bool present;
      if (!DecodeOid(v, /*required=*/false, &x, &present)) return false;
      if (present) {
        out->*spec.opt_int = x;
      } else {
        (out->*spec.opt_int).reset();
      }
      return true;
    }
    case FieldType::kPid: {
      int64_t x;
      if (auto e = v.get_int64().get(x); e) {
        if (!NullOrInt(e, v, &was_null)) return false;
        return Fail(ParseErrorKind::kMissingField, "NULL", Position(v.raw_json_token().data()));
      }
      if (x < INT32_MIN || x > INT32_MAX) {
        return Fail(ParseErrorKind::kBadNumber, "NUMBER_OUT_OF_RANGE",
                    Position(v.raw_json_token().data()));
      }
      out->*spec.int32 = static_cast<int32_t>(x);
      return true;
    }
    case FieldType::kStringArray:
      return DecodeStrings(v, &(out->*spec.strings));
    case FieldType::kSettingInt:
    case FieldType::kSettingDouble:
    case FieldType::kSettingBool:
      if constexpr (std::is_same_v<T, AutovacuumSettings>) {
        return DecodeSetting(spec.type, v, spec, out);
      }
      return true;
    default:
      if constexpr (std::is_same_v<T, Snapshot>) return DecodeSection(spec.type, v, out);
      return true;
  }
}

template <typename T, size_t N>
bool Decoder::DecodeObject(od::value& v, const Schema<T, N>& schema, int level, T* out) {
  const char* start = v.raw_json_token().data();
  od::object object;
  if (auto e = v.get_object().get(object); e) return FailJson(e, &v);
  uint32_t seen = 0;
  Segment& segment = path[level];
  depth = level + 1;
  size_t position = 0;
  for (auto field_result : object) {
    // Used in place: get() into a separate field costs a store-forwarding stall per field.
    if (auto e = field_result.error(); e) return FailJson(e, nullptr);
    od::field& f = field_result.value_unsafe();
    const std::string_view key = RawKey(f);
    segment.key = key;
    segment.index = -1;
    const FieldSpec<T>* spec = Lookup(schema, position++, key);
    if (spec == nullptr) continue;  // unknown: On Demand skips the value
    seen |= spec->required_bit;
    if (!DecodeField(*spec, f.value(), out)) return false;
    depth = level + 1;  // a section below may have gone deeper
  }
  return RequireFields(schema, seen, level, Position(start));
}

template <typename T, size_t N>
bool Decoder::RequireFields(const Schema<T, N>& schema, uint32_t seen, int level,
                            int64_t position) {
  if ((seen & schema.required_mask) == schema.required_mask) return true;
  for (const auto& spec : schema.fields) {
    if (spec.required_bit != 0 && (seen & spec.required_bit) == 0) {
      path[level] = Segment{spec.name, -1};
      depth = level + 1;
      return Fail(ParseErrorKind::kMissingField, "MISSING", position);
    }
  }
  return true;
}

template <typename T, size_t N>
bool Decoder::DecodeArray(od::value& v, const Schema<T, N>& schema, std::vector<T>* out) {
  if constexpr (std::is_same_v<T, TableStats>) {
    RecycleTables(out);
  } else {
    out->clear();
  }
  od::array array;
  if (auto e = v.get_array().get(array); e) {
    bool was_null;
    return NullOr(e, v, &was_null);
  }
  Segment& segment = path[0];
  int64_t i = 0;
  for (auto element : array) {
    segment.index = i++;
    depth = 1;
    if (auto e = element.error(); e) return FailJson(e, nullptr);
    od::value& item = element.value_unsafe();
    if (!DecodeObject(item, schema, 1, &out->emplace_back())) {
      // One bad table row (a wrong type, a missing name) costs that row, not the snapshot;
      // only a document that is no longer readable stops here.
      if constexpr (std::is_same_v<T, TableStats>) {
        if (salvage && (error.kind == ParseErrorKind::kWrongType ||
                        error.kind == ParseErrorKind::kMissingField ||
                        error.kind == ParseErrorKind::kBadNumber)) {
          dropped_rows.push_back(
              {error.kind, std::string(error.field), std::string(error.detail), error.byte_offset});
          error = ParseError();
          error.raw = document;
          TableStats& bad = out->back();
          if (bad.reloptions.capacity() > 0) {
            bad.reloptions.clear();
            spare_strings.push_back(std::move(bad.reloptions));
          }
          out->pop_back();
          continue;
        }
      }
      return false;
    }
  }
  segment.index = -1;
  depth = 1;
  return true;
}

bool Decoder::DecodeSection(FieldType type, od::value& v, Snapshot* out) {
  switch (type) {
    case FieldType::kKind: {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) {
        bool was_null;
        return NullOr(e, v, &was_null);
      }
      if (s != "pg_stat_snapshot") {
        return Fail(ParseErrorKind::kBadStructure, "NOT_A_PG_STAT_SNAPSHOT",
                    Position(v.raw_json_token().data()));
      }
      return true;
    }
    case FieldType::kSettings: {
      out->settings = AutovacuumSettings();
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
      return DecodeObject(v, snapshot_keys::kSettingsSchema, 1, &out->settings);
    }
    case FieldType::kTables:
      return DecodeArray(v, snapshot_keys::kTableSchema, &out->tables);
    case FieldType::kXminHolders:
      return DecodeArray(v, snapshot_keys::kXminHolderSchema, &out->xmin_holders);
    case FieldType::kReplicationSlots:
      return DecodeArray(v, snapshot_keys::kReplicationSlotSchema, &out->replication_slots);
    case FieldType::kPreparedXacts:
      return DecodeArray(v, snapshot_keys::kPreparedXactSchema, &out->prepared_xacts);
    case FieldType::kVacuumProgress:
      return DecodeArray(v, snapshot_keys::kVacuumProgressSchema, &out->vacuum_progress);
    case FieldType::kWalsenders:
      return DecodeArray(v, snapshot_keys::kWalsenderSchema, &out->walsenders);
    case FieldType::kMeasuredBloat:
      return DecodeArray(v, snapshot_keys::kMeasuredBloatSchema, &out->measured_bloat);
    case FieldType::kHorizon: {
      out->horizon = SnapshotHorizon();
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
      return DecodeObject(v, snapshot_keys::kHorizonSchema, 1, &out->horizon);
    }
    default:
      return true;
  }
}

void Decoder::RecycleTables(std::vector<TableStats>* tables) {
  for (TableStats& row : *tables) {
    if (row.reloptions.capacity() > 0) {
      row.reloptions.clear();
      spare_strings.push_back(std::move(row.reloptions));
    }
  }
  tables->clear();
}

void Decoder::Reset(Snapshot* out) {
  out->cluster = {};
  out->database = {};
  out->collected_at = absl::InfinitePast();
  out->server_version_num.reset();
  out->settings = AutovacuumSettings();
  RecycleTables(&out->tables);
  out->xmin_holders.clear();
  out->replication_slots.clear();
  out->prepared_xacts.clear();
  out->vacuum_progress.clear();
  out->walsenders.clear();
  out->horizon = SnapshotHorizon();
  out->measured_bloat.clear();
}

bool Decoder::Run(std::string_view document, size_t readable, Snapshot* out) {
  this->document = document;
  error = ParseError();
  error.raw = document;
  dropped_rows.clear();
  depth = 0;
  path = {};
  Reset(out);

  size_t capacity = readable;
  if (readable >= document.size() + simdjson::SIMDJSON_PADDING) {
    base = document.data();
  } else {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into our padded buffer.
    if (buf == nullptr || document.size() > buf_capacity) {
      size_t grown = buf_capacity == 0 ? size_t{64} << 10 : buf_capacity;
      while (grown < document.size()) grown *= 2;
      buf = std::make_unique_for_overwrite<char[]>(grown + simdjson::SIMDJSON_PADDING);
      buf_capacity = grown;
    }
    std::memcpy(buf.get(), document.data(), document.size());
    std::memset(buf.get() + document.size(), 0, simdjson::SIMDJSON_PADDING);
    base = buf.get();
    capacity = buf_capacity + simdjson::SIMDJSON_PADDING;
  }
  len = document.size();

  // A NUL byte is valid UTF-8 and simdjson would call it structure; say what it is.
  if (const void* nul = std::memchr(document.data(), '\0', document.size()); nul != nullptr) {
    return Fail(ParseErrorKind::kInvalidEncoding, "NUL_BYTE",
                static_cast<const char*>(nul) - document.data());
  }

  escaped.clear();
  escape_starts.clear();
  auto iterated = parser.iterate(base, len, capacity);
  if (salvage && iterated.error() == simdjson::UTF8_ERROR) {
    escaped.clear();
    EscapeInvalidUtf8(document, &escaped, &escape_starts);
    escaped.append(simdjson::SIMDJSON_PADDING, '\0');
    base = escaped.data();
    len = escaped.size() - simdjson::SIMDJSON_PADDING;
    iterated = parser.iterate(base, len, escaped.size());
  }
  if (auto e = std::move(iterated).get(doc); e) {
    int64_t at = 0;
    if (e == simdjson::UTF8_ERROR) {
      at = static_cast<int64_t>(FirstInvalidUtf8(document));
    } else if (e == simdjson::UNCLOSED_STRING || e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
      at = Position(base + len);
    }
    return Fail(KindOf(e), ErrorCodeName(e), at);
  }
  od::object root;
  if (auto e = doc.get_object().get(root); e) {
    if (base == escaped.data() && !escaped.empty()) {
      // Escaping did not make a document of it: the bytes were not in a string.
      return Fail(ParseErrorKind::kInvalidEncoding, "UTF8_ERROR",
                  static_cast<int64_t>(FirstInvalidUtf8(document)));
    }
    const char* at = nullptr;
    if (doc.current_location().get(at) != simdjson::SUCCESS) at = nullptr;
    return Fail(KindOf(e), ErrorCodeName(e), at == nullptr ? 0 : Position(at));
  }
  uint32_t seen = 0;
  size_t position = 0;
  for (auto field_result : root) {
    depth = 1;
    path[0] = Segment{};
    // Used in place: get() into a separate field costs a store-forwarding stall per field.
    if (auto e = field_result.error(); e) return FailJson(e, nullptr);
    od::field& f = field_result.value_unsafe();
    const std::string_view key = RawKey(f);
    path[0].key = key;
    const FieldSpec<Snapshot>* spec = Lookup(snapshot_keys::kSnapshotSchema, position++, key);
    if (spec == nullptr) continue;
    seen |= spec->required_bit;
    if (!DecodeField(*spec, f.value(), out)) return false;
  }
  depth = 0;
  // 3.0.1 has no document::at_end(): a live iterator that is not at the end has more to read.
  if (const char* at = nullptr; doc.current_location().get(at) == simdjson::SUCCESS) {
    return Fail(ParseErrorKind::kBadStructure, "TRAILING_CONTENT", Position(at));
  }
  return RequireFields(snapshot_keys::kSnapshotSchema, seen, 0, 0);
}

}  // namespace

struct SnapshotDecoder::Impl : Decoder {};

// ---------------------------------------------------------------------------------------------

SnapshotDecoder::SnapshotDecoder() : SnapshotDecoder(Options()) {}
SnapshotDecoder::SnapshotDecoder(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->salvage = options.salvage;
}
SnapshotDecoder::~SnapshotDecoder() = default;

bool SnapshotDecoder::TryDecode(std::string_view document, Snapshot* out) {
  return impl_->Run(document, 0, out);
}

bool SnapshotDecoder::TryDecodeInPlace(std::string_view document, size_t readable, Snapshot* out) {
  return impl_->Run(document, readable, out);
}

absl::Status SnapshotDecoder::Decode(std::string_view document, Snapshot* out) {
  if (impl_->Run(document, 0, out)) return absl::OkStatus();
  return absl::InvalidArgumentError(ErrorMessage());
}

const ParseError& SnapshotDecoder::error() const { return impl_->error; }

size_t SnapshotDecoder::dropped_row_count() const { return impl_->dropped_rows.size(); }

ParseError SnapshotDecoder::dropped_row(size_t i) const {
  const Impl::DroppedRow& row = impl_->dropped_rows[i];
  ParseError e;
  e.kind = row.kind;
  e.field = row.field;
  e.detail = row.detail;
  e.byte_offset = row.byte_offset;
  e.raw = impl_->error.raw;
  return e;
}

std::string SnapshotDecoder::ErrorMessage() const {
  const ParseError& e = impl_->error;
  if (e.field.empty()) return std::string(e.detail);
  std::string message(e.field);
  message.append(": ").append(e.detail);
  return message;
}

}  // namespace vacwatch::ingest
