#include "ingest/json_log_reader.h"

#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
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

// A line as PostgreSQL 15's jsonlog writes it for an autovacuum worker.
std::string JsonLine(std::string_view message, std::string_view severity = "LOG",
                     std::string_view context = "", int pid = 13110) {
  std::string line = R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":)" + std::to_string(pid) +
                     R"(,"session_id":"6b04c9bd.3336","line_num":1,"session_start":)"
                     R"("2026-11-23 23:18:21 UTC","vxid":"4/5","txid":0,"error_severity":")" +
                     std::string(severity) + R"(","message":")";
  JsonWriter::AppendEscaped(message, &line);
  line += "\"";
  if (!context.empty()) {
    line += R"(,"context":")";
    JsonWriter::AppendEscaped(context, &line);
    line += "\"";
  }
  return line + R"(,"backend_type":"autovacuum worker","query_id":0})";
}

const std::string kVacuumLine = JsonLine(kVacuumMessage);
const std::string kCancelLine =
    JsonLine("canceling autovacuum task", "ERROR",
             "while scanning block 652 of relation \"public.cancel_jobs\"\n"
             "automatic vacuum of table \"jobs.public.cancel_jobs\"",
             13208);
constexpr std::string_view kCheckpointLine =
    R"({"timestamp":"2026-11-23 23:18:30.000 UTC","pid":13071,"error_severity":"LOG",)"
    R"("message":"checkpoint starting: time","backend_type":"checkpointer","query_id":0})";
// CloudNativePG's envelope around csvlog-named fields (pgBadger's cnpg fixture, PG15).
constexpr std::string_view kCnpgLine =
    R"({"level":"info","ts":1669574949.831281,"logger":"postgres","msg":"record",)"
    R"("logging_pod":"myapp-pg-cluster-1","record":{"log_time":"2022-11-27 18:49:09.830 UTC",)"
    R"("process_id":"265","session_id":"6383b125.109","error_severity":"LOG",)"
    R"("sql_state_code":"00000","message":"automatic analyze of table )"
    R"(\"template1.information_schema.sql_features\"\navg read rate: 16.927 MB/s, avg write )"
    R"(rate: 3.906 MB/s\nbuffer usage: 176 hits, 13 misses, 3 dirtied\nsystem usage: CPU: )"
    R"(user: 0.00 s, system: 0.00 s, elapsed: 0.00 s","backend_type":"autovacuum worker",)"
    R"("query_id":"0"}})";

JsonLogReader::Options TestOptions(ParseErrorSink* sink = nullptr) {
  JsonLogReader::Options o;
  o.cluster = "prod-eu-1";
  o.errors = sink;
  o.source_name = "test.json";
  return o;
}

std::string Lines(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (std::string_view line : lines) out.append(line).push_back('\n');
  return out;
}

TEST(JsonLogReaderTest, ReadsVacuumLine) {
  JsonLogReader reader(TestOptions());
  reader.Feed(Lines({kVacuumLine}));
  reader.Finish();
  LogEvent event;
  ASSERT_TRUE(reader.Next(&event));
  EXPECT_EQ(event.type, LogEventType::kVacuum);
  EXPECT_EQ(event.cluster, "prod-eu-1");
  EXPECT_EQ(event.database, "shop");
  EXPECT_EQ(event.table, "orders");
  EXPECT_EQ(event.pid, 13110);
  EXPECT_EQ(event.time_text, "2026-11-23 23:18:21.286 UTC");
  EXPECT_EQ(event.stats.tuples_removed, 7);
  EXPECT_EQ(event.stats.tuples_not_yet_removable, 3);
  EXPECT_EQ(event.stats.buffer_hits, 5082);
  EXPECT_EQ(event.line_no, 1);
  EXPECT_FALSE(reader.Next(&event));
}

