// `vacwatch run`'s command line and config, up to the point where it would connect: errors
// name the config path, per-topic settings are read. (The service itself: tests/e2e/kafka_*.)

#include "app/run_command.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/vacwatch_command.h"

namespace vacwatch::app {
namespace {

using ::testing::HasSubstr;

using RunResult = testing::CommandResult;

RunResult Vacwatch(const std::vector<std::string>& args) {
  return testing::RunVacwatchCommand(args);
}

class RunCommandTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& text) {
    std::string path = temp_.path() + "/vacwatch.yaml";
    std::ofstream(path) << text;
    return path;
  }
  RunResult Run(const std::string& config) {
    return Vacwatch({"run", "--brokers", "127.0.0.1:1", "--state-dir", temp_.path() + "/state",
                     "--config", Config(config)});
  }
  testing::ScopedTempDir temp_;
};

TEST_F(RunCommandTest, AnUnknownKeyOfATopicSectionIsNamedWithItsPath) {
  const RunResult run = Run("kafka:\n  logs:\n    topic: my.logs\n    payload_feld: msg\n");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("kafka.logs.payload_feld"));
  EXPECT_THAT(run.err, HasSubstr("payload_field"));  // what it could have been
}

TEST_F(RunCommandTest, TheStatsSectionTakesOnlyItsTopic) {
  const RunResult run = Run("kafka:\n  stats:\n    topic: my.stats\n    cluster_header: c\n");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("kafka.stats.cluster_header"));
}

TEST_F(RunCommandTest, AnUnsetEnvironmentVariableIsNamedNeverItsValue) {
  const RunResult run = Run("kafka:\n  logs:\n    cluster_header: ${VACWATCH_TEST_UNSET_VAR}\n");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("VACWATCH_TEST_UNSET_VAR"));
}

TEST_F(RunCommandTest, HelpNamesThePerTopicFlags) {
  const RunResult run = Vacwatch({"run", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("--cluster-header"));
  EXPECT_THAT(run.out, HasSubstr("--checkpoint-interval"));
}

}  // namespace
}  // namespace vacwatch::app
