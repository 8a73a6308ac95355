#include "ingest/stderr_log_reader.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
// Used ("..."s below); clang-tidy 14 does not see uses of literal operators.
using std::string_literals::operator""s;  // NOLINT(misc-unused-using-decls)
using ::testing::HasSubstr;

struct CapturedError {
  ParseErrorKind kind;
  std::string field;
  int64_t byte_offset;
  int64_t line_no;
  std::string raw;
};

class CollectingSink : public ParseErrorSink {
 public:
  void OnError(std::string_view source, const ParseError& e) override {
    EXPECT_EQ(source, "test.log");
    errors.push_back({e.kind, std::string(e.field), e.byte_offset, e.line_no, std::string(e.raw)});
  }
  std::vector<CapturedError> errors;
};

// One line per event, with the fields the tests look at.
std::string Describe(const LogEvent& e) {
  std::ostringstream out;
  out << LogEventTypeName(e.type) << " " << e.database << "." << e.schema << "." << e.table
      << " pid=" << e.pid << " at=" << e.byte_offset;
  if (e.stats.index_scans.has_value()) out << " scans=" << *e.stats.index_scans;
  if (e.stats.elapsed_s.has_value()) out << " elapsed=" << *e.stats.elapsed_s;
  if (!e.cancel_phase.empty()) out << " phase=" << e.cancel_phase;
  return out.str();
}

struct ReadResult {
  std::vector<std::string> events;
  IngestCounters counters;
  std::vector<CapturedError> errors;
  std::string prefix;
  size_t max_buffer_capacity = 0;  // after any Feed
};

ReadResult Read(std::string_view input, std::string_view prefix, size_t chunk = 1 << 16,
                int64_t context_window = 1000, int64_t start_offset = 0,
                int64_t max_entry_bytes = 1 << 20) {
  CollectingSink sink;
  StderrLogReader::Options o;
  o.cluster = "c1";
  o.log_line_prefix = std::string(prefix);
  o.errors = &sink;
  o.source_name = "test.log";
  o.context_window_lines = context_window;
  o.start_offset = start_offset;
  o.max_entry_bytes = max_entry_bytes;
  absl::StatusOr<std::unique_ptr<StderrLogReader>> reader = StderrLogReader::Create(o);
  EXPECT_TRUE(reader.ok()) << reader.status();
  ReadResult run;
  LogEvent event;
  for (size_t i = 0; i < input.size(); i += chunk) {
    (*reader)->Feed(input.substr(i, chunk));
    run.max_buffer_capacity = std::max(run.max_buffer_capacity, (*reader)->buffer_capacity());
    while ((*reader)->Next(&event)) run.events.push_back(Describe(event));
  }
  (*reader)->Finish();
  while ((*reader)->Next(&event)) run.events.push_back(Describe(event));
  run.counters = (*reader)->counters();
  run.errors = sink.errors;
  run.prefix = (*reader)->prefix().text();
  return run;
}

int64_t Rejected(const ReadResult& run, ParseErrorKind kind) {
  return run.counters.rejected[static_cast<size_t>(kind)];
}

constexpr std::string_view kDebianPrefix = "%m [%p] %q%u@%d ";

const std::string kVacuum =
    "2026-11-23 23:18:21.286 UTC [13110] LOG:  automatic vacuum of table \"shop.public.orders\": "
    "index scans: 0\n"
    "\tpages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)\n"
    "\ttuples: 0 removed, 300000 remain, 0 are dead but not yet removable\n"
    "\tremovable cutoff: 734, which was 1 XIDs old when operation ended\n"
    "\tindex scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers "
    "removed\n"
    "\tavg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s\n"
    "\tbuffer usage: 5082 hits, 2 misses, 1 dirtied\n"
    "\tWAL usage: 2501 records, 1 full page images, 155885 bytes\n"
    "\tsystem usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s\n";

std::string VacuumOf(std::string_view pid, std::string_view table) {
  std::string v = kVacuum;
  v.replace(v.find("13110"), 5, pid);
  v.replace(v.find("orders"), 6, table);
  return v;
}

