#include "app/env_expansion.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace vacwatch::app {

absl::StatusOr<std::string> ExpandEnv(std::string_view config_path, const std::string& value) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = value.find("${", pos);
    const size_t close = open == std::string::npos ? open : value.find('}', open);
    if (close == std::string::npos) break;
    out.append(value, pos, open - pos);
    const std::string name = value.substr(open + 2, close - open - 2);
    const char* env = std::getenv(name.c_str());
    if (env == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("config key '", std::string(config_path),
                                                     "': environment variable ", name,
                                                     " is not set"));
    }
    out.append(env);
    pos = close + 1;
  }
  out.append(value, pos, std::string::npos);
  return out;
}

}  // namespace vacwatch::app
