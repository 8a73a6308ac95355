#include "ingest/csv_log_reader.h"

#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/log_event.h"
#include "tests/ingest/log_test_util.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/read_events.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kVacuumMessage;
using ::vacwatch::testing::CollectingErrorSink;
using ::vacwatch::testing::ReadAllEvents;

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  out.push_back('"');
  return out;
}

// One csvlog record as PostgreSQL `version` (12, 13 or 14+) writes it for an autovacuum worker.
std::string Record(int version, std::string_view message, std::string_view severity = "LOG",
                   std::string_view context = "", int pid = 13110,
                   std::string_view time = "2026-11-23 23:18:21.286 UTC") {
  std::string r = std::string(time) + ",,," + std::to_string(pid) +
                  ",,6b04c9bd.3336,1,,2026-11-23 23:18:21 UTC,4/5,0," + std::string(severity) +
                  ",00000," + Quote(message) + ",,,,," + (context.empty() ? "" : Quote(context)) +
                  ",,,,\"\"";
  if (version >= 13) r += ",\"autovacuum worker\"";
  if (version >= 14) r += ",,0";
  return r + "\n";
}

CsvLogReader::Options TestOptions(ParseErrorSink* sink = nullptr) {
  CsvLogReader::Options o;
  o.cluster = "prod-eu-1";
  o.errors = sink;
  o.source_name = "test.csv";
  return o;
}

TEST(CsvLogReaderTest, ReadsMultiLineVacuumRecordOfEachColumnSet) {
  for (int version : {12, 13, 15}) {
    SCOPED_TRACE(version);
    CsvLogReader reader(TestOptions());
    reader.Feed(Record(version, kVacuumMessage));
    reader.Finish();
    LogEvent event;
    ASSERT_TRUE(reader.Next(&event));
    EXPECT_EQ(event.type, LogEventType::kVacuum);
    EXPECT_EQ(event.cluster, "prod-eu-1");
    EXPECT_EQ(event.database, "shop");
    EXPECT_EQ(event.schema, "public");
    EXPECT_EQ(event.table, "orders");
    EXPECT_EQ(event.pid, 13110);
    EXPECT_EQ(event.time_text, "2026-11-23 23:18:21.286 UTC");
    EXPECT_EQ(event.time,
              absl::FromCivil(absl::CivilSecond(2026, 11, 23, 23, 18, 21), absl::UTCTimeZone()) +
                  absl::Milliseconds(286));
    EXPECT_EQ(event.stats.tuples_removed, 7);
    EXPECT_EQ(event.stats.tuples_not_yet_removable, 3);
    EXPECT_EQ(event.stats.pages_remain, 2500);
    EXPECT_EQ(event.stats.elapsed_s, 0.10);
    EXPECT_EQ(event.byte_offset, 0);
    EXPECT_EQ(event.line_no, 1);
    EXPECT_FALSE(reader.Next(&event));
    EXPECT_EQ(reader.counters().entries, 1);
    EXPECT_EQ(reader.counters().events[static_cast<int>(LogEventType::kVacuum)], 1);
  }
}

TEST(CsvLogReaderTest, SameEventsWhateverTheChunkSize) {
  std::string input = Record(15, "checkpoint starting: time") + Record(15, kVacuumMessage) +
                      Record(15,
                             "automatic analyze of table \"shop.public.orders\"\n"
                             "avg read rate: 0.416 MB/s, avg write rate: 0.249 MB/s\n"
                             "buffer usage: 2916 hits, 5 misses, 3 dirtied\n"
                             "system usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: "
                             "0.09 s") +
                      Record(15, "skipping vacuum of \"locked_jobs\" --- lock not available");
  CsvLogReader whole(TestOptions());
  const std::vector<std::string> expected = ReadAllEvents(whole, input);
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_THAT(expected[0], HasSubstr("\"type\":\"vacuum\""));
  EXPECT_THAT(expected[1], HasSubstr("\"type\":\"analyze\""));
  EXPECT_THAT(expected[2], HasSubstr("\"type\":\"vacuum_skipped\""));
  EXPECT_EQ(whole.counters().skipped, 1);
  for (size_t chunk : {1, 2, 3, 7, 64, 1000}) {
    SCOPED_TRACE(chunk);
    CsvLogReader reader(TestOptions());
    EXPECT_EQ(ReadAllEvents(reader, input, chunk), expected);
    EXPECT_EQ(reader.counters().entries, 4);
    EXPECT_EQ(reader.counters().bytes, static_cast<int64_t>(input.size()));
  }
}

