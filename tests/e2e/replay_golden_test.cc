// `vacwatch replay` prints exactly the bytes it printed before the driver, the typed boundaries
// and the shipper envelopes landed (tests/data/golden/README.md): for every log destination of
// the shared dataset, for the stderr log as each shipper wraps it (scripts/ship-log), and for
// the snapshots alone. Refactors of the core must not change a byte of what users get.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch {
namespace {

using testing::Replay;
using testing::ReplayResult;

std::string Golden(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/tests/data/golden/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

std::string DatasetFile(const std::string& name) {
  return testing::DatasetPath("pg15-prod-eu-1") + "/" + name;
}

class ReplayGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayGoldenTest, JsonAndTextOutputsAreTheGoldenBytes) {
  const std::string log = DatasetFile(GetParam());
  ReplayResult json = Replay({"--logs", log, "--stats", DatasetFile("snapshots.jsonl")});
  ASSERT_TRUE(json.status.ok()) << json.status << json.err;
  EXPECT_EQ(json.out, Golden("replay-pg15-prod-eu-1.jsonl"));
  ReplayResult text =
      Replay({"--logs", log, "--stats", DatasetFile("snapshots.jsonl"), "--format", "text"});
  ASSERT_TRUE(text.status.ok()) << text.status << text.err;
  EXPECT_EQ(text.out, Golden("replay-pg15-prod-eu-1.txt"));
}

INSTANTIATE_TEST_SUITE_P(LogDestinations, ReplayGoldenTest,
                         ::testing::Values("postgresql.log", "postgresql.csv", "postgresql.json"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(info.param.find('.') + 1);
                         });

TEST(ReplayGoldenSnapshotsOnlyTest, OutputIsTheGoldenBytes) {
  ReplayResult run = Replay({"--stats", DatasetFile("snapshots.jsonl")});
  ASSERT_TRUE(run.status.ok()) << run.status << run.err;
  EXPECT_EQ(run.out, Golden("replay-pg15-prod-eu-1-stats-only.jsonl"));
}

// The stderr log (and for CloudNativePG the csvlog) as each shipper sends it gives the plain
// log's alerts to the byte, with nothing skipped or rejected beyond the plain log's.
class ShippedReplayGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedReplayGoldenTest, WrappedLogGivesTheGoldenBytes) {
  const std::string& shipper = GetParam();
  testing::ScopedTempDir dir;
  const std::string wrapped = dir.path() + "/" + shipper + ".jsonl";
  const std::string source = DatasetFile(shipper == "cnpg" ? "postgresql.csv" : "postgresql.log");
  const std::string command = absl::StrCat("python3 ", testing::SourceDir(), "/scripts/ship-log ",
                                           shipper, " < '", source, "' > '", wrapped, "'");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ReplayResult run = Replay({"--logs", wrapped, "--stats", DatasetFile("snapshots.jsonl")});
  ASSERT_TRUE(run.status.ok()) << run.status << run.err;
  EXPECT_EQ(run.out, Golden("replay-pg15-prod-eu-1.jsonl"));
  EXPECT_NE(run.err.find(" 18 skipped, 0 rejected"), std::string::npos) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Shippers, ShippedReplayGoldenTest,
                         ::testing::Values("cloud-logging", "fluent-bit", "vector", "filebeat",
                                           "cnpg"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace vacwatch