const std::string kLog =
    "2026-11-23 23:18:18.450 UTC [13069] LOG:  starting PostgreSQL 15.20\n" + kVacuum +
    "2026-11-23 23:18:21.380 UTC [13110] LOG:  automatic analyze of table \"shop.public.orders\"\n"
    "\tavg read rate: 0.416 MB/s, avg write rate: 0.249 MB/s\n"
    "\tbuffer usage: 2916 hits, 5 misses, 3 dirtied\n"
    "\tsystem usage: CPU: user: 0.04 s, system: 0.01 s, elapsed: 0.09 s\n"
    "2026-11-23 23:18:33.481 UTC [13245] LOG:  skipping vacuum of \"locked_jobs\" --- lock not "
    "available\n"
    "2026-11-23 23:18:40.000 UTC [13500] postgres@jobs LOG:  skipping analyze of \"cancel_jobs\" "
    "--- lock not available\n"
    "2026-11-23 23:18:50.000 UTC [13069] LOG:  checkpoint starting: time\n";

// `what` followed by the byte offset of the kLog line whose timestamp holds `time`.
std::string At(std::string_view what, std::string_view time) {
  return std::string(what) + " at=" + std::to_string(kLog.find(time) - 11);
}

TEST(StderrLogReader, ReadsEventsInOrderWithCounters) {
  ReadResult run = Read(kLog, kDebianPrefix);
  EXPECT_THAT(
      run.events,
      ElementsAre(
          At("vacuum shop.public.orders pid=13110", "23:18:21.286") + " scans=0 elapsed=0.1",
          At("analyze shop.public.orders pid=13110", "23:18:21.380") + " elapsed=0.09",
          At("vacuum_skipped ..locked_jobs pid=13245", "23:18:33.481"),
          At("analyze_skipped jobs..cancel_jobs pid=13500", "23:18:40.000")));
  EXPECT_TRUE(run.errors.empty());
  EXPECT_EQ(run.counters.entries, 6);
  EXPECT_EQ(run.counters.skipped, 2);
  EXPECT_EQ(run.counters.bytes, static_cast<int64_t>(kLog.size()));
  EXPECT_EQ(run.counters.events[static_cast<size_t>(LogEventType::kVacuum)], 1);
  EXPECT_EQ(run.counters.events[static_cast<size_t>(LogEventType::kAnalyze)], 1);
  EXPECT_EQ(run.counters.total_events(), 4);
  EXPECT_EQ(run.counters.total_rejected(), 0);
}

TEST(StderrLogReader, TimeAndZoneComeFromThePrefix) {
  StderrLogReader::Options o;
  o.log_line_prefix = "%m [%p] ";
  auto reader = StderrLogReader::Create(o);
  ASSERT_OK(reader);
  std::string log = VacuumOf("7", "t");
  log.replace(log.find("UTC"), 3, "CEST");
  (*reader)->Feed(log);
  (*reader)->Finish();
  LogEvent e;
  ASSERT_TRUE((*reader)->Next(&e));
  EXPECT_EQ(e.time_text, "2026-11-23 23:18:21.286 CEST");
  EXPECT_EQ(e.utc_offset_s, 7200);
  EXPECT_EQ(e.time,
            absl::FromCivil(absl::CivilSecond(2026, 11, 23, 21, 18, 21), absl::UTCTimeZone()) +
                absl::Milliseconds(286));
  EXPECT_EQ(e.line_no, 1);
  EXPECT_FALSE((*reader)->Next(&e));
}

TEST(StderrLogReader, ChunkSizeDoesNotMatter) {
  ReadResult whole = Read(kLog, kDebianPrefix, kLog.size());
  for (size_t chunk : {1, 2, 3, 7, 64, 100}) {
    ReadResult pieces = Read(kLog, kDebianPrefix, chunk);
    EXPECT_EQ(pieces.events, whole.events) << "chunk " << chunk;
    EXPECT_EQ(pieces.counters.entries, whole.counters.entries);
    EXPECT_EQ(pieces.counters.skipped, whole.counters.skipped);
  }
}

