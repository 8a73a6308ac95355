// PostgreSQL 15 (15.18 vacuumlazy.c / analyze.c): pages "scanned (P% of total)", no
// "skipped due to pins", "removable cutoff" instead of "oldest xmin", conditional
// "tuples missed" / "new relfrozenxid" / "new relminmxid", an always-present index-scan line,
// no "frozen:" (16+), "misses" (not 18's "reads"), WAL usage without "buffers full".

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_test_util.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using testing::EntryHarness;
using testing::PresentFields;

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

// From pg15-prod-eu-1's postgresql.log: no conditional part printed.
TEST(LogEntryParserPg15, VacuumWithoutConditionalParts) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum to prevent wraparound of table "
                            "\"events.public.ledger\": index scans: 1",
                            "pages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)",
                            "tuples: 0 removed, 300000 remain, 0 are dead but not yet removable",
                            "removable cutoff: 734, which was 1 XIDs old when operation ended",
                            "index scan not needed: 0 pages from table (0.00% of total) had 0 "
                            "dead item identifiers removed",
                            "avg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s",
                            "buffer usage: 5082 hits, 2 misses, 1 dirtied",
                            "WAL usage: 2501 records, 1 full page images, 155885 bytes",
                            "system usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s"}),
            EntryOutcome::kEvent)
      << h.error.field;
  const VacuumStats& s = h.event.stats;
  EXPECT_EQ(s.mode, VacuumMode::kWraparound);
  EXPECT_THAT(PresentFields(s),
              ElementsAre("index_scans", "pages_removed", "pages_remain", "pages_scanned",
                          "pages_scanned_pct", "tuples_removed", "tuples_remain",
                          "tuples_not_yet_removable", "removable_cutoff", "removable_cutoff_age",
                          "index_scan", "index_scan_pages", "dead_item_ids", "index_scan_pages_pct",
                          "read_rate_mbs", "write_rate_mbs", "buffer_hits", "buffer_misses",
                          "buffer_dirtied", "wal_records", "wal_fpi", "wal_bytes", "cpu_user_s",
                          "cpu_system_s", "elapsed_s"));
  EXPECT_EQ(s.pages_scanned, 2500);
  EXPECT_DOUBLE_EQ(*s.pages_scanned_pct, 100.0);
  EXPECT_EQ(s.removable_cutoff, 734);
  EXPECT_EQ(s.removable_cutoff_age, 1);
  EXPECT_EQ(s.index_scan, IndexScanDecision::kNotNeeded);
  EXPECT_EQ(s.wal_bytes, 155885);
}

TEST(LogEntryParserPg15, SignedXidDiffs) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"d.s.t\": index scans: 0",
                            "pages: 0 removed, 1 remain, 1 scanned (100.00% of total)",
                            "tuples: 0 removed, 1 remain, 0 are dead but not yet removable",
                            "removable cutoff: 10, which was -3 XIDs old when operation ended",
                            "new relfrozenxid: 9, which is -1 XIDs ahead of previous value",
                            "index scan not needed: 0 pages from table (0.00% of total) had 0 "
                            "dead item identifiers removed",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                            "buffer usage: 1 hits, 0 misses, 0 dirtied",
                            "WAL usage: 0 records, 0 full page images, 0 bytes",
                            "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"}),
            EntryOutcome::kEvent)
      << h.error.field;
  EXPECT_EQ(h.event.stats.removable_cutoff_age, -3);
  EXPECT_EQ(h.event.stats.relfrozenxid_advance, -1);
}

TEST(LogEntryParserPg15, MissingWalUsageIsTruncated) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"d.s.t\": index scans: 0",
                            "pages: 0 removed, 1 remain, 1 scanned (100.00% of total)",
                            "tuples: 0 removed, 1 remain, 0 are dead but not yet removable",
                            "removable cutoff: 10, which was 3 XIDs old when operation ended",
                            "index scan not needed: 0 pages from table (0.00% of total) had 0 "
                            "dead item identifiers removed",
                            "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s",
                            "buffer usage: 1 hits, 0 misses, 0 dirtied",
                            "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(h.error.field, "wal_usage");
  // A part cut in the middle of its text.
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"d.s.t\": index scans: 0",
                            "pages: 0 removed, 1 remain, 1 scanned (100.00% of total)",
                            "tuples: 0 removed, 1 rem"}),
            EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(h.error.field, "tuples");
  // The first line cut before the index scans.
  ASSERT_EQ(h.Parse("LOG", {"automatic vacuum of table \"d.s.t"}), EntryOutcome::kRejected);
  EXPECT_EQ(h.error.kind, ParseErrorKind::kTruncated);
  EXPECT_EQ(h.error.field, "index_scans");
}

// Cloud SQL exports join lines with '\n' and no TAB; pasted logs indent with spaces.
TEST(LogEntryParserPg15, ContinuationLinesWithoutTabs) {
  LogEntry entry;
  entry.severity = "LOG";
  entry.message =
      "automatic vacuum of table \"d.s.t\": index scans: 0\n"
      "pages: 0 removed, 1 remain, 1 scanned (100.00% of total)\n"
      "    tuples: 0 removed, 1 remain, 0 are dead but not yet removable\n"
      "removable cutoff: 10, which was 3 XIDs old when operation ended\n"
      "  index scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers "
      "removed\n"
      "avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n"
      "buffer usage: 1 hits, 0 misses, 0 dirtied\n"
      "WAL usage: 7 records, 0 full page images, 0 bytes\n"
      "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 1.50 s";
  LogEvent event;
  ParseError error;
  ASSERT_EQ(ParseLogEntry(entry, "c", &event, &error), EntryOutcome::kEvent) << error.field;
  EXPECT_EQ(event.stats.tuples_remain, 1);
  EXPECT_EQ(event.stats.wal_records, 7);
  EXPECT_DOUBLE_EQ(*event.stats.elapsed_s, 1.5);
}

TEST(LogEntryParserPg15, CancelDuringIndexVacuum) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("ERROR", {"canceling autovacuum task"},
                    {"while vacuuming index \"cancel_jobs_pkey\" of relation "
                     "\"public.cancel_jobs\"",
                     "automatic vacuum of table \"jobs.public.cancel_jobs\""}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.type, LogEventType::kVacuumCancelled);
  EXPECT_EQ(h.event.database, "jobs");
  EXPECT_EQ(h.event.table, "cancel_jobs");
  EXPECT_EQ(h.event.cancel_phase,
            "while vacuuming index \"cancel_jobs_pkey\" of relation \"public.cancel_jobs\"");
}

TEST(LogEntryParserPg15, OldestXminWarning) {
  EntryHarness h;
  ASSERT_EQ(h.Parse("WARNING", {"oldest xmin is far in the past"}), EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kOldestXminFarInPast);
  EXPECT_FALSE(h.event.wraparound.remaining.has_value());
  ASSERT_EQ(h.Parse("WARNING", {"database with OID 5 must be vacuumed within 1000 transactions"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kMustVacuumWithin);
  EXPECT_EQ(h.event.wraparound.database_oid, 5);
  EXPECT_EQ(h.event.wraparound.remaining, 1000);
  ASSERT_EQ(h.Parse("WARNING", {"some databases have not been vacuumed in over 2 billion "
                                "transactions"}),
            EntryOutcome::kEvent);
  EXPECT_EQ(h.event.wraparound.kind, WraparoundWarningKind::kNotVacuumedIn2Billion);
}

}  // namespace
}  // namespace vacwatch::ingest
