#include "report/markup.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "report/svg_chart.h"
#include "tests/testing/xml_well_formed.h"

namespace vacwatch::report {
namespace {

TEST(MarkupTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(Escaped("a<b & \"c\" 'd' >"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;");
}

TEST(MarkupTest, KeepsValidUtf8AndReplacesWhatXmlForbids) {
  EXPECT_EQ(Escaped("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
  // A control character, a lone continuation byte, a truncated sequence, an overlong '/'.
  EXPECT_EQ(Escaped(std::string("a\x01z", 3)), "a\xEF\xBF\xBDz");
  EXPECT_EQ(Escaped("a\x80z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(Escaped("a\xE2\x9C"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escaped("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escaped("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(Escaped(std::string("\0", 1)), "\xEF\xBF\xBD");
}

TEST(MarkupTest, NumbersAreFixedAndNeverNegativeZeroOrNaN) {
  EXPECT_EQ(Fixed(12.345, 1), "12.3");
  EXPECT_EQ(Fixed(-0.04, 1), "0.0");
  EXPECT_EQ(Fixed(-0.0, 0), "0");
  EXPECT_EQ(Fixed(std::nan(""), 1), "0.0");
  EXPECT_EQ(Fixed(std::numeric_limits<double>::infinity(), 0), "0");
  EXPECT_EQ(Fixed(1e20, 0), "100000000000000000000");
  EXPECT_EQ(Count(950), "950");
  EXPECT_EQ(Count(12345), "12.3k");
  EXPECT_EQ(Count(4.5e6), "4.5M");
  EXPECT_EQ(Bytes(512), "512 B");
  EXPECT_EQ(Bytes(1536), "1.5 KiB");
}

ChartSpec TestSpec() {
  ChartSpec spec;
  spec.id = "c<1>";
  spec.css_class = "chart";
  spec.label = "dead tuples of \"t\" & co";
  spec.data_table = "c/db.s.<t>";
  spec.from_ms = 1795475880000;  // 2026-11-23T23:18:00Z
  spec.to_ms = spec.from_ms + 600'000;
  spec.y_max = 5200;
  spec.y_label = "tuples";
  return spec;
}

std::string Draw(const ChartSpec& spec) {
  std::string out;
  SvgChart chart(spec, &out);
  chart.Span("alert-span sev-warning", spec.from_ms + 60'000, spec.from_ms + 120'000,
             "<AutovacuumNotKeepingUp>");
  chart.Line("series", {{spec.from_ms, 10}, {spec.from_ms + 300'000, 5000}, {spec.to_ms, 20}},
             "n_dead_tup");
  chart.Steps("trigger-line", {{spec.from_ms, 1000}, {spec.to_ms, 1000}});
  chart.Finish();
  return out;
}

TEST(SvgChartTest, IsWellFormedEscapedAndTheSameBytesEveryTime) {
  const std::string a = Draw(TestSpec());
  EXPECT_EQ(testing::XmlWellFormedError(a), "");
  EXPECT_EQ(a, Draw(TestSpec()));
  EXPECT_NE(a.find("id=\"c&lt;1&gt;\""), std::string::npos);
  EXPECT_NE(a.find("data-table=\"c/db.s.&lt;t&gt;\""), std::string::npos);
  EXPECT_NE(a.find("&lt;AutovacuumNotKeepingUp&gt;"), std::string::npos);
  EXPECT_EQ(a.find("<t>"), std::string::npos);
}

TEST(SvgChartTest, TimeAxisShowsLocalTimesAndTheZone) {
  ChartSpec spec = TestSpec();
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &spec.zone));
  spec.zone_name = "Asia/Shanghai";
  const std::string svg = Draw(spec);
  // 23:18Z is 07:18 the next day in Shanghai; ticks every 2 minutes over 10 minutes.
  EXPECT_NE(svg.find(">07:20<"), std::string::npos) << svg;
  EXPECT_NE(svg.find("time (2026-11-24, Asia/Shanghai)"), std::string::npos);
  EXPECT_EQ(TimeTickStepSeconds(600'000), 120);
  EXPECT_EQ(TimeTickStepSeconds(3'600'000), 600);
  EXPECT_EQ(TimeTickStepSeconds(86'400'000), 21600);
}

TEST(SvgChartTest, ALongSeriesKeepsOnePointPerPixelColumnAndItsPeak) {
  ChartSpec spec = TestSpec();
  std::vector<Point> points;
  points.reserve(100'000);
  for (int64_t i = 0; i < 100'000; ++i) {
    points.emplace_back(spec.from_ms + i * 6, i == 54'321 ? 1e6 : 1.0);
  }
  spec.y_max = 1e6;
  std::string out;
  SvgChart chart(spec, &out);
  chart.Line("series", points);
  chart.Finish();
  EXPECT_LT(out.size(), 20'000u);
  // The peak's y is the top of the plot (y = 10.0).
  EXPECT_NE(out.find(",10.0"), std::string::npos);
}

}  // namespace
}  // namespace vacwatch::report
