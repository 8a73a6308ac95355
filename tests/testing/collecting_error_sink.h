#ifndef VACWATCH_TESTS_TESTING_COLLECTING_ERROR_SINK_H_
#define VACWATCH_TESTS_TESTING_COLLECTING_ERROR_SINK_H_

// A ParseErrorSink that keeps a copy of every error, for tests to inspect.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/parse_error.h"

namespace vacwatch::testing {

struct CollectedError {
  std::string source;
  ParseErrorKind kind;
  std::string field, detail, raw;
  int64_t byte_offset = 0;
  int64_t line_no = 0;
};

class CollectingErrorSink : public ParseErrorSink {
 public:
  void OnError(std::string_view source, const ParseError& error) override {
    errors.push_back({std::string(source), error.kind, std::string(error.field),
                      std::string(error.detail), std::string(error.raw.substr(0, 1 << 16)),
                      error.byte_offset, error.line_no});
  }
  std::vector<ParseErrorKind> kinds() const {
    std::vector<ParseErrorKind> out;
    for (const CollectedError& e : errors) out.push_back(e.kind);
    return out;
  }

  std::vector<CollectedError> errors;
};

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_COLLECTING_ERROR_SINK_H_
