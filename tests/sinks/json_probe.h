#ifndef VACWATCH_TESTS_SINKS_JSON_PROBE_H_
#define VACWATCH_TESTS_SINKS_JSON_PROBE_H_

// JsonProbe: reads fields of a request body by JSON pointer, for checking payloads:
//
//   JsonProbe body(request.body);
//   EXPECT_EQ(body.String("/payload/severity"), "warning");
//
// A field that is missing or of another type reads as "<missing /payload/severity>".

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "simdjson.h"

namespace vacwatch::sinks::testing {

class JsonProbe {
 public:
  explicit JsonProbe(const std::string& json) : text_(json) {
    ok_ = parser_.parse(text_).get(doc_) == simdjson::SUCCESS;
  }
  bool ok() const { return ok_; }
  std::string String(std::string_view pointer) {
    std::string_view v;
    if (!ok_ || doc_.at_pointer(pointer).get(v) != simdjson::SUCCESS) {
      return absl::StrCat("<missing ", std::string(pointer), ">");
    }
    return std::string(v);
  }
  bool Has(std::string_view pointer) {
    simdjson::dom::element e;
    return ok_ && doc_.at_pointer(pointer).get(e) == simdjson::SUCCESS;
  }
  int64_t Int(std::string_view pointer) {
    int64_t v = -1;
    if (!ok_ || doc_.at_pointer(pointer).get(v) != simdjson::SUCCESS) return -1;
    return v;
  }
  size_t ArraySize(std::string_view pointer) {
    simdjson::dom::array a;
    if (!ok_ || doc_.at_pointer(pointer).get(a) != simdjson::SUCCESS) return 0;
    return a.size();
  }

 private:
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  bool ok_ = false;
};

}  // namespace vacwatch::sinks::testing

#endif  // VACWATCH_TESTS_SINKS_JSON_PROBE_H_
