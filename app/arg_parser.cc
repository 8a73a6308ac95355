#include "app/arg_parser.h"

#include <algorithm>
#include <utility>

namespace vacwatch::app {

ArgParser::ArgParser(std::string command, std::string description)
    : command_(std::move(command)), description_(std::move(description)) {}

ArgParser::Option& ArgParser::Add(Kind kind, std::string name, std::string value_name,
                                  std::string help) {
  Option& o = options_.emplace_back();
  o.kind = kind;
  o.name = std::move(name);
  o.value_name = std::move(value_name);
  o.help = std::move(help);
  return o;
}

void ArgParser::AddString(std::string name, std::string value_name, std::string help,
                          std::string* value) {
  Option& o = Add(Kind::kString, std::move(name), std::move(value_name), std::move(help));
  o.string_value = value;
  o.default_text = *value;
}

void ArgParser::AddRepeated(std::string name, std::string value_name, std::string help,
                            std::vector<std::string>* values) {
  Add(Kind::kRepeated, std::move(name), std::move(value_name), std::move(help)).list_value = values;
}

void ArgParser::AddMulti(std::string name, std::string value_name, std::string help,
                         std::vector<std::string>* values) {
  Add(Kind::kMulti, std::move(name), std::move(value_name), std::move(help)).list_value = values;
}

void ArgParser::AddSwitch(std::string name, std::string help, bool* value) {
  Add(Kind::kSwitch, std::move(name), "", std::move(help)).switch_value = value;
}

void ArgParser::SetPositionals(std::string value_name, std::string help, size_t min_count,
                               std::vector<std::string>* values) {
  positional_name_ = std::move(value_name);
  positional_help_ = std::move(help);
  positional_min_ = min_count;
  positionals_ = values;
}

const ArgParser::Option* ArgParser::Find(std::string_view name) const {
  for (const Option& o : options_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

absl::Status ArgParser::UsageError(std::string_view message) const {
  return absl::InvalidArgumentError(std::string(message) + " (see 'vacwatch " + command_ +
                                    " --help')");
}

absl::Status ArgParser::Parse(const std::vector<std::string>& args) {
  help_requested_ = false;
  bool only_positionals = false;
  size_t positional_count = 0;
  const auto add_positional = [&](const std::string& arg) -> absl::Status {
    if (positionals_ == nullptr) return UsageError("unexpected argument '" + arg + "'");
    positionals_->push_back(arg);
    ++positional_count;
    return absl::OkStatus();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || arg == "-" || arg.empty() || arg[0] != '-') {
      if (absl::Status s = add_positional(arg); !s.ok()) return s;
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      return absl::OkStatus();
    }
    if (arg.size() < 3 || arg[1] != '-') return UsageError("unknown flag " + arg);
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const Option* option = Find(name);
    if (option == nullptr) return UsageError("unknown flag --" + name);
    const bool inline_value = eq != std::string::npos;
    if (option->kind == Kind::kSwitch) {
      if (inline_value) return UsageError("flag --" + name + " takes no value");
      *option->switch_value = true;
      continue;
    }
    if (inline_value) {
      std::string value = arg.substr(eq + 1);
      if (option->kind == Kind::kString) {
        *option->string_value = std::move(value);
      } else {
        option->list_value->push_back(std::move(value));
      }
      continue;
    }
    if (i + 1 >= args.size()) {
      return UsageError("flag --" + name + " needs a value (" + option->value_name + ")");
    }
    switch (option->kind) {
      case Kind::kString:
        *option->string_value = args[++i];
        break;
      case Kind::kRepeated:
        option->list_value->push_back(args[++i]);
        break;
      case Kind::kMulti: {
        const size_t first = i + 1;
        while (i + 1 < args.size() &&
               (args[i + 1] == "-" || args[i + 1].empty() || args[i + 1][0] != '-')) {
          option->list_value->push_back(args[++i]);
        }
        if (i + 1 == first) {
          return UsageError("flag --" + name + " needs a value (" + option->value_name + ")");
        }
        break;
      }
      case Kind::kSwitch:
        break;
    }
  }
  if (positionals_ != nullptr && positional_count < positional_min_) {
    return UsageError("missing " + positional_name_);
  }
  return absl::OkStatus();
}

std::string ArgParser::Help() const {
  std::string usage = "Usage: vacwatch " + command_;
  if (!options_.empty()) usage += " [options]";
  if (positionals_ != nullptr) {
    usage +=
        positional_min_ == 0 ? " [" + positional_name_ + "...]" : " " + positional_name_ + "...";
  }
  // Left column ("--format FORMAT"), right column (help and default), aligned.
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Option& o : options_) {
    std::string left = "--" + o.name;
    if (o.kind != Kind::kSwitch) left += " " + o.value_name;
    if (o.kind == Kind::kMulti) left += "...";
    std::string right = o.help;
    if (o.kind == Kind::kString && !o.default_text.empty()) {
      right += " (default: " + o.default_text + ")";
    }
    if (o.kind == Kind::kRepeated) right += " (repeatable)";
    rows.emplace_back(std::move(left), std::move(right));
  }
  rows.emplace_back("-h, --help", "show this help");
  size_t width = positionals_ != nullptr ? positional_name_.size() + 3 : 0;
  for (const auto& [left, right] : rows) width = std::max(width, left.size());

  // Help text wraps at 100 columns, continuation lines under the help column.
  constexpr size_t kColumns = 100;
  const size_t indent = 2 + width + 2;
  const auto row = [&](const std::string& left, const std::string& right) {
    std::string out(2, ' ');
    out.append(left).append(width - left.size() + 2, ' ');
    size_t column = indent;
    size_t pos = 0;
    while (pos < right.size()) {
      size_t end = right.find(' ', pos);
      if (end == std::string::npos) end = right.size();
      const size_t word = end - pos;
      if (column > indent && column + 1 + word > kColumns) {
        out.append(1, '\n').append(indent, ' ');
        column = indent;
      } else if (column > indent) {
        out += ' ';
        ++column;
      }
      out.append(right, pos, word);
      column += word;
      pos = end + 1;
    }
    return out + "\n";
  };

  std::string text = usage + "\n\n" + description_ + "\n";
  if (positionals_ != nullptr) {
    text += "\nArguments:\n" + row(positional_name_ + "...", positional_help_);
  }
  text += "\nOptions:\n";
  for (const auto& [left, right] : rows) text += row(left, right);
  return text;
}

}  // namespace vacwatch::app
