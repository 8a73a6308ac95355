#include "fuzz/stream_checks.h"

#include <algorithm>

namespace vacwatch::fuzz {

void CheckingErrorSink::OnError(std::string_view source, const ParseError& error) {
  VW_FUZZ_CHECK(static_cast<int>(error.kind) < kNumParseErrorKinds,
                Cat("error kind ", static_cast<int>(error.kind)));
  VW_FUZZ_CHECK(error.byte_offset >= start_ && error.byte_offset <= end_,
                Cat("error at ", error.byte_offset, " outside the input [", start_, ", ", end_,
                    "]: ", error.field, ": ", error.detail));
  VW_FUZZ_CHECK(error.line_no >= 1, Cat("error line_no ", error.line_no));
  VW_FUZZ_CHECK(!ParseErrorKindName(error.kind).empty(), "an error kind without a name");
  // Every view must be readable now: touch each byte (ASan reports a view into freed memory).
  for (std::string_view view : {source, error.field, error.detail, error.raw}) {
    for (char c : view) touched_ += static_cast<unsigned char>(c);
  }
}

void CheckItem(const ingest::LogEvent& event, int64_t resume_before, int64_t resume_after,
               int64_t end, int64_t* last_offset) {
  VW_FUZZ_CHECK(event.byte_offset >= resume_before && event.byte_offset < resume_after,
                Cat("event at ", event.byte_offset, " returned while resume_offset went ",
                    resume_before, " -> ", resume_after));
  VW_FUZZ_CHECK(event.byte_offset < end,
                Cat("event at ", event.byte_offset, " past the input's end ", end));
  VW_FUZZ_CHECK(event.byte_offset > *last_offset,
                Cat("event at ", event.byte_offset, " after one at ", *last_offset));
  VW_FUZZ_CHECK(event.line_no >= 1, Cat("event line_no ", event.line_no));
  VW_FUZZ_CHECK(event.cluster == kCluster, Cat("event cluster ", event.cluster));
  *last_offset = event.byte_offset;
}

std::string EventJsonWithoutLineNo(std::string_view json) {
  static constexpr std::string_view kKey = ",\"line_no\":";
  const size_t at = json.find(kKey);
  if (at == std::string_view::npos) return std::string(json);
  const size_t end = json.find_first_of(",}", at + kKey.size());
  return Cat(json.substr(0, at), json.substr(end));
}

namespace {

std::string CompareItems(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return Cat("item ", i, ":\n  ", a[i], "\nvs\n  ", b[i]);
  }
  if (a.size() != b.size()) {
    return Cat(a.size(), " items vs ", b.size(), "; first extra:\n  ", a.size() > n ? a[n] : b[n]);
  }
  return "";
}

}  // namespace

std::string CompareRuns(const StreamRun& a, const StreamRun& b) {
  if (std::string diff = CompareItems(a.items, b.items); !diff.empty()) return diff;
  const ingest::IngestCounters& x = a.counters;
  const ingest::IngestCounters& y = b.counters;
  if (x.entries != y.entries) return Cat("entries ", x.entries, " vs ", y.entries);
  if (x.skipped != y.skipped) return Cat("skipped ", x.skipped, " vs ", y.skipped);
  if (x.table_rows != y.table_rows) {
    return Cat("table_rows ", x.table_rows, " vs ", y.table_rows);
  }
  for (int k = 0; k < kNumParseErrorKinds; ++k) {
    if (x.rejected[k] != y.rejected[k]) {
      return Cat("rejected ", ParseErrorKindName(static_cast<ParseErrorKind>(k)), " ",
                 x.rejected[k], " vs ", y.rejected[k]);
    }
  }
  return "";
}

std::string CompareRestart(const StreamRun& first, const StreamRun& second, const StreamRun& whole,
                           bool events) {
  auto strip = [&](const std::vector<std::string>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const std::string& item : items) {
      out.push_back(events ? EventJsonWithoutLineNo(item) : item);
    }
    return out;
  };
  std::vector<std::string> joined = strip(first.items);
  for (std::string& item : strip(second.items)) joined.push_back(std::move(item));
  return CompareItems(joined, strip(whole.items));
}

int64_t StartOffset(uint8_t knob) {
  switch (knob & 3) {
    case 0:
      return 0;
    case 1:
      return 17;
    default:
      return (int64_t{1} << 32) + 5;
  }
}

}  // namespace vacwatch::fuzz
