// The `vacwatch` binary: dispatches to the subcommands listed in app/commands.cc.
#include <string>
#include <vector>

#include "app/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  vacwatch::app::CommandIo io;
  return vacwatch::app::RunVacwatch(args, io);
}
