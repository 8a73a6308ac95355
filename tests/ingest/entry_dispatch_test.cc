#include "ingest/entry_dispatch.h"

#include <string_view>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "gtest/gtest.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"
#include "tests/ingest/log_test_util.h"
#include "tests/testing/collecting_error_sink.h"

namespace vacwatch::ingest {
namespace {

using testing::kVacuumMessage;
using ::vacwatch::testing::CollectingErrorSink;

LogEntry Entry(std::string_view severity, std::string_view message) {
  LogEntry entry;
  entry.severity = severity;
  entry.message = message;
  entry.byte_offset = 42;
  entry.line_no = 3;
  return entry;
}

TEST(EntryDispatchTest, ResolveEntryTime) {
  LogEntry entry;
  std::string_view why;
  IngestCounters counters;
  EXPECT_TRUE(ResolveEntryTime(&entry, nullptr, &counters, &why));  // no time: nothing to resolve
  EXPECT_FALSE(entry.has_time);
  entry.time_text = "2026-11-23 23:18:21.286 CET";
  ASSERT_TRUE(ResolveEntryTime(&entry, nullptr, &counters, &why));
  EXPECT_TRUE(entry.has_time);
  EXPECT_EQ(entry.utc_offset_s, 3600);
  EXPECT_EQ(entry.time,
            absl::FromCivil(absl::CivilSecond(2026, 11, 23, 22, 18, 21), absl::UTCTimeZone()) +
                absl::Milliseconds(286));
  entry.time_text = "2026-11-23 23:18:21.286 XYZT";
  EXPECT_FALSE(ResolveEntryTime(&entry, nullptr, &counters, &why));
  EXPECT_EQ(why, "unknown time zone");
  EXPECT_EQ(counters.ambiguous_zone_entries, 0);
}

// CST is US Central and China Standard Time: without the server's zone it is read as US
// Central and counted; with Asia/Shanghai it is China's.
TEST(EntryDispatchTest, AmbiguousZonesAreCountedOrReadInTheConfiguredZone) {
  LogEntry entry;
  std::string_view why;
  IngestCounters counters;
  entry.time_text = "2026-11-23 07:18:21.286 CST";
  ASSERT_TRUE(ResolveEntryTime(&entry, nullptr, &counters, &why));
  EXPECT_EQ(entry.utc_offset_s, -6 * 3600);
  EXPECT_EQ(counters.ambiguous_zone_entries, 1);
  EXPECT_EQ(counters.ambiguous_zone, "CST");
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  IngestCounters configured;
  ASSERT_TRUE(ResolveEntryTime(&entry, &shanghai, &configured, &why));
  EXPECT_EQ(entry.utc_offset_s, 8 * 3600);
  EXPECT_EQ(entry.time,
            absl::FromCivil(absl::CivilSecond(2026, 11, 22, 23, 18, 21), absl::UTCTimeZone()) +
                absl::Milliseconds(286));
  EXPECT_EQ(configured.ambiguous_zone_entries, 0);
  // UTC stays UTC whatever the configured zone.
  entry.time_text = "2026-11-23 07:18:21.286 UTC";
  ASSERT_TRUE(ResolveEntryTime(&entry, &shanghai, &configured, &why));
  EXPECT_EQ(entry.utc_offset_s, 0);
}

// The hour a DST change repeats is told apart by its abbreviation.
TEST(EntryDispatchTest, TheRepeatedHourOfADstChangeFollowsTheAbbreviation) {
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  LogEntry entry;
  std::string_view why;
  IngestCounters counters;
  entry.time_text = "2026-10-25 02:30:00.000 CEST";
  ASSERT_TRUE(ResolveEntryTime(&entry, &berlin, &counters, &why));
  EXPECT_EQ(entry.utc_offset_s, 7200);
  const absl::Time summer = entry.time;
  entry.time_text = "2026-10-25 02:30:00.000 CET";
  ASSERT_TRUE(ResolveEntryTime(&entry, &berlin, &counters, &why));
  EXPECT_EQ(entry.utc_offset_s, 3600);
  EXPECT_EQ(entry.time - summer, absl::Hours(1));
}

TEST(EntryDispatchTest, CountsEachOutcomeAndReportsRejections) {
  CollectingErrorSink sink;
  IngestCounters counters;
  const EntryDispatch dispatch{"prod-eu-1", "test.log", &sink, &counters};
  LogEvent event;
  ParseError error;

  ASSERT_TRUE(dispatch.Parse(Entry("LOG", kVacuumMessage), &event, &error));
  EXPECT_EQ(event.cluster, "prod-eu-1");
  EXPECT_EQ(event.table, "orders");
  EXPECT_EQ(counters.events[static_cast<int>(LogEventType::kVacuum)], 1);

  EXPECT_FALSE(dispatch.Parse(Entry("LOG", "checkpoint starting: time"), &event, &error));
  EXPECT_EQ(counters.skipped, 1);

  EXPECT_FALSE(dispatch.Parse(Entry("LOG", "automatic vacuum of table \"d.s.t"), &event, &error));
  EXPECT_EQ(counters.rejected[static_cast<int>(ParseErrorKind::kTruncated)], 1);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].source, "test.log");
  EXPECT_EQ(sink.errors[0].byte_offset, 42);
  EXPECT_EQ(sink.errors[0].line_no, 3);
  EXPECT_EQ(counters.entries, 0);  // readers count entries themselves
}

TEST(EntryDispatchTest, RejectCountsWithoutASink) {
  IngestCounters counters;
  const EntryDispatch dispatch{"c", "test.log", nullptr, &counters};
  ParseError error;
  error.kind = ParseErrorKind::kOversized;
  dispatch.Reject(error);
  EXPECT_EQ(counters.rejected[static_cast<int>(ParseErrorKind::kOversized)], 1);
  EXPECT_EQ(counters.total_rejected(), 1);
}

}  // namespace
}  // namespace vacwatch::ingest
