#include "common/json_writer.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace vacwatch {
namespace {

TEST(JsonWriterTest, WritesFlatObjectAndSkipsAbsentOptionals) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("type", "vacuum");
  w.Field("pages_removed", int64_t{12});
  w.OptionalField("tuples_removed", std::optional<int64_t>());
  w.Field("elapsed_s", 0.25);
  w.Field("aggressive", false);
  w.EndObject();
  EXPECT_EQ(out, R"({"type":"vacuum","pages_removed":12,"elapsed_s":0.25,"aggressive":false})");
}

TEST(JsonWriterTest, EscapesControlCharactersAndQuotes) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("table", std::string_view("we\"ird\n\x01name", 12));
  w.EndObject();
  EXPECT_EQ(out, R"({"table":"we\"ird\n\u0001name"})");
}

TEST(JsonWriterTest, EscapesAtEitherEndAndBetweenRuns) {
  const struct {
    std::string_view in;
    std::string_view want;
  } cases[] = {
      {"", ""},
      {"plain text, no escapes", "plain text, no escapes"},
      {"\"quoted\"", R"(\"quoted\")"},
      {"a\\b\tc\rd", R"(a\\b\tc\rd)"},
      {std::string_view("\x1f\x00\x7f", 3), R"(\u001f\u0000)"
                                            "\x7f"},
      {"caf\xc3\xa9 \xe2\x86\x92 ok\n", "caf\xc3\xa9 \xe2\x86\x92 ok\\n"},  // UTF-8 as is
  };
  for (const auto& c : cases) {
    std::string out = "prefix:";
    JsonWriter::AppendEscaped(c.in, &out);
    EXPECT_EQ(out, "prefix:" + std::string(c.want)) << c.in;
  }
}

TEST(JsonWriterTest, NestsObjectsAndArrays) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("evidence");
  w.BeginObject();
  w.Field("n", int64_t{1});
  w.EndObject();
  w.Key("list");
  w.BeginArray();
  w.Value(int64_t{1});
  w.Value("a");
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"evidence":{"n":1},"list":[1,"a"]})");
}

TEST(JsonWriterTest, WritesTimesAsUtcRfc3339) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.TimeField("t", absl::FromUnixMillis(1795475901286));
  w.EndObject();
  EXPECT_EQ(out, R"({"t":"2026-11-23T23:18:21.286Z"})");
}

}  // namespace
}  // namespace vacwatch
