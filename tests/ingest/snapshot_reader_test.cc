#include "ingest/snapshot_reader.h"

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/parse_error.h"
#include "gtest/gtest.h"
#include "ingest/snapshot.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::ingest {
namespace {

using ::vacwatch::testing::CollectingErrorSink;

// A snapshot line for database `db` with `tables` rows.
std::string Line(std::string_view db, int tables) {
  std::string s = R"({"kind":"pg_stat_snapshot","cluster":"c","database":")";
  s.append(db);
  s.append(R"(","collected_at":"2026-11-23T23:18:23.945964+00:00","tables":[)");
  for (int i = 0; i < tables; ++i) {
    if (i > 0) s.push_back(',');
    s.append(R"({"relid":")").append(std::to_string(16384 + i));
    s.append(R"(","relname":"t)").append(std::to_string(i));
    s.append(R"(","schemaname":"public","n_dead_tup":)").append(std::to_string(i * 10));
    s.append(R"(,"reloptions":["fillfactor=70"]})");
  }
  s.append("]}");
  return s;
}

struct Got {
  std::string database;
  size_t tables = 0;
  int64_t last_dead = -1;
};

// Drains the reader, copying what the views say.
void Drain(SnapshotReader* reader, std::vector<Got>* out) {
  Snapshot s;
  while (reader->Next(&s)) {
    Got g{std::string(s.database), s.tables.size(), -1};
    if (!s.tables.empty()) g.last_dead = s.tables.back().n_dead_tup.value_or(-1);
    out->push_back(g);
  }
}

std::vector<Got> ReadAll(std::string_view input, size_t chunk, SnapshotReaderOptions options) {
  SnapshotReader reader(std::move(options));
  std::vector<Got> got;
  for (size_t i = 0; i < input.size(); i += chunk) {
    reader.Feed(input.substr(i, chunk));
    Drain(&reader, &got);
  }
  reader.Finish();
  Drain(&reader, &got);
  return got;
}

std::string Stream() {
  return Line("a", 3) + "\n" + Line("b", 0) + "\r\n\n   \n" + Line("c", 120) + "\n" + Line("d", 1);
}

TEST(SnapshotReaderTest, ReadsEveryLineWhateverTheChunkBoundaries) {
  const std::string input = Stream();
  for (size_t chunk :
       {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1000}, input.size()}) {
    SCOPED_TRACE(chunk);
    SnapshotReader reader({});
    std::vector<Got> got;
    for (size_t i = 0; i < input.size(); i += chunk) {
      reader.Feed(std::string_view(input).substr(i, chunk));
      Drain(&reader, &got);
    }
    // The last line has no newline: it waits for Finish.
    ASSERT_EQ(got.size(), 3u);
    reader.Finish();
    Drain(&reader, &got);
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].database, "a");
    EXPECT_EQ(got[0].tables, 3u);
    EXPECT_EQ(got[0].last_dead, 20);
    EXPECT_EQ(got[1].database, "b");
    EXPECT_EQ(got[1].tables, 0u);
    EXPECT_EQ(got[2].database, "c");
    EXPECT_EQ(got[2].tables, 120u);
    EXPECT_EQ(got[2].last_dead, 1190);
    EXPECT_EQ(got[3].database, "d");

    const IngestCounters& c = reader.counters();
    EXPECT_EQ(c.entries, 4);  // blank lines are not entries
    EXPECT_EQ(c.snapshots, 4);
    EXPECT_EQ(c.table_rows, 124);
    EXPECT_EQ(c.bytes, static_cast<int64_t>(input.size()));
    EXPECT_EQ(c.total_rejected(), 0);
    EXPECT_EQ(reader.resume_offset(), static_cast<int64_t>(input.size()));
  }
}

TEST(SnapshotReaderTest, EmptyChunksAreNothing) {
  SnapshotReader reader({});
  reader.Feed("");  // before any storage exists
  reader.Feed(Line("a", 2) + "\n");
  reader.Feed("");
  std::vector<Got> got;
  Drain(&reader, &got);
  reader.Finish();
  Drain(&reader, &got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].tables, 2u);
  EXPECT_EQ(reader.counters().total_rejected(), 0);
}

TEST(SnapshotReaderTest, ResumeOffsetReproducesTheRest) {
  const std::string input = Stream();
  const std::vector<Got> all = ReadAll(input, input.size(), {});
  ASSERT_EQ(all.size(), 4u);
  // Stop after each snapshot, then start a new reader at resume_offset.
  for (size_t stop_after = 0; stop_after <= all.size(); ++stop_after) {
    SCOPED_TRACE(stop_after);
    SnapshotReader first({});
    first.Feed(input.substr(0, input.size() - 5));  // the tail has not arrived yet
    Snapshot s;
    size_t n = 0;
    while (n < stop_after && first.Next(&s)) ++n;
    if (n < stop_after) {
      first.Feed(input.substr(input.size() - 5));
      first.Finish();
      while (n < stop_after && first.Next(&s)) ++n;
    }
    ASSERT_EQ(n, stop_after);
    const int64_t resume = first.resume_offset();
    SnapshotReaderOptions options;
    options.start_offset = resume;
    std::vector<Got> rest = ReadAll(std::string_view(input).substr(resume), 13, options);
    ASSERT_EQ(rest.size(), all.size() - stop_after);
    for (size_t i = 0; i < rest.size(); ++i) {
      EXPECT_EQ(rest[i].database, all[stop_after + i].database);
    }
  }
}

