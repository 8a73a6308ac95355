#ifndef VACWATCH_COMMON_PARSE_ERROR_H_
#define VACWATCH_COMMON_PARSE_ERROR_H_

// A parse failure is data, not an exception: each rejected entry or document becomes a
// ParseError that goes to a dead-letter sink with its raw text, and is counted under its
// kind. Kinds are a small fixed set because they become metric labels.
//
// Lifetime: `field`, `detail` and `raw` point into the reader and are valid only during the
// ParseErrorSink::OnError call that receives them.

#include <cstdint>
#include <string_view>

namespace vacwatch {

enum class ParseErrorKind : uint8_t {
  kTruncated,           // an entry or document ends before its required parts
  kBadNumber,           // a number that does not parse or overflows
  kBadTimestamp,        // a timestamp or zone we cannot read
  kBadStructure,        // CSV quoting, JSON syntax, a record with the wrong columns
  kWrongType,           // a JSON field of the wrong type
  kMissingField,        // a required field is absent
  kInvalidEncoding,     // invalid UTF-8 or a NUL byte
  kOversized,           // a line or document larger than the configured maximum
  kOrphanContinuation,  // a continuation line with no entry above it
};
inline constexpr int kNumParseErrorKinds = 9;

// "truncated", "bad_number", ... (the metric label and the dead letter's `kind`).
std::string_view ParseErrorKindName(ParseErrorKind kind);

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::kBadStructure;
  std::string_view field;   // which part: "tuples", "collected_at", "tables[3].n_dead_tup"
  std::string_view detail;  // a short human sentence, e.g. "INCORRECT_TYPE"
  int64_t byte_offset = 0;  // of the offending entry/document in its input
  int64_t line_no = 0;      // 1-based physical line of the entry's start
  std::string_view raw;     // the offending entry's text (may be cut to a bounded length)
};

// Receives every rejected entry. Implementations (the dead-letter sink) copy what they keep.
class ParseErrorSink {
 public:
  virtual ~ParseErrorSink() = default;
  virtual void OnError(std::string_view source, const ParseError& error) = 0;
};

}  // namespace vacwatch

#endif  // VACWATCH_COMMON_PARSE_ERROR_H_
