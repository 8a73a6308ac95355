// PostgreSQL 17 (17.4 vacuumlazy.c / analyze.c): the vacuum and analyze blocks are identical to
// 16. varsup.c and multixact.c reword the stop messages: "database is not accepting commands
// that assign new transaction IDs to avoid wraparound data loss in database ..." and "... that
// assign new MultiXactIds ...".

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg17, AggressiveVacuumWithEveryConditionalPart) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG", {"automatic aggressive vacuum of table \"shop.public.orders\": index scans: 2",
                      "pages: 12 removed, 3000 remain, 1500 scanned (50.00% of total)",
                      "tuples: 4000 removed, 250000 remain, 1200 are dead but not yet removable",
                      "tuples missed: 30 dead from 4 pages not removed due to cleanup lock "
                      "contention",
                      "removable cutoff: 90000, which was 45000 XIDs old when operation ended",
                      "new relfrozenxid: 80000, which is 5000 XIDs ahead of previous value",
                      "new relminmxid: 70, which is 7 MXIDs ahead of previous value",
                      "frozen: 1000 pages from table (33.33% of total) had 60000 tuples frozen",
                      "index scan needed: 700 pages from table (23.33% of total) had 4000 dead "
                      "item identifiers removed",
                      "index \"orders_pkey\": pages: 900 in total, 5 newly deleted, 6 currently "
                      "deleted, 7 reusable",
                      "I/O timings: read: 100.500 ms, write: 20.250 ms",
                      "avg read rate: 10.000 MB/s, avg write rate: 5.000 MB/s",
                      "buffer usage: 9000 hits, 800 misses, 700 dirtied",
                      "WAL usage: 6000 records, 500 full page images, 7000000 bytes",
                      "system usage: CPU: user: 1.00 s, system: 0.50 s, elapsed: 12.00 s"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(s.mode, VacuumMode::kAggressive);
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_scanned",
                          "pages_scanned_pct", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "tuples_missed_dead", "tuples_missed_pages",
                          "removable_cutoff", "removable_cutoff_age", "new_relfrozenxid",
                          "relfrozenxid_advance", "new_relminmxid", "relminmxid_advance",
                          "frozen_pages", "tuples_frozen", "frozen_pages_pct", "index_scan",
                          "index_scan_pages", "dead_item_ids", "index_scan_pages_pct", "io_read_ms",
                          "io_write_ms", "read_rate_mbs", "write_rate_mbs", "buffer_hits",
                          "buffer_misses", "buffer_dirtied", "wal_records", "wal_fpi", "wal_bytes",
                          "cpu_user_s", "cpu_system_s", "elapsed_s", "indexes"));
  EXPECT_EQ(s.index_scans, 2);
  EXPECT_EQ(s.pages_removed, 12);
  EXPECT_EQ(s.pages_remain, 3000);
  EXPECT_EQ(s.pages_scanned, 1500);
  EXPECT_DOUBLE_EQ(*s.pages_scanned_pct, 50.0);
  EXPECT_EQ(s.tuples_removed, 4000);
  EXPECT_EQ(s.tuples_remain, 250000);
  EXPECT_EQ(s.tuples_not_yet_removable, 1200);
  EXPECT_EQ(s.tuples_missed_dead, 30);
  EXPECT_EQ(s.tuples_missed_pages, 4);
  EXPECT_EQ(s.removable_cutoff, 90000);
  EXPECT_EQ(s.removable_cutoff_age, 45000);
  EXPECT_EQ(s.new_relfrozenxid, 80000);
  EXPECT_EQ(s.relfrozenxid_advance, 5000);
  EXPECT_EQ(s.new_relminmxid, 70);
  EXPECT_EQ(s.relminmxid_advance, 7);
  EXPECT_EQ(s.frozen_pages, 1000);
  EXPECT_DOUBLE_EQ(*s.frozen_pages_pct, 33.33);
  EXPECT_EQ(s.tuples_frozen, 60000);
  EXPECT_EQ(s.index_scan, IndexScanDecision::kNeeded);
  EXPECT_EQ(s.index_scan_pages, 700);
  EXPECT_DOUBLE_EQ(*s.index_scan_pages_pct, 23.33);
  EXPECT_EQ(s.dead_item_ids, 4000);
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_EQ(s.indexes[0].name, "orders_pkey");
  EXPECT_EQ(s.indexes[0].pages_total, 900);
  EXPECT_EQ(s.indexes[0].pages_newly_deleted, 5);
  EXPECT_EQ(s.indexes[0].pages_currently_deleted, 6);
  EXPECT_EQ(s.indexes[0].pages_reusable, 7);
  EXPECT_DOUBLE_EQ(*s.io_read_ms, 100.5);
  EXPECT_DOUBLE_EQ(*s.io_write_ms, 20.25);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 10.0);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 5.0);
  EXPECT_EQ(s.buffer_hits, 9000);
  EXPECT_EQ(s.buffer_misses, 800);
  EXPECT_EQ(s.buffer_dirtied, 700);
  EXPECT_EQ(s.wal_records, 6000);
  EXPECT_EQ(s.wal_fpi, 500);
  EXPECT_EQ(s.wal_bytes, 7000000);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 1.0);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.5);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 12.0);
}

TEST(LogEntryParserPg17, RewordedStopMessages) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"database is not accepting commands that assign new transaction IDs "
                              "to avoid wraparound data loss in database \"shop\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kNotAcceptingCommands);
  EXPECT_EQ(h.event.database, "shop");
  ASSERT_EQ(h.Parse("ERROR", {"database is not accepting commands that assign new MultiXactIds to "
                              "avoid wraparound data loss in database with OID 16385"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kNotAcceptingCommands);
  EXPECT_EQ(h.event.wraparound.database_oid, 16385);
  EXPECT_EQ(h.event.database, "");
  ASSERT_EQ(h.Parse("WARNING", {"database \"shop\" must be vacuumed within 2999999 transactions"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.remaining, 2999999);
}

}  // namespace
}  // namespace vacwatch::ingest