TEST(StderrLogReader, ContextAttachesToTheSamePid) {
  // pid 1 is cancelled; pid 2 logs a vacuum before pid 1's CONTEXT arrives.
  const std::string log =
      "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n" + VacuumOf("2", "t2") +
      "2026-11-23 23:18:26.671 UTC [1] CONTEXT:  while scanning block 652 of relation "
      "\"public.cancel_jobs\"\n"
      "\tautomatic vacuum of table \"jobs.public.cancel_jobs\"\n"
      "2026-11-23 23:18:27.000 UTC [3] ERROR:  canceling autovacuum task\n"
      "2026-11-23 23:18:27.000 UTC [3] CONTEXT:  automatic analyze of table "
      "\"jobs.public.cancel_jobs\"\n"
      "2026-11-23 23:18:28.000 UTC [4] LOG:  checkpoint starting: time\n";
  ReadResult run = Read(log, "%m [%p] ");
  ASSERT_EQ(run.events.size(), 3u) << ::testing::PrintToString(run.errors.size());
  EXPECT_EQ(run.events[0],
            "vacuum_cancelled jobs.public.cancel_jobs pid=1 at=0 phase=while scanning block 652 "
            "of relation \"public.cancel_jobs\"");
  EXPECT_THAT(run.events[1], HasSubstr("vacuum shop.public.t2 pid=2"));
  EXPECT_THAT(run.events[2], HasSubstr("analyze_cancelled jobs.public.cancel_jobs pid=3"));
  EXPECT_EQ(run.counters.total_rejected(), 0);
  // CONTEXT lines belong to their primary entry and are not entries themselves.
  EXPECT_EQ(run.counters.entries, 4);
}

TEST(StderrLogReader, CancelWithoutContextCompletesAndIsRejected) {
  // The same pid logs a new primary entry: the wait ends.
  const std::string log =
      "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n" + VacuumOf("1", "next");
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_THAT(run.events, ElementsAre(HasSubstr("vacuum shop.public.next pid=1")));
  EXPECT_EQ(Rejected(run, ParseErrorKind::kMissingField), 1);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].field, "context");
  EXPECT_EQ(run.errors[0].byte_offset, 0);
  EXPECT_EQ(run.errors[0].line_no, 1);

  // Another pid keeps logging: the wait ends after the window of lines.
  std::string busy = "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n";
  for (int i = 0; i < 5; ++i) busy += VacuumOf("2", "t" + std::to_string(i));
  ReadResult windowed = Read(busy, "%m [%p] ", 1 << 16, /*context_window=*/12);
  EXPECT_EQ(Rejected(windowed, ParseErrorKind::kMissingField), 1);
  EXPECT_EQ(windowed.events.size(), 5u);
}

TEST(StderrLogReader, OrphanContinuationIsCountedNotFatal) {
  const std::string log =
      "\tpages: 0 removed, 1 remain, 1 scanned (100.00% of total)\n"
      "\ttuples: 0 removed, 1 remain, 0 are dead but not yet removable\n" +
      kVacuum;
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_EQ(Rejected(run, ParseErrorKind::kOrphanContinuation), 2);
  ASSERT_EQ(run.errors.size(), 2u);
  EXPECT_EQ(run.errors[0].kind, ParseErrorKind::kOrphanContinuation);
  EXPECT_EQ(run.errors[0].line_no, 1);
  EXPECT_EQ(run.errors[1].byte_offset, 58);
  EXPECT_EQ(run.events.size(), 1u);
}

