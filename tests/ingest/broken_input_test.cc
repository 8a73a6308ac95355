// A corpus of broken input for every log reader: truncated entries, a continuation line with
// no head, invalid UTF-8, NUL bytes, a 10 MB line, wrong JSON types, an unterminated CSV
// quote. Each gives errors and counts, never a crash, and the good entries around it still
// come out. Regression inputs live in tests/data/broken/.

#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/log_source.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/datasets.h"
#include "tests/testing/read_events.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

using ::vacwatch::testing::CollectingErrorSink;
using ::vacwatch::testing::ReadAllEvents;
using K = ParseErrorKind;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<LogReader> MakeReader(LogFormat format, ParseErrorSink* sink,
                                      int64_t max_entry_bytes = 1 << 20) {
  LogSourceOptions options;
  options.format = format;
  options.cluster = "c";
  options.log_line_prefix = "%m [%p] ";
  options.errors = sink;
  options.max_entry_bytes = max_entry_bytes;
  auto reader = MakeLogReader(options, "");
  EXPECT_OK(reader);
  return std::move(reader).value();
}

struct Case {
  const char* file;
  LogFormat format;
  int events;
  std::map<K, int> rejected;
};

const Case kCases[] = {
    {"csv_cut_record_then_restart.csv", LogFormat::kCsvlog, 3, {{K::kBadStructure, 1}}},
    {"csv_unterminated_quote.csv", LogFormat::kCsvlog, 1, {{K::kTruncated, 1}}},
    {"csv_wrong_columns.csv", LogFormat::kCsvlog, 1, {{K::kBadStructure, 2}}},
    {"csv_stray_quotes.csv", LogFormat::kCsvlog, 1, {{K::kBadStructure, 2}}},
    {"csv_bad_encoding.csv", LogFormat::kCsvlog, 1, {{K::kInvalidEncoding, 2}}},
    {"json_wrong_types.json", LogFormat::kJsonlog, 1, {{K::kBadNumber, 1}, {K::kWrongType, 6}}},
    {"json_broken_lines.json", LogFormat::kJsonlog, 1, {{K::kBadStructure, 4}}},
    {"json_bad_encoding.json", LogFormat::kJsonlog, 1, {{K::kInvalidEncoding, 3}}},
    {"stderr_orphan_continuation.log", LogFormat::kStderr, 1, {{K::kOrphanContinuation, 2}}},
    {"stderr_truncated_vacuum.log", LogFormat::kStderr, 1, {{K::kTruncated, 2}}},
    {"stderr_bad_encoding.log", LogFormat::kStderr, 1, {{K::kInvalidEncoding, 2}}},
};

class BrokenInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BrokenInputTest, ErrorsAndCountsWhateverTheChunkSize) {
  const Case& c = GetParam();
  const std::string input = ReadFile(testing::SourceDir() + "/tests/data/broken/" + c.file);
  ASSERT_FALSE(input.empty()) << c.file;
  for (size_t chunk : {1, 7, 100, 1 << 20}) {
    SCOPED_TRACE(chunk);
    CollectingErrorSink sink;
    auto reader = MakeReader(c.format, &sink);
    EXPECT_EQ(static_cast<int>(ReadAllEvents(*reader, input, chunk).size()), c.events);
    std::map<K, int> rejected;
    for (int k = 0; k < kNumParseErrorKinds; ++k) {
      if (reader->counters().rejected[k] > 0)
        rejected[static_cast<K>(k)] = reader->counters().rejected[k];
    }
    EXPECT_EQ(rejected, c.rejected);
    EXPECT_EQ(static_cast<int64_t>(sink.errors.size()), reader->counters().total_rejected());
    for (const auto& e : sink.errors) {
      EXPECT_FALSE(e.raw.empty());
      EXPECT_FALSE(e.field.empty());
      EXPECT_GE(e.line_no, 1);
      EXPECT_LT(e.byte_offset, static_cast<int64_t>(input.size()));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenInputTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// One good vacuum entry in each destination.
constexpr char kVacuum[] =
    "automatic vacuum of table \"shop.public.orders\": index scans: 0\n"
    "pages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)\n"
    "tuples: 7 removed, 300000 remain, 3 are dead but not yet removable\n"
    "removable cutoff: 734, which was 1 XIDs old when operation ended\n"
    "index scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers "
    "removed\n"
    "avg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s\n"
    "buffer usage: 5082 hits, 2 misses, 1 dirtied\n"
    "WAL usage: 2501 records, 1 full page images, 155885 bytes\n"
    "system usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s";

// Each line of `text` as a Fluent Bit record, {"log":"<line>\n"}.
std::string WrapLines(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    out += R"({"log":")";
    for (char c : line) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c == '\t') {
        out += "\\t";
        continue;
      }
      out.push_back(c);
    }
    out += "\\n\"}\n";
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string Entry(LogFormat format, const std::string& message) {
  std::string out;
  switch (format) {
    case LogFormat::kShipper:
      return WrapLines(Entry(LogFormat::kStderr, message));
    case LogFormat::kStderr:
      out = "2026-11-23 23:18:21.286 UTC [13110] LOG:  ";
      for (char c : message) {
        out.push_back(c);
        if (c == '\n') out.push_back('\t');
      }
      return out + "\n";
    case LogFormat::kCsvlog:
      out =
          "2026-11-23 23:18:21.286 UTC,,,13110,,6b04c9bd.3336,1,,2026-11-23 23:18:21 UTC,4/5,0,"
          "LOG,00000,\"";
      for (char c : message) {
        out.push_back(c);
        if (c == '"') out.push_back('"');
      }
      return out + "\",,,,,,,,,\"\",\"autovacuum worker\",,0\n";
    case LogFormat::kJsonlog:
    case LogFormat::kAuto:
      out = R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":13110,"error_severity":"LOG",)"
            R"("message":")";
      for (char c : message) {
        if (c == '"' || c == '\\') out.push_back('\\');
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out.push_back(c);
      }
      return out + "\"}\n";
  }
  return out;
}

