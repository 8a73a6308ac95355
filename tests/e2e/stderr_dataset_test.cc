// The stderr reader on the real pg15-prod-eu-1 log, with the dataset's log_line_prefix and with
// detection: every autovacuum entry of the raw file becomes exactly one event of its table,
// nothing is rejected, and cancels and skips carry their table.

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "ingest/stderr_log_reader.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch {
namespace {

using ingest::LogEvent;
using ingest::LogEventType;

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the raw file says, counted with a plain scan of its lines (no prefix parsing).
struct RawCounts {
  std::map<std::string, int> vacuums;   // "db.schema.table" of "automatic ... vacuum ... of table"
  std::map<std::string, int> analyzes;  // of "LOG:  automatic analyze of table"
  std::map<std::string, int> skips;     // relation of "skipping (vacuum|analyze) of "X" --- lock"
  std::map<std::string, int> cancel_contexts;  // table of "automatic ... of table" in CONTEXTs
  int cancels = 0;
};

// The quoted name after `of table "` (or `of "` for skips) up to the next `"`.
std::string Quoted(const std::string& line, size_t from) {
  size_t open = line.find('"', from);
  size_t close = line.find('"', open + 1);
  return line.substr(open + 1, close - open - 1);
}

RawCounts CountRaw(const std::string& text) {
  RawCounts raw;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t at = line.find("LOG:  automatic ");
    if (at != std::string::npos) {
      size_t of = line.find(" of table \"", at);
      std::string between = line.substr(at, of - at);
      if (between.find("vacuum") != std::string::npos) ++raw.vacuums[Quoted(line, of)];
      if (between.find("analyze") != std::string::npos) ++raw.analyzes[Quoted(line, of)];
    }
    if (line.find("ERROR:  canceling autovacuum task") != std::string::npos) ++raw.cancels;
    if (size_t s = line.find("LOG:  skipping ");
        s != std::string::npos && line.find("--- lock not available") != std::string::npos) {
      ++raw.skips[Quoted(line, s)];
    }
    // The CONTEXT's table line: on the CONTEXT line itself, or its TAB continuation.
    for (const char* head : {"CONTEXT:  automatic ", "\tautomatic "}) {
      size_t c = line.find(head);
      if (c != std::string::npos && (c == 0 || line.find("CONTEXT:") != std::string::npos)) {
        ++raw.cancel_contexts[Quoted(line, line.find(" of table ", c))];
      }
    }
  }
  return raw;
}

struct EventCounts {
  std::map<std::string, int> vacuums, analyzes, skips, cancels;
  int cancels_without_table = 0;
  int cancel_phases = 0;
  ingest::IngestCounters counters;
  std::string prefix;
};

EventCounts ReadEvents(const std::string& text, const std::string& prefix, size_t chunk) {
  EventCounts out;
  ingest::StderrLogReader::Options options;
  options.cluster = "prod-eu-1";
  options.log_line_prefix = prefix;
  options.source_name = "postgresql.log";
  auto reader = ingest::StderrLogReader::Create(options);
  EXPECT_OK(reader);
  if (!reader.ok()) return out;
  LogEvent e;
  auto take = [&] {
    while ((*reader)->Next(&e)) {
      EXPECT_EQ(e.cluster, "prod-eu-1");
      EXPECT_GT(e.pid, 0);
      EXPECT_GT(e.time, absl::FromUnixSeconds(1700000000));
      EXPECT_EQ(e.utc_offset_s, 0);
      const std::string qualified =
          std::string(e.database) + "." + std::string(e.schema) + "." + std::string(e.table);
      switch (e.type) {
        case LogEventType::kVacuum:
          ++out.vacuums[qualified];
          break;
        case LogEventType::kAnalyze:
          ++out.analyzes[qualified];
          break;
        case LogEventType::kVacuumSkipped:
        case LogEventType::kAnalyzeSkipped:
          ++out.skips[std::string(e.table)];
          break;
        case LogEventType::kVacuumCancelled:
        case LogEventType::kAnalyzeCancelled:
          if (e.table.empty() || e.database.empty()) ++out.cancels_without_table;
          if (!e.cancel_phase.empty()) ++out.cancel_phases;
          ++out.cancels[qualified];
          break;
        case LogEventType::kWraparoundWarning:
          break;
      }
    }
  };
  for (size_t i = 0; i < text.size(); i += chunk) {
    (*reader)->Feed(std::string_view(text).substr(i, chunk));
    take();
  }
  (*reader)->Finish();
  take();
  out.counters = (*reader)->counters();
  out.prefix = (*reader)->prefix().text();
  return out;
}

class StderrDatasetTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StderrDatasetTest, EveryAutovacuumEntryBecomesOneEvent) {
  const std::string text =
      ReadWholeFile(testing::DatasetPath("pg15-prod-eu-1") + "/postgresql.log");
  ASSERT_FALSE(text.empty());
  const RawCounts raw = CountRaw(text);
  ASSERT_FALSE(raw.vacuums.empty());
  ASSERT_GT(raw.cancels, 0);

  for (size_t chunk : {size_t{4096}, size_t{1} << 20}) {
    const EventCounts events = ReadEvents(text, GetParam(), chunk);
    EXPECT_EQ(events.prefix, "%m [%p] %q%u@%d ");
    EXPECT_EQ(events.counters.total_rejected(), 0);
    EXPECT_EQ(events.counters.bytes, static_cast<int64_t>(text.size()));
    EXPECT_EQ(events.vacuums, raw.vacuums);
    EXPECT_EQ(events.analyzes, raw.analyzes);
    EXPECT_EQ(events.skips, raw.skips);
    int cancels = 0;
    for (const auto& [table, n] : events.cancels) cancels += n;
    EXPECT_EQ(cancels, raw.cancels);
    EXPECT_EQ(events.cancels, raw.cancel_contexts);
    EXPECT_EQ(events.cancels_without_table, 0);
    EXPECT_GT(events.cancel_phases, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(PrefixGivenOrDetected, StderrDatasetTest,
                         ::testing::Values("%m [%p] %q%u@%d ", ""),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.empty() ? "Detected" : "Given";
                         });

}  // namespace
}  // namespace vacwatch
