// `vacwatch parse` and `replay` read what log shippers send exactly as they read the plain log,
// on a real PostgreSQL 15 recorded with Cloud SQL's log_line_prefix
// (tests/data/shippers/cloudsql-pg15/README.md): its Cloud Logging export (one record per
// physical line, the line without its timestamp in textPayload), its CloudNativePG JSON log
// (csvlog fields under `record`), and the log as Fluent Bit, Vector and Filebeat wrap it
// (made here by scripts/ship-log). Every event, continuation fields included, is the plain
// log's; only positions differ (they are the wrapped file's).

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/command.h"
#include "app/parse_command.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/gunzip.h"
#include "tests/testing/replay.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch {
namespace {

struct ParseRun {
  std::string out, err;
  bool ok = false;
};

ParseRun Parse(const std::vector<std::string>& args) {
  app::CommandIo io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  ParseRun run;
  run.ok = app::RunParse(args, io).ok();
  run.out = testing::FileContents(io.out);
  run.err = testing::FileContents(io.err);
  std::fclose(io.out);
  std::fclose(io.err);
  return run;
}

std::string WithoutPositions(const std::string& events) {
  static const std::regex kPositions(R"(,"byte_offset":\d+,"line_no":\d+)");
  return std::regex_replace(events, kPositions, "");
}

class ShipperEnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = testing::SourceDir() + "/tests/data/shippers/cloudsql-pg15/";
    for (const char* name : {"postgresql.log", "postgresql.csv", "snapshots.jsonl",
                             "cloud-logging.jsonl", "cnpg.jsonl"}) {
      ASSERT_TRUE(testing::Gunzip(data + name + ".gz", Path(name)));
    }
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  std::string Ship(const std::string& shipper) const {
    std::string out = Path(shipper + ".jsonl");
    const std::string command =
        absl::StrCat("python3 ", testing::SourceDir(), "/scripts/ship-log ", shipper,
                     " --cluster cloudsql-demo < '", Path("postgresql.log"), "' > '", out, "'");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out;
  }

  testing::ScopedTempDir dir_;
};

TEST_F(ShipperEnvelopeTest, EveryShippersRecordsGiveThePlainLogsEvents) {
  const ParseRun plain = Parse({"--cluster", "cloudsql-demo", Path("postgresql.log")});
  ASSERT_TRUE(plain.ok) << plain.err;
  ASSERT_NE(plain.out.find("\"type\":\"vacuum\""), std::string::npos);
  // Continuation fields made it through: the removable cutoff is on the report's 4th line.
  ASSERT_NE(plain.out.find("\"removable_cutoff\":"), std::string::npos);
  const std::string expected = WithoutPositions(plain.out);
  for (const std::string& file : {Path("cloud-logging.jsonl"), Path("cnpg.jsonl"),
                                  Ship("fluent-bit"), Ship("vector"), Ship("filebeat")}) {
    SCOPED_TRACE(file);
    const ParseRun wrapped = Parse({"--cluster", "cloudsql-demo", file});
    ASSERT_TRUE(wrapped.ok) << wrapped.err;
    EXPECT_EQ(WithoutPositions(wrapped.out), expected);
    EXPECT_NE(wrapped.err.find(" 0 rejected"), std::string::npos) << wrapped.err;
  }
}

TEST_F(ShipperEnvelopeTest, ClusterComesFromARecordField) {
  const ParseRun run =
      Parse({"--cluster-field", "resource.labels.database_id", Path("cloud-logging.jsonl")});
  ASSERT_TRUE(run.ok) << run.err;
  EXPECT_NE(run.out.find("\"cluster\":\"acme-prod:cloudsql-demo\""), std::string::npos);
  EXPECT_EQ(run.out.find("\"cluster\":\"default\""), std::string::npos);
}

TEST_F(ShipperEnvelopeTest, ReplayOfTheCloudLoggingExportGivesThePlainLogsAlerts) {
  const testing::ReplayResult plain =
      testing::Replay({"--logs", Path("postgresql.log"), "--stats", Path("snapshots.jsonl")});
  ASSERT_TRUE(plain.status.ok()) << plain.err;
  ASSERT_FALSE(plain.out.empty());
  for (const char* name : {"cloud-logging.jsonl", "cnpg.jsonl"}) {
    const testing::ReplayResult wrapped =
        testing::Replay({"--logs", Path(name), "--stats", Path("snapshots.jsonl")});
    ASSERT_TRUE(wrapped.status.ok()) << wrapped.err;
    EXPECT_EQ(wrapped.out, plain.out) << name;
  }
}

}  // namespace
}  // namespace vacwatch
