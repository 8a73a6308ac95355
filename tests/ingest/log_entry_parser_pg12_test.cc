// PostgreSQL 12 (12.3 access/heap/vacuumlazy.c heap_vacuum_rel): the parts of 11, plus the two
// "to prevent wraparound" first lines (aggressive, and the rare non-aggressive one).

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

std::vector<std::string_view> Body(std::string_view first_line) {
  return {first_line,
          "pages: 10 removed, 20 remain, 0 skipped due to pins, 5 skipped frozen",
          "tuples: 30 removed, 40 remain, 5 are dead but not yet removable, oldest xmin: 123",
          "buffer usage: 100 hits, 2 misses, 3 dirtied",
          "avg read rate: 1.500 MB/s, avg write rate: 2.500 MB/s",
          "system usage: CPU: user: 0.12 s, system: 0.34 s, elapsed: 5.67 s"};
}

TEST(LogEntryParserPg12, AggressiveWraparoundVacuum) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", Body("automatic aggressive vacuum to prevent wraparound of table "
                                "\"mydb.public.orders\": index scans: 1")),
            EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(s.mode, VacuumMode::kAggressiveWraparound);
  EXPECT_EQ(h.event.database, "mydb");
  EXPECT_EQ(h.event.table, "orders");
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                          "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "oldest_xmin", "read_rate_mbs",
                          "write_rate_mbs", "buffer_hits", "buffer_misses", "buffer_dirtied",
                          "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.index_scans, 1);
  EXPECT_EQ(s.pages_removed, 10);
  EXPECT_EQ(s.pages_remain, 20);
  EXPECT_EQ(s.pages_skipped_pins, 0);
  EXPECT_EQ(s.pages_skipped_frozen, 5);
  EXPECT_EQ(s.tuples_removed, 30);
  EXPECT_EQ(s.tuples_remain, 40);
  EXPECT_EQ(s.tuples_not_yet_removable, 5);
  EXPECT_EQ(s.oldest_xmin, 123);
  EXPECT_EQ(s.buffer_hits, 100);
  EXPECT_EQ(s.buffer_misses, 2);
  EXPECT_EQ(s.buffer_dirtied, 3);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 1.5);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 2.5);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.12);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.34);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 5.67);
}

TEST(LogEntryParserPg12, NonAggressiveWraparoundVacuum) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", Body("automatic vacuum to prevent wraparound of table "
                                "\"mydb.public.orders\": index scans: 0")),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.stats.mode, VacuumMode::kWraparound);
  EXPECT_EQ(h.event.stats.index_scans, 0);
}

TEST(LogEntryParserPg12, TableNamesWithDotsQuotesAndSpaces) {
  EntryHarness h;
  // The table part keeps everything after the second dot.
  ASSERT_EQ(h.Parse("LOG", Body("automatic vacuum of table \"mydb.public.odd.\"name\" x\": index "
                                "scans: 0")),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.database, "mydb");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "odd.\"name\" x");
  ASSERT_EQ(h.Parse("LOG", Body("automatic vacuum of table \"nodots\": index scans: 0")),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.field, "table");
}

TEST(LogEntryParserPg12, CarriageReturnsAreTolerated) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic vacuum of table \"mydb.public.orders\": index scans: 0\r",
                      "pages: 10 removed, 20 remain, 0 skipped due to pins, 5 skipped frozen\r",
                      "tuples: 30 removed, 40 remain, 5 are dead but not yet removable, "
                      "oldest xmin: 123\r",
                      "buffer usage: 100 hits, 2 misses, 3 dirtied\r",
                      "avg read rate: 1.500 MB/s, avg write rate: 2.500 MB/s\r",
                      "system usage: CPU: user: 0.12 s, system: 0.34 s, elapsed: 5.67 s\r"}),
      EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_DOUBLE_EQ(*h.event.stats.elapsed_s, 5.67);
}

}  // namespace
}  // namespace vacwatch::ingest
