// PostgreSQL 15 (15.18 vacuumlazy.c / analyze.c): pages "scanned (P% of total)", no
// "skipped due to pins", "removable cutoff" instead of "oldest xmin", conditional
// "tuples missed" / "new relfrozenxid" / "new relminmxid", an always-present index-scan line,
// no "frozen:" (16+), "misses" (not 18's "reads"), WAL usage without "buffers full".

#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using testing::EntryHarness;

TEST(LogEntryParserPg15, VacuumWithEveryConditionalPart) {
  EntryHarness h;
  ASSERT_EQ(
      h.Parse("LOG",
              {"automatic vacuum of table \"testdb.replication.tab_queue_tmp\": index scans: 1",
               "pages: 5 removed, 303 remain, 10 scanned (3.30% of total)",
               "tuples: 828 removed, 667 remain, 24 are dead but not yet removable",
               "tuples missed: 7 dead from 2 pages not removed due to cleanup lock "
               "contention",
               "removable cutoff: 3949960346, which was 301 XIDs old when operation ended",
               "new relfrozenxid: 3949960326, which is 1136 XIDs ahead of previous value",
               "new relminmxid: 3713553644, which is 22 MXIDs ahead of previous value",
               "index scan needed: 9 pages from table (2.97% of total) had 1000 dead item "
               "identifiers removed",
               "index \"tab_queue_tmp_pkey\": pages: 258 in total, 2 newly deleted, 255 "
               "currently deleted, 240 reusable",
               "I/O timings: read: 1.250 ms, write: 0.500 ms",
               "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
               "buffer usage: 573 hits, 0 misses, 0 dirtied",
               "WAL usage: 35 records, 0 full page images, 8042 bytes",
               "system usage: CPU: user: 0.01 s, system: 0.02 s, elapsed: 0.03 s"}),
      EntryOutcome::kEvent)
      << h.error.field << ": " << h.error.detail;
  const LogEvent& e = h.event;
  EXPECT_EQ(e.type, LogEventType::kVacuum);
  EXPECT_EQ(e.cluster, "test-cluster");
  EXPECT_EQ(e.database, "testdb");
  EXPECT_EQ(e.schema, "replication");
  EXPECT_EQ(e.table, "tab_queue_tmp");
  EXPECT_EQ(e.pid, 31337);
  EXPECT_EQ(e.time_text, "2024-05-01 12:00:00.000 UTC");
  EXPECT_EQ(e.time, absl::FromUnixSeconds(1714564800));
  EXPECT_EQ(e.byte_offset, 100);
  EXPECT_EQ(e.line_no, 7);
  const VacuumStats& s = e.stats;
  EXPECT_EQ(s.mode, VacuumMode::kNormal);
  EXPECT_EQ(s.index_scans, 1);
  EXPECT_EQ(s.pages_removed, 5);
  EXPECT_EQ(s.pages_remain, 303);
  EXPECT_EQ(s.pages_scanned, 10);
  EXPECT_DOUBLE_EQ(*s.pages_scanned_pct, 3.30);
  EXPECT_FALSE(s.pages_skipped_pins.has_value());
  EXPECT_FALSE(s.pages_skipped_frozen.has_value());
  EXPECT_FALSE(s.pages_eagerly_scanned.has_value());
  EXPECT_EQ(s.tuples_removed, 828);
  EXPECT_EQ(s.tuples_remain, 667);
  EXPECT_EQ(s.tuples_not_yet_removable, 24);
  EXPECT_FALSE(s.oldest_xmin.has_value());
  EXPECT_EQ(s.tuples_missed_dead, 7);
  EXPECT_EQ(s.tuples_missed_pages, 2);
  EXPECT_EQ(s.removable_cutoff, 3949960346);
  EXPECT_EQ(s.removable_cutoff_age, 301);
  EXPECT_EQ(s.new_relfrozenxid, 3949960326);
  EXPECT_EQ(s.relfrozenxid_advance, 1136);
  EXPECT_EQ(s.new_relminmxid, 3713553644);
  EXPECT_EQ(s.relminmxid_advance, 22);
  EXPECT_FALSE(s.frozen_pages.has_value());
  EXPECT_FALSE(s.tuples_frozen.has_value());
  EXPECT_FALSE(s.vm_all_visible.has_value());
  EXPECT_EQ(s.index_scan, IndexScanDecision::kNeeded);
  EXPECT_EQ(s.index_scan_pages, 9);
  EXPECT_DOUBLE_EQ(*s.index_scan_pages_pct, 2.97);
  EXPECT_EQ(s.dead_item_ids, 1000);
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_EQ(s.indexes[0].name, "tab_queue_tmp_pkey");
  EXPECT_EQ(s.indexes[0].pages_total, 258);
  EXPECT_EQ(s.indexes[0].pages_newly_deleted, 2);
  EXPECT_EQ(s.indexes[0].pages_currently_deleted, 255);
  EXPECT_EQ(s.indexes[0].pages_reusable, 240);
  EXPECT_FALSE(s.delay_time_ms.has_value());
  EXPECT_DOUBLE_EQ(*s.io_read_ms, 1.25);
  EXPECT_DOUBLE_EQ(*s.io_write_ms, 0.5);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 0.0);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 0.0);
  EXPECT_EQ(s.buffer_hits, 573);
  EXPECT_EQ(s.buffer_misses, 0);
  EXPECT_EQ(s.buffer_dirtied, 0);
  EXPECT_EQ(s.wal_records, 35);
  EXPECT_EQ(s.wal_fpi, 0);
  EXPECT_EQ(s.wal_bytes, 8042);
  EXPECT_FALSE(s.wal_buffers_full.has_value());
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.01);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.02);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 0.03);
}

}  // namespace
}  // namespace vacwatch::ingest
