#include "ingest/event_json.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {
namespace {

LogEvent BaseEvent(LogEventType type) {
  LogEvent e;
  e.type = type;
  e.cluster = "prod-eu-1";
  e.database = "shop";
  e.schema = "public";
  e.table = "orders";
  e.pid = 13110;
  e.time = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 0, 18, 21), absl::UTCTimeZone()) -
           absl::Hours(1) + absl::Milliseconds(286);
  e.time_text = "2026-11-24 00:18:21.286 CET";
  e.utc_offset_s = 3600;
  e.byte_offset = 812;
  e.line_no = 41;
  return e;
}

TEST(EventJsonTest, VacuumWithEveryPartItCarries) {
  LogEvent e = BaseEvent(LogEventType::kVacuum);
  e.stats.mode = VacuumMode::kAggressive;
  e.stats.index_scans = 1;
  e.stats.pages_removed = 0;
  e.stats.pages_remain = 2500;
  e.stats.pages_scanned = 2500;
  e.stats.pages_scanned_pct = 100.0;
  e.stats.tuples_removed = 7;
  e.stats.tuples_remain = 300000;
  e.stats.tuples_not_yet_removable = 3;
  e.stats.removable_cutoff = 734;
  e.stats.removable_cutoff_age = 1;
  e.stats.index_scan = IndexScanDecision::kNeeded;
  e.stats.index_scan_pages = 9;
  e.stats.index_scan_pages_pct = 2.97;
  e.stats.dead_item_ids = 1000;
  e.stats.indexes.push_back({"orders_pkey", 258, 2, 255, 240});
  e.stats.buffer_hits = 5082;
  e.stats.buffer_misses = 2;
  e.stats.buffer_dirtied = 1;
  e.stats.elapsed_s = 0.1;
  std::string out;
  WriteLogEventJson(e, &out);
  EXPECT_EQ(out, R"({"type":"vacuum","cluster":"prod-eu-1","database":"shop","schema":"public",)"
                 R"("table":"orders","pid":13110,"time":"2026-11-23T23:18:21.286Z",)"
                 R"("utc_offset_s":3600,"time_text":"2026-11-24 00:18:21.286 CET",)"
                 R"("mode":"aggressive","index_scans":1,"pages_removed":0,"pages_remain":2500,)"
                 R"("pages_scanned":2500,"pages_scanned_pct":100,"tuples_removed":7,)"
                 R"("tuples_remain":300000,"tuples_not_yet_removable":3,"removable_cutoff":734,)"
                 R"("removable_cutoff_age":1,"index_scan":"needed","index_scan_pages":9,)"
                 R"("index_scan_pages_pct":2.97,"dead_item_ids":1000,"indexes":[{"name":)"
                 R"("orders_pkey","pages_total":258,"pages_newly_deleted":2,)"
                 R"("pages_currently_deleted":255,"pages_reusable":240}],"buffer_hits":5082,)"
                 R"("buffer_misses":2,"buffer_dirtied":1,"elapsed_s":0.1,"byte_offset":812,)"
                 R"("line_no":41})");
}

TEST(EventJsonTest, AnalyzeHasNoMode) {
  LogEvent e = BaseEvent(LogEventType::kAnalyze);
  e.stats.read_rate_mbs = 0.416;
  std::string out;
  WriteLogEventJson(e, &out);
  EXPECT_NE(out.find(R"("time_text":"2026-11-24 00:18:21.286 CET","read_rate_mbs":0.416,)"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("mode"), std::string::npos);
}

TEST(EventJsonTest, CancelledCarriesItsPhase) {
  LogEvent e = BaseEvent(LogEventType::kVacuumCancelled);
  e.cancel_phase = "while scanning block 652 of relation \"public.orders\"";
  std::string out;
  WriteLogEventJson(e, &out);
  EXPECT_NE(out.find(R"("type":"vacuum_cancelled")"), std::string::npos);
  EXPECT_NE(out.find(R"("phase":"while scanning block 652 of relation \"public.orders\"")"),
            std::string::npos)
      << out;
}

TEST(EventJsonTest, SkipWithoutSchemaOrDatabaseKeepsEmptyStrings) {
  LogEvent e = BaseEvent(LogEventType::kVacuumSkipped);
  e.database = "";
  e.schema = "";
  e.table = "locked_jobs";
  std::string out;
  WriteLogEventJson(e, &out);
  EXPECT_NE(out.find(R"("type":"vacuum_skipped","cluster":"prod-eu-1","database":"",)"
                     R"("schema":"","table":"locked_jobs")"),
            std::string::npos)
      << out;
}

TEST(EventJsonTest, WraparoundWarning) {
  LogEvent e = BaseEvent(LogEventType::kWraparoundWarning);
  e.table = "";
  e.schema = "";
  e.wraparound.kind = WraparoundWarningKind::kMustVacuumWithin;
  e.wraparound.remaining = 9999999;
  std::string out;
  WriteLogEventJson(e, &out);
  EXPECT_NE(out.find(R"("warning":"must_vacuum_within","remaining":9999999,"byte_offset")"),
            std::string::npos)
      << out;
}

TEST(EventJsonTest, UnknownTimeIsLeftOutAndOutputIsReplaced) {
  LogEvent e = BaseEvent(LogEventType::kVacuumSkipped);
  e.time = absl::InfinitePast();
  e.time_text = "";
  std::string out = "old content";
  WriteLogEventJson(e, &out);
  EXPECT_EQ(out.find("time"), std::string::npos);
  EXPECT_EQ(out.front(), '{');
}

}  // namespace
}  // namespace vacwatch::ingest
