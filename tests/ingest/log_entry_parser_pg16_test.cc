// PostgreSQL 16 (16.2 vacuumlazy.c): the parts of 15 plus an always-present
// "frozen: %u pages from table (%.2f%% of total) had %lld tuples frozen" after the relminmxid
// line. vacuum.c renames the horizon warnings: "cutoff for removing and freezing tuples is far
// in the past" and "cutoff for freezing multixacts is far in the past".

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg16, VacuumWithFrozenLine) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic vacuum of table \"postgres.public.test\": index scans: 0",
                      "pages: 0 removed, 442496 remain, 442496 scanned (100.00% of total)",
                      "tuples: 0 removed, 100000000 remain, 0 are dead but not yet removable",
                      "removable cutoff: 768, which was 0 XIDs old when operation ended",
                      "new relminmxid: 20, which is 2 MXIDs ahead of previous value",
                      "frozen: 17 pages from table (0.01% of total) had 2345 tuples frozen",
                      "index scan not needed: 0 pages from table (0.00% of total) had 0 dead item "
                      "identifiers removed",
                      "avg read rate: 24.523 MB/s, avg write rate: 24.641 MB/s",
                      "buffer usage: 444687 hits, 440385 misses, 442496 dirtied",
                      "WAL usage: 442479 records, 14 full page images, 26221148 bytes",
                      "system usage: CPU: user: 14.23 s, system: 10.10 s, elapsed: 140.29 s"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_scanned",
                          "pages_scanned_pct", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "removable_cutoff", "removable_cutoff_age",
                          "new_relminmxid", "relminmxid_advance", "frozen_pages", "tuples_frozen",
                          "frozen_pages_pct", "index_scan", "index_scan_pages", "dead_item_ids",
                          "index_scan_pages_pct", "read_rate_mbs", "write_rate_mbs", "buffer_hits",
                          "buffer_misses", "buffer_dirtied", "wal_records", "wal_fpi", "wal_bytes",
                          "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.index_scans, 0);
  EXPECT_EQ(s.pages_removed, 0);
  EXPECT_EQ(s.pages_remain, 442496);
  EXPECT_EQ(s.pages_scanned, 442496);
  EXPECT_DOUBLE_EQ(*s.pages_scanned_pct, 100.0);
  EXPECT_EQ(s.tuples_removed, 0);
  EXPECT_EQ(s.tuples_remain, 100000000);
  EXPECT_EQ(s.tuples_not_yet_removable, 0);
  EXPECT_EQ(s.removable_cutoff, 768);
  EXPECT_EQ(s.removable_cutoff_age, 0);
  EXPECT_EQ(s.new_relminmxid, 20);
  EXPECT_EQ(s.relminmxid_advance, 2);
  EXPECT_EQ(s.frozen_pages, 17);
  EXPECT_DOUBLE_EQ(*s.frozen_pages_pct, 0.01);
  EXPECT_EQ(s.tuples_frozen, 2345);
  EXPECT_EQ(s.index_scan, IndexScanDecision::kNotNeeded);
  EXPECT_EQ(s.index_scan_pages, 0);
  EXPECT_DOUBLE_EQ(*s.index_scan_pages_pct, 0.0);
  EXPECT_EQ(s.dead_item_ids, 0);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 24.523);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 24.641);
  EXPECT_EQ(s.buffer_hits, 444687);
  EXPECT_EQ(s.buffer_misses, 440385);
  EXPECT_EQ(s.buffer_dirtied, 442496);
  EXPECT_EQ(s.wal_records, 442479);
  EXPECT_EQ(s.wal_fpi, 14);
  EXPECT_EQ(s.wal_bytes, 26221148);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 14.23);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 10.10);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 140.29);
}

TEST(LogEntryParserPg16, RenamedCutoffWarnings) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("WARNING", {"cutoff for removing and freezing tuples is far in the past"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kOldestXminFarInPast);
  ASSERT_EQ(h.Parse("WARNING", {"cutoff for freezing multixacts is far in the past"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kOldestMultixactFarInPast);
}

TEST(LogEntryParserPg16, AnalyzeWithoutIoTimings) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"template1.information_schema.sql_"
                            "features\"",
                            "avg read rate: 16.927 MB/s, avg write rate: 3.906 MB/s",
                            "buffer usage: 176 hits, 13 misses, 3 dirtied",
                            "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"}),
            EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_EQ(h.event.database, "template1");
  EXPECT_EQ(h.event.schema, "information_schema");
  EXPECT_EQ(h.event.table, "sql_features");
  EXPECT_THAT(PresentFields(h.event.stats),
              ElementsAre("read_rate_mbs", "write_rate_mbs", "buffer_hits", "buffer_misses",
                          "buffer_dirtied", "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(h.event.stats.buffer_misses, 13);
}

}  // namespace
}  // namespace vacwatch::ingest