class EveryReaderTest : public ::testing::TestWithParam<LogFormat> {};

TEST_P(EveryReaderTest, TenMegabyteLineIsOversizedAndTheNextEntryStillComesOut) {
  const LogFormat format = GetParam();
  const std::string input =
      Entry(format, "statement: SELECT '" + std::string(10 << 20, 'x') + "'") +
      Entry(format, kVacuum);
  // Chunks as LogFileSource reads them, and the whole input in one chunk.
  for (size_t chunk : {size_t{64 << 10}, size_t{1 << 20}, input.size()}) {
    SCOPED_TRACE(chunk);
    CollectingErrorSink sink;
    auto reader = MakeReader(format, &sink);
    EXPECT_EQ(ReadAllEvents(*reader, input, chunk).size(), 1u);
    EXPECT_EQ(reader->counters().rejected[static_cast<int>(K::kOversized)], 1);
    ASSERT_EQ(sink.errors.size(), 1u);
    EXPECT_EQ(sink.errors[0].byte_offset, 0);
  }
}

TEST_P(EveryReaderTest, EmptyChunksAreNothing) {
  const LogFormat format = GetParam();
  const std::string entry = Entry(format, kVacuum);
  CollectingErrorSink sink;
  auto reader = MakeReader(format, &sink);
  reader->Feed("");  // first of all: the reader's buffer has no storage yet
  reader->Feed(std::string_view(entry).substr(0, 10));
  reader->Feed("");
  reader->Feed(std::string_view(entry).substr(10));
  reader->Feed("");
  reader->Finish();
  LogEvent event;
  EXPECT_TRUE(reader->Next(&event));
  EXPECT_FALSE(reader->Next(&event));
  EXPECT_EQ(reader->counters().total_rejected(), 0);
  EXPECT_EQ(reader->counters().bytes, static_cast<int64_t>(entry.size()));
}

TEST_P(EveryReaderTest, ContinuationLinesWithNoHeadAreNotEvents) {
  const LogFormat format = GetParam();
  const std::string input =
      "\tpages: 0 removed, 2500 remain, 2500 scanned (100.00% of total)\n"
      "\ttuples: 7 removed, 300000 remain\n" +
      Entry(format, kVacuum);
  CollectingErrorSink sink;
  auto reader = MakeReader(format, &sink);
  EXPECT_EQ(ReadAllEvents(*reader, input, 3).size(), 1u);
  EXPECT_GE(reader->counters().total_rejected(), 1);
}

TEST_P(EveryReaderTest, EntryCutAtEveryByteNeverCrashes) {
  const LogFormat format = GetParam();
  const std::string entry = Entry(format, kVacuum);
  for (size_t cut = 0; cut <= entry.size(); ++cut) {
    CollectingErrorSink sink;
    auto reader = MakeReader(format, &sink);
    // The cut entry ends its line (a line without its newline would fuse with the next).
    const auto events = ReadAllEvents(*reader, entry.substr(0, cut) + "\n" + entry, 5);
    EXPECT_GE(events.size(), 1u) << "cut at " << cut;
    EXPECT_LE(events.size(), 2u) << "cut at " << cut;
  }
}

TEST_P(EveryReaderTest, RandomlyDamagedDatasetNeverCrashes) {
  const LogFormat format = GetParam();
  const char* file = format == LogFormat::kStderr || format == LogFormat::kShipper
                         ? "/postgresql.log"
                     : format == LogFormat::kCsvlog ? "/postgresql.csv"
                                                    : "/postgresql.json";
  std::string original =
      ReadFile(testing::DatasetPath("pg15-prod-eu-1") + file).substr(0, 200 << 10);
  if (format == LogFormat::kShipper) original = WrapLines(original);
  ASSERT_FALSE(original.empty());
  std::mt19937 rng(20261123);
  static constexpr char kNasty[] = {'\0', '\xFF', '"', '\n', '\t', ',', '{', '\\', '\xC3'};
  for (int round = 0; round < 20; ++round) {
    std::string input = original;
    for (int i = 0; i < 50; ++i) {
      const size_t at = rng() % input.size();
      switch (rng() % 3) {
        case 0:
          input[at] = kNasty[rng() % sizeof(kNasty)];
          break;
        case 1:
          input.insert(at, 1, kNasty[rng() % sizeof(kNasty)]);
          break;
        case 2:
          input.erase(at, rng() % 200);
          break;
      }
    }
    CollectingErrorSink sink;
    auto reader = MakeReader(format, &sink, 64 << 10);
    const auto events = ReadAllEvents(*reader, input, 1 + rng() % 5000);
    EXPECT_GT(events.size(), 0u);
    EXPECT_EQ(static_cast<int64_t>(sink.errors.size()), reader->counters().total_rejected());
  }
}

INSTANTIATE_TEST_SUITE_P(Readers, EveryReaderTest,
                         ::testing::Values(LogFormat::kStderr, LogFormat::kCsvlog,
                                           LogFormat::kJsonlog, LogFormat::kShipper),
                         [](const ::testing::TestParamInfo<LogFormat>& info) {
                           return std::string(LogFormatName(info.param));
                         });

}  // namespace
}  // namespace vacwatch::ingest
