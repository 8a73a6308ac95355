#include "common/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vacwatch::metrics {
namespace {

bool IsNameChar(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon_ok;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

void AppendEscaped(std::string_view text, bool quote, std::string* out) {
  for (char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

bool IsValidMetricName(std::string_view name) { return IsValidName(name, /*colon_ok=*/true); }

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, /*colon_ok=*/false) && !name.starts_with("__");
}

void AppendMetricValue(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buffer[32];
  std::to_chars_result r;
  if (value == std::trunc(value) && std::fabs(value) <= 9007199254740992.0) {
    r = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buffer, buffer + sizeof(buffer), value);  // shortest round trip
  }
  out->append(buffer, r.ptr);
}

void TextFormatWriter::Fail(const std::string& message) {
  if (status_.ok()) status_ = absl::InternalError(message);
}

void TextFormatWriter::Family(std::string_view name, MetricType type, std::string_view help,
                              std::initializer_list<std::string_view> label_names) {
  name_.clear();  // samples until the next valid Family are misuse
  if (!IsValidMetricName(name)) {
    Fail(absl::StrCat("metric name '", std::string(name), "' is not valid"));
    return;
  }
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    Fail(absl::StrCat("counter ", std::string(name), " is not named *_total"));
    return;
  }
  if (!families_.emplace(name).second) {
    Fail(absl::StrCat("metric family ", std::string(name), " declared twice"));
    return;
  }
  label_names_.clear();
  for (std::string_view label : label_names) {
    if (!IsValidLabelName(label) || (type == MetricType::kHistogram && label == "le")) {
      Fail(absl::StrCat("label name '", std::string(label), "' of ", std::string(name),
                        " is not valid"));
      return;
    }
    label_names_.emplace_back(label);
  }
  name_ = std::string(name);
  type_ = type;
  absl::StrAppend(out_, "# HELP ", name_, " ");
  AppendEscaped(help, /*quote=*/false, out_);
  absl::StrAppend(out_, "\n# TYPE ", name_, " ");
  out_->append(MetricTypeName(type));
  out_->push_back('\n');
}

bool TextFormatWriter::CheckSample(std::initializer_list<std::string_view> label_values,
                                   MetricType type) {
  if (name_.empty()) {
    Fail("a sample without a valid family before it");
    return false;
  }
  if ((type == MetricType::kHistogram) != (type_ == MetricType::kHistogram)) {
    Fail(absl::StrCat(name_, ": a ", type == MetricType::kHistogram ? "histogram" : "plain",
                      " sample in a ", std::string(MetricTypeName(type_)), " family"));
    return false;
  }
  if (label_values.size() != label_names_.size()) {
    Fail(absl::StrCat(name_, ": ", label_values.size(), " label values for ", label_names_.size(),
                      " labels"));
    return false;
  }
  return true;
}

void TextFormatWriter::WriteLine(std::string_view suffix,
                                 std::initializer_list<std::string_view> label_values,
                                 std::string_view extra_name, std::string_view extra_value,
                                 double value) {
  out_->append(name_);
  out_->append(suffix);
  if (label_values.size() > 0 || !extra_name.empty()) {
    out_->push_back('{');
    size_t i = 0;
    for (std::string_view v : label_values) {
      if (i > 0) out_->push_back(',');
      absl::StrAppend(out_, label_names_[i], "=\"");
      AppendEscaped(v, /*quote=*/true, out_);
      out_->push_back('"');
      ++i;
    }
    if (!extra_name.empty()) {
      if (i > 0) out_->push_back(',');
      out_->append(extra_name);
      out_->append("=\"");
      out_->append(extra_value);
      out_->push_back('"');
    }
    out_->push_back('}');
  }
  out_->push_back(' ');
  AppendMetricValue(value, out_);
  out_->push_back('\n');
}

void TextFormatWriter::Sample(std::initializer_list<std::string_view> label_values, double value) {
  if (!CheckSample(label_values, MetricType::kGauge)) return;
  WriteLine("", label_values, "", "", value);
}

void TextFormatWriter::Histogram(std::initializer_list<std::string_view> label_values,
                                 const metrics::Histogram& histogram) {
  if (!CheckSample(label_values, MetricType::kHistogram)) return;
  std::string le;
  for (size_t i = 0; i < histogram.bounds().size(); ++i) {
    le.clear();
    AppendMetricValue(histogram.bounds()[i], &le);
    WriteLine("_bucket", label_values, "le", le, static_cast<double>(histogram.cumulative(i)));
  }
  WriteLine("_bucket", label_values, "le", "+Inf", static_cast<double>(histogram.count()));
  WriteLine("_sum", label_values, "", "", histogram.sum());
  WriteLine("_count", label_values, "", "", static_cast<double>(histogram.count()));
}

}  // namespace vacwatch::metrics
