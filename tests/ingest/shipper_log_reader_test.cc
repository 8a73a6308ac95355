#include "ingest/shipper_log_reader.h"

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ingest/event_json.h"
#include "ingest/log_source.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/read_events.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

using testing::CollectingErrorSink;
using testing::ReadAllEvents;

// A PG15 autovacuum report as the stderr destination writes it, prefix '%m [%p] '.
std::vector<std::string> VacuumLines(const std::string& time, int pid, const std::string& table) {
  return {time + " UTC [" + std::to_string(pid) + "] LOG:  automatic vacuum of table \"" + table +
              "\": index scans: 0",
          "\tpages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)",
          "\ttuples: 7 removed, 300000 remain, 3 are dead but not yet removable",
          "\tremovable cutoff: 734, which was 1 XIDs old when operation ended",
          "\tindex scan not needed: 0 pages from table (0.00% of total) had 0 dead item "
          "identifiers removed",
          "\tavg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s",
          "\tbuffer usage: 5082 hits, 2 misses, 1 dirtied",
          "\tWAL usage: 2501 records, 1 full page images, 155885 bytes",
          "\tsystem usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s"};
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\t' || c == '\n') {
      out += c == '\t' ? "\\t" : "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string FluentBit(const std::string& line, const std::string& cluster = "") {
  std::string record = "{\"log\":" + JsonString(line + "\n");
  if (!cluster.empty()) record += ",\"kubernetes\":{\"labels\":{\"cluster\":\"" + cluster + "\"}}";
  return record + "}\n";
}

std::string Plain(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Event lines without their positions (which differ between a log and its wrapping).
std::vector<std::string> WithoutPositions(std::vector<std::string> events) {
  static const std::regex kPositions(R"(,"byte_offset":\d+,"line_no":\d+)");
  for (auto& e : events) e = std::regex_replace(e, kPositions, "");
  return events;
}

ShipperLogReader::Options Opts(std::string cluster, ParseErrorSink* errors = nullptr,
                               int64_t start_offset = 0, std::string cluster_field = "") {
  ShipperLogReader::Options o;
  o.cluster = std::move(cluster);
  o.errors = errors;
  o.start_offset = start_offset;
  o.envelope.cluster_field = std::move(cluster_field);
  return o;
}

std::unique_ptr<ShipperLogReader> MakeReader(ShipperLogReader::Options options) {
  auto reader = ShipperLogReader::Create(std::move(options));
  EXPECT_OK(reader);
  return std::move(reader).value();
}

std::vector<std::string> PlainEvents(const std::string& text, const std::string& cluster) {
  LogSourceOptions options;
  options.cluster = cluster;
  auto reader = MakeLogReader(options, text);
  EXPECT_OK(reader);
  return WithoutPositions(ReadAllEvents(**reader, text));
}

TEST(ShipperLogReaderTest, ClustersInterleavedRecordByRecordGiveEachClustersOwnEvents) {
  const auto a1 = VacuumLines("2026-11-23 23:18:21.286", 101, "shop.public.orders");
  const auto b1 = VacuumLines("2026-11-23 23:18:22.000", 101, "crm.public.leads");
  const auto a2 = VacuumLines("2026-11-23 23:19:21.286", 102, "shop.public.carts");
  std::string wrapped;
  // Record by record, the two clusters alternate (the same pid in both, as happens).
  for (size_t i = 0; i < a1.size(); ++i) {
    wrapped += FluentBit(a1[i], "eu") + FluentBit(b1[i], "us");
  }
  for (const auto& l : a2) wrapped += FluentBit(l, "eu");

  CollectingErrorSink sink;
  auto reader = MakeReader(Opts("fallback", &sink, 0, "kubernetes.labels.cluster"));
  std::vector<std::string> events = WithoutPositions(ReadAllEvents(*reader, wrapped, 7));
  std::vector<std::string> expected = PlainEvents(Plain(a1) + Plain(a2), "eu");
  const std::vector<std::string> us = PlainEvents(Plain(b1), "us");
  expected.insert(expected.begin() + 1, us.begin(), us.end());
  std::sort(events.begin(), events.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(events, expected);
  EXPECT_TRUE(sink.errors.empty());
  EXPECT_EQ(reader->counters().total_rejected(), 0);
  EXPECT_EQ(reader->counters().bytes, static_cast<int64_t>(wrapped.size()));
}

TEST(ShipperLogReaderTest, CloudLoggingRecordsWithoutTimestampsTakeTheRecordTime) {
  // textPayload without %m; continuation lines are records of their own with TAB kept.
  const auto lines = VacuumLines("2020-06-01 10:00:00.123", 24670, "shop.public.orders");
  std::string wrapped;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string payload = i == 0 ? lines[i].substr(lines[i].find('[')) : lines[i];
    wrapped += "{\"textPayload\":" + JsonString(payload) +
               ",\"timestamp\":\"2020-06-01T10:00:00.12300" + std::to_string(i) + "Z\"}\n";
  }
  auto reader = MakeReader(Opts("c"));
  EXPECT_EQ(WithoutPositions(ReadAllEvents(*reader, wrapped, 64)), PlainEvents(Plain(lines), "c"));
}

TEST(ShipperLogReaderTest, PositionsAreTheInputsAndResumingThereLosesNothing) {
  const auto a1 = VacuumLines("2026-11-23 23:18:21.286", 101, "shop.public.orders");
  const auto a2 = VacuumLines("2026-11-23 23:19:21.286", 102, "shop.public.carts");
  std::string first = "{\"msg\":\"a shipper's own line\",\"level\":\"info\"}\n";
  for (const auto& l : a1) first += FluentBit(l);
  std::string second;
  for (const auto& l : a2) second += FluentBit(l);
  const std::string all = first + second;

  // With the prefix given, entries come out as soon as they end (no detection sample).
  ShipperLogReader::Options options = Opts("c");
  options.log_line_prefix = "%m [%p] ";
  auto reader = MakeReader(options);
  reader->Feed(first);
  LogEvent event;
  // a1 is not complete: a continuation record may still follow.
  EXPECT_FALSE(reader->Next(&event));
  const int64_t resume = reader->resume_offset();
  EXPECT_EQ(resume, static_cast<int64_t>(all.find("{\"log\"")));
  reader->Feed(second);
  ASSERT_TRUE(reader->Next(&event));
  EXPECT_EQ(event.table, "orders");
  EXPECT_EQ(event.byte_offset, resume);
  EXPECT_EQ(event.line_no, 2);

  // A new reader started at the stored offset reads a1 and a2 whole.
  auto resumed = MakeReader(Opts("c", nullptr, resume));
  const auto events = ReadAllEvents(*resumed, std::string_view(all).substr(resume));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[0].find("\"orders\""), std::string::npos);
  EXPECT_NE(events[1].find("\"carts\""), std::string::npos);
}

