#include "report/html_report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/advisor.h"
#include "report/recording.h"
#include "tests/report/report_test_util.h"
#include "tests/testing/xml_well_formed.h"

namespace vacwatch::report {
namespace {

using testing::Firing;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::OneRow;
using testing::Row;
using testing::VacuumRun;

constexpr std::string_view kCluster = "c'1&<";

Row HostileRow() {
  Row row;
  row.database = "db\"><script>alert(1)</script>";
  row.table = "t<img src=x onerror=alert(2)>&amp;";
  return row;
}

// A cluster and a table whose names try to break out of the page, a run, an alert that
// fires and resolves, a skip.
Recording Hostile() {
  Recorder r(RecorderOptions{});
  Row row = HostileRow();
  for (int64_t s = 0; s <= 300; s += 10) {
    row.dead = 40 * s;
    row.updates = 40 * s;
    r.OnSnapshot(OneRow(kCluster, s, row));
  }
  r.OnLogEvent(VacuumRun(kCluster, 150, 3000, 9000, 2.5, row));
  pipeline::AlertTransition fired = Firing(1, kCluster, 200, pipeline::Cause::kXminHorizon, row);
  fired.alert.summary = "</pre><b>summary</b>";
  r.OnTransition(fired);
  pipeline::AlertTransition resolved = fired;
  resolved.seq = 2;
  resolved.alert.status = pipeline::AlertStatus::kResolved;
  resolved.alert.event_time = testing::kT0 + absl::Seconds(280);
  resolved.alert.ends_at = resolved.alert.event_time;
  r.OnTransition(resolved);
  return std::move(r).Finish();
}

std::string Render(const Recording& rec) {
  std::string html;
  WriteHtmlReport(rec, Advise(rec, AdvisorOptions{}), ReportOptions{}, &html);
  return html;
}

TEST(HtmlReportTest, EscapesEverythingAndIsWellFormed) {
  const std::string html = Render(Hostile());
  EXPECT_EQ(vacwatch::testing::XmlWellFormedError(html), "");
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>summary")));
  EXPECT_THAT(html, HasSubstr("t&lt;img src=x onerror=alert(2)&gt;&amp;amp;"));
  EXPECT_THAT(html, HasSubstr("c&#39;1&amp;&lt;"));
}

TEST(HtmlReportTest, TheSameRecordingGivesTheSameBytes) {
  EXPECT_EQ(Render(Hostile()), Render(Hostile()));
}

TEST(HtmlReportTest, LoadsNothingFromAnywhere) {
  const std::string html = Render(Hostile());
  EXPECT_THAT(html, HasSubstr("content=\"default-src 'none'; style-src 'unsafe-inline'; "
                              "img-src data:\""));
  EXPECT_THAT(html, Not(HasSubstr("src=\"")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"http")));
}

TEST(HtmlReportTest, DrawsTheAlertingTableWithItsTriggerRunsSpansAndTransitions) {
  const std::string html = Render(Hostile());
  const std::string table =
      "c&#39;1&amp;&lt;/db&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;."
      "public.t&lt;img src=x onerror=alert(2)&gt;&amp;amp;";
  EXPECT_THAT(html, HasSubstr("<section class=\"table-detail\""));
  EXPECT_THAT(html, HasSubstr("class=\"chart chart-dead\" viewBox"));
  EXPECT_THAT(html, HasSubstr(absl::StrCat("data-table=\"", table, "\"")));
  EXPECT_THAT(html, HasSubstr("<polyline class=\"trigger-line\""));
  EXPECT_THAT(html, HasSubstr("<g class=\"run-marker run-vacuum\""));
  EXPECT_THAT(html, HasSubstr("<rect class=\"alert-span sev-warning\""));
  EXPECT_THAT(html, HasSubstr("data-seq=\"1\" data-status=\"firing\""));
  EXPECT_THAT(html, HasSubstr("data-seq=\"2\" data-status=\"resolved\""));
  EXPECT_THAT(html, HasSubstr("data-time=\"2026-11-23T23:21:20.000Z\""));
  EXPECT_THAT(html, HasSubstr("session:4242"));
  EXPECT_THAT(html, HasSubstr("@media (prefers-color-scheme:dark)"));
  EXPECT_THAT(html, HasSubstr("@media print"));
}

TEST(HtmlReportTest, TimesAreShownInTheChosenZone) {
  const Recording rec = Hostile();
  ReportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &options.zone));
  options.zone_name = "Asia/Shanghai";
  std::string html;
  WriteHtmlReport(rec, Advise(rec, AdvisorOptions{}), options, &html);
  EXPECT_THAT(html, HasSubstr("From 2026-11-24 07:18:00 to 2026-11-24 07:23:00 (Asia/Shanghai)"));
}

TEST(HtmlReportTest, AnEmptyRecordingIsAPageToo) {
  const std::string html = Render(Recording());
  EXPECT_EQ(vacwatch::testing::XmlWellFormedError(html), "");
  EXPECT_THAT(html, HasSubstr("0 cluster(s)"));
}

TEST(HtmlReportTest, AFleetIsBoundedByTheLimits) {
  Recorder r(RecorderOptions{});
  std::vector<std::string> names(300);
  for (int k = 0; k < 300; ++k) {
    names[k] = absl::StrCat("t", k);
    Row row;
    row.table = names[k];
    for (int64_t s = 0; s <= 60; s += 10) {
      row.dead = k * s;
      r.OnSnapshot(OneRow("c1", s, row));
    }
  }
  const Recording rec = std::move(r).Finish();
  ReportOptions options;
  options.top_n = 5;
  options.max_table_rows = 50;
  std::string html;
  WriteHtmlReport(rec, Advise(rec, AdvisorOptions{}), options, &html);
  EXPECT_EQ(vacwatch::testing::XmlWellFormedError(html), "");
  size_t sections = 0;
  for (size_t p = html.find("<section class=\"table-detail\""); p != std::string::npos;
       p = html.find("<section class=\"table-detail\"", p + 1)) {
    ++sections;
  }
  EXPECT_EQ(sections, 5u);
  EXPECT_THAT(html, HasSubstr("data-table=\"c1/app.public.t299\""));  // most dead tuples
  EXPECT_THAT(html, HasSubstr("250 table(s) with the lowest dead ratios are not listed"));
}

}  // namespace
}  // namespace vacwatch::report
