#include "sinks/http/url_template.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "sinks/alert_labels.h"

namespace vacwatch::sinks {
namespace {

void AppendEncoded(std::string_view value, std::string* out) {
  for (const char c : value) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out->push_back(c);
    } else {
      absl::StrAppendFormat(out, "%%%02X", static_cast<unsigned char>(c));
    }
  }
}

}  // namespace

std::string ExpandAlertTemplate(std::string_view text, const pipeline::Alert& alert) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find('{', pos);
    const size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (name == "fingerprint") {
      AppendEncoded(alert.fingerprint, &out);
    } else if (IsAlertLabelName(name)) {
      AppendEncoded(AlertLabel(alert, name).value_or(""), &out);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

}  // namespace vacwatch::sinks
