#include "app/log_inputs.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::app {
namespace {

TEST(LogInputsTest, PlainFilesNamedClustersAndStdin) {
  absl::StatusOr<std::vector<LogInputArg>> logs =
      ExpandLogArgs({"a.log", "prod-eu-1=/var/log/pg.csv", "-", "x=y"});
  ASSERT_OK(logs);
  EXPECT_EQ(*logs, (std::vector<LogInputArg>{
                       {"a.log", ""}, {"/var/log/pg.csv", "prod-eu-1"}, {"-", ""}, {"y", "x"}}));
  // A '=' after a '/' belongs to the path.
  logs = ExpandLogArgs({"/logs/a=b.log"});
  ASSERT_OK(logs);
  EXPECT_EQ((*logs)[0].cluster, "");
  EXPECT_FALSE(ExpandLogArgs({"=a.log"}).ok());
  EXPECT_FALSE(ExpandLogArgs({"c1="}).ok());
}

TEST(LogInputsTest, ClusterPatternsTakeEveryMatchWithItsName) {
  testing::ScopedTempDir dir;
  for (const char* p : {"logs/eu-1/postgresql.log", "logs/eu-1/postgresql.csv",
                        "logs/us-2/postgresql.log", "flat/us-2-postgresql.log"}) {
    std::filesystem::create_directories(std::filesystem::path(dir.path() + "/" + p).parent_path());
    std::ofstream(dir.path() + "/" + p) << "x\n";
  }
  absl::StatusOr<std::vector<LogInputArg>> logs =
      ExpandLogArgs({dir.path() + "/logs/{cluster}/*.log"});
  ASSERT_OK(logs);
  EXPECT_EQ(*logs, (std::vector<LogInputArg>{{dir.path() + "/logs/eu-1/postgresql.log", "eu-1"},
                                             {dir.path() + "/logs/us-2/postgresql.log", "us-2"}}));
  logs = ExpandLogArgs({dir.path() + "/flat/{cluster}-postgresql.log"});
  ASSERT_OK(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].cluster, "us-2");
  EXPECT_FALSE(ExpandLogArgs({dir.path() + "/nothing/{cluster}.log"}).ok());
  EXPECT_FALSE(ExpandLogArgs({dir.path() + "/{cluster}/{cluster}.log"}).ok());
}

}  // namespace
}  // namespace vacwatch::app
