// The same server log in its three destinations (stderr, csvlog, jsonlog) gives the same
// events: same count per type and per table, and the same numbers, event for event.

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_json.h"
#include "ingest/log_event.h"
#include "ingest/log_source.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch {
namespace {

using ingest::LogEvent;
using ingest::LogFormat;

struct ReadResult {
  LogFormat format = LogFormat::kAuto;
  ingest::IngestCounters counters;
  // By "db.schema.table" (or the bare relation name of skip events): the events' JSON without
  // the fields that name a position in one file (byte_offset, line_no).
  std::map<std::string, std::vector<std::string>> by_table;
  std::map<std::string, int> by_type;
  std::vector<testing::CollectedError> errors;
};

std::string WithoutPosition(const std::string& json) {
  return json.substr(0, json.find(",\"byte_offset\""));
}

ReadResult ReadFile(const std::string& path, LogFormat format, const std::string& prefix = "") {
  ReadResult result;
  testing::CollectingErrorSink sink;
  ingest::LogSourceOptions options;
  options.format = format;
  options.cluster = "prod-eu-1";
  options.log_line_prefix = prefix;
  options.errors = &sink;
  auto source = ingest::LogFileSource::Open(path, options);
  EXPECT_OK(source);
  if (!source.ok()) return result;
  LogEvent event;
  std::string json;
  while (true) {
    auto more = (*source)->Next(&event);
    EXPECT_OK(more);
    if (!more.ok() || !*more) break;
    ingest::WriteLogEventJson(event, &json);
    std::string table = std::string(event.database) + "." + std::string(event.schema) + "." +
                        std::string(event.table);
    result.by_table[table].push_back(WithoutPosition(json));
    ++result.by_type[std::string(ingest::LogEventTypeName(event.type))];
  }
  result.format = (*source)->format();
  result.counters = (*source)->counters();
  result.errors = sink.errors;
  return result;
}

class LogFormatsDatasetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::DatasetPath("pg15-prod-eu-1");
    stderr_ =
        new ReadResult(ReadFile(dir + "/postgresql.log", LogFormat::kStderr, "%m [%p] %q%u@%d "));
    csv_ = new ReadResult(ReadFile(dir + "/postgresql.csv", LogFormat::kAuto));
    json_ = new ReadResult(ReadFile(dir + "/postgresql.json", LogFormat::kAuto));
  }
  static void TearDownTestSuite() {
    delete stderr_;
    delete csv_;
    delete json_;
  }

  static ReadResult* stderr_;
  static ReadResult* csv_;
  static ReadResult* json_;
};

ReadResult* LogFormatsDatasetTest::stderr_ = nullptr;
ReadResult* LogFormatsDatasetTest::csv_ = nullptr;
ReadResult* LogFormatsDatasetTest::json_ = nullptr;

TEST_F(LogFormatsDatasetTest, FormatsAreDetected) {
  EXPECT_EQ(csv_->format, LogFormat::kCsvlog);
  EXPECT_EQ(json_->format, LogFormat::kJsonlog);
}

TEST_F(LogFormatsDatasetTest, NothingIsRejected) {
  for (const ReadResult* r : {stderr_, csv_, json_}) {
    EXPECT_EQ(r->counters.total_rejected(), 0) << ingest::LogFormatName(r->format);
    for (const auto& e : r->errors) ADD_FAILURE() << e.field << ": " << e.detail << "\n" << e.raw;
  }
}

TEST_F(LogFormatsDatasetTest, SameEventCountsPerType) {
  EXPECT_GT(stderr_->by_type["vacuum"], 100);
  EXPECT_GT(stderr_->by_type["analyze"], 100);
  EXPECT_GT(stderr_->by_type["vacuum_cancelled"], 0);
  EXPECT_GT(stderr_->by_type["vacuum_skipped"], 0);
  EXPECT_EQ(csv_->by_type, stderr_->by_type);
  EXPECT_EQ(json_->by_type, stderr_->by_type);
  EXPECT_EQ(csv_->counters.events, stderr_->counters.events);
  EXPECT_EQ(json_->counters.events, stderr_->counters.events);
}

TEST_F(LogFormatsDatasetTest, SameEventsPerTableInOrder) {
  ASSERT_EQ(csv_->by_table.size(), stderr_->by_table.size());
  ASSERT_EQ(json_->by_table.size(), stderr_->by_table.size());
  for (const auto& [table, events] : stderr_->by_table) {
    SCOPED_TRACE(table);
    ASSERT_EQ(csv_->by_table[table].size(), events.size());
    ASSERT_EQ(json_->by_table[table].size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(csv_->by_table[table][i], events[i]) << "event " << i;
      EXPECT_EQ(json_->by_table[table][i], events[i]) << "event " << i;
    }
  }
}

TEST_F(LogFormatsDatasetTest, OneVacuumEventPerVacuumEntryOfTheLog) {
  // Counted independently of the readers: head lines of "automatic ... vacuum ... of table".
  std::ifstream in(testing::DatasetPath("pg15-prod-eu-1") + "/postgresql.log");
  std::map<std::string, int> expected;
  std::string line;
  while (std::getline(in, line)) {
    // "LOG:  automatic [aggressive ]vacuum [to prevent wraparound ]of table "db.schema.rel""
    const size_t head = line.find("LOG:  automatic ");
    if (head == std::string::npos) continue;
    const size_t vacuum = line.find("vacuum ", head);
    const size_t of_table = line.find("of table \"", head);
    if (vacuum == std::string::npos || of_table == std::string::npos || vacuum > of_table) {
      continue;
    }
    const size_t name = of_table + 10;
    ++expected[line.substr(name, line.find('"', name) - name)];
  }
  ASSERT_FALSE(expected.empty());
  std::map<std::string, int> actual;
  for (const auto& [table, events] : csv_->by_table) {
    for (const std::string& json : events) {
      if (json.find("{\"type\":\"vacuum\"") == 0) ++actual[table];
    }
  }
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace vacwatch
