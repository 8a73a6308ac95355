// The Prometheus text format writer (common/metrics/text_format.h): a page of every kind of
// family against a golden file (tests/data/golden/metrics-text-format.prom, which promtool
// accepts), escaping, numbers, and each misuse it refuses; histograms and their merge.

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "common/metrics/histogram.h"
#include "common/metrics/text_format.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"

namespace vacwatch::metrics {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/tests/data/golden/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Value(double v) {
  std::string out;
  AppendMetricValue(v, &out);
  return out;
}

constexpr double kBounds[] = {0.01, 0.1, 1};

TEST(TextFormatWriterTest, PageMatchesGolden) {
  std::string page;
  TextFormatWriter w(&page);
  w.Family("vacwatch_kafka_messages_consumed_total", MetricType::kCounter,
           "Kafka messages consumed, by topic.", {"topic"});
  w.Sample({"pg.logs"}, 1234);
  w.Sample({"pg.stats"}, 0);
  w.Family("vacwatch_state_size_bytes", MetricType::kGauge, "Help with a \\ and a\nnewline.", {});
  w.Sample({}, 1.5e12);
  w.Family("vacwatch_table_dead_tuples", MetricType::kGauge, "Dead tuples.",
           {"cluster", "schema", "table"});
  w.Sample({"prod", "public", "quote\"back\\slash\nnewline"}, 42.25);
  Histogram h(kBounds);
  for (double v : {0.005, 0.05, 0.05, 0.5, 7.0}) h.Observe(v);
  w.Family("vacwatch_batch_duration_seconds", MetricType::kHistogram, "Batch latency.", {});
  w.Histogram({}, h);
  w.Family("vacwatch_sink_latency_seconds", MetricType::kHistogram, "Per sink.", {"sink"});
  w.Histogram({"kafka"}, h);
  ASSERT_TRUE(w.status().ok()) << w.status();
  EXPECT_EQ(page, Golden("metrics-text-format.prom"));
}

TEST(TextFormatWriterTest, NumbersReadBackExactly) {
  EXPECT_EQ(Value(0), "0");
  EXPECT_EQ(Value(-3), "-3");
  EXPECT_EQ(Value(9007199254740992.0), "9007199254740992");  // 2^53, no exponent
  EXPECT_EQ(Value(0.1), "0.1");
  EXPECT_EQ(Value(1e300), "1e+300");
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(Value(std::nan("")), "NaN");
}

TEST(TextFormatWriterTest, NamesFollowPrometheusRules) {
  EXPECT_TRUE(IsValidMetricName("vacwatch_up"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("topic"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

// Each misuse is refused with a status naming it, and the call writes nothing.
TEST(TextFormatWriterTest, RefusesMisuse) {
  struct Case {
    const char* what;
    void (*misuse)(TextFormatWriter*);
  };
  const Case cases[] = {
      {"counter vacwatch_things is not named *_total",
       [](TextFormatWriter* w) { w->Family("vacwatch_things", MetricType::kCounter, "", {}); }},
      {"declared twice",
       [](TextFormatWriter* w) {
         w->Family("vacwatch_a", MetricType::kGauge, "", {});
         w->Family("vacwatch_a", MetricType::kGauge, "", {});
       }},
      {"metric name 'bad name' is not valid",
       [](TextFormatWriter* w) { w->Family("bad name", MetricType::kGauge, "", {}); }},
      {"label name 'le'",
       [](TextFormatWriter* w) { w->Family("vacwatch_h", MetricType::kHistogram, "", {"le"}); }},
      {"a sample without a valid family", [](TextFormatWriter* w) { w->Sample({}, 1); }},
      {"1 label values for 2 labels",
       [](TextFormatWriter* w) {
         w->Family("vacwatch_b", MetricType::kGauge, "", {"x", "y"});
         w->Sample({"only one"}, 1);
       }},
      {"a plain sample in a histogram family",
       [](TextFormatWriter* w) {
         w->Family("vacwatch_c", MetricType::kHistogram, "", {});
         w->Sample({}, 1);
       }},
  };
  for (const Case& c : cases) {
    std::string page;
    TextFormatWriter w(&page);
    c.misuse(&w);
    EXPECT_FALSE(w.status().ok()) << c.what;
    EXPECT_NE(w.status().message().find(c.what), std::string::npos)
        << c.what << " vs " << w.status();
    EXPECT_EQ(page.find("vacwatch_things"), std::string::npos);
  }
}

TEST(HistogramTest, CountsCumulativeBucketsAndTheRestInInf) {
  Histogram h(kBounds);
  EXPECT_EQ(h.count(), 0);
  h.Observe(0.01);  // on a bound: in that bucket (le is <=)
  h.Observe(0.02);
  h.Observe(5);  // above every bound: only in +Inf
  EXPECT_EQ(h.cumulative(0), 1);
  EXPECT_EQ(h.cumulative(1), 2);
  EXPECT_EQ(h.cumulative(2), 2);
  EXPECT_EQ(h.count(), 3);
  EXPECT_DOUBLE_EQ(h.sum(), 5.03);
  Histogram copy = h;  // a plain value: the exporter renders a copy
  h.Observe(0.001);
  EXPECT_EQ(copy.count(), 3);
  EXPECT_EQ(h.cumulative(0), 2);
}

TEST(HistogramTest, MergeAddsShardsWithTheSameBoundsOnly) {
  Histogram a(kBounds);
  Histogram b(kBounds);
  a.Observe(0.01);
  b.Observe(0.02);
  b.Observe(5);
  ASSERT_TRUE(a.Merge(b));
  EXPECT_EQ(a.cumulative(0), 1);
  EXPECT_EQ(a.cumulative(1), 2);
  EXPECT_EQ(a.count(), 3);
  EXPECT_DOUBLE_EQ(a.sum(), 5.03);
  static constexpr double kOther[] = {0.5, 1};
  Histogram other(kOther);
  other.Observe(0.1);
  EXPECT_FALSE(a.Merge(other));
  EXPECT_EQ(a.count(), 3);
}

}  // namespace
}  // namespace vacwatch::metrics
