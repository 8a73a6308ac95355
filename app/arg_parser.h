#ifndef VACWATCH_APP_ARG_PARSER_H_
#define VACWATCH_APP_ARG_PARSER_H_

// ArgParser: a command's options, declared once, parsed from its arguments and printed as its
// `--help`. absl flags are global and single-valued; vacwatch commands need per-command
// options and multi-value ones (`--logs A.log B.log --stats S.jsonl`), hence this.
//
//   std::string format = "auto";                  // the default is the variable's value
//   std::vector<std::string> files;
//   ArgParser parser("parse", "Prints the events of PostgreSQL logs as JSON lines.");
//   parser.AddString("format", "FORMAT", "auto, stderr, csvlog, jsonlog or snapshot", &format);
//   parser.SetPositionals("FILE", "log files; - reads stdin", /*min_count=*/1, &files);
//   VW_RETURN_IF_ERROR(parser.Parse(args));
//   if (parser.help_requested()) { Print(parser.Help()); return absl::OkStatus(); }
//
// Accepted: `--name value`, `--name=value`, `--switch`, `--` (everything after is
// positional), `-` (a positional: stdin), `-h`/`--help`. A multi-value option takes every
// following argument up to the next that starts with '-' (except `-` itself). Errors are
// InvalidArgument with one line that ends "(see 'vacwatch <command> --help')".
//
// The parser keeps the pointers it is given: the variables must outlive Parse().

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace vacwatch::app {

class ArgParser {
 public:
  ArgParser(std::string command, std::string description);

  // --name VALUE, once (a repeat overrides). `*value` holds the default.
  void AddString(std::string name, std::string value_name, std::string help, std::string* value);
  // --name VALUE, any number of times; each occurrence appends.
  void AddRepeated(std::string name, std::string value_name, std::string help,
                   std::vector<std::string>* values);
  // --name V1 V2 ...: one or more values; occurrences accumulate.
  void AddMulti(std::string name, std::string value_name, std::string help,
                std::vector<std::string>* values);
  // --name: sets `*value` to true.
  void AddSwitch(std::string name, std::string help, bool* value);
  // Arguments that are not options; fewer than `min_count` is a usage error. Without this
  // call, any positional argument is an error.
  void SetPositionals(std::string value_name, std::string help, size_t min_count,
                      std::vector<std::string>* values);

  // Parses the arguments that follow the command name. Stops at -h/--help (help_requested).
  absl::Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }

  // The `vacwatch <command> --help` text.
  std::string Help() const;

 private:
  enum class Kind { kString, kRepeated, kMulti, kSwitch };
  struct Option {
    Kind kind = Kind::kString;
    std::string name, value_name, help;
    std::string* string_value = nullptr;
    std::vector<std::string>* list_value = nullptr;
    bool* switch_value = nullptr;
    std::string default_text;  // shown in the help
  };

  Option& Add(Kind kind, std::string name, std::string value_name, std::string help);
  const Option* Find(std::string_view name) const;
  absl::Status UsageError(std::string_view message) const;

  std::string command_, description_;
  std::vector<Option> options_;
  std::string positional_name_, positional_help_;
  size_t positional_min_ = 0;
  std::vector<std::string>* positionals_ = nullptr;
  bool help_requested_ = false;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_ARG_PARSER_H_