TEST(StderrLogReader, InvalidUtf8AndNulAreRejected) {
  std::string bad_utf8 = VacuumOf("1", "bad\xC3\x28name");
  std::string nul = VacuumOf("2", "nul\0x"s);
  // The same bytes in a line that is not about autovacuum are only skipped.
  const std::string other = "2026-11-23 23:18:22.000 UTC [3] LOG:  statement: SELECT '\xFF\0'\n"s;
  const std::string log = bad_utf8 + nul + other + VacuumOf("4", "good");
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_THAT(run.events, ElementsAre(HasSubstr("shop.public.good")));
  EXPECT_EQ(Rejected(run, ParseErrorKind::kInvalidEncoding), 2);
  EXPECT_EQ(run.counters.skipped, 1);
}

TEST(StderrLogReader, OversizedLinesAreDroppedSafely) {
  // A 10 MB continuation line inside a vacuum entry, and a 10 MB head line.
  const std::string big(10 << 20, 'x');
  const std::string log = VacuumOf("1", "huge").substr(0, 120) + "\n\t" + big + "\n" +
                          "2026-11-23 23:18:22.000 UTC [2] LOG:  statement: " + big + "\n" +
                          "2026-11-23 23:18:22.000 UTC [3] LOG:  automatic vacuum " + big + "\n" +
                          VacuumOf("4", "after");
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_THAT(run.events, ElementsAre(HasSubstr("shop.public.after pid=4")));
  EXPECT_EQ(Rejected(run, ParseErrorKind::kOversized), 3);
  ASSERT_EQ(run.errors.size(), 3u);
  for (const CapturedError& e : run.errors) {
    EXPECT_EQ(e.kind, ParseErrorKind::kOversized);
    EXPECT_LE(e.raw.size(), 4096u);
  }
  EXPECT_EQ(run.errors[1].byte_offset, static_cast<int64_t>(120 + 2 + big.size() + 1));
  // Byte-exact accounting: the last event starts where it does in the input.
  EXPECT_THAT(run.events[0], HasSubstr("at=" + std::to_string(log.find("[4]") - 28)));
}

TEST(StderrLogReader, TenMegabyteLineInOneFeedIsOversizedAndNotBuffered) {
  const std::string big(10 << 20, 'x');
  const std::string statement = "2026-11-23 23:18:22.000 UTC [2] LOG:  statement: " + big + "\n";
  const std::string log = VacuumOf("1", "before") + statement + VacuumOf("3", "after");
  ReadResult run = Read(log, "%m [%p] ", /*chunk=*/log.size());
  EXPECT_THAT(run.events, ElementsAre(HasSubstr("shop.public.before pid=1"),
                                      HasSubstr("shop.public.after pid=3 at=" +
                                                std::to_string(log.find("[3]") - 28))));
  EXPECT_EQ(Rejected(run, ParseErrorKind::kOversized), 1);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].byte_offset, static_cast<int64_t>(log.find(statement)));
  EXPECT_EQ(run.errors[0].line_no, 10);
  EXPECT_LE(run.errors[0].raw.size(), 4096u);
  EXPECT_LT(run.max_buffer_capacity, size_t{3} << 20);
}

