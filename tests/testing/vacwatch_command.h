#ifndef VACWATCH_TESTS_TESTING_VACWATCH_COMMAND_H_
#define VACWATCH_TESTS_TESTING_VACWATCH_COMMAND_H_

// `vacwatch args...` run in-process, with what it prints captured:
//
//   const CommandResult run = RunVacwatchCommand({"parse", "--help"});
//   EXPECT_EQ(run.exit_code, 0);
//   EXPECT_THAT(run.out, HasSubstr("Usage"));

#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/command.h"
#include "tests/testing/file_contents.h"

namespace vacwatch::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline CommandResult RunVacwatchCommand(const std::vector<std::string>& args) {
  app::CommandIo io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  CommandResult run;
  run.exit_code = app::RunVacwatch(args, io);
  run.out = FileContents(io.out);
  run.err = FileContents(io.err);
  std::fclose(io.out);
  std::fclose(io.err);
  return run;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_VACWATCH_COMMAND_H_