TEST(ShipperLogReaderTest, BadRecordsAreDeadLettersAtTheirOwnLine) {
  const auto lines = VacuumLines("2026-11-23 23:18:21.286", 101, "shop.public.orders");
  std::string wrapped = FluentBit(lines[0]);                                 // line 1
  wrapped += "{\"log\": \"unterminated\n";                                   // line 2
  wrapped += "{\"msg\": \"not a log line\"}\n";                              // line 3: skipped
  wrapped += "{\"collected_at\":\"2026-11-23T23:18:21Z\",\"tables\":[]}\n";  // line 4: snapshot
  for (size_t i = 1; i < lines.size(); ++i) wrapped += FluentBit(lines[i]);
  // An entry with a timestamp PostgreSQL cannot have written: the stderr reader's dead letter,
  // at the input's line.
  const size_t bad_at = wrapped.size();
  wrapped += FluentBit(
      "2026-11-23 23:18:21.286 XYZT [7] LOG:  automatic vacuum of table "
      "\"shop.public.x\": index scans: 0");
  CollectingErrorSink sink;
  auto reader = MakeReader(Opts("c", &sink));
  EXPECT_EQ(ReadAllEvents(*reader, wrapped, 5).size(), 1u);
  ASSERT_GE(sink.errors.size(), 3u);
  std::map<int64_t, std::string> by_line;
  for (const auto& e : sink.errors) by_line[e.line_no] = std::string(ParseErrorKindName(e.kind));
  EXPECT_EQ(by_line.count(2), 1u);
  EXPECT_EQ(by_line.count(3), 0u);
  EXPECT_EQ(reader->counters().skipped, 1);
  EXPECT_EQ(by_line.count(4), 1u);
  EXPECT_EQ(static_cast<int64_t>(sink.errors.size()), reader->counters().total_rejected());
  const int64_t last_line = 4 + static_cast<int64_t>(lines.size());
  bool mapped = false;
  for (const auto& e : sink.errors) {
    if (e.line_no == last_line) {
      mapped = true;
      EXPECT_EQ(e.byte_offset, static_cast<int64_t>(bad_at));
    }
  }
  EXPECT_TRUE(mapped) << "the stderr reader's dead letter is not at the input's line";
}

