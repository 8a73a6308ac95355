#ifndef VACWATCH_TESTS_TESTING_SHELL_COMMAND_H_
#define VACWATCH_TESTS_TESTING_SHELL_COMMAND_H_

// A shell command run to its end (scripts/demo as a user runs it), with its standard output
// and standard error captured:
//
//   const ShellResult run = RunShellCommand("VACWATCH=build/vacwatch scripts/demo --live");
//   ASSERT_TRUE(run.succeeded()) << run.command << "\n" << run.out << run.err;
//
// stderr goes through a temporary file, removed before returning. Blocks until the command
// exits.

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::testing {

struct ShellResult {
  std::string command;
  int status = -1;  // as pclose returns it
  std::string out, err;
  bool succeeded() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

inline ShellResult RunShellCommand(const std::string& command) {
  ScopedTempDir temp;
  const std::string err_path = temp.path() + "/stderr";
  ShellResult run;
  run.command = absl::StrCat(command, " 2>'", err_path, "'");
  std::FILE* pipe = ::popen(run.command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[1 << 14];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  run.status = ::pclose(pipe);
  if (std::FILE* err = std::fopen(err_path.c_str(), "r")) {
    run.err = FileContents(err);
    std::fclose(err);
  }
  return run;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_SHELL_COMMAND_H_
