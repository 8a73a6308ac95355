// PostgreSQL 14 (14.13 vacuumlazy.c): the block is reordered (rates before buffer usage, system
// usage last again) and gains a conditional index-scan line with four decisions, per-index
// lines and "I/O timings" (track_io_timing). Analyze becomes multi-line. The failsafe WARNING
// "bypassing nonessential maintenance of table ..." appears.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

std::vector<std::string_view> Vacuum(std::string_view index_scan_line) {
  return {"automatic vacuum of table \"db.public.jobs\": index scans: 1",
          "pages: 0 removed, 500 remain, 2 skipped due to pins, 100 skipped frozen",
          "tuples: 900 removed, 20000 remain, 11 are dead but not yet removable, oldest xmin: 777",
          index_scan_line,
          "index \"jobs_pkey\": pages: 60 in total, 1 newly deleted, 2 currently deleted, 3 "
          "reusable",
          "index \"jobs.odd\": pages: 7 in total, 0 newly deleted, 0 currently deleted, 0 reusable",
          "I/O timings: read: 12.345 ms, write: 0.001 ms",
          "avg read rate: 3.000 MB/s, avg write rate: 1.000 MB/s",
          "buffer usage: 1000 hits, 20 misses, 30 dirtied",
          "WAL usage: 40 records, 5 full page images, 123456 bytes",
          "system usage: CPU: user: 0.05 s, system: 0.06 s, elapsed: 0.70 s"};
}

TEST(LogEntryParserPg14, VacuumWithIndexLines) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", Vacuum("index scan needed: 40 pages from table (8.00% of total) had "
                                  "900 dead item identifiers removed")),
            EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_skipped_pins",
                          "pages_skipped_frozen", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "oldest_xmin", "index_scan",
                          "index_scan_pages", "dead_item_ids", "index_scan_pages_pct", "io_read_ms",
                          "io_write_ms", "read_rate_mbs", "write_rate_mbs", "buffer_hits",
                          "buffer_misses", "buffer_dirtied", "wal_records", "wal_fpi", "wal_bytes",
                          "cpu_user_s", "cpu_system_s", "elapsed_s", "indexes"));
  EXPECT_EQ(s.index_scans, 1);
  EXPECT_EQ(s.pages_removed, 0);
  EXPECT_EQ(s.pages_remain, 500);
  EXPECT_EQ(s.pages_skipped_pins, 2);
  EXPECT_EQ(s.pages_skipped_frozen, 100);
  EXPECT_EQ(s.tuples_removed, 900);
  EXPECT_EQ(s.tuples_remain, 20000);
  EXPECT_EQ(s.tuples_not_yet_removable, 11);
  EXPECT_EQ(s.oldest_xmin, 777);
  EXPECT_EQ(s.index_scan, IndexScanDecision::kNeeded);
  EXPECT_EQ(s.index_scan_pages, 40);
  EXPECT_DOUBLE_EQ(*s.index_scan_pages_pct, 8.0);
  EXPECT_EQ(s.dead_item_ids, 900);
  ASSERT_EQ(s.indexes.size(), 2u);
  EXPECT_EQ(s.indexes[0].name, "jobs_pkey");
  EXPECT_EQ(s.indexes[0].pages_total, 60);
  EXPECT_EQ(s.indexes[0].pages_newly_deleted, 1);
  EXPECT_EQ(s.indexes[0].pages_currently_deleted, 2);
  EXPECT_EQ(s.indexes[0].pages_reusable, 3);
  EXPECT_EQ(s.indexes[1].name, "jobs.odd");
  EXPECT_EQ(s.indexes[1].pages_total, 7);
  EXPECT_DOUBLE_EQ(*s.io_read_ms, 12.345);
  EXPECT_DOUBLE_EQ(*s.io_write_ms, 0.001);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 3.0);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 1.0);
  EXPECT_EQ(s.buffer_hits, 1000);
  EXPECT_EQ(s.buffer_misses, 20);
  EXPECT_EQ(s.buffer_dirtied, 30);
  EXPECT_EQ(s.wal_records, 40);
  EXPECT_EQ(s.wal_fpi, 5);
  EXPECT_EQ(s.wal_bytes, 123456);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.05);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.06);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 0.7);
}

TEST(LogEntryParserPg14, TheFourIndexScanDecisions) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", Vacuum("index scan not needed: 0 pages from table (0.00% of total) had "
                                  "0 dead item identifiers removed")),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.stats.index_scan, IndexScanDecision::kNotNeeded);
  ASSERT_EQ(h.Parse("LOG", Vacuum("index scan bypassed: 3 pages from table (0.60% of total) have 9 "
                                  "dead item identifiers")),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.stats.index_scan, IndexScanDecision::kBypassed);
  EXPECT_EQ(h.event.stats.index_scan_pages, 3);
  EXPECT_DOUBLE_EQ(*h.event.stats.index_scan_pages_pct, 0.6);
  EXPECT_EQ(h.event.stats.dead_item_ids, 9);
  ASSERT_EQ(h.Parse("LOG", Vacuum("index scan bypassed by failsafe: 500 pages from table (100.00% "
                                  "of total) have 1000000 dead item identifiers")),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.stats.index_scan, IndexScanDecision::kBypassedByFailsafe);
  EXPECT_EQ(h.event.stats.dead_item_ids, 1000000);
  ASSERT_EQ(h.Parse("LOG", Vacuum("index scan maybe: 1 pages from table (0.00% of total) had 0 "
                                  "dead item identifiers removed")),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.field, "index_scan");
}

