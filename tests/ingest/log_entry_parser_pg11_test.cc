// PostgreSQL 11 (11.2 vacuumlazy.c): the parts of 10, plus the first line "automatic aggressive
// vacuum of table". Wraparound HINTs gain "or drop stale replication slots" (the message that
// matters to us is unchanged), and "skipping ... --- relation no longer exists" appears.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg11, AggressiveVacuum) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic aggressive vacuum of table \"app.pg_catalog.pg_class\": index "
                      "scans: 1",
                      "pages: 0 removed, 14 remain, 1 skipped due to pins, 2 skipped frozen",
                      "tuples: 7 removed, 410 remain, 3 are dead but not yet removable, oldest "
                      "xmin: 4000000000",
                      "buffer usage: 59 hits, 1 misses, 2 dirtied",
                      "avg read rate: 0.500 MB/s, avg write rate: 13.355 MB/s",
                      "system usage: CPU: user: 0.10 s, system: 0.20 s, elapsed: 1.30 s"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(s.mode, VacuumMode::kAggressive);
  EXPECT_EQ(h.event.database, "app");
  EXPECT_EQ(h.event.schema, "pg_catalog");
  EXPECT_EQ(h.event.table, "pg_class");
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                          "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "oldest_xmin", "read_rate_mbs",
                          "write_rate_mbs", "buffer_hits", "buffer_misses", "buffer_dirtied",
                          "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.index_scans, 1);
  EXPECT_EQ(s.pages_remain, 14);
  EXPECT_EQ(s.pages_skipped_pins, 1);
  EXPECT_EQ(s.pages_skipped_frozen, 2);
  EXPECT_EQ(s.tuples_removed, 7);
  EXPECT_EQ(s.tuples_remain, 410);
  EXPECT_EQ(s.tuples_not_yet_removable, 3);
  EXPECT_EQ(s.oldest_xmin, 4000000000);  // an unsigned XID past INT32_MAX
  EXPECT_EQ(s.buffer_hits, 59);
  EXPECT_EQ(s.buffer_misses, 1);
  EXPECT_EQ(s.buffer_dirtied, 2);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 0.5);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 13.355);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.1);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.2);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 1.3);
}

TEST(LogEntryParserPg11, RelationNoLongerExistsIsNotASkipEvent) {
  EntryHarness h;
  EXPECT_EQ(h.Parse("LOG", {"skipping vacuum of \"gone\" --- relation no longer exists"}),
            EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("LOG", {"skipping vacuum of \"held\" --- lock not available"}),
            EntryOutcome::kEvent);
}

TEST(LogEntryParserPg11, OnlyLogSeverityCountsForVacuum) {
  EntryHarness h;
  // Manual VACUUM VERBOSE output and other severities are not autovacuum reports.
  EXPECT_EQ(h.Parse("INFO", {"automatic vacuum of table \"a.b.c\": index scans: 0"}),
            EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("DETAIL", {"automatic vacuum of table \"a.b.c\": index scans: 0"}),
            EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("LOG", {"checkpoint starting: time"}), EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("LOG", {"duration: 0.123 ms  statement: SELECT 1"}), EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("LOG", {"database system is ready to accept connections"}),
            EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("ERROR", {"canceling statement due to user request"}), EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("LOG", {""}), EntryOutcome::kSkipped);
}

}  // namespace
}  // namespace vacwatch::ingest
