#include "ingest/log_source.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_json.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

using ::testing::HasSubstr;

constexpr char kCsvRecord[] =
    "2026-11-23 23:18:25.286 UTC,,,13208,,6b04c9c1.3398,1,,2026-11-23 23:18:25 UTC,11/19,0,LOG,"
    "55P03,\"skipping vacuum of \"\"locked_jobs\"\" --- lock not available\",,,,,,,,,\"\","
    "\"autovacuum worker\",,0\n";
constexpr char kJsonLine[] =
    R"({"timestamp":"2026-11-23 23:18:25.286 UTC","pid":13208,"error_severity":"LOG",)"
    R"("message":"skipping vacuum of \"locked_jobs\" --- lock not available"})"
    "\n";
constexpr char kStderrLine[] =
    "2026-11-23 23:18:25.286 UTC [13208] LOG:  skipping vacuum of \"locked_jobs\" --- lock not "
    "available\n";

std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/vacwatch_log_source_test_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(LogFormatTest, ParsesNames) {
  EXPECT_EQ(*ParseLogFormat("auto"), LogFormat::kAuto);
  EXPECT_EQ(*ParseLogFormat("stderr"), LogFormat::kStderr);
  EXPECT_EQ(*ParseLogFormat("csvlog"), LogFormat::kCsvlog);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJsonlog);
  const auto bad = ParseLogFormat("syslog");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("syslog"));
  EXPECT_EQ(LogFormatName(LogFormat::kCsvlog), "csvlog");
}

TEST(LogFormatTest, DetectsFromFirstLine) {
  EXPECT_EQ(DetectLogFormat(kCsvRecord), LogFormat::kCsvlog);
  EXPECT_EQ(DetectLogFormat(kJsonLine), LogFormat::kJsonlog);
  EXPECT_EQ(DetectLogFormat(std::string("  ") + kJsonLine), LogFormat::kJsonlog);
  EXPECT_EQ(DetectLogFormat(std::string("\xEF\xBB\xBF") + kCsvRecord), LogFormat::kCsvlog);
  EXPECT_EQ(DetectLogFormat(kStderrLine), LogFormat::kStderr);
  // %t prefixes have no milliseconds, and a comma in a stderr line comes after other text.
  EXPECT_EQ(DetectLogFormat("2026-11-23 23:18:25 UTC:[local]:u@d:[1]:LOG:  a, b\n"),
            LogFormat::kStderr);
  EXPECT_EQ(DetectLogFormat(""), LogFormat::kStderr);
}

TEST(MakeLogReaderTest, MakesTheReaderOfEachFormat) {
  for (const char* input : {kCsvRecord, kJsonLine, kStderrLine}) {
    SCOPED_TRACE(input);
    LogSourceOptions options;
    options.log_line_prefix = "%m [%p] ";
    auto reader = MakeLogReader(options, input);
    ASSERT_OK(reader);
    (*reader)->Feed(input);
    (*reader)->Finish();
    LogEvent event;
    ASSERT_TRUE((*reader)->Next(&event));
    EXPECT_EQ(event.type, LogEventType::kVacuumSkipped);
    EXPECT_EQ(event.table, "locked_jobs");
  }
}

constexpr char kSnapshotLine[] =
    R"({"kind":"pg_stat_snapshot","cluster":"c1","database":"shop",)"
    R"("collected_at":"2026-11-23T23:18:00+00:00","tables":[],"settings":{}})"
    "\n";

TEST(MakeLogReaderTest, SnapshotsAreRefusedNotReadAsJsonlog) {
  LogSourceOptions options;
  options.source_name = "stats.jsonl";
  auto reader = MakeLogReader(options, kSnapshotLine);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reader.status().message()),
              HasSubstr("stats.jsonl holds stats snapshots"));
  // A jsonlog record of a database named "tables" is a log.
  std::string tables_db = kJsonLine;
  tables_db.insert(tables_db.find(",\"error_severity\""), R"(,"dbname":"tables")");
  reader = MakeLogReader(options, tables_db);
  ASSERT_OK(reader);
  (*reader)->Feed(tables_db);
  (*reader)->Finish();
  LogEvent event;
  ASSERT_TRUE((*reader)->Next(&event));
  EXPECT_EQ(event.database, "tables");
  // A format given explicitly is taken at its word.
  options.format = LogFormat::kJsonlog;
  EXPECT_OK(MakeLogReader(options, kSnapshotLine));
}