// Whatever the chunking (the whole input in one Feed, each line split anywhere) the same lines
// and autovacuum entries are rejected as oversized, at the same offsets, and the same events
// come out around them. A line of exactly max_entry_bytes is not oversized.
TEST(StderrLogReader, OversizedIsTheSameWhateverTheChunking) {
  constexpr size_t kMax = 1024;
  const std::string head = "2026-11-23 23:18:22.000 UTC [2] LOG:  statement: ";
  const std::string at_limit = head + std::string(kMax - head.size(), 'a') + "\n";
  const std::string over_limit = head + std::string(kMax + 1 - head.size(), 'b') + "\n";
  const std::string autovacuum_head =
      "2026-11-23 23:18:22.000 UTC [3] LOG:  automatic vacuum " + std::string(5000, 'c') + "\n";
  const std::string long_continuation =
      VacuumOf("4", "cut").substr(0, 120) + "\n\t" + std::string(5000, 'd') + "\n";
  std::string many_lines = VacuumOf("5", "many");  // short lines, more than kMax in all
  for (int i = 0; i < 6; ++i) {
    many_lines.insert(many_lines.find("\tpages"), "\t" + std::string(200, 'e') + "\n");
  }
  const std::string final_line = head + std::string(5000, 'f');  // no newline
  const std::string log = VacuumOf("1", "before") + at_limit + over_limit + autovacuum_head +
                          VacuumOf("6", "mid") + long_continuation + many_lines +
                          VacuumOf("7", "after") + final_line;

  const ReadResult whole = Read(log, "%m [%p] ", log.size(), 1000, 0, kMax);
  ASSERT_THAT(whole.events,
              ElementsAre(HasSubstr("shop.public.before pid=1"), HasSubstr("shop.public.mid pid=6"),
                          HasSubstr("shop.public.after pid=7")));
  EXPECT_EQ(Rejected(whole, ParseErrorKind::kOversized), 5);
  EXPECT_EQ(whole.counters.total_rejected(), 5);
  EXPECT_EQ(whole.counters.skipped, 1);  // the line of exactly kMax bytes
  std::vector<int64_t> offsets;
  for (const CapturedError& e : whole.errors) {
    EXPECT_EQ(e.kind, ParseErrorKind::kOversized);
    offsets.push_back(e.byte_offset);
  }
  EXPECT_THAT(offsets, ElementsAre(static_cast<int64_t>(log.find(over_limit)),
                                   static_cast<int64_t>(log.find(autovacuum_head)),
                                   static_cast<int64_t>(log.find(long_continuation)),
                                   static_cast<int64_t>(log.find(many_lines)),
                                   static_cast<int64_t>(log.find(final_line))));

  for (size_t chunk : {size_t{1}, size_t{7}, kMax - 1, kMax, kMax + 1, size_t{3000}}) {
    SCOPED_TRACE(chunk);
    const ReadResult run = Read(log, "%m [%p] ", chunk, 1000, 0, kMax);
    EXPECT_EQ(run.events, whole.events);
    EXPECT_EQ(run.counters.rejected, whole.counters.rejected);
    EXPECT_EQ(run.counters.skipped, whole.counters.skipped);
    EXPECT_EQ(run.counters.entries, whole.counters.entries);
    ASSERT_EQ(run.errors.size(), whole.errors.size());
    for (size_t i = 0; i < run.errors.size(); ++i) {
      EXPECT_EQ(run.errors[i].field, whole.errors[i].field);
      EXPECT_EQ(run.errors[i].byte_offset, whole.errors[i].byte_offset);
      EXPECT_EQ(run.errors[i].line_no, whole.errors[i].line_no);
      EXPECT_EQ(run.errors[i].raw, whole.errors[i].raw);
    }
  }
}

TEST(StderrLogReader, OversizedFinalLineWithoutNewline) {
  const std::string log =
      kVacuum + "2026-11-23 23:18:22.000 UTC [3] LOG:  " + std::string(3 << 20, 'y');
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_EQ(run.events.size(), 1u);
  EXPECT_EQ(Rejected(run, ParseErrorKind::kOversized), 1);
}

TEST(StderrLogReader, TruncatedEntryAtEndOfInput) {
  const std::string cut = kVacuum.substr(0, kVacuum.find("\tbuffer usage"));
  ReadResult run = Read(cut, "%m [%p] ");
  EXPECT_TRUE(run.events.empty());
  EXPECT_EQ(Rejected(run, ParseErrorKind::kTruncated), 1);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].field, "buffer_usage");
  // Cut mid-line, with no final newline.
  ReadResult mid = Read(kVacuum.substr(0, kVacuum.size() - 20), "%m [%p] ");
  EXPECT_EQ(Rejected(mid, ParseErrorKind::kTruncated), 1);
}

TEST(StderrLogReader, UnknownZoneIsABadTimestamp) {
  std::string log = VacuumOf("1", "t");
  log.replace(log.find("UTC"), 3, "XYZ");
  ReadResult run = Read(log, "%m [%p] ");
  EXPECT_TRUE(run.events.empty());
  EXPECT_EQ(Rejected(run, ParseErrorKind::kBadTimestamp), 1);
}

