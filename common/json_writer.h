#ifndef VACWATCH_COMMON_JSON_WRITER_H_
#define VACWATCH_COMMON_JSON_WRITER_H_

// JsonWriter appends one flat-or-nested JSON object to a caller-owned std::string, escaping
// strings per RFC 8259. It keeps no reference to its arguments past each call. Reusing the
// same output string across events makes writing allocation-free once it has grown:
//
//   std::string line;                 // lives across events
//   JsonWriter w(&line);              // clears `line`
//   w.BeginObject();
//   w.Field("type", "vacuum");
//   w.Field("pages_removed", int64_t{12});
//   w.EndObject();                    // line == {"type":"vacuum","pages_removed":12}
//
// Doubles are written with up to 17 significant digits, NaN/Inf as null. Keys are written as
// given (callers pass snake_case literals); values are escaped.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace vacwatch {

class JsonWriter {
 public:
  // Clears `*out` and writes into it. `out` must outlive the writer.
  explicit JsonWriter(std::string* out);

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Starts a nested object or array value under `key`.
  void Key(std::string_view key);

  void Field(std::string_view key, std::string_view value);
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, int64_t value);
  void Field(std::string_view key, int32_t value) { Field(key, static_cast<int64_t>(value)); }
  void Field(std::string_view key, uint32_t value) { Field(key, static_cast<int64_t>(value)); }
  void Field(std::string_view key, double value);
  void Field(std::string_view key, bool value);
  // RFC 3339 in UTC with microseconds trimmed to what is set: 2026-11-23T23:18:21.286Z.
  void TimeField(std::string_view key, absl::Time value);
  void NullField(std::string_view key);
  // Writes nothing when the optional is empty: absent stays absent, never zero.
  template <typename T>
  void OptionalField(std::string_view key, const std::optional<T>& value) {
    if (value.has_value()) Field(key, *value);
  }

  // Array elements.
  void Value(std::string_view value);
  void Value(int64_t value);
  void Value(double value);

  // Appends `text` escaped as a JSON string body (no quotes) to `*out`.
  static void AppendEscaped(std::string_view text, std::string* out);
  // RFC 3339 UTC rendering used by TimeField.
  static void AppendTime(absl::Time value, std::string* out);

 private:
  void Separate();
  void WriteKey(std::string_view key);

  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace vacwatch

#endif  // VACWATCH_COMMON_JSON_WRITER_H_