TEST(CsvLogReaderTest, UnescapesDoubledQuotesAndReadsContextColumn) {
  const std::string input = Record(15, "canceling autovacuum task", "ERROR",
                                   "while scanning block 652 of relation \"public.cancel_jobs\"\n"
                                   "automatic vacuum of table \"jobs.public.cancel_jobs\"");
  CsvLogReader reader(TestOptions());
  reader.Feed(input);
  reader.Finish();
  LogEvent event;
  ASSERT_TRUE(reader.Next(&event));
  EXPECT_EQ(event.type, LogEventType::kVacuumCancelled);
  EXPECT_EQ(event.database, "jobs");
  EXPECT_EQ(event.schema, "public");
  EXPECT_EQ(event.table, "cancel_jobs");
}

TEST(CsvLogReaderTest, AcceptsCrLfAndBlankLinesAndLastRecordWithoutNewline) {
  std::string record = Record(15, kVacuumMessage);
  record.insert(record.size() - 1, "\r");
  std::string input = "\n" + record + "\r\n" + Record(14, kVacuumMessage);
  input.pop_back();  // no final newline
  CsvLogReader reader(TestOptions());
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 2u);
  EXPECT_EQ(reader.counters().total_rejected(), 0);
}

// Found by fuzzing (tests/data/fuzz/csv_log_reader/crash-918ac0e...): a blank CRLF line whose
// '\n' came in the next chunk was read as a one-column record and rejected.
TEST(CsvLogReaderTest, BlankCrLfLineCutBetweenChunksIsStillBlank) {
  const std::string record = Record(15, kVacuumMessage);
  const std::string input = record + "\r\n" + record;
  for (size_t cut : {record.size() + 1, record.size() + 2}) {
    SCOPED_TRACE(cut);
    CsvLogReader reader(TestOptions());
    LogEvent event;
    int events = 0;
    reader.Feed(std::string_view(input).substr(0, cut));
    while (reader.Next(&event)) ++events;
    reader.Feed(std::string_view(input).substr(cut));
    reader.Finish();
    while (reader.Next(&event)) ++events;
    EXPECT_EQ(events, 2);
    EXPECT_EQ(reader.counters().total_rejected(), 0);
    EXPECT_EQ(reader.counters().entries, 2);
  }
}

TEST(CsvLogReaderTest, KeepsByteOffsetsAndLineNumbers) {
  const std::string first = Record(15, kVacuumMessage);  // 11 physical lines
  const std::string input = first + Record(15, kVacuumMessage);
  CsvLogReader reader(TestOptions());
  reader.Feed(input);
  reader.Finish();
  LogEvent event;
  ASSERT_TRUE(reader.Next(&event));
  ASSERT_TRUE(reader.Next(&event));
  EXPECT_EQ(event.byte_offset, static_cast<int64_t>(first.size()));
  EXPECT_EQ(event.line_no, 12);
}

TEST(CsvLogReaderTest, ResumeOffsetReproducesTheRemainingEvents) {
  std::string input;
  for (int i = 0; i < 5; ++i) {
    input += Record(15, "connection received: host=[local]");
    input += Record(15, kVacuumMessage, "LOG", "", 100 + i);
  }
  CsvLogReader all(TestOptions());
  const std::vector<std::string> expected = ReadAllEvents(all, input);
  ASSERT_EQ(expected.size(), 5u);

  // Read two events from a partial feed, then restart from resume_offset().
  CsvLogReader first(TestOptions());
  first.Feed(input.substr(0, input.size() / 2));
  LogEvent event;
  ASSERT_TRUE(first.Next(&event));
  ASSERT_TRUE(first.Next(&event));
  const int64_t resume = first.resume_offset();
  CsvLogReader::Options options = TestOptions();
  options.start_offset = resume;
  CsvLogReader second(options);
  const std::vector<std::string> rest =
      ReadAllEvents(second, std::string_view(input).substr(resume));
  ASSERT_EQ(rest.size(), 3u);
  // Same events at the same byte offsets; line numbers restart with the new reader.
  const auto without_line_no = [](const std::string& json) {
    return json.substr(0, json.find(",\"line_no\""));
  };
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(without_line_no(rest[i]), without_line_no(expected[i + 2]));
  }
}