TEST(ShipperLogReaderTest, AClustersEntryEndsWhenItsRecordsStopWhileOthersGoOn) {
  // Cluster eu's report is its last record; us keeps logging. Without an end-of-entry mark
  // the report would wait for eu's next head line (or the end of input) to come out.
  std::string wrapped;
  int second = 0;
  auto vector_record = [&](const std::string& line, const std::string& cluster) {
    return "{\"message\":" + JsonString(line) + ",\"cluster\":\"" + cluster +
           "\",\"timestamp\":\"2026-11-23T23:18:" + (second < 10 ? "0" : "") +
           std::to_string(second) + ".000Z\"}\n";
  };
  for (const auto& l : VacuumLines("2026-11-23 23:18:00.000", 101, "shop.public.orders")) {
    wrapped += vector_record(l, "eu");
  }
  for (second = 1; second < 12; ++second) {
    wrapped += vector_record("2026-11-23 23:18:" + std::string(second < 10 ? "0" : "") +
                                 std::to_string(second) + ".000 UTC [7] LOG:  checkpoint starting",
                             "us");
  }
  ShipperLogReader::Options options = Opts("c", nullptr, 0, "cluster");
  options.log_line_prefix = "%m [%p] ";
  auto reader = MakeReader(options);
  reader->Feed(wrapped);  // no Finish
  LogEvent event;
  ASSERT_TRUE(reader->Next(&event));
  EXPECT_EQ(event.cluster, "eu");
  EXPECT_EQ(event.table, "orders");
  EXPECT_EQ(event.stats.tuples_removed, 7);
}

TEST(ShipperLogReaderTest, RecordsFedOneByOneTakeTheirClusterFromTheKeyAndCountInPositions) {
  // As Kafka messages: one stderr line each, keyed by cluster, positions are message offsets.
  const auto eu = VacuumLines("2026-11-23 23:18:21.286", 101, "shop.public.orders");
  const auto us = VacuumLines("2026-11-23 23:18:22.000", 101, "crm.public.leads");
  ShipperLogReader::Options options = Opts("unused");
  options.log_line_prefix = "%m [%p] ";
  auto reader = MakeReader(options);
  int64_t position = 100;
  for (size_t i = 0; i < eu.size(); ++i) {
    reader->FeedRecord(eu[i], "eu", position++);
    reader->FeedRecord(us[i], "us", position++);
  }
  LogEvent event;
  EXPECT_FALSE(reader->Next(&event));  // both reports may still get lines
  EXPECT_EQ(reader->resume_offset(), 100);
  reader->Finish();
  std::vector<std::string> got;
  while (reader->Next(&event)) {
    got.push_back(std::string(event.cluster) + "/" + std::string(event.table) + "@" +
                  std::to_string(event.byte_offset));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"eu/orders@100", "us/leads@101"}));
  EXPECT_EQ(reader->resume_offset(), position);
}

TEST(ShipperLogReaderTest, TheDatasetFedRecordByRecordGivesThePlainLogsEvents) {
  std::FILE* file =
      std::fopen((testing::DatasetPath("pg15-prod-eu-1") + "/postgresql.log").c_str(), "rb");
  ASSERT_NE(file, nullptr);
  const std::string log = testing::FileContents(file);
  std::fclose(file);
  ASSERT_FALSE(log.empty());
  CollectingErrorSink sink;
  auto reader = MakeReader(Opts("prod-eu-1", &sink));
  std::vector<std::string> events;
  LogEvent event;
  std::string json;
  int64_t position = 0;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    reader->FeedRecord(std::string_view(log).substr(start, end - start), "prod-eu-1", position++);
    // Drained at every other record, as a Kafka input drains between polls.
    while (position % 2 == 0 && reader->Next(&event)) {
      WriteLogEventJson(event, &json);
      events.push_back(json);
    }
    start = end + 1;
  }
  reader->Finish();
  while (reader->Next(&event)) {
    WriteLogEventJson(event, &json);
    events.push_back(json);
  }
  EXPECT_TRUE(sink.errors.empty()) << sink.errors.size() << " dead letters, the first at "
                                   << (sink.errors.empty() ? 0 : sink.errors[0].byte_offset);
  EXPECT_EQ(WithoutPositions(events), PlainEvents(log, "prod-eu-1"));
}

