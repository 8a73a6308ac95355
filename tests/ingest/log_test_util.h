#ifndef VACWATCH_TESTS_INGEST_LOG_TEST_UTIL_H_
#define VACWATCH_TESTS_INGEST_LOG_TEST_UTIL_H_

// Builds LogEntries the way a stderr reader hands them to ParseLogEntry, for the per-version
// entry-parser tests: the first line as written after "LOG:  ", continuation lines with their
// leading TAB, joined by '\n'.
//
//   EntryHarness h;
//   ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"d.s.t\": index scans: 0",
//                             "pages: 0 removed, 1 remain, ..."}),
//             EntryOutcome::kEvent);
//   EXPECT_EQ(h.event.table, "t");
//
// `event` and `error` point into the harness: valid until its next Parse.

#include <string>
#include <string_view>
#include <vector>

#include "ingest/log_entry.h"
#include "ingest/log_entry_parser.h"
#include "ingest/log_event.h"
#include "ingest/parse_error.h"

namespace vacwatch::ingest::testing {

// The message of `lines` as stderr prints it: "\n\t" between lines.
std::string TabJoin(const std::vector<std::string_view>& lines);

// The names of the VacuumStats fields that hold a value, in declaration order ("index_scans",
// "pages_removed", ..., "indexes" when non-empty). A test asserts the whole list, which also
// proves every other field absent.
std::vector<std::string> PresentFields(const VacuumStats& stats);

class EntryHarness {
 public:
  // Parses an entry of `severity` whose message is TabJoin(lines) and whose CONTEXT is
  // TabJoin(context). `database` plays the prefix's %d.
  EntryOutcome Parse(std::string_view severity, const std::vector<std::string_view>& lines,
                     const std::vector<std::string_view>& context = {},
                     std::string_view database = {});

  LogEntry entry;
  LogEvent event;
  ParseError error;

 private:
  std::string severity_, message_, context_, database_;
};

}  // namespace vacwatch::ingest::testing

#endif  // VACWATCH_TESTS_INGEST_LOG_TEST_UTIL_H_
