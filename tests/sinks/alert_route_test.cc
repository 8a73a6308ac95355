#include "sinks/alert_route.h"

#include "gtest/gtest.h"
#include "sinks/alert_labels.h"
#include "tests/sinks/alert_fixtures.h"

namespace vacwatch::sinks {
namespace {

using testing::FiringAlert;

TEST(AlertRouteTest, AnEmptyRouteTakesEverything) {
  AlertRoute route;
  EXPECT_TRUE(route.Matches(FiringAlert()));
  EXPECT_EQ(route.Describe(), "everything");
}

TEST(AlertRouteTest, MinimumSeverityAndSeverityList) {
  pipeline::Alert info = FiringAlert();
  info.severity = pipeline::Severity::kInfo;
  pipeline::Alert critical = FiringAlert();
  critical.severity = pipeline::Severity::kCritical;
  AlertRoute pager;
  pager.min_severity = pipeline::Severity::kCritical;
  EXPECT_FALSE(pager.Matches(info));
  EXPECT_FALSE(pager.Matches(FiringAlert()));
  EXPECT_TRUE(pager.Matches(critical));
  AlertRoute info_only;
  info_only.severities = {pipeline::Severity::kInfo};
  EXPECT_TRUE(info_only.Matches(info));
  EXPECT_FALSE(info_only.Matches(critical));
  EXPECT_EQ(pager.Describe(), "severity >= critical");
}

TEST(AlertRouteTest, LabelsMustAllMatchAndAMissingLabelNeverDoes) {
  AlertRoute route;
  route.match = {{"cluster", "prod-eu-1"}, {"cause", "xmin_horizon"}};
  EXPECT_TRUE(route.Matches(FiringAlert()));
  pipeline::Alert other = FiringAlert();
  other.cluster = "prod-us-1";
  EXPECT_FALSE(route.Matches(other));
  AlertRoute by_holder;
  by_holder.match = {{"holder_kind", "session"}};
  pipeline::Alert no_holder = FiringAlert();
  no_holder.holder.reset();
  EXPECT_TRUE(by_holder.Matches(FiringAlert()));
  EXPECT_FALSE(by_holder.Matches(no_holder));
}

TEST(AlertLabelsTest, TheLabelSetLeavesEmptyValuesOut) {
  pipeline::Alert a = FiringAlert();
  a.table.clear();
  a.schema.clear();
  a.holder.reset();
  const auto labels = AlertLabels(a);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"alertname", "AutovacuumNotKeepingUp"},
      {"severity", "warning"},
      {"cause", "xmin_horizon"},
      {"cluster", "prod-eu-1"},
      {"database", "jobs"}};
  EXPECT_EQ(labels, want);
  EXPECT_EQ(AlertLabel(FiringAlert(), "holder"), "session:4242");
  EXPECT_FALSE(AlertLabel(FiringAlert(), "nonsense").has_value());
}

}  // namespace
}  // namespace vacwatch::sinks
