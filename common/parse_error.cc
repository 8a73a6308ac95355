#include "common/parse_error.h"

namespace vacwatch {

std::string_view ParseErrorKindName(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kTruncated:
      return "truncated";
    case ParseErrorKind::kBadNumber:
      return "bad_number";
    case ParseErrorKind::kBadTimestamp:
      return "bad_timestamp";
    case ParseErrorKind::kBadStructure:
      return "bad_structure";
    case ParseErrorKind::kWrongType:
      return "wrong_type";
    case ParseErrorKind::kMissingField:
      return "missing_field";
    case ParseErrorKind::kInvalidEncoding:
      return "invalid_encoding";
    case ParseErrorKind::kOversized:
      return "oversized";
    case ParseErrorKind::kOrphanContinuation:
      return "orphan_continuation";
  }
  return "unknown";
}

}  // namespace vacwatch