TEST(JsonLogReaderTest, SameEventsWhateverTheChunkSize) {
  const std::string input = Lines({kCheckpointLine, kVacuumLine, kCancelLine, kCheckpointLine});
  JsonLogReader whole(TestOptions());
  const std::vector<std::string> expected = ReadAllEvents(whole, input);
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_THAT(expected[1], HasSubstr(R"("type":"vacuum_cancelled")"));
  EXPECT_THAT(expected[1], HasSubstr(R"("table":"cancel_jobs")"));
  EXPECT_EQ(whole.counters().entries, 4);
  EXPECT_EQ(whole.counters().skipped, 2);
  for (size_t chunk : {1, 3, 17, 500}) {
    SCOPED_TRACE(chunk);
    JsonLogReader reader(TestOptions());
    EXPECT_EQ(ReadAllEvents(reader, input, chunk), expected);
  }
}

TEST(JsonLogReaderTest, ReadsCloudNativePgEnvelope) {
  JsonLogReader reader(TestOptions());
  const std::vector<std::string> events = ReadAllEvents(reader, Lines({kCnpgLine}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], HasSubstr(R"("type":"analyze")"));
  EXPECT_THAT(events[0], HasSubstr(R"("pid":265)"));
  EXPECT_THAT(events[0], HasSubstr(R"("table":"sql_features")"));
  EXPECT_THAT(events[0], HasSubstr(R"("buffer_misses":13)"));
}

TEST(JsonLogReaderTest, SkipsObjectsWithoutMessageAndBlankLines) {
  JsonLogReader reader(TestOptions());
  const std::string input =
      "\n   \n" + Lines({R"({"level":"info","msg":"instance manager starting"})", kVacuumLine});
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 1u);
  EXPECT_EQ(reader.counters().skipped, 1);
  EXPECT_EQ(reader.counters().total_rejected(), 0);
}

TEST(JsonLogReaderTest, LastLineWithoutNewlineAndCrLf) {
  JsonLogReader reader(TestOptions());
  const std::string input = std::string(kVacuumLine) + "\r\n" + std::string(kVacuumLine);
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 2u);
  EXPECT_EQ(reader.counters().total_rejected(), 0);
}

TEST(JsonLogReaderTest, WrongTypeNamesFieldAndByte) {
  CollectingErrorSink sink;
  JsonLogReader reader(TestOptions(&sink));
  const std::string input =
      Lines({R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":"abc","message":"x"})",
             R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":1,"message":42})",
             R"({"timestamp":17,"pid":1,"message":"x"})", kVacuumLine});
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 1u);
  ASSERT_THAT(sink.kinds(), ElementsAre(ParseErrorKind::kBadNumber, ParseErrorKind::kWrongType,
                                        ParseErrorKind::kWrongType));
  EXPECT_EQ(sink.errors[0].field, "pid");
  EXPECT_EQ(sink.errors[1].field, "message");
  EXPECT_THAT(sink.errors[1].detail, HasSubstr(", at byte 61 of the line"));
  EXPECT_EQ(sink.errors[1].line_no, 2);
  EXPECT_EQ(sink.errors[2].field, "timestamp");
  EXPECT_EQ(sink.errors[0].source, "test.json");
}

TEST(JsonLogReaderTest, BrokenJsonIsBadStructure) {
  CollectingErrorSink sink;
  JsonLogReader reader(TestOptions(&sink));
  std::string truncated(kVacuumLine.substr(0, kVacuumLine.size() / 2));
  const std::string input =
      Lines({truncated, "[1,2,3]", R"({"message":"x"} trailing)", "{not json at all", kVacuumLine});
  EXPECT_EQ(ReadAllEvents(reader, input).size(), 1u);
  ASSERT_EQ(sink.errors.size(), 4u);
  EXPECT_EQ(sink.errors[0].kind, ParseErrorKind::kBadStructure);
  EXPECT_EQ(sink.errors[1].kind, ParseErrorKind::kWrongType);  // not an object
  EXPECT_EQ(sink.errors[2].kind, ParseErrorKind::kBadStructure);
  EXPECT_EQ(sink.errors[3].kind, ParseErrorKind::kBadStructure);
  EXPECT_EQ(reader.counters().total_rejected(), 4);
}