TEST(LogEntryParserPg14, IndexScanLineIsConditional) {
  EntryHarness h;
  std::vector<std::string_view> lines = Vacuum("");
  lines.erase(lines.begin() + 3);  // orig_rel_pages == 0: no index-scan line
  ASSERT_EQ(h.Parse("LOG", lines), EntryOutcome::kEvent) << h.error.field;
  EXPECT_FALSE(h.event.stats.index_scan.has_value());
  EXPECT_FALSE(h.event.stats.dead_item_ids.has_value());
}

TEST(LogEntryParserPg14, MultiLineAnalyze) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"db.public.jobs\"",
                            "I/O timings: read: 0.119 ms, write: 0.000 ms",
                            "avg read rate: 0.416 MB/s, avg write rate: 0.249 MB/s",
                            "buffer usage: 2916 hits, 5 misses, 3 dirtied",
                            "system usage: CPU: user: 0.04 s, system: 0.01 s, elapsed: 0.09 s"}),
            EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_EQ(h.event.type, LogEventType::kAnalyze);
  EXPECT_EQ(h.event.database, "db");
  EXPECT_EQ(h.event.table, "jobs");
  const VacuumStats& s = h.event.stats;
  EXPECT_THAT(
      PresentFields(s),
      ElementsAre("io_read_ms", "io_write_ms", "read_rate_mbs", "write_rate_mbs", "buffer_hits",
                  "buffer_misses", "buffer_dirtied", "cpu_user_s", "cpu_system_s", "elapsed_s"));
  EXPECT_DOUBLE_EQ(*s.io_read_ms, 0.119);
  EXPECT_DOUBLE_EQ(*s.io_write_ms, 0.0);
  EXPECT_DOUBLE_EQ(*s.read_rate_mbs, 0.416);
  EXPECT_DOUBLE_EQ(*s.write_rate_mbs, 0.249);
  EXPECT_EQ(s.buffer_hits, 2916);
  EXPECT_EQ(s.buffer_misses, 5);
  EXPECT_EQ(s.buffer_dirtied, 3);
  EXPECT_DOUBLE_EQ(*s.cpu_user_s, 0.04);
  EXPECT_DOUBLE_EQ(*s.cpu_system_s, 0.01);
  EXPECT_DOUBLE_EQ(*s.elapsed_s, 0.09);
  // Cut after the first part: truncated.
  ASSERT_EQ(h.Parse("LOG", {"automatic analyze of table \"db.public.jobs\"",
                            "I/O timings: read: 0.119 ms, write: 0.000 ms"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kTruncated);
}

TEST(LogEntryParserPg14, FailsafeWarning) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("WARNING", {"bypassing nonessential maintenance of table "
                                "\"postgres.public.fs\" as a failsafe after 0 index scans"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kWraparoundWarning);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kFailsafe);
  EXPECT_EQ(h.event.database, "postgres");
  EXPECT_EQ(h.event.schema, "public");
  EXPECT_EQ(h.event.table, "fs");
  EXPECT_EQ(h.event.stats.index_scans, 0);
  // The wording of the 14 development cycle.
  ASSERT_EQ(h.Parse("WARNING", {"abandoned index vacuuming of table \"postgres.public.fs\" as a "
                                "failsafe after 2 index scans"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kFailsafe);
  EXPECT_EQ(h.event.stats.index_scans, 2);
}

TEST(LogEntryParserPg14, PartsInAnyOrder) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"db.public.jobs\": index scans: 0",
                            "system usage: CPU: user: 0.05 s, system: 0.06 s, elapsed: 0.70 s",
                            "buffer usage: 1000 hits, 20 misses, 30 dirtied",
                            "some future part: 12 widgets",
                            "avg read rate: 3.000 MB/s, avg write rate: 1.000 MB/s",
                            "tuples: 900 removed, 20000 remain, 11 are dead but not yet "
                            "removable, oldest xmin: 777",
                            "pages: 0 removed, 500 remain, 2 skipped due to pins, 100 skipped "
                            "frozen"}),
            EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_EQ(h.event.stats.pages_remain, 500);
  EXPECT_DOUBLE_EQ(*h.event.stats.elapsed_s, 0.7);
}

}  // namespace
}  // namespace vacwatch::ingest
