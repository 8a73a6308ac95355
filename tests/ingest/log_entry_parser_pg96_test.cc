// PostgreSQL 9.6 (9.6.10 vacuumlazy.c lazy_vacuum_rel, analyze.c, pg_rusage.c): only the plain
// "automatic vacuum of table" first line; pages with "skipped due to pins" / "skipped frozen";
// tuples without "oldest xmin"; buffer usage before the rates; system usage last in the old
// pg_rusage format "CPU <system>s/<user>u sec elapsed <elapsed> sec"; analyze on one line.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg96, Vacuum) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic vacuum of table \"app.public.orders\": index scans: 2",
                      "pages: 3 removed, 1200 remain, 4 skipped due to pins, 800 skipped "
                      "frozen",
                      "tuples: 5000 removed, 120000 remain, 37 are dead but not yet removable",
                      "buffer usage: 2400 hits, 12 misses, 30 dirtied",
                      "avg read rate: 1.234 MB/s, avg write rate: 0.567 MB/s",
                      "system usage: CPU 1.02s/2.08u sec elapsed 108.25 sec"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const LogEvent& e = h.event;
  EXPECT_EQ(e.type, LogEventType::kVacuum);
  EXPECT_EQ(e.database, "app");
  EXPECT_EQ(e.schema, "public");
  EXPECT_EQ(e.table, "orders");
  const VacuumStats& s = e.stats;
  EXPECT_THAT(
      PresentFields(s),
      ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                  "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                  "tuples_not_yet_removable", "read_rate_mbs", "write_rate_mbs", "buffer_hits",
                  "buffer_misses", "buffer_dirtied", "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.mode, VacuumMode::kNormal);
  EXPECT_EQ(s.index_scans, 2);
  EXPECT_EQ(s.pages_removed, 3);
  EXPECT_EQ(s.pages_remain, 1200);
  EXPECT_EQ(s.pages_skipped_pins, 4);
  EXPECT_EQ(s.pages_skipped_frozen, 800);
  EXPECT_EQ(s.tuples_removed, 5000);
  EXPECT_EQ(s.tuples_remain, 120000);
  EXPECT_EQ(s.tuples_not_yet_removable, 37);
  EXPECT_EQ(s.buffer_hits, 2400);
  EXPECT_EQ(s.buffer_misses, 12);
  EXPECT_EQ(s.buffer_dirtied, 30);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 1.234);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 0.567);
  // 9.6 prints kernel (system) CPU first, then user.
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 1.02);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 2.08);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 108.25);
}

TEST(LogEntryParserPg96, AnalyzeOnOneLine) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"app.public.orders\" system usage: CPU "
                            "0.01s/0.23u sec elapsed 0.89 sec"}),
            EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_EQ(h.event.type, LogEventType::kAnalyze);
  EXPECT_EQ(h.event.table, "orders");
  EXPECT_THAT(PresentFields(h.event.stats), ElementsAre("cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_DOUBLE_EQ(*h.event.stats.cpu_system_s, 0.01);
  EXPECT_DOUBLE_EQ(*h.event.stats.cpu_user_s, 0.23);
  EXPECT_DOUBLE_EQ(*h.event.stats.elapsed_s, 0.89);
}

TEST(LogEntryParserPg96, CancelWithOneContextLine) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"automatic vacuum of table \"app.public.orders\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kVacuumCancelled);
  EXPECT_EQ(h.event.database, "app");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "orders");
  EXPECT_EQ(h.event.cancel_phase, "");
}

TEST(LogEntryParserPg96, WraparoundWarnings) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("WARNING", {"oldest xmin is far in the past"}), EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kOldestXminFarInPast);
  ASSERT_EQ(h.Parse("WARNING", {"database \"app\" must be vacuumed within 9999999 transactions"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kMustVacuumWithin);
  EXPECT_EQ(h.event.database, "app");
  EXPECT_EQ(h.event.wraparound.remaining, 9999999);
  ASSERT_EQ(h.Parse("ERROR", {"database is not accepting commands to avoid wraparound data loss "
                              "in database \"app\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kNotAcceptingCommands);
  EXPECT_EQ(h.event.database, "app");
}

TEST(LogEntryParserPg96, TruncatedBeforeSystemUsage) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"app.public.orders\": index scans: 0",
                            "pages: 0 removed, 1 remain, 0 skipped due to pins, 0 skipped frozen",
                            "tuples: 0 removed, 1 remain, 0 are dead but not yet removable",
                            "buffer usage: 1 hits, 0 misses, 0 dirtied",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(h.error.field, "system_usage");
  EXPECT_EQ(h.error.line_no, 7);
  EXPECT_EQ(h.error.byte_offset, 100);
}

}  // namespace
}  // namespace vacwatch::ingest