TEST(CsvLogReaderTest, WrongColumnCountIsRejectedAndReadingGoesOn) {
  std::string bad = Record(15, kVacuumMessage);
  bad.insert(bad.size() - 1, ",extra");  // 27 columns
  const std::string input = bad + Record(15, kVacuumMessage);
  CollectingErrorSink sink;
  CsvLogReader reader(TestOptions(&sink));
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 1u);
  ASSERT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kBadStructure));
  EXPECT_THAT(sink.errors[0].detail, HasSubstr("found 27"));
  EXPECT_EQ(sink.errors[0].source, "test.csv");
  EXPECT_EQ(sink.errors[0].line_no, 1);
  EXPECT_EQ(reader.counters().rejected[static_cast<int>(ParseErrorKind::kBadStructure)], 1);
  EXPECT_EQ(reader.counters().entries, 2);
}

TEST(CsvLogReaderTest, UnterminatedQuoteAtEndOfInputIsTruncated) {
  std::string cut = Record(15, kVacuumMessage);
  cut.resize(cut.size() / 2);
  CollectingErrorSink sink;
  CsvLogReader reader(TestOptions(&sink));
  EXPECT_TRUE(ReadAllEvents(reader, Record(15, kVacuumMessage) + cut).size() == 1);
  ASSERT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kTruncated));
  EXPECT_EQ(sink.errors[0].line_no, 12);
}

TEST(CsvLogReaderTest, RecordCutShortDoesNotSwallowTheRecordsAfterIt) {
  // A writer killed mid-record, then the server restarted: the open quote would otherwise
  // run into the next records.
  std::string cut = Record(15, kVacuumMessage);
  cut.resize(cut.find("tuples:"));
  const std::string input = cut + Record(15, kVacuumMessage) + Record(15, kVacuumMessage);
  for (size_t chunk : {1, 5, 100000}) {
    SCOPED_TRACE(chunk);
    CollectingErrorSink sink;
    CsvLogReader reader(TestOptions(&sink));
    EXPECT_EQ(ReadAllEvents(reader, input, chunk).size(), 2u);
    EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kBadStructure));
  }
}

TEST(CsvLogReaderTest, StrayQuoteInUnquotedFieldIsRejected) {
  const std::string input = "2026-11-23 23:18:21.286 UTC,,,1\"3,x\n" + Record(15, kVacuumMessage);
  CollectingErrorSink sink;
  CsvLogReader reader(TestOptions(&sink));
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 1u);
  EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kBadStructure));
}

TEST(CsvLogReaderTest, OversizedRecordIsRejectedAndDropped) {
  CsvLogReader::Options options = TestOptions();
  CollectingErrorSink sink;
  options.errors = &sink;
  options.max_entry_bytes = 4096;
  const std::string big = Record(15, std::string(10000, 'x') + "\n" + std::string(10000, 'y'));
  const std::string input = big + Record(15, kVacuumMessage);
  for (size_t chunk : {100, 1 << 20}) {
    SCOPED_TRACE(chunk);
    sink.errors.clear();
    CsvLogReader reader(options);
    EXPECT_EQ(ReadAllEvents(reader, input, chunk).size(), 1u);
    EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kOversized));
  }
}

