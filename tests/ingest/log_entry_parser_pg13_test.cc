// PostgreSQL 13 (13.16 vacuumlazy.c): the parts of 12 with a new LAST part after system usage:
// "WAL usage: %ld records, %ld full page images, %llu bytes". A cancelled vacuum's CONTEXT now
// has the vacuum phase ("while scanning block N of relation "s.t"") before the table line.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg13, VacuumWithWalUsageLast) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"lzldb.pg_catalog.pg_statistic\": index "
                            "scans: 0",
                            "pages: 0 removed, 132685 remain, 1 skipped due to pins, 0 skipped "
                            "frozen",
                            "tuples: 0 removed, 1501745 remain, 1497090 are dead but not yet "
                            "removable, oldest xmin: 119329380",
                            "buffer usage: 265443 hits, 0 misses, 0 dirtied",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                            "system usage: CPU: user: 0.53 s, system: 0.17 s, elapsed: 3.38 s",
                            "WAL usage: 1 records, 0 full page images, 233 bytes"}),
            EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(h.event.database, "lzldb");
  EXPECT_EQ(h.event.schema, "pg_catalog");
  EXPECT_EQ(h.event.table, "pg_statistic");
  EXPECT_THAT(
      PresentFields(s),
      ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                  "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                  "tuples_not_yet_removable", "oldest_xmin", "read_rate_mbs", "write_rate_mbs",
                  "buffer_hits", "buffer_misses", "buffer_dirtied", "wal_records", "wal_fpi",
                  "wal_bytes", "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.index_scans, 0);
  EXPECT_EQ(s.pages_remain, 132685);
  EXPECT_EQ(s.pages_skipped_pins, 1);
  EXPECT_EQ(s.tuples_remain, 1501745);
  EXPECT_EQ(s.tuples_not_yet_removable, 1497090);
  EXPECT_EQ(s.oldest_xmin, 119329380);
  EXPECT_EQ(s.buffer_hits, 265443);
  EXPECT_EQ(s.wal_records, 1);
  EXPECT_EQ(s.wal_fpi, 0);
  EXPECT_EQ(s.wal_bytes, 233);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.53);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.17);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 3.38);
}

TEST(LogEntryParserPg13, AnalyzeStillOnOneLine) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic analyze of table \"lzldb.public.lzlinfo\" system usage: CPU: "
                      "user: 2.02 s, system: 0.00 s, elapsed: 2.08 s"}),
      EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kAnalyze);
  EXPECT_EQ(h.event.table, "lzlinfo");
  EXPECT_THAT(PresentFields(h.event.stats), ElementsAre("cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_DOUBLE_EQ(*h.event.stats.elapsed_s, 2.08);
}

TEST(LogEntryParserPg13, CancelWithPhaseContext) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"while scanning block 123 of relation \"public.t\"",
                     "automatic vacuum of table \"mydb.public.t\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kVacuumCancelled);
  EXPECT_EQ(h.event.database, "mydb");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "t");
  EXPECT_EQ(h.event.cancel_phase, "while scanning block 123 of relation \"public.t\"");
}

TEST(LogEntryParserPg13, CancelWithOnlyThePhaseNamesSchemaAndRelation) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"while vacuuming index \"t_pkey\" of relation \"public.t\""}, "mydb"),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kVacuumCancelled);
  EXPECT_EQ(h.event.database, "mydb");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "t");
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"while truncating relation \"public.t\" to 12 blocks"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.table, "t");
}

TEST(LogEntryParserPg13, CancelWithoutContextIsRejected) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"}), EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kMissingField);
  EXPECT_EQ(h.error.field, "context");
}

}  // namespace
}  // namespace vacwatch::ingest
