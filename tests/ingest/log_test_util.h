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
// one vacuum message the csvlog and jsonlog reader tests write in their destination's framing,
// and ExpectRestartInOversizedEntryRereadsIt the restart check both of those tests make.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/parse_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/log_entry.h"
#include "ingest/log_entry_parser.h"
#include "ingest/log_event.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/read_events.h"

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

// An event's JSON line (event_json.h) without its line number and what follows it: a reader
// started mid-stream counts lines from 1 again, the rest of the event must not change.
inline std::string WithoutLineNo(const std::string& json) {
  return json.substr(0, json.find(",\"line_no\""));
}

// The csvlog and jsonlog readers' restart in the middle of an entry they drop as oversized.
// `input` holds one event, then the oversized entry starting at byte `oversized_start`, then
// more; `expected` is what one Reader with `options` reads from the whole of it
// (ReadAllEvents). For each of `stops`, a Reader fed `input` up to that byte in chunks of 1000
// must have returned that one event and rejected the entry as oversized, and stand at
// resume_offset() == oversized_start; a second Reader started there (Options::start_offset) and
// fed the rest must return the other events of `expected` (line numbers aside), reject the
// entry once more as oversized at the same offset, and never its tail as a broken entry.
// `Reader` is CsvLogReader or JsonLogReader.
template <typename Reader>
void ExpectRestartInOversizedEntryRereadsIt(const typename Reader::Options& options,
                                            std::string_view input, size_t oversized_start,
                                            const std::vector<std::string>& expected,
                                            std::initializer_list<size_t> stops) {
  using ::testing::ElementsAre;
  using ::vacwatch::testing::CollectingErrorSink;
  using ::vacwatch::testing::ReadAllEvents;
  constexpr size_t kChunk = 1000;
  for (size_t stop : stops) {
    SCOPED_TRACE(stop - oversized_start);
    CollectingErrorSink first_sink;
    typename Reader::Options first_options = options;
    first_options.errors = &first_sink;
    Reader first(first_options);
    LogEvent event;
    size_t returned = 0;
    for (size_t pos = 0; pos < stop; pos += kChunk) {
      first.Feed(input.substr(pos, std::min(kChunk, stop - pos)));
      while (first.Next(&event)) ++returned;
    }
    ASSERT_EQ(returned, 1u);
    ASSERT_THAT(first_sink.kinds(), ElementsAre(ParseErrorKind::kOversized));
    const int64_t resume = first.resume_offset();
    EXPECT_EQ(resume, static_cast<int64_t>(oversized_start));

    CollectingErrorSink sink;
    typename Reader::Options second_options = options;
    second_options.start_offset = resume;
    second_options.errors = &sink;
    Reader second(second_options);
    const std::vector<std::string> rest = ReadAllEvents(second, input.substr(resume), kChunk);
    ASSERT_EQ(rest.size(), expected.size() - returned);
    for (size_t i = 0; i < rest.size(); ++i) {
      EXPECT_EQ(WithoutLineNo(rest[i]), WithoutLineNo(expected[returned + i]));
    }
    EXPECT_EQ(second.counters().rejected[static_cast<int>(ParseErrorKind::kBadStructure)], 0);
    EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kOversized));
    if (!sink.errors.empty()) {
      EXPECT_EQ(sink.errors[0].byte_offset, static_cast<int64_t>(oversized_start));
    }
  }
}

}  // namespace vacwatch::ingest::testing

#endif  // VACWATCH_TESTS_INGEST_LOG_TEST_UTIL_H_
