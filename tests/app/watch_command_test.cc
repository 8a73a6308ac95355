// `vacwatch watch`'s flags (tests/e2e/watch_test.cc runs it against a real server).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/vacwatch_command.h"

namespace vacwatch::testing {
namespace {

using ::testing::HasSubstr;

TEST(WatchCommandTest, HelpNamesWhatItNeedsAndWhatItAsksTheServer) {
  const CommandResult run = RunVacwatchCommand({"watch", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  for (const char* flag : {"--dsn", "--log-file", "--log-format", "--state-dir", "--interval",
                           "--cluster", "--config", "--quiet", "--alertmanager-url",
                           "--webhook-url", "--pagerduty-routing-key", "--metrics-listen"}) {
    EXPECT_THAT(run.out, HasSubstr(flag));
  }
  EXPECT_THAT(run.out, HasSubstr("log_line_prefix"));
  EXPECT_THAT(run.out, HasSubstr("SIGINT/SIGTERM"));
}

TEST(WatchCommandTest, BadFlagsAreUsageErrorsBeforeAnyConnection) {
  // An unreachable DSN: a usage error must come first (watch would wait for the server).
  const std::string dsn = "host=/nonexistent port=1";
  CommandResult run = RunVacwatchCommand({"watch", "--dsn", dsn, "--max-input-skew", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--max-input-skew"));
  run = RunVacwatchCommand({"watch", "--dsn", dsn, "--log-format", "syslog"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown log format 'syslog'"));
  run = RunVacwatchCommand({"watch", "--dsn", dsn, "--interval", "soon"});
  EXPECT_EQ(run.exit_code, 2);
}

}  // namespace
}  // namespace vacwatch::testing