TEST(StderrLogReader, CrLfLineEndings) {
  std::string log;
  for (char c : kLog) {
    if (c == '\n') log += '\r';
    log += c;
  }
  ReadResult run = Read(log, kDebianPrefix);
  EXPECT_EQ(run.events.size(), 4u);
  EXPECT_EQ(run.counters.total_rejected(), 0);
}

TEST(StderrLogReader, DetectsThePrefix) {
  ReadResult run = Read(kLog, "");
  EXPECT_EQ(run.prefix, "%m [%p] %q%u@%d ");
  EXPECT_EQ(run.events, Read(kLog, kDebianPrefix).events);
  // Cloud SQL: one space after the severity, continuation lines without TAB.
  const std::string cloudsql =
      "2024-10-04 06:38:28.808 UTC [2569017]: [1-1] db=,user= LOG: automatic vacuum of table "
      "\"some_database.some_schema.some_table\": index scans: 0\n"
      "pages: 0 removed, 1 remain, 0 skipped due to pins, 0 skipped frozen\n"
      "tuples: 60 removed, 1 remain, 0 are dead but not yet removable, oldest xmin: 29813\n"
      "index scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers "
      "removed\n"
      "I/O timings: read: 0.000 ms, write: 0.000 ms\n"
      "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n"
      "buffer usage: 36 hits, 0 misses, 0 dirtied\n"
      "WAL usage: 3 records, 0 full page images, 342 bytes\n"
      "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s\n";
  ReadResult cloud = Read(cloudsql, "");
  EXPECT_EQ(cloud.prefix, "%m [%p]: [%l-1] db=%d,user=%u ");
  EXPECT_THAT(cloud.events,
              ElementsAre("vacuum some_database.some_schema.some_table pid=2569017 at=0 scans=0 "
                          "elapsed=0"));
}

TEST(StderrLogReader, BadPrefixIsAnError) {
  StderrLogReader::Options o;
  o.log_line_prefix = "%m %y";
  EXPECT_FALSE(StderrLogReader::Create(o).ok());
}

// Stopping after any event and resuming a new reader at resume_offset() reproduces exactly the
// events not yet returned.
TEST(StderrLogReader, ResumeOffsetsReproduceTheRest) {
  const std::string log =
      kLog + "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n" +
      VacuumOf("2", "t2") +
      "2026-11-23 23:18:26.671 UTC [1] CONTEXT:  automatic vacuum of table \"jobs.public.c\"\n" +
      "2026-11-23 23:18:26.672 UTC [9] LOG:  duration: 1.0 ms  statement: SELECT 1\n"
      "\tFROM t\n" +
      VacuumOf("3", "t3");
  const std::vector<std::string> all = Read(log, kDebianPrefix).events;
  ASSERT_EQ(all.size(), 7u);
  for (size_t chunk : {size_t{1}, size_t{13}, size_t{300}, log.size()}) {
    StderrLogReader::Options o;
    o.log_line_prefix = std::string(kDebianPrefix);
    auto reader = StderrLogReader::Create(o);
    ASSERT_OK(reader);
    size_t returned = 0;
    LogEvent e;
    auto check = [&] {
      const int64_t offset = (*reader)->resume_offset();
      ASSERT_GE(offset, 0);
      ASSERT_LE(offset, static_cast<int64_t>(log.size()));
      ReadResult rest = Read(std::string_view(log).substr(static_cast<size_t>(offset)),
                             kDebianPrefix, 1 << 16, 1000, offset);
      std::vector<std::string> expected(all.begin() + static_cast<std::ptrdiff_t>(returned),
                                        all.end());
      ASSERT_EQ(rest.events, expected) << "chunk " << chunk << " offset " << offset;
      EXPECT_EQ(rest.counters.total_rejected(), 0);
    };
    for (size_t i = 0; i < log.size(); i += chunk) {
      (*reader)->Feed(std::string_view(log).substr(i, chunk));
      while ((*reader)->Next(&e)) {
        ++returned;
        check();
      }
      if (chunk > 1 || i % 97 == 0) check();
    }
    (*reader)->Finish();
    while ((*reader)->Next(&e)) {
      ++returned;
      check();
    }
    EXPECT_EQ(returned, all.size());
    EXPECT_EQ((*reader)->resume_offset(), static_cast<int64_t>(log.size()));
  }
}

