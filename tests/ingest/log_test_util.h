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
// `event` and `error` point into the harness: valid until its next Parse. kVacuumMessage is the
// one vacuum message the csvlog and jsonlog reader tests write in their destination's framing.

#include <string>
#include <string_view>
#include <vector>

#include "ingest/log_entry.h"
#include "ingest/log_entry_parser.h"
#include "ingest/log_event.h"
#include "ingest/parse_error.h"

namespace vacwatch::ingest::testing {

// A PG15 autovacuum of shop.public.orders as csvlog and jsonlog carry it: lines joined by '\n',
// no TABs.
inline constexpr std::string_view kVacuumMessage =
    "automatic vacuum of table \"shop.public.orders\": index scans: 0\n"
    "pages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)\n"
    "tuples: 7 removed, 300000 remain, 3 are dead but not yet removable\n"
    "removable cutoff: 734, which was 1 XIDs old when operation ended\n"
    "new relfrozenxid: 731, which is 3 XIDs ahead of previous value\n"
    "index scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers "
    "removed\n"
    "I/O timings: read: 0.353 ms, write: 0.000 ms\n"
    "avg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s\n"
    "buffer usage: 5082 hits, 2 misses, 1 dirtied\n"
    "WAL usage: 2501 records, 1 full page images, 155885 bytes\n"
    "system usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s";

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
