// PostgreSQL 18 (18.6 vacuumlazy.c / analyze.c): ", %u eagerly scanned" on the pages line, a
// "visibility map:" line, "delay time:" (track_cost_delay_timing), buffer "reads" instead of
// "misses", WAL ", %ld buffers full"; analyze gains delay time and WAL usage.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

TEST(LogEntryParserPg18, VacuumWithEveryNewPart) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG",
              {"automatic vacuum of table \"db.public.t\": index scans: 0",
               "pages: 0 removed, 100 remain, 40 scanned (40.00% of total), 5 eagerly "
               "scanned",
               "tuples: 10 removed, 900 remain, 2 are dead but not yet removable",
               "removable cutoff: 5000, which was 12 XIDs old when operation ended",
               "frozen: 3 pages from table (3.00% of total) had 90 tuples frozen",
               "visibility map: 30 pages set all-visible, 20 pages set all-frozen (4 were "
               "all-visible)",
               "index scan bypassed: 2 pages from table (2.00% of total) have 10 dead item "
               "identifiers",
               "delay time: 123.456 ms", "avg read rate: 0.100 MB/s, avg write rate: 0.200 MB/s",
               "buffer usage: 300 hits, 40 reads, 50 dirtied",
               "WAL usage: 60 records, 7 full page images, 8000 bytes, 9 buffers full",
               "system usage: CPU: user: 0.01 s, system: 0.02 s, elapsed: 0.50 s"}),
      EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_THAT(
      PresentFields(s),
      ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_scanned",
                  "pages_eagerly_scanned", "pages_scanned_pct", "tuples_removed", "tuples_remain",
                  "tuples_not_yet_removable", "removable_cutoff", "removable_cutoff_age",
                  "frozen_pages", "tuples_frozen", "frozen_pages_pct", "vm_all_visible",
                  "vm_all_frozen", "vm_all_frozen_were_visible", "index_scan", "index_scan_pages",
                  "dead_item_ids", "index_scan_pages_pct", "delay_time_ms", "read_rate_mbs",
                  "write_rate_mbs", "buffer_hits", "buffer_misses", "buffer_dirtied", "wal_records",
                  "wal_fpi", "wal_bytes", "wal_buffers_full", "cpu_user_s", "cpu_system_s",
                  "elapsed_s"));
  EXPECT_EQ(s.index_scans, 0);
  EXPECT_EQ(s.pages_removed, 0);
  EXPECT_EQ(s.pages_remain, 100);
  EXPECT_EQ(s.pages_scanned, 40);
  EXPECT_DOUBLE_EQ(*s.pages_scanned_pct, 40.0);
  EXPECT_EQ(s.pages_eagerly_scanned, 5);
  EXPECT_EQ(s.tuples_removed, 10);
  EXPECT_EQ(s.tuples_remain, 900);
  EXPECT_EQ(s.tuples_not_yet_removable, 2);
  EXPECT_EQ(s.removable_cutoff, 5000);
  EXPECT_EQ(s.removable_cutoff_age, 12);
  EXPECT_EQ(s.frozen_pages, 3);
  EXPECT_DOUBLE_EQ(*s.frozen_pages_pct, 3.0);
  EXPECT_EQ(s.tuples_frozen, 90);
  EXPECT_EQ(s.vm_all_visible, 30);
  EXPECT_EQ(s.vm_all_frozen, 20);
  EXPECT_EQ(s.vm_all_frozen_were_visible, 4);
  EXPECT_EQ(s.index_scan, IndexScanDecision::kBypassed);
  EXPECT_EQ(s.index_scan_pages, 2);
  EXPECT_DOUBLE_EQ(*s.index_scan_pages_pct, 2.0);
  EXPECT_EQ(s.dead_item_ids, 10);
  EXPECT_DOUBLE_EQ(*s.delay_time_ms, 123.456);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 0.1);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 0.2);
  EXPECT_EQ(s.buffer_hits, 300);
  EXPECT_EQ(s.buffer_misses, 40);  // "reads" in 18
  EXPECT_EQ(s.buffer_dirtied, 50);
  EXPECT_EQ(s.wal_records, 60);
  EXPECT_EQ(s.wal_fpi, 7);
  EXPECT_EQ(s.wal_bytes, 8000);
  EXPECT_EQ(s.wal_buffers_full, 9);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.01);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.02);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 0.5);
}

TEST(LogEntryParserPg18, AnalyzeWithDelayAndWal) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"db.public.t\"", "delay time: 1.500 ms",
                            "I/O timings: read: 2.000 ms, write: 3.000 ms",
                            "avg read rate: 0.100 MB/s, avg write rate: 0.200 MB/s",
                            "buffer usage: 10 hits, 2 reads, 1 dirtied",
                            "WAL usage: 5 records, 1 full page images, 900 bytes, 0 buffers full",
                            "system usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: 0.03 s"}),
            EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_THAT(
      PresentFields(s),
      ElementsAre("delay_time_ms", "io_read_ms", "io_write_ms", "read_rate_mbs", "write_rate_mbs",
                  "buffer_hits", "buffer_misses", "buffer_dirtied", "wal_records", "wal_fpi",
                  "wal_bytes", "wal_buffers_full", "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_DOUBLE_EQ(*s.delay_time_ms, 1.5);
  EXPECT_EQ(s.buffer_misses, 2);
  EXPECT_EQ(s.wal_buffers_full, 0);
}

TEST(LogEntryParserPg18, ManualVerboseOutputIsNotAutovacuum) {
  EntryHarness h;
  EXPECT_EQ(h.Parse("INFO", {"finished vacuuming \"db.public.t\": index scans: 0"}),
            EntryOutcome::kSkipped);
  EXPECT_EQ(h.Parse("INFO", {"finished analyzing table \"db.public.t\""}), EntryOutcome::kSkipped);
}

}  // namespace
}  // namespace vacwatch::ingest
