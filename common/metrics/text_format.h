#ifndef VACWATCH_COMMON_METRICS_TEXT_FORMAT_H_
#define VACWATCH_COMMON_METRICS_TEXT_FORMAT_H_

// TextFormatWriter: metric families in the Prometheus text exposition format 0.0.4 (what
// `promtool check metrics` reads and a /metrics page serves). A family is declared once with
// its type, help and fixed label names; its samples give one value per label name, in order:
//
//   std::string page;
//   TextFormatWriter w(&page);
//   w.Family("vacwatch_messages_consumed_total", MetricType::kCounter,
//            "Kafka messages consumed.", {"topic"});
//   w.Sample({"pg.logs"}, 1234);
//   w.Family("vacwatch_batch_duration_seconds", MetricType::kHistogram, "...", {});
//   w.Histogram({}, histogram);     // _bucket{le=...} (cumulative, +Inf last), _sum, _count
//   VW_RETURN_IF_ERROR(w.status());  // a misuse below, caught where it happened
//
// gives
//
//   # HELP vacwatch_messages_consumed_total Kafka messages consumed.
//   # TYPE vacwatch_messages_consumed_total counter
//   vacwatch_messages_consumed_total{topic="pg.logs"} 1234
//
// Label values are escaped (\\, \", \n) and HELP text too (\\, \n); numbers are written in the
// shortest form that reads back to the same double (integers without exponent up to 2^53),
// +Inf, -Inf and NaN by name. The writer checks what promtool would reject: metric and label
// names of the wrong shape, a family declared twice, a sample before any family or with the
// wrong number of label values, a counter not named *_total; the first such misuse is kept in
// status() and nothing of that call is written. Appends to `*out`, which must outlive the
// writer; keeps no reference to the other arguments. Not thread-safe.

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/metrics/histogram.h"

namespace vacwatch::metrics {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram" (the TYPE line).
std::string_view MetricTypeName(MetricType type);

class TextFormatWriter {
 public:
  explicit TextFormatWriter(std::string* out) : out_(out) {}

  void Family(std::string_view name, MetricType type, std::string_view help,
              std::initializer_list<std::string_view> label_names);
  // A sample of the current counter or gauge family.
  void Sample(std::initializer_list<std::string_view> label_values, double value);
  // The samples of one series of the current histogram family.
  void Histogram(std::initializer_list<std::string_view> label_values,
                 const metrics::Histogram& histogram);

  absl::Status status() const { return status_; }

 private:
  bool CheckSample(std::initializer_list<std::string_view> label_values, MetricType type);
  void Fail(const std::string& message);
  // name{label="value",...,extra_name="extra_value"} value\n
  void WriteLine(std::string_view suffix, std::initializer_list<std::string_view> label_values,
                 std::string_view extra_name, std::string_view extra_value, double value);

  std::string* const out_;
  std::string name_;  // the current family
  MetricType type_ = MetricType::kGauge;
  std::vector<std::string> label_names_;
  std::set<std::string, std::less<>> families_;
  absl::Status status_;
};

// Appends `value` as the text format writes sample values.
void AppendMetricValue(double value, std::string* out);
// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) / label name
// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", which Prometheus reserves).
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace vacwatch::metrics

#endif  // VACWATCH_COMMON_METRICS_TEXT_FORMAT_H_
