#include "ingest/line_splitter.h"

#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/input_buffer.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using Piece = LineSplitter::Piece;

// What the splitter handed out: "L" for a line, "O" for an oversized start, with the text,
// stream offset and line number.
std::vector<std::string> Split(std::string_view input, size_t chunk, int64_t max_bytes,
                               int64_t base = 0) {
  InputBuffer buffer;
  buffer.Reset(base);
  LineSplitter lines;
  std::vector<std::string> out;
  auto drain = [&](bool finished) {
    std::string_view line;
    while (true) {
      const Piece piece = lines.Next(&buffer, finished, max_bytes, &line);
      if (piece == Piece::kNeedMore) return;
      out.push_back(std::string(piece == Piece::kLine ? "L " : "O ") + std::string(line) + " @" +
                    std::to_string(lines.offset()) + ":" + std::to_string(lines.line_no()));
    }
  };
  for (size_t i = 0; i < input.size(); i += chunk) {
    buffer.Append(input.substr(i, chunk));
    drain(false);
  }
  drain(true);
  return out;
}

TEST(LineSplitterTest, LinesWithOffsetsAndNumbersWhateverTheChunks) {
  for (size_t chunk : {1, 2, 5, 100}) {
    SCOPED_TRACE(chunk);
    EXPECT_THAT(Split("ab\n\ncd\r\nef", chunk, 100, 1000),
                ElementsAre("L ab @1000:1", "L  @1003:2", "L cd\r @1004:3", "L ef @1008:4"));
  }
}

TEST(LineSplitterTest, LastLineWaitsForFinish) {
  InputBuffer buffer;
  buffer.Append("ab\ncd");
  LineSplitter lines;
  std::string_view line;
  ASSERT_EQ(lines.Next(&buffer, false, 100, &line), Piece::kLine);
  EXPECT_EQ(line, "ab");
  EXPECT_EQ(lines.Next(&buffer, false, 100, &line), Piece::kNeedMore);
  EXPECT_EQ(buffer.data(), "cd");  // kept for the next chunk
  ASSERT_EQ(lines.Next(&buffer, true, 100, &line), Piece::kLine);
  EXPECT_EQ(line, "cd");
  EXPECT_EQ(lines.line_no(), 2);
  EXPECT_EQ(lines.Next(&buffer, true, 100, &line), Piece::kNeedMore);
}

TEST(LineSplitterTest, OversizedLineIsReportedOnceAndDropped) {
  const std::string input = "ok\n" + std::string(50, 'x') + "\nafter\n";
  // In small chunks the line is reported once its unended part passes the limit; what follows
  // is dropped up to its newline. Read whole, it is a complete line the reader checks itself.
  EXPECT_THAT(Split(input, 4, 10),
              ElementsAre("L ok @0:1", "O " + std::string(13, 'x') + " @3:2", "L after @54:3"));
  EXPECT_THAT(Split(input, input.size(), 10),
              ElementsAre("L ok @0:1", "L " + std::string(50, 'x') + " @3:2", "L after @54:3"));
}

TEST(LineSplitterTest, DroppingLastsUntilTheLineEndsOrTheInputDoes) {
  InputBuffer buffer;
  LineSplitter lines;
  std::string_view line;
  buffer.Append("0123456789ABC");
  ASSERT_EQ(lines.Next(&buffer, false, 10, &line), Piece::kOversized);
  EXPECT_EQ(line, "0123456789ABC");
  EXPECT_TRUE(lines.dropping());
  EXPECT_TRUE(buffer.empty());
  buffer.Append("DEF");
  EXPECT_EQ(lines.Next(&buffer, false, 10, &line), Piece::kNeedMore);
  EXPECT_TRUE(lines.dropping());
  EXPECT_EQ(lines.offset(), 0);  // where the dropped line began
  EXPECT_EQ(lines.Next(&buffer, true, 10, &line), Piece::kNeedMore);
  EXPECT_FALSE(lines.dropping());  // it ended with the input
}

}  // namespace
}  // namespace vacwatch::ingest
