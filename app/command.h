#ifndef VACWATCH_APP_COMMAND_H_
#define VACWATCH_APP_COMMAND_H_

// A vacwatch subcommand: a name, a one-line summary for `vacwatch --help`, and a function from
// its arguments to a Status. Every command is listed once, in app/commands.cc; the exit code
// follows from the Status code (ExitCode), and the error is printed as one line by RunVacwatch
// (cli.h). A command writes through CommandIo only, so tests can run it in-process:
//
//   CommandIo io{.in = stdin, .out = out_file, .err = err_file};
//   absl::Status s = FindCommand("parse")->run({"--format", "csvlog", "pg.csv"}, io);

#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace vacwatch::app {

struct CommandIo {
  std::FILE* in = stdin;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  // `args` are the arguments after the command name. Prints its own --help to io.out.
  absl::Status (*run)(const std::vector<std::string>& args, CommandIo& io);
};

// Every command, in the order `vacwatch --help` lists them.
std::span<const Command> AllCommands();
// The command called `name`, or nullptr.
const Command* FindCommand(std::string_view name);

// 0 for OK; 2 for usage errors (InvalidArgument) and missing files (NotFound); 1 otherwise.
int ExitCode(const absl::Status& status);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_COMMAND_H_