TEST(ShipperLogReaderTest, ABinaryRecordIsADeadLetterOfItsOwnAndSpoilsNoEntry) {
  // Kafka messages, one line each: binary garbage between a report's lines and after them
  // would be a continuation line of the report (which is then rejected for its encoding).
  const auto report = VacuumLines("2026-11-23 23:18:21.286", 101, "shop.public.orders");
  const std::string binary("\x00\x01\xfe\xff binary", 11);
  CollectingErrorSink sink;
  ShipperLogReader::Options options = Opts("unused", &sink);
  options.log_line_prefix = "%m [%p] ";
  auto reader = MakeReader(options);
  int64_t position = 0;
  for (size_t i = 0; i < report.size(); ++i) {
    reader->FeedRecord(report[i], "eu", position++);
    if (i == 4) reader->FeedRecord(binary, "eu", position++);  // position 5
  }
  reader->FeedRecord(binary, "eu", position++);
  reader->Finish();
  LogEvent event;
  ASSERT_TRUE(reader->Next(&event));
  EXPECT_EQ(event.table, "orders");
  EXPECT_EQ(event.stats.tuples_removed, 7);
  EXPECT_FALSE(reader->Next(&event));
  ASSERT_EQ(sink.errors.size(), 2u);
  EXPECT_EQ(sink.errors[0].kind, ParseErrorKind::kInvalidEncoding);
  EXPECT_EQ(sink.errors[0].byte_offset, 5);
  EXPECT_EQ(sink.errors[0].raw, binary);
  EXPECT_EQ(sink.errors[1].byte_offset, position - 1);
}

TEST(ShipperLogReaderTest, APrefixDetectedBeforeIsUsedInsteadOfDetectingAgain) {
  // A reader resumed mid-stream (a restarted Kafka consumer) with the prefix its predecessor
  // detected returns a report as soon as it is complete; detecting again it would buffer up
  // to 256 lines first, and meanwhile the snapshots could go ahead of the report.
  auto report = [](int second, int pid) {
    return VacuumLines("2026-11-23 23:18:" + std::to_string(10 + second) + ".000", pid,
                       "shop.public.orders");
  };
  auto first = MakeReader(Opts("unused"));
  int64_t position = 0;
  for (int i = 0; i < 30; ++i) {
    for (const auto& line : report(i, 100 + i)) first->FeedRecord(line, "eu", position++);
  }
  const std::map<std::string, std::string> prefixes = first->detected_prefixes();
  ASSERT_EQ(prefixes.size(), 1u);
  EXPECT_TRUE(prefixes.at("eu").starts_with("%m [%p] ")) << prefixes.at("eu");

  auto feed_two_reports = [&](ShipperLogReader* reader) {
    for (int i = 40; i < 42; ++i) {
      for (const auto& line : report(i, 100 + i)) reader->FeedRecord(line, "eu", position++);
    }
  };
  ShipperLogReader::Options options = Opts("unused");
  options.known_prefixes = prefixes;
  auto resumed = MakeReader(options);
  feed_two_reports(resumed.get());
  LogEvent event;
  ASSERT_TRUE(resumed->Next(&event));
  EXPECT_EQ(event.stats.tuples_removed, 7);
  EXPECT_EQ(resumed->detected_prefixes(), prefixes);

  auto detecting = MakeReader(Opts("unused"));
  feed_two_reports(detecting.get());
  EXPECT_FALSE(detecting->Next(&event)) << "still buffering lines to detect the prefix";
  EXPECT_TRUE(detecting->detected_prefixes().empty());
}

TEST(ShipperLogReaderTest, AutoDetectionPicksTheShipperReaderOnlyForWrappers) {
  const std::string jsonlog =
      R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":1,"error_severity":"LOG","message":"x"})";
  const std::string cnpg =
      R"({"level":"info","record":{"log_time":"2026-11-23 23:18:21.286 UTC"}})";
  const std::string vector = R"({"message":"2026-11-23 23:18:21.286 UTC [1] LOG:  x","host":"h"})";
  const std::string filebeat = R"({"log":{"offset":0},"message":"x"})";
  const EnvelopeOptions defaults;
  EXPECT_FALSE(LooksLikeShipperEnvelope(jsonlog, defaults));
  EXPECT_FALSE(LooksLikeShipperEnvelope(cnpg, defaults));
  EXPECT_TRUE(LooksLikeShipperEnvelope(vector, defaults));
  EXPECT_TRUE(LooksLikeShipperEnvelope(filebeat, defaults));
  EnvelopeOptions nested;
  nested.payload_field = "payload.line";
  EXPECT_TRUE(LooksLikeShipperEnvelope(R"({"payload":{"line":"x"}})", nested));
  EXPECT_FALSE(ShipperLogReader::Create(Opts("c", nullptr, 0, "a..b")).ok());
}

}  // namespace
}  // namespace vacwatch::ingest