// Found by fuzzing (tests/data/fuzz/stderr_log_reader/crash-aa58507...): a log still being
// written, cut before a line without a TAB, was finished as if it had ended there. But an
// unindented line can continue the record above it, and a CONTEXT further on can complete a
// waiting cancel: the first came out without its last lines, the second was rejected without
// its table, and the next run, resuming past them, could not mend either. FinishCut now holds
// both for the next reader, which reads them whole.
TEST(StderrLogReader, FinishCutHoldsWhatTheLinesAfterTheCutMayStillComplete) {
  const std::string cancel =
      "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n"
      "2026-11-23 23:18:26.671 UTC [2] LOG:  checkpoint starting: time\n";
  const std::string context =
      "2026-11-23 23:18:26.672 UTC [1] CONTEXT:  automatic vacuum of table \"jobs.public.c\"\n";
  std::string unindented = kVacuum;  // its continuation lines without their TABs
  unindented.erase(std::remove(unindented.begin(), unindented.end(), '\t'), unindented.end());
  const size_t second_line = unindented.find('\n') + 1;
  struct Case {
    std::string log;
    size_t cut;  // the line starting here was cut: not fed
    std::string event;
  };
  for (const Case& c : {Case{cancel + context, cancel.size(), "vacuum_cancelled jobs.public.c"},
                        Case{unindented, second_line, "vacuum shop.public.orders"}}) {
    SCOPED_TRACE(c.log.substr(c.cut, 40));
    StderrLogReader::Options o;
    o.log_line_prefix = "%m [%p] ";
    CollectingSink sink;
    o.errors = &sink;
    o.source_name = "test.log";
    absl::StatusOr<std::unique_ptr<StderrLogReader>> first = StderrLogReader::Create(o);
    ASSERT_OK(first);
    (*first)->Feed(std::string_view(c.log).substr(0, c.cut));
    (*first)->FinishCut(/*cut_line_continues=*/false);
    LogEvent event;
    EXPECT_FALSE((*first)->Next(&event)) << Describe(event);
    EXPECT_EQ((*first)->resume_offset(), 0);
    EXPECT_EQ((*first)->counters().total_rejected(), 0);

    ReadResult next = Read(c.log, "%m [%p] ");
    ASSERT_EQ(next.events.size(), 1u);
    EXPECT_THAT(next.events[0], HasSubstr(c.event));
    if (c.event.starts_with("vacuum ")) {
      EXPECT_THAT(next.events[0], HasSubstr("elapsed=0.1"));  // its last line was read
    }
    EXPECT_EQ(next.counters.total_rejected(), 0);
  }
}

// Found by fuzzing (tests/data/fuzz/stderr_log_reader/crash-0fd5cc4...): the CONTEXT line of
// a waiting cancel, itself over max_entry_bytes and arriving in pieces, was attached to the
// cancel and then dropped from the buffer as the oversized line it is; the cancel then read
// its CONTEXT from bytes that were gone: other lines' text as its table, or an out_of_range
// exception that ended the process. The cancel now completes without it, as with an oversized
// CONTEXT continuation line, however the input is cut.
TEST(StderrLogReader, OversizedContextLineOfAWaitingCancelIsDropped) {
  const std::string cancel = "2026-11-23 23:18:26.670 UTC [1] ERROR:  canceling autovacuum task\n";
  const std::string context =
      "2026-11-23 23:18:26.671 UTC [1] CONTEXT:  while scanning block 1 of relation \"" +
      std::string(3000, 'x') + "\"\n";
  // The CONTEXT line last (the cancel then completes at the end, reading what it points at),
  // or followed by a continuation line (which then sat where the CONTEXT's bytes had been).
  for (const std::string& log :
       {cancel + context, cancel + context + "\tautomatic vacuum of table \"jobs.public.c\"\n"}) {
    for (size_t chunk : {size_t{1}, size_t{300}, log.size()}) {
      SCOPED_TRACE(chunk);
      ReadResult run = Read(log, "%m [%p] ", chunk, 1000, 0, /*max_entry_bytes=*/1024);
      EXPECT_THAT(run.events, ElementsAre());
      EXPECT_EQ(Rejected(run, ParseErrorKind::kOversized), 1);
      EXPECT_EQ(run.counters.total_rejected(), 2);  // and the cancel, which has no table
    }
  }
}

