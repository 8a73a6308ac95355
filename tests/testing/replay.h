#ifndef VACWATCH_TESTS_TESTING_REPLAY_H_
#define VACWATCH_TESTS_TESTING_REPLAY_H_

// Runs `vacwatch replay ARGS` in-process, through the command as a user runs it, and captures
// what it prints:
//
//   ReplayResult run = Replay({"--logs", log_path, "--stats", stats_path});
//   ASSERT_OK(run.status);
//   EXPECT_NE(run.err.find(" 0 rejected"), std::string::npos) << run.err;
//
// Each call writes to temporary files of its own (std::tmpfile), closed before it returns.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"
#include "app/replay_command.h"
#include "tests/testing/file_contents.h"

namespace vacwatch::testing {

struct ReplayResult {
  absl::Status status;   // what RunReplayCommand returned
  std::string out, err;  // what it printed to stdout and stderr
};

inline ReplayResult Replay(const std::vector<std::string>& args) {
  app::CommandIo io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  ReplayResult result;
  result.status = app::RunReplayCommand(args, io);
  result.out = FileContents(io.out);
  result.err = FileContents(io.err);
  std::fclose(io.out);
  std::fclose(io.err);
  return result;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_REPLAY_H_
