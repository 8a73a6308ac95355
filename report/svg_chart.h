#ifndef VACWATCH_REPORT_SVG_CHART_H_
#define VACWATCH_REPORT_SVG_CHART_H_

// SvgChart: one inline SVG chart of values over time, written as text into the caller's
// string: a time axis with real times in a zone (ticks on round local times, the date and the
// zone in the axis title), a value axis with units, then what the caller draws in order
// (spans first, lines and marks above them). Colours come from CSS classes, so one stylesheet
// serves light, dark and print. Coordinates are fixed-point text: same input, same bytes.
//
//   ChartSpec spec;
//   spec.id = "t-1a2b-dead"; spec.css_class = "chart chart-dead";
//   spec.from_ms = ..; spec.to_ms = ..; spec.y_max = 5200; spec.y_label = "dead tuples";
//   spec.zone = absl::UTCTimeZone(); spec.zone_name = "UTC";
//   SvgChart chart(spec, &html);              // <svg ...> and the axes
//   chart.Span("alert-span sev-critical", from, to, "AutovacuumNotKeepingUp");
//   chart.Line("series series-dead", points);  // at most one point per pixel column kept
//   chart.Finish();                            // </svg>
//
// Keeps `out` (must outlive the chart); titles are escaped here.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace vacwatch::report {

enum class ValueFormat : uint8_t { kCount, kBytes };

struct ChartSpec {
  std::string id, css_class;
  std::string label;       // aria-label: what the chart shows
  std::string data_table;  // data-table attribute (the table it belongs to); empty: none
  int64_t from_ms = 0, to_ms = 1;
  double y_max = 1;
  std::string y_label;  // unit text of the value axis
  ValueFormat format = ValueFormat::kCount;
  absl::TimeZone zone = absl::UTCTimeZone();
  std::string zone_name = "UTC";
  double width = 720, height = 200;
  bool value_axis = true;  // false: a time axis only (the alert timeline)
};

using Point = std::pair<int64_t, double>;  // (Unix ms, value)

class SvgChart {
 public:
  SvgChart(const ChartSpec& spec, std::string* out);
  SvgChart(const SvgChart&) = delete;
  SvgChart& operator=(const SvgChart&) = delete;

  double X(int64_t ms) const;
  double Y(double value) const;
  double top() const { return kTop; }
  double bottom() const { return spec_.height - kBottom; }

  // A polyline; points in time order. Several points in one pixel column keep the largest
  // (a peak is never drawn away); an empty list draws nothing.
  void Line(std::string_view css_class, const std::vector<Point>& points,
            std::string_view title = "");
  // A step line (the value holds until the next point): triggers and limits.
  void Steps(std::string_view css_class, const std::vector<Point>& points,
             std::string_view title = "");
  // A full-height band from `from_ms` to `to_ms` (an alert's span).
  void Span(std::string_view css_class, int64_t from_ms, int64_t to_ms, std::string_view title,
            std::string_view extra_attributes = "");
  // Raw SVG elements (already escaped) at the current position.
  void Raw(std::string_view svg) { out_->append(svg); }
  void Finish();

 private:
  static constexpr double kLeft = 64, kRight = 14, kTop = 10, kBottom = 36;
  void Axes();
  void Polyline(std::string_view css_class, const std::vector<Point>& points, bool steps,
                std::string_view title);

  ChartSpec spec_;
  std::string* out_;
  double y_axis_max_ = 1;
  bool finished_ = false;
};

// The time-axis tick step for a span (1 s ... 7 days): about six ticks.
int64_t TimeTickStepSeconds(int64_t span_ms);

}  // namespace vacwatch::report

#endif  // VACWATCH_REPORT_SVG_CHART_H_