TEST(JsonLogReaderTest, NulInvalidUtf8AndOversizedLines) {
  CollectingErrorSink sink;
  JsonLogReader::Options options = TestOptions(&sink);
  options.max_entry_bytes = 2048;
  std::string nul(kVacuumLine);
  nul[nul.find("orders")] = '\0';
  std::string bad_utf8(kVacuumLine);
  bad_utf8.replace(bad_utf8.find("orders"), 1, "\xFF");
  const std::string big = R"({"message":")" + std::string(100000, 'x') + R"("})";
  const std::string input = Lines({nul, bad_utf8, big, kVacuumLine});
  for (size_t chunk : {64, 1 << 20}) {
    SCOPED_TRACE(chunk);
    sink.errors.clear();
    JsonLogReader reader(options);
    EXPECT_EQ(ReadAllEvents(reader, input, chunk).size(), 1u);
    EXPECT_THAT(sink.kinds(),
                ElementsAre(ParseErrorKind::kInvalidEncoding, ParseErrorKind::kInvalidEncoding,
                            ParseErrorKind::kOversized));
    EXPECT_EQ(sink.errors[2].line_no, 3);
  }
}

TEST(JsonLogReaderTest, ResumeOffsetReproducesTheRemainingEvents) {
  const std::string input =
      Lines({kVacuumLine, kCheckpointLine, kCancelLine, kVacuumLine, kCheckpointLine});
  JsonLogReader all(TestOptions());
  const std::vector<std::string> expected = ReadAllEvents(all, input);
  ASSERT_EQ(expected.size(), 3u);
  JsonLogReader first(TestOptions());
  first.Feed(input);
  LogEvent event;
  ASSERT_TRUE(first.Next(&event));
  const int64_t resume = first.resume_offset();
  JsonLogReader::Options options = TestOptions();
  options.start_offset = resume;
  JsonLogReader second(options);
  std::vector<std::string> rest = ReadAllEvents(second, std::string_view(input).substr(resume));
  ASSERT_EQ(rest.size(), 2u);
  // Same events at the same byte offsets; line numbers restart with the new reader.
  const auto without_line_no = [](const std::string& json) {
    return json.substr(0, json.find(",\"line_no\""));
  };
  EXPECT_EQ(without_line_no(rest[0]), without_line_no(expected[1]));
  EXPECT_EQ(without_line_no(rest[1]), without_line_no(expected[2]));
}

// A reader stopped while it drops an oversized line that arrives in pieces, and restarted at
// resume_offset() (as `vacwatch replay --state-dir` does), reads the rest as the first reader
// would: the same events, and the oversized line rejected again as oversized (its successor is
// not known until it ends, so resume_offset() is its start), never its tail as broken JSON.
TEST(JsonLogReaderTest, ResumeOffsetDuringADroppedOversizedLineIsItsStart) {
  JsonLogReader::Options options = TestOptions();
  options.max_entry_bytes = 2048;
  const std::string big = R"({"message":")" + std::string(6000, 'x') + R"("})";
  const std::string input = Lines({kVacuumLine, big, kCancelLine, kVacuumLine});
  const size_t big_start = kVacuumLine.size() + 1;
  JsonLogReader all(options);
  const std::vector<std::string> expected = ReadAllEvents(all, input);
  ASSERT_EQ(expected.size(), 3u);
  testing::ExpectRestartInOversizedEntryRereadsIt<JsonLogReader>(
      options, input, big_start, expected,
      {big_start + 3000, big_start + 4500, big_start + big.size()});
}

}  // namespace
}  // namespace vacwatch::ingest