// A reader stopped while it drops an oversized line that arrives in pieces (a head line, a
// continuation of an autovacuum record; mid-line or just before its newline), and restarted at
// resume_offset(), reads the rest as the first reader would: the same events, and the same
// oversized rejections from there on, never the line's tail as a line of its own.
TEST(StderrLogReader, ResumeOffsetDuringADroppedOversizedLine) {
  constexpr size_t kMax = 1024;
  constexpr size_t kChunk = 300;
  const std::string statement =
      "2026-11-23 23:18:22.000 UTC [2] LOG:  statement: " + std::string(5000, 'b') + "\n";
  const std::string long_continuation =
      VacuumOf("4", "cut").substr(0, 120) + "\n\t" + std::string(5000, 'd') + "\n";
  const std::string log = VacuumOf("1", "before") +
                          "2026-11-23 23:18:21.500 UTC [9] LOG:  checkpoint starting: time\n" +
                          statement + VacuumOf("3", "mid") + long_continuation +
                          VacuumOf("6", "after");
  const ReadResult whole = Read(log, "%m [%p] ", kChunk, 1000, 0, kMax);
  ASSERT_THAT(whole.events,
              ElementsAre(HasSubstr("shop.public.before pid=1"), HasSubstr("shop.public.mid pid=3"),
                          HasSubstr("shop.public.after pid=6")));
  ASSERT_EQ(whole.errors.size(), 2u);
  const size_t statement_at = log.find(statement);
  const size_t continuation_at = log.find(long_continuation) + 122;  // after "\n\t"
  for (size_t stop : {statement_at + 2500, statement_at + statement.size() - 1,
                      continuation_at + 2500, continuation_at + 5000}) {
    SCOPED_TRACE(stop);
    StderrLogReader::Options o;
    o.log_line_prefix = "%m [%p] ";
    o.max_entry_bytes = kMax;
    auto reader = StderrLogReader::Create(o);
    ASSERT_OK(reader);
    size_t returned = 0;
    LogEvent e;
    for (size_t pos = 0; pos < stop; pos += kChunk) {
      (*reader)->Feed(std::string_view(log).substr(pos, std::min(kChunk, stop - pos)));
      while ((*reader)->Next(&e)) ++returned;
    }
    const int64_t resume = (*reader)->resume_offset();
    ASSERT_LE(resume, static_cast<int64_t>(stop));
    const ReadResult rest = Read(std::string_view(log).substr(static_cast<size_t>(resume)),
                                 "%m [%p] ", kChunk, 1000, resume, kMax);
    EXPECT_EQ(rest.events,
              std::vector<std::string>(whole.events.begin() + returned, whole.events.end()));
    // The rejections of the whole run from `resume` on, and no other.
    std::vector<int64_t> expected_offsets, offsets;
    for (const CapturedError& err : whole.errors) {
      if (err.byte_offset >= resume) expected_offsets.push_back(err.byte_offset);
    }
    for (const CapturedError& err : rest.errors) {
      EXPECT_EQ(err.kind, ParseErrorKind::kOversized);
      offsets.push_back(err.byte_offset);
    }
    EXPECT_EQ(offsets, expected_offsets);
    EXPECT_EQ(rest.counters.total_rejected(), static_cast<int64_t>(expected_offsets.size()));
  }
}

}  // namespace
}  // namespace vacwatch::ingest