// A line with one bad table row is a snapshot without that row (and a dead letter for it);
// the other bad lines are rejected whole.
TEST(SnapshotReaderTest, BadLinesAreCountedReportedAndSkipped) {
  CollectingErrorSink sink;
  const std::string good = Line("a", 2);
  std::string bad_type = good;
  bad_type.replace(bad_type.find(":10,"), 4, ":\"10\",");
  std::string with_nul = good;
  with_nul[with_nul.find("public")] = '\0';
  const std::string input = good + "\n" + bad_type + "\n" + "{\"cluster\":" + "\n" + with_nul +
                            "\n" + "\xff\xfe" + "\n" + good + "\n";
  SnapshotReaderOptions options;
  options.errors = &sink;
  options.source_name = "snaps.jsonl";
  SnapshotReader reader(options);
  std::vector<Got> got;
  reader.Feed(input);
  reader.Finish();
  Drain(&reader, &got);
  ASSERT_EQ(got.size(), 3u);
  const IngestCounters& c = reader.counters();
  EXPECT_EQ(c.entries, 6);
  EXPECT_EQ(c.snapshots, 3);
  EXPECT_EQ(c.table_rows, 5);
  EXPECT_EQ(c.total_rejected(), 4);
  EXPECT_EQ(c.rejected[static_cast<int>(ParseErrorKind::kWrongType)], 1);
  EXPECT_EQ(c.rejected[static_cast<int>(ParseErrorKind::kTruncated)], 1);
  EXPECT_EQ(c.rejected[static_cast<int>(ParseErrorKind::kInvalidEncoding)], 2);

  ASSERT_EQ(sink.errors.size(), 4u);
  const auto& e = sink.errors[0];
  EXPECT_EQ(e.source, "snaps.jsonl");
  EXPECT_EQ(e.kind, ParseErrorKind::kWrongType);
  EXPECT_EQ(e.field, "tables[1].n_dead_tup");
  EXPECT_EQ(e.detail, "INCORRECT_TYPE at byte " + std::to_string(bad_type.find(":\"10\",") + 1));
  EXPECT_EQ(e.byte_offset, static_cast<int64_t>(good.size() + 1));  // the line's start
  EXPECT_EQ(e.line_no, 2);
  EXPECT_EQ(e.raw, bad_type);
  EXPECT_EQ(sink.errors[1].line_no, 3);
  EXPECT_EQ(sink.errors[2].line_no, 4);
  EXPECT_EQ(sink.errors[3].line_no, 5);
}

TEST(SnapshotReaderTest, OversizedLinesAreRejectedWithBoundedMemory) {
  CollectingErrorSink sink;
  const std::string good = Line("a", 1);
  const std::string huge = Line("huge", 2000);  // ~150 kB
  const std::string input = good + "\n" + huge + "\n" + good + "\n" + huge;
  for (size_t chunk : {size_t{100}, size_t{4096}, input.size()}) {
    SCOPED_TRACE(chunk);
    sink.errors.clear();
    SnapshotReaderOptions options;
    options.max_line_bytes = 10000;
    options.errors = &sink;
    SnapshotReader reader(options);
    std::vector<Got> got;
    for (size_t i = 0; i < input.size(); i += chunk) {
      reader.Feed(std::string_view(input).substr(i, chunk));
      Drain(&reader, &got);
    }
    reader.Finish();
    Drain(&reader, &got);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].database, "a");
    EXPECT_EQ(reader.counters().rejected[static_cast<int>(ParseErrorKind::kOversized)], 2);
    EXPECT_EQ(reader.counters().entries, 4);
    ASSERT_EQ(sink.errors.size(), 2u);
    EXPECT_EQ(sink.errors[0].kind, ParseErrorKind::kOversized);
    EXPECT_EQ(sink.errors[0].byte_offset, static_cast<int64_t>(good.size() + 1));
    EXPECT_EQ(sink.errors[0].line_no, 2);
    EXPECT_LE(sink.errors[0].raw.size(), 1024u);
    EXPECT_EQ(sink.errors[1].line_no, 4);
    EXPECT_EQ(reader.resume_offset(), static_cast<int64_t>(input.size()));
  }
}