TEST(MakeLogReaderTest, BadPrefixIsInvalidArgument) {
  LogSourceOptions options;
  options.format = LogFormat::kStderr;
  options.log_line_prefix = "%m [%p] %";  // a lone trailing %
  EXPECT_EQ(MakeLogReader(options, "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LogFileSourceTest, MissingFileIsNotFoundWithThePath) {
  auto source = LogFileSource::Open("/nonexistent/postgresql.csv", LogSourceOptions());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(source.status().message()), HasSubstr("/nonexistent/postgresql.csv"));
}

TEST(LogFileSourceTest, DirectoryIsInvalidArgument) {
  auto source = LogFileSource::Open(::testing::TempDir(), LogSourceOptions());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
}

std::vector<std::string> ReadAll(LogFileSource& source) {
  std::vector<std::string> out;
  LogEvent event;
  std::string json;
  while (true) {
    auto more = source.Next(&event);
    EXPECT_OK(more);
    if (!more.ok() || !*more) break;
    WriteLogEventJson(event, &json);
    out.push_back(json);
  }
  return out;
}

TEST(LogFileSourceTest, ReadsFilesLargerThanOneChunkAndResumes) {
  // ~3 MiB of csvlog, so records cross chunk boundaries.
  std::string content;
  int records = 0;
  while (content.size() < 3 * LogFileSource::kChunkBytes) {
    content += kCsvRecord;
    ++records;
  }
  const std::string path = WriteTempFile("big.csv", content);
  LogSourceOptions options;
  options.cluster = "c1";
  auto source = LogFileSource::Open(path, options);
  ASSERT_OK(source);
  EXPECT_EQ((*source)->format(), LogFormat::kCsvlog);
  const std::vector<std::string> all = ReadAll(**source);
  EXPECT_EQ(static_cast<int>(all.size()), records);
  EXPECT_EQ((*source)->counters().bytes, static_cast<int64_t>(content.size()));
  EXPECT_EQ((*source)->resume_offset(), static_cast<int64_t>(content.size()));

  // Stop after 1000 events, reopen at resume_offset(): the rest comes out, nothing twice.
  auto first = LogFileSource::Open(path, options);
  ASSERT_OK(first);
  LogEvent event;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(*(*first)->Next(&event));
  options.start_offset = (*first)->resume_offset();
  EXPECT_EQ(options.start_offset, 1000 * static_cast<int64_t>(sizeof(kCsvRecord) - 1));
  auto second = LogFileSource::Open(path, options);
  ASSERT_OK(second);
  const std::vector<std::string> rest = ReadAll(**second);
  ASSERT_EQ(rest.size(), all.size() - 1000);
  EXPECT_THAT(rest.front(), HasSubstr("\"byte_offset\":" + std::to_string(options.start_offset)));
  std::remove(path.c_str());
}

TEST(LogFileSourceTest, DetectsJsonlogAndStderrFiles) {
  const std::string json_path = WriteTempFile("a.json", std::string(kJsonLine) + kJsonLine);
  auto json = LogFileSource::Open(json_path, LogSourceOptions());
  ASSERT_OK(json);
  EXPECT_EQ((*json)->format(), LogFormat::kJsonlog);
  EXPECT_EQ(ReadAll(**json).size(), 2u);
  EXPECT_EQ((*json)->path(), json_path);

  const std::string log_path = WriteTempFile("a.log", kStderrLine);
  LogSourceOptions options;
  options.log_line_prefix = "%m [%p] ";
  auto log = LogFileSource::Open(log_path, options);
  ASSERT_OK(log);
  EXPECT_EQ((*log)->format(), LogFormat::kStderr);
  EXPECT_EQ(ReadAll(**log).size(), 1u);
  std::remove(json_path.c_str());
  std::remove(log_path.c_str());
}

TEST(LogFileSourceTest, SnapshotFileIsInvalidArgumentWithThePath) {
  const std::string path = WriteTempFile("snapshots.jsonl", std::string(kSnapshotLine));
  auto source = LogFileSource::Open(path, LogSourceOptions());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(source.status().message()), HasSubstr(path + " holds stats snapshots"));
  std::remove(path.c_str());
}

TEST(LogFileSourceTest, EmptyFileGivesNoEvents) {
  const std::string path = WriteTempFile("empty.log", "");
  auto source = LogFileSource::Open(path, LogSourceOptions());
  ASSERT_OK(source);
  EXPECT_TRUE(ReadAll(**source).empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vacwatch::ingest
