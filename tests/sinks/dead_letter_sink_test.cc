#include "sinks/dead_letter_sink.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::sinks {
namespace {

using ::testing::HasSubstr;

ParseError Error(ParseErrorKind kind, std::string_view raw) {
  ParseError e;
  e.kind = kind;
  e.field = "csv";
  e.detail = "expected 23, 24 or 26 columns, found 22";
  e.byte_offset = 8812;
  e.line_no = 41;
  e.raw = raw;
  return e;
}

TEST(DeadLetterSinkTest, WritesOneJsonLinePerError) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    DeadLetterSink sink(f);
    sink.OnError("postgresql.csv", Error(ParseErrorKind::kBadStructure, "a,\"b\"\nc"));
    sink.OnError("postgresql.csv", Error(ParseErrorKind::kTruncated, "x"));
    EXPECT_EQ(sink.count(ParseErrorKind::kBadStructure), 1);
    EXPECT_EQ(sink.count(ParseErrorKind::kTruncated), 1);
    EXPECT_EQ(sink.count(ParseErrorKind::kOversized), 0);
    EXPECT_EQ(sink.total(), 2);
    EXPECT_OK(sink.Flush());
  }
  EXPECT_EQ(testing::FileContents(f),
            R"({"source":"postgresql.csv","kind":"bad_structure","field":"csv",)"
            R"("detail":"expected 23, 24 or 26 columns, found 22","byte_offset":8812,)"
            R"("line_no":41,"raw":"a,\"b\"\nc"})"
            "\n"
            R"({"source":"postgresql.csv","kind":"truncated","field":"csv",)"
            R"("detail":"expected 23, 24 or 26 columns, found 22","byte_offset":8812,)"
            R"("line_no":41,"raw":"x"})"
            "\n");
  std::fclose(f);
}

TEST(DeadLetterSinkTest, CutsRawAndKeepsTheLineValidJson) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  // 10 MB of text with invalid UTF-8 and a NUL in the first bytes, and a code point that
  // straddles the 4 KiB cut.
  std::string raw = std::string("\xFF\xC3\x28 nul:") + '\0' + " ";
  raw += std::string(DeadLetterSink::kMaxRawBytes - raw.size() - 1, 'x');
  raw += "\xE2\x82\xAC";  // '€' across the cut
  raw += std::string(10 << 20, 'y');
  {
    DeadLetterSink sink(f);
    sink.OnError("big.log", Error(ParseErrorKind::kOversized, raw));
  }
  const std::string line = testing::FileContents(f);
  std::fclose(f);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_LT(line.size(), 5000u);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line.substr(0, 200);
  std::string_view kept;
  ASSERT_EQ(doc["raw"].get(kept), simdjson::SUCCESS);
  EXPECT_EQ(kept.substr(0, 7), "\xEF\xBF\xBD\xEF\xBF\xBD(");  // two U+FFFD, then '('
  EXPECT_EQ(kept.find('y'), std::string_view::npos);
  EXPECT_EQ(kept.back(), 'x');  // the split '€' is dropped, not mangled
  int64_t raw_bytes = 0;
  ASSERT_EQ(doc["raw_bytes"].get(raw_bytes), simdjson::SUCCESS);
  EXPECT_EQ(raw_bytes, static_cast<int64_t>(raw.size()));
}

TEST(DeadLetterSinkTest, OpensAFileByPath) {
  const std::string path = ::testing::TempDir() + "/vacwatch_dead_letters.jsonl";
  {
    auto sink = DeadLetterSink::OpenFile(path);
    ASSERT_OK(sink);
    (*sink)->OnError("s", Error(ParseErrorKind::kBadNumber, "r"));
  }
  {
    auto sink = DeadLetterSink::OpenFile(path, /*append=*/true);
    ASSERT_OK(sink);
    (*sink)->OnError("s", Error(ParseErrorKind::kBadNumber, "r"));
  }
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(text, HasSubstr(R"("kind":"bad_number")"));
  std::remove(path.c_str());
}

TEST(DeadLetterSinkTest, UnwritablePathIsAnError) {
  auto sink = DeadLetterSink::OpenFile("/nonexistent/dir/dead.jsonl");
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(sink.status().message()), HasSubstr("/nonexistent/dir/dead.jsonl"));
}

TEST(AppendValidUtf8Test, ReplacesEachBadByteAndKeepsGoodSequences) {
  std::string out;
  AppendValidUtf8(
      "a\xC3\xA9"
      "b\xED\xA0\x80"
      "c\xF0\x9F\x98\x80\xC0\xAF",
      100, &out);
  // é kept; a surrogate (ED A0 80) is three bad bytes; 😀 kept; an overlong '/' is two.
  EXPECT_EQ(out,
            "a\xC3\xA9"
            "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xF0\x9F\x98\x80"
            "\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace vacwatch::sinks