TEST(SnapshotReaderTest, ResumeOffsetStaysAtAnOversizedLineUntilItEnds) {
  SnapshotReaderOptions options;
  options.max_line_bytes = 1000;
  SnapshotReader reader(options);
  std::vector<Got> got;
  const std::string good = Line("a", 1) + "\n";
  reader.Feed(good + std::string(2000, 'x'));
  Drain(&reader, &got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(reader.resume_offset(), static_cast<int64_t>(good.size()));
  reader.Feed(std::string(50, 'x'));
  Drain(&reader, &got);
  EXPECT_EQ(reader.resume_offset(), static_cast<int64_t>(good.size()));
  reader.Feed("x\n" + good);
  Drain(&reader, &got);
  EXPECT_EQ(got.size(), 2u);
  const int64_t after_second = static_cast<int64_t>(good.size() + 2052 + good.size());
  EXPECT_EQ(reader.resume_offset(), after_second);
  reader.Feed(std::string(2000, 'y'));
  Drain(&reader, &got);
  EXPECT_EQ(reader.resume_offset(), after_second);
  reader.Finish();
  Drain(&reader, &got);
  EXPECT_EQ(reader.resume_offset(), after_second + 2000);  // the line ended with the input
  EXPECT_EQ(reader.counters().rejected[static_cast<int>(ParseErrorKind::kOversized)], 2);
}

TEST(SnapshotReaderTest, TenMegabyteLineUnderTheDefaultLimitDecodes) {
  std::string big = Line("big", 1);
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(10 << 20, 'x') + "\"");
  SnapshotReader reader({});
  std::vector<Got> got;
  reader.Feed(big);
  reader.Feed("\n");
  Drain(&reader, &got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].database, "big");
}

TEST(SnapshotReaderTest, LooksLikeSnapshotTellsSnapshotsFromJsonlog) {
  EXPECT_TRUE(LooksLikeSnapshot(Line("a", 1)));
  EXPECT_TRUE(LooksLikeSnapshot(R"({"tables":[],"collected_at":"x"})"));
  EXPECT_FALSE(LooksLikeSnapshot(
      R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":1,"message":"automatic vacuum"})"));
  EXPECT_FALSE(LooksLikeSnapshot("2026-11-23 23:18:21.286 UTC [1] LOG:  x"));
  EXPECT_FALSE(LooksLikeSnapshot(""));
  // Only the first line counts.
  EXPECT_FALSE(LooksLikeSnapshot("{\"a\":1}\n" + Line("a", 1)));
  // A jsonlog record that names "tables" (its database, its application) is not a snapshot.
  EXPECT_FALSE(LooksLikeSnapshot(
      R"({"timestamp":"2026-11-23 23:18:21.286 UTC","dbname":"tables","application_name":)"
      R"("tables","message":"automatic vacuum of table \"tables.public.tables\""})"));
  // A byte order mark from an editor does not hide a snapshot.
  EXPECT_TRUE(LooksLikeSnapshot("\xEF\xBB\xBF" + Line("a", 1)));
}

TEST(SnapshotFileSourceTest, ReadsAFileFromAnOffset) {
  vacwatch::testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/snapshots.jsonl";
  const std::string input = Stream();
  std::ofstream(path, std::ios::binary) << input;

  SnapshotSourceOptions options;
  auto source = SnapshotFileSource::Open(path, options);
  ASSERT_OK(source);
  Snapshot s;
  std::vector<std::string> dbs;
  int64_t after_first = 0;
  while (true) {
    auto more = (*source)->Next(&s);
    ASSERT_OK(more);
    if (!*more) break;
    dbs.emplace_back(s.database);
    if (dbs.size() == 1) after_first = (*source)->resume_offset();
  }
  EXPECT_EQ(dbs, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ((*source)->counters().table_rows, 124);
  EXPECT_EQ((*source)->resume_offset(), static_cast<int64_t>(input.size()));

  options.start_offset = after_first;
  auto resumed = SnapshotFileSource::Open(path, options);
  ASSERT_OK(resumed);
  dbs.clear();
  while (true) {
    auto more = (*resumed)->Next(&s);
    ASSERT_OK(more);
    if (!*more) break;
    dbs.emplace_back(s.database);
  }
  EXPECT_EQ(dbs, (std::vector<std::string>{"b", "c", "d"}));
}

TEST(SnapshotFileSourceTest, MissingFileIsNotFoundWithThePath) {
  auto source = SnapshotFileSource::Open("/nonexistent/dir/snapshots.jsonl", {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("/nonexistent/dir/snapshots.jsonl"), std::string::npos);
}

TEST(SnapshotFileSourceTest, DeadLettersNameTheFile) {
  vacwatch::testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/bad.jsonl";
  std::ofstream(path, std::ios::binary) << "{\"cluster\":1}\n";
  CollectingErrorSink sink;
  SnapshotSourceOptions options;
  options.errors = &sink;
  auto source = SnapshotFileSource::Open(path, options);
  ASSERT_OK(source);
  Snapshot s;
  auto more = (*source)->Next(&s);
  ASSERT_OK(more);
  EXPECT_FALSE(*more);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].source, path);
  EXPECT_EQ(sink.errors[0].field, "cluster");
}

}  // namespace
}  // namespace vacwatch::ingest
