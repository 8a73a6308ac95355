#include "app/cli.h"

#include <algorithm>
#include <string_view>

namespace vacwatch::app {
namespace {

#ifndef VACWATCH_VERSION
#define VACWATCH_VERSION "0.0.0"
#endif

void PrintError(const absl::Status& status, CommandIo& io) {
  // One line: a multi-line message would be cut by log shippers and hard to grep.
  std::string message(status.message());
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::fprintf(io.err, "vacwatch: %s\n", message.c_str());
}

}  // namespace

std::string UsageText() {
  std::string text =
      "Usage: vacwatch <command> [options]\n"
      "\n"
      "Tells a PostgreSQL fleet's on-call when autovacuum runs but does not keep up.\n"
      "\n"
      "Commands:\n";
  size_t width = 0;
  for (const Command& c : AllCommands()) width = std::max(width, c.name.size());
  for (const Command& c : AllCommands()) {
    text += "  ";
    text += c.name;
    text += std::string(width - c.name.size() + 3, ' ');
    text += c.summary;
    text += "\n";
  }
  text +=
      "\n"
      "Options:\n"
      "  -h, --help     show this help\n"
      "  --version      print the version\n"
      "\n"
      "Run 'vacwatch <command> --help' for a command's options.\n";
  return text;
}

int RunVacwatch(const std::vector<std::string>& args, CommandIo& io) {
  if (args.empty()) {
    std::fputs(UsageText().c_str(), io.err);
    return 2;
  }
  const std::string& first = args[0];
  if (first == "-h" || first == "--help" || first == "help") {
    std::fputs(UsageText().c_str(), io.out);
    return 0;
  }
  if (first == "--version") {
    std::fprintf(io.out, "vacwatch %s\n", VACWATCH_VERSION);
    return 0;
  }
  const Command* command = FindCommand(first);
  if (command == nullptr) {
    const absl::Status status = absl::InvalidArgumentError(
        first.starts_with("-") ? "unknown flag " + first + " (see 'vacwatch --help')"
                               : "unknown command '" + first + "' (see 'vacwatch --help')");
    PrintError(status, io);
    return ExitCode(status);
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const absl::Status status = command->run(rest, io);
  std::fflush(io.out);
  if (!status.ok()) PrintError(status, io);
  return ExitCode(status);
}

}  // namespace vacwatch::app
