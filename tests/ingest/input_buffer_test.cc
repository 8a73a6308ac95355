#include "ingest/input_buffer.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace vacwatch::ingest {
namespace {

// The kPadding bytes after data() are readable and zero, as simdjson needs them.
void ExpectZeroPadding(const InputBuffer& buf) {
  const char* end = buf.data().data() + buf.size();
  ASSERT_NE(buf.data().data(), nullptr);
  ASSERT_GE(buf.padded_size(buf.data().data()), buf.size() + InputBuffer::kPadding);
  for (size_t i = 0; i < InputBuffer::kPadding; ++i) EXPECT_EQ(end[i], '\0') << i;
}

TEST(InputBufferTest, EmptyFirstChunkIsPadded) {
  InputBuffer buf;
  buf.Append("");
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.offset(), 0);
  ExpectZeroPadding(buf);
  buf.Append("abc");
  EXPECT_EQ(buf.data(), "abc");
  ExpectZeroPadding(buf);
}

TEST(InputBufferTest, EmptyChunkAfterResetIsPadded) {
  InputBuffer buf;
  buf.Reset(100);
  buf.Append(std::string_view());
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.offset(), 100);
  ExpectZeroPadding(buf);
}

TEST(InputBufferTest, ConsumeAdvancesTheOffsetAndAppendKeepsTheTail) {
  InputBuffer buf;
  buf.Reset(10);
  buf.Append("line one\nline t");
  buf.Consume(9);
  EXPECT_EQ(buf.data(), "line t");
  EXPECT_EQ(buf.offset(), 19);
  buf.Append("wo\n");
  EXPECT_EQ(buf.data(), "line two\n");
  EXPECT_EQ(buf.offset(), 19);
  ExpectZeroPadding(buf);
  buf.Consume(100);  // more than there is: stops at the end
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.offset(), 28);
  buf.Append("");
  EXPECT_TRUE(buf.empty());
  ExpectZeroPadding(buf);
}

TEST(InputBufferTest, GrowingKeepsTheBytesAndThePadding) {
  InputBuffer buf;
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string chunk(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
    buf.Append(chunk);
    expected += chunk;
    if (i % 3 == 0) {
      buf.Consume(5);
      expected.erase(0, std::min<size_t>(5, expected.size()));
    }
  }
  EXPECT_EQ(buf.data(), expected);
  ExpectZeroPadding(buf);
}

}  // namespace
}  // namespace vacwatch::ingest
