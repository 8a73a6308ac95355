#ifndef VACWATCH_APP_CLI_H_
#define VACWATCH_APP_CLI_H_

// RunVacwatch: the whole `vacwatch` binary behind main(), callable from tests.
//
//   vacwatch [-h|--help]            usage and the command table (stdout, exit 0)
//   vacwatch                        the same usage on stderr, exit 2
//   vacwatch --version              "vacwatch X.Y.Z"
//   vacwatch <command> [args...]    runs the command; `<command> --help` prints its options
//
// A failing command prints exactly one line, "vacwatch: <message>", on io.err and returns
// ExitCode(status): 2 for usage errors and missing files, 1 for other failures.

#include <string>
#include <vector>

#include "app/command.h"

namespace vacwatch::app {

// `args` excludes argv[0]. Returns the process exit code.
int RunVacwatch(const std::vector<std::string>& args, CommandIo& io);

// The `vacwatch --help` text.
std::string UsageText();

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_CLI_H_
