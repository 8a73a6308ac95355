#ifndef VACWATCH_TESTS_TESTING_TRANSITIONS_H_
#define VACWATCH_TESTS_TESTING_TRANSITIONS_H_

// The alert transitions a command printed (JSON lines), parsed back with the sinks' reader:
//
//   std::vector<pipeline::Alert> alerts = ParseTransitions(Replay({...}).out);
//   for (const pipeline::Alert& a : alerts) if (TableOf(a) == "shop.public.orders") ...
//
// A line that does not parse is a test failure (EXPECT), never skipped silently.

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::testing {

inline std::vector<pipeline::Alert> ParseTransitions(const std::string& out) {
  std::vector<pipeline::Alert> alerts;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    if (end > pos) {
      auto alert = pipeline::ParseAlertJson(std::string_view(out).substr(pos, end - pos));
      EXPECT_OK(alert);
      if (alert.ok()) alerts.push_back(*std::move(alert));
    }
    pos = end + 1;
  }
  return alerts;
}

// "database.schema.table" of an alert.
inline std::string TableOf(const pipeline::Alert& a) {
  return absl::StrCat(a.database, ".", a.schema, ".", a.table);
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_TRANSITIONS_H_
