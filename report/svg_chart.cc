#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "report/markup.h"

namespace vacwatch::report {
namespace {

double NiceStep(double raw) {
  if (raw <= 0 || !std::isfinite(raw)) return 1;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

std::string ValueText(double v, ValueFormat format) {
  return format == ValueFormat::kBytes ? Bytes(v) : Count(v);
}

void AppendPoint(double x, double y, std::string* out) {
  AppendFixed(x, 1, out);
  out->push_back(',');
  AppendFixed(y, 1, out);
  out->push_back(' ');
}

}  // namespace

int64_t TimeTickStepSeconds(int64_t span_ms) {
  static constexpr int64_t kSteps[] = {1,     2,     5,     10,    15,     30,    60,
                                       120,   300,   600,   900,   1800,   3600,  7200,
                                       10800, 21600, 43200, 86400, 172800, 604800};
  for (int64_t step : kSteps) {
    if (span_ms / 1000 / step <= 6) return step;
  }
  return 604800;
}

SvgChart::SvgChart(const ChartSpec& spec, std::string* out) : spec_(spec), out_(out) {
  if (spec_.to_ms <= spec_.from_ms) spec_.to_ms = spec_.from_ms + 1000;
  const double step = NiceStep(std::max(spec_.y_max, 1.0) / 4);
  y_axis_max_ = std::max(step, std::ceil(std::max(spec_.y_max, 1.0) / step) * step);
  absl::StrAppend(out_, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"", Escaped(spec_.id),
                  "\" class=\"", Escaped(spec_.css_class), "\" viewBox=\"0 0 ",
                  Fixed(spec_.width, 0), " ", Fixed(spec_.height, 0), "\" role=\"img\"");
  if (!spec_.data_table.empty()) {
    absl::StrAppend(out_, " data-table=\"", Escaped(spec_.data_table), "\"");
  }
  absl::StrAppend(out_, " aria-label=\"", Escaped(spec_.label), "\">");
  Axes();
}

double SvgChart::X(int64_t ms) const {
  const double f =
      static_cast<double>(ms - spec_.from_ms) / static_cast<double>(spec_.to_ms - spec_.from_ms);
  return kLeft + std::clamp(f, 0.0, 1.0) * (spec_.width - kLeft - kRight);
}

double SvgChart::Y(double value) const {
  const double f = std::clamp(value / y_axis_max_, 0.0, 1.0);
  return bottom() - f * (bottom() - kTop);
}

void SvgChart::Axes() {
  std::string& o = *out_;
  o += "<g class=\"axis\">";
  // Value axis: gridlines at nice steps, labelled with units.
  const double step = NiceStep(y_axis_max_ / 4);
  for (double v = 0; spec_.value_axis && v <= y_axis_max_ + step / 2; v += step) {
    const double y = Y(v);
    absl::StrAppend(&o, "<line class=\"grid\" x1=\"", Fixed(kLeft, 1), "\" x2=\"",
                    Fixed(spec_.width - kRight, 1), "\" y1=\"", Fixed(y, 1), "\" y2=\"",
                    Fixed(y, 1), "\"/><text class=\"tick\" x=\"", Fixed(kLeft - 4, 1), "\" y=\"",
                    Fixed(y + 3, 1), "\" text-anchor=\"end\">", Escaped(ValueText(v, spec_.format)),
                    "</text>");
  }
  if (spec_.value_axis) {
    absl::StrAppend(&o, "<text class=\"axis-title\" transform=\"translate(12,",
                    Fixed((kTop + bottom()) / 2, 1), ") rotate(-90)\" text-anchor=\"middle\">",
                    Escaped(spec_.y_label), "</text>");
  }
  // Time axis: ticks at round local times of the zone.
  const int64_t step_s = TimeTickStepSeconds(spec_.to_ms - spec_.from_ms);
  const absl::Time from = absl::FromUnixMillis(spec_.from_ms);
  const int64_t offset_s = spec_.zone.At(from).offset;
  const int64_t local_from = spec_.from_ms / 1000 + offset_s;
  int64_t tick_local = (local_from + step_s - 1) / step_s * step_s;
  if (local_from < 0) tick_local = local_from / step_s * step_s;
  const char* format = step_s >= 86400 ? "%m-%d" : step_s >= 60 ? "%H:%M" : "%H:%M:%S";
  for (int i = 0; i < 12; ++i, tick_local += step_s) {
    const int64_t ms = (tick_local - offset_s) * 1000;
    if (ms > spec_.to_ms) break;
    const double x = X(ms);
    absl::StrAppend(
        &o, "<line class=\"grid\" x1=\"", Fixed(x, 1), "\" x2=\"", Fixed(x, 1), "\" y1=\"",
        Fixed(kTop, 1), "\" y2=\"", Fixed(bottom(), 1), "\"/><text class=\"tick\" x=\"",
        Fixed(x, 1), "\" y=\"", Fixed(bottom() + 13, 1), "\" text-anchor=\"middle\">",
        Escaped(absl::FormatTime(format, absl::FromUnixMillis(ms), spec_.zone)), "</text>");
  }
  absl::StrAppend(&o, "<text class=\"axis-title\" x=\"",
                  Fixed((kLeft + spec_.width - kRight) / 2, 1), "\" y=\"",
                  Fixed(spec_.height - 4, 1), "\" text-anchor=\"middle\">time (",
                  Escaped(absl::FormatTime("%Y-%m-%d", from, spec_.zone)), ", ",
                  Escaped(spec_.zone_name), ")</text>");
  absl::StrAppend(&o, "<rect class=\"frame\" x=\"", Fixed(kLeft, 1), "\" y=\"", Fixed(kTop, 1),
                  "\" width=\"", Fixed(spec_.width - kLeft - kRight, 1), "\" height=\"",
                  Fixed(bottom() - kTop, 1), "\"/></g>");
}

void SvgChart::Polyline(std::string_view css_class, const std::vector<Point>& points, bool steps,
                        std::string_view title) {
  if (points.empty()) return;
  std::string& o = *out_;
  absl::StrAppend(&o, "<polyline class=\"", Escaped(css_class), "\" points=\"");
  // One point per pixel column (the largest value), so a long series stays small.
  double last_x = -1, last_y = 0, pending_y = -1;
  bool pending = false;
  auto flush = [&]() {
    if (!pending) return;
    AppendPoint(last_x, pending_y, &o);
    last_y = pending_y;
    pending = false;
  };
  for (const Point& p : points) {
    const double x = std::round(X(p.first));
    const double y = Y(p.second);
    if (pending && x == last_x) {
      pending_y = std::min(pending_y, y);  // smaller y is higher on the chart
      continue;
    }
    const bool drawn = pending;
    flush();
    if (steps && drawn) AppendPoint(x, last_y, &o);  // hold the value until the next point
    last_x = x;
    pending_y = y;
    pending = true;
  }
  flush();
  if (!o.empty() && o.back() == ' ') o.pop_back();
  o += "\">";
  if (!title.empty()) absl::StrAppend(&o, "<title>", Escaped(title), "</title>");
  o += "</polyline>";
}

void SvgChart::Line(std::string_view css_class, const std::vector<Point>& points,
                    std::string_view title) {
  Polyline(css_class, points, false, title);
}

void SvgChart::Steps(std::string_view css_class, const std::vector<Point>& points,
                     std::string_view title) {
  Polyline(css_class, points, true, title);
}

void SvgChart::Span(std::string_view css_class, int64_t from_ms, int64_t to_ms,
                    std::string_view title, std::string_view extra_attributes) {
  const double x1 = X(from_ms);
  const double x2 = std::max(X(to_ms), x1 + 1);
  absl::StrAppend(out_, "<rect class=\"", Escaped(css_class), "\" x=\"", Fixed(x1, 1), "\" y=\"",
                  Fixed(kTop, 1), "\" width=\"", Fixed(x2 - x1, 1), "\" height=\"",
                  Fixed(bottom() - kTop, 1), "\"", Av(extra_attributes), "><title>", Escaped(title),
                  "</title></rect>");
}

void SvgChart::Finish() {
  if (finished_) return;
  finished_ = true;
  out_->append("</svg>");
}

}  // namespace vacwatch::report
