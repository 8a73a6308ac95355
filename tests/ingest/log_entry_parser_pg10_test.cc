// PostgreSQL 10 (10.20 vacuumlazy.c, analyze.c, pg_rusage.c): as 9.6, plus ", oldest xmin: %u"
// on the tuples line and the new pg_rusage format "CPU: user: %d.%02d s, system: ..., elapsed:".
// No aggressive or wraparound first lines yet; analyze is still one line.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg10, Vacuum) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic vacuum of table \"postgres.public.testtbl\": index scans: 0",
                      "pages: 1276 removed, 0 remain, 0 skipped due to pins, 0 skipped frozen",
                      "tuples: 100000 removed, 0 remain, 0 are dead but not yet removable, "
                      "oldest xmin: 579",
                      "buffer usage: 3851 hits, 0 misses, 0 dirtied",
                      "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                      "system usage: CPU: user: 0.02 s, system: 0.00 s, elapsed: 0.28 s"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(h.event.database, "postgres");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "testtbl");
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                          "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "oldest_xmin", "read_rate_mbs",
                          "write_rate_mbs", "buffer_hits", "buffer_misses", "buffer_dirtied",
                          "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.mode, VacuumMode::kNormal);
  EXPECT_EQ(s.index_scans, 0);
  EXPECT_EQ(s.pages_removed, 1276);
  EXPECT_EQ(s.pages_remain, 0);
  EXPECT_EQ(s.pages_skipped_pins, 0);
  EXPECT_EQ(s.pages_skipped_frozen, 0);
  EXPECT_EQ(s.tuples_removed, 100000);
  EXPECT_EQ(s.tuples_remain, 0);
  EXPECT_EQ(s.tuples_not_yet_removable, 0);
  EXPECT_EQ(s.oldest_xmin, 579);
  EXPECT_EQ(s.buffer_hits, 3851);
  EXPECT_EQ(s.buffer_misses, 0);
  EXPECT_EQ(s.buffer_dirtied, 0);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 0.0);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 0.0);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.02);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.0);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 0.28);
}

TEST(LogEntryParserPg10, AnalyzeOnOneLine) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"postgres.public.testtbl\" system usage: "
                            "CPU: user: 0.23 s, system: 0.01 s, elapsed: 0.89 s"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kAnalyze);
  EXPECT_EQ(h.event.database, "postgres");
  EXPECT_EQ(h.event.table, "testtbl");
  EXPECT_THAT(PresentFields(h.event.stats), ElementsAre("cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_DOUBLE_EQ(*h.event.stats.cpu_user_s, 0.23);
  EXPECT_DOUBLE_EQ(*h.event.stats.cpu_system_s, 0.01);
  EXPECT_DOUBLE_EQ(*h.event.stats.elapsed_s, 0.89);
}

TEST(LogEntryParserPg10, CancelOfAnalyze) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"automatic analyze of table \"postgres.public.testtbl\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kAnalyzeCancelled);
  EXPECT_EQ(h.event.table, "testtbl");
  EXPECT_EQ(h.event.pid, 31337);
}

TEST(LogEntryParserPg10, SkipLinesNameOnlyTheRelation) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"skipping vacuum of \"testtbl\" --- lock not available"}, {}, "db1"),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kVacuumSkipped);
  EXPECT_EQ(h.event.table, "testtbl");
  EXPECT_EQ(h.event.schema, "");
  EXPECT_EQ(h.event.database, "db1");
  ASSERT_EQ(h.Parse("LOG", {"skipping analyze of \"testtbl\" --- lock not available"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kAnalyzeSkipped);
  EXPECT_EQ(h.event.database, "");
}

TEST(LogEntryParserPg10, MultixactWarnings) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("WARNING", {"oldest multixact is far in the past"}), EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kOldestMultixactFarInPast);
  ASSERT_EQ(h.Parse("WARNING",
                    {"database \"app\" must be vacuumed before 12345 more MultiXactIds are used"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kMultixactMustVacuumWithin);
  EXPECT_EQ(h.event.database, "app");
  EXPECT_EQ(h.event.wraparound.remaining, 12345);
  ASSERT_EQ(h.Parse("WARNING",
                    {"database with OID 16384 must be vacuumed before 1 more multixact member is "
                     "used"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kMultixactMustVacuumWithin);
  EXPECT_EQ(h.event.wraparound.database_oid, 16384);
  EXPECT_EQ(h.event.wraparound.remaining, 1);
  EXPECT_EQ(h.event.database, "");
  ASSERT_EQ(h.Parse("ERROR", {"database is not accepting commands that generate new MultiXactIds "
                              "to avoid wraparound data loss in database \"app\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kNotAcceptingCommands);
  EXPECT_EQ(h.event.database, "app");
}

TEST(LogEntryParserPg10, BadNumberNamesThePart) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"postgres.public.testtbl\": index scans: 0",
                            "pages: 12x removed, 0 remain, 0 skipped due to pins, 0 skipped frozen",
                            "tuples: 1 removed, 0 remain, 0 are dead but not yet removable, "
                            "oldest xmin: 579",
                            "buffer usage: 3851 hits, 0 misses, 0 dirtied",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                            "system usage: CPU: user: 0.02 s, system: 0.00 s, elapsed: 0.28 s"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.field, "pages");
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"postgres.public.testtbl\": index scans: 0",
                            "pages: 1 removed, 0 remain, 0 skipped due to pins, 0 skipped frozen",
                            "tuples: 1 removed, 0 remain, 0 are dead but not yet removable, "
                            "oldest xmin: 99999999999999999999",
                            "buffer usage: 3851 hits, 0 misses, 0 dirtied",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                            "system usage: CPU: user: 0.02 s, system: 0.00 s, elapsed: 0.28 s"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kBadNumber);
  EXPECT_EQ(h.error.field, "tuples");
  EXPECT_EQ(h.error.raw, h.entry.message);
}

}  // namespace
}  // namespace vacwatch::ingest