// Found by fuzzing (tests/data/fuzz/csv_log_reader/crash-7e6d9b3...): a quoting fault past
// max_entry_bytes made the record bad_structure when it arrived whole and oversized when a
// chunk ended between the limit and the fault. It is oversized, whatever the chunks.
TEST(CsvLogReaderTest, QuotingFaultPastTheLimitIsOversizedWhateverTheChunks) {
  CsvLogReader::Options options = TestOptions();
  CollectingErrorSink sink;
  options.errors = &sink;
  options.max_entry_bytes = 4096;
  const std::string long_text(5000, 'm');
  // A character after a closing quote; a quote in an unquoted field.
  for (const std::string& field : {"\"" + long_text + "\"x", long_text + "\"x"}) {
    const std::string input =
        "2026-11-23 23:18:21.286 UTC,,,13110," + field + ",more\n" + Record(15, kVacuumMessage);
    for (size_t chunk : {size_t{1}, size_t{4100}, size_t{1} << 20}) {
      SCOPED_TRACE(field.substr(0, 1) + " in chunks of " + std::to_string(chunk));
      sink.errors.clear();
      CsvLogReader reader(options);
      EXPECT_EQ(ReadAllEvents(reader, input, chunk).size(), 1u);
      EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kOversized));
    }
  }
}

// A reader stopped while it drops an oversized record that arrives in pieces (in its first
// line, in a later line of its quoted message, just before its end), and restarted at
// resume_offset(), reads the rest as the first reader would: the same events, and the record
// rejected again as oversized, never its tail as a broken record.
TEST(CsvLogReaderTest, ResumeOffsetDuringADroppedOversizedRecordIsItsStart) {
  CsvLogReader::Options options = TestOptions();
  options.max_entry_bytes = 4096;
  const std::string first_record = Record(15, kVacuumMessage);
  const std::string big = Record(15, std::string(10000, 'x') + "\n" + std::string(10000, 'y'));
  const std::string input =
      first_record + big + Record(15, kVacuumMessage, "LOG", "", 200) + Record(15, kVacuumMessage);
  const size_t big_start = first_record.size();
  CsvLogReader all(options);
  const std::vector<std::string> expected = ReadAllEvents(all, input);
  ASSERT_EQ(expected.size(), 3u);
  testing::ExpectRestartInOversizedEntryRereadsIt<CsvLogReader>(
      options, input, big_start, expected,
      {big_start + 6000, big_start + 15000, big_start + big.size() - 1});
  // An oversized record that ends the input ends with it.
  CsvLogReader last(options);
  EXPECT_EQ(ReadAllEvents(last, first_record + big, /*chunk_size=*/1000).size(), 1u);
  EXPECT_EQ(last.resume_offset(), static_cast<int64_t>(first_record.size() + big.size()));
}

TEST(CsvLogReaderTest, NulByteAndInvalidUtf8AreInvalidEncoding) {
  std::string with_nul = Record(15, kVacuumMessage);
  with_nul[with_nul.find("orders")] = '\0';
  std::string bad_utf8 = Record(15, kVacuumMessage);
  bad_utf8.replace(bad_utf8.find("orders"), 1, "\xC3\x28");
  CollectingErrorSink sink;
  CsvLogReader reader(TestOptions(&sink));
  EXPECT_EQ(ReadAllEvents(reader, with_nul + bad_utf8 + Record(15, kVacuumMessage)).size(), 1u);
  EXPECT_THAT(sink.kinds(),
              ElementsAre(ParseErrorKind::kInvalidEncoding, ParseErrorKind::kInvalidEncoding));
}

TEST(CsvLogReaderTest, BadPidAndBadTimestampAreRejected) {
  CollectingErrorSink sink;
  CsvLogReader reader(TestOptions(&sink));
  std::string bad_pid = Record(15, kVacuumMessage, "LOG", "", 4242);
  bad_pid.replace(bad_pid.find(",4242,"), 6, ",42x2,");
  const std::string input =
      bad_pid + Record(15, kVacuumMessage, "LOG", "", 1, "2026-11-23 23:18:21.286 XYZT");
  EXPECT_TRUE(ReadAllEvents(reader, input).empty());
  EXPECT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kBadNumber, ParseErrorKind::kBadTimestamp));
}

}  // namespace
}  // namespace vacwatch::ingest
