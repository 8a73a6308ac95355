// A real PostgreSQL 15 log written with pgBadger's documented log_line_prefix
// ('%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ', not among the common prefixes in this
// order) and log_timezone = 'Asia/Shanghai' (its timestamps say CST), recorded by
// `LOG_LINE_PREFIX=... LOG_TIMEZONE=Asia/Shanghai scripts/record-example` into
// tests/data/logs/pg15-pgbadger-shanghai/:
//   - `parse` with no option reads every entry (the prefix inferred from the lines) and says
//     that CST is ambiguous, naming --log-timezone; with --log-timezone Asia/Shanghai the
//     events' times are the csvlog's, to the second;
//   - `replay` takes the zone from the snapshots' log_timezone setting and finds the pinned
//     table with its root, as the answer key says.

#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/command.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/gunzip.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"

namespace vacwatch {
namespace {

std::string Gunzipped(const std::string& from, const std::string& dir) {
  const std::string name = from.substr(from.rfind('/') + 1);
  std::string to = dir + "/" + name.substr(0, name.size() - 3);
  EXPECT_TRUE(testing::Gunzip(from, to));
  return to;
}

std::string Recording(const std::string& name) {
  return testing::SourceDir() + "/tests/data/logs/pg15-pgbadger-shanghai/" + name;
}

struct CliRun {
  int code = -1;
  std::string out, err;
};

CliRun Vacwatch(const std::vector<std::string>& args) {
  app::CommandIo io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  CliRun r;
  r.code = app::RunVacwatch(args, io);
  r.out = testing::FileContents(io.out);
  r.err = testing::FileContents(io.err);
  std::fclose(io.out);
  std::fclose(io.err);
  return r;
}

// The "time" of every event line, in order.
std::vector<std::string> EventTimes(const std::string& out) {
  std::vector<std::string> times;
  size_t at = 0;
  while ((at = out.find("\"time\":\"", at)) != std::string::npos) {
    at += 8;
    times.push_back(out.substr(at, 19));  // to the second: %t has no fraction
  }
  return times;
}

TEST(RealPrefixAndZoneTest, InfersThePrefixAndReadsCstInTheServersZone) {
  testing::ScopedTempDir dir;
  const std::string log = Gunzipped(Recording("postgresql.log.gz"), dir.path());
  const std::string csv = Gunzipped(Recording("postgresql.csv.gz"), dir.path());

  const CliRun guessed = Vacwatch({"parse", "--cluster", "c", log});
  ASSERT_EQ(guessed.code, 0) << guessed.err;
  EXPECT_NE(guessed.err.find(" 0 rejected"), std::string::npos) << guessed.err;
  EXPECT_NE(guessed.err.find("'CST'"), std::string::npos) << guessed.err;
  EXPECT_NE(guessed.err.find("--log-timezone"), std::string::npos) << guessed.err;

  const CliRun zoned =
      Vacwatch({"parse", "--cluster", "c", "--log-timezone", "Asia/Shanghai", log});
  const CliRun csv_run =
      Vacwatch({"parse", "--cluster", "c", "--log-timezone", "Asia/Shanghai", csv});
  ASSERT_EQ(zoned.code, 0) << zoned.err;
  ASSERT_EQ(csv_run.code, 0) << csv_run.err;
  EXPECT_EQ(zoned.err.find("'CST'"), std::string::npos) << zoned.err;
  const std::vector<std::string> from_stderr = EventTimes(zoned.out);
  ASSERT_FALSE(from_stderr.empty());
  EXPECT_EQ(from_stderr, EventTimes(csv_run.out));
  EXPECT_NE(EventTimes(guessed.out), from_stderr);  // read as US Central: 14 h off
}

TEST(RealPrefixAndZoneTest, ReplayTakesTheZoneFromTheSnapshotsAndFindsThePin) {
  testing::ScopedTempDir dir;
  const std::string log = Gunzipped(Recording("postgresql.log.gz"), dir.path());
  const std::string stats = Gunzipped(Recording("snapshots.jsonl.gz"), dir.path());
  const testing::ReplayResult run = testing::Replay({"--logs", log, "--stats", stats});
  ASSERT_OK(run.status);
  EXPECT_EQ(run.err.find("'CST'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(" 0 rejected"), std::string::npos) << run.err;
  const std::vector<pipeline::Alert> alerts = testing::ParseTransitions(run.out);
  const pipeline::Alert* fired = nullptr;
  for (const pipeline::Alert& a : alerts) {
    if (a.status == pipeline::AlertStatus::kFiring &&
        testing::TableOf(a) == "reporting.public.held_table")
      fired = &a;
  }
  ASSERT_NE(fired, nullptr) << run.out;
  EXPECT_EQ(fired->cause, pipeline::Cause::kXminHorizon);
  ASSERT_TRUE(fired->holder.has_value());
  EXPECT_EQ(fired->holder->application_name, "nightly_report");
}

}  // namespace
}  // namespace vacwatch
