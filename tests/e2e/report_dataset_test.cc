// `vacwatch report` and `vacwatch advise` end to end on the real dataset
// (../shared/datasets/pg15-prod-eu-1), run in-process as a user runs them:
//   - the page is well-formed and the same input gives the same bytes;
//   - the alert timeline holds each transition `vacwatch replay` printed, and every alerting
//     table has its chart with the trigger line and run markers;
//   - a real headless browser (chromium) loads it with no request outside the file (and the
//     check does see a request when a page makes one), and renders a screenshot;
//   - advise proposes settings for the tables a setting can fix (thresholds, throttling) and
//     for those whose dead ratio peaked above the target, the holder for the pinned ones, and
//     nothing for the tables that stayed under the target.

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "report/markup.h"
#include "simdjson.h"
#include "tests/testing/datasets.h"
#include "tests/testing/headless_browser.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"
#include "tests/testing/vacwatch_command.h"
#include "tests/testing/xml_well_formed.h"

namespace vacwatch {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Data(const std::string& file) {
  return testing::DatasetPath("pg15-prod-eu-1") + "/" + file;
}

std::string TableName(const pipeline::Alert& a) {
  return absl::StrCat(a.cluster, "/", a.database, ".", a.schema, ".", a.table);
}

class ReportDatasetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScopedTempDir();
    const testing::CommandResult replay = testing::RunVacwatchCommand(
        {"replay", "--logs", Data("postgresql.log"), "--stats", Data("snapshots.jsonl")});
    ASSERT_EQ(replay.exit_code, 0) << replay.err;
    transitions_ = new std::vector<pipeline::Alert>(testing::ParseTransitions(replay.out));
    for (const char* name : {"report.html", "again.html"}) {
      const testing::CommandResult report = testing::RunVacwatchCommand(
          {"report", "--logs", Data("postgresql.log"), "--stats", Data("snapshots.jsonl"),
           "--output", dir_->path() + "/" + name});
      ASSERT_EQ(report.exit_code, 0) << report.err;
    }
    html_ = new std::string(testing::ReadWholeFile(dir_->path() + "/report.html"));
  }
  static void TearDownTestSuite() {
    delete html_;
    delete transitions_;
    delete dir_;
  }

  static testing::ScopedTempDir* dir_;
  static std::vector<pipeline::Alert>* transitions_;
  static std::string* html_;
};

testing::ScopedTempDir* ReportDatasetTest::dir_ = nullptr;
std::vector<pipeline::Alert>* ReportDatasetTest::transitions_ = nullptr;
std::string* ReportDatasetTest::html_ = nullptr;

TEST_F(ReportDatasetTest, IsWellFormedAndTheSameInputGivesTheSameBytes) {
  ASSERT_GT(html_->size(), 1000u);
  EXPECT_EQ(testing::XmlWellFormedError(*html_), "");
  EXPECT_TRUE(*html_ == testing::ReadWholeFile(dir_->path() + "/again.html"));
}

TEST_F(ReportDatasetTest, TheAlertTimelineHoldsEachTransitionReplayPrinted) {
  ASSERT_FALSE(transitions_->empty());
  for (const pipeline::Alert& a : *transitions_) {
    std::string when;
    JsonWriter::AppendTime(a.event_time, &when);
    const std::string mark =
        absl::StrCat("data-status=\"", std::string(pipeline::AlertStatusName(a.status)),
                     "\" data-alert=\"", report::Escaped(a.alert), "\" data-table=\"",
                     report::Escaped(TableName(a)), "\" data-time=\"", when, "\"");
    EXPECT_THAT(*html_, HasSubstr(mark));
  }
  size_t marks = 0;
  for (size_t p = html_->find("<path class=\"transition "); p != std::string::npos;
       p = html_->find("<path class=\"transition ", p + 1)) {
    ++marks;
  }
  EXPECT_EQ(marks, transitions_->size());
}

TEST_F(ReportDatasetTest, EveryAlertingTableHasItsChartWithTriggerAndRuns) {
  std::set<std::string> tables;
  for (const pipeline::Alert& a : *transitions_) tables.insert(TableName(a));
  ASSERT_GE(tables.size(), 5u);
  for (const std::string& table : tables) {
    const std::string open = "<section class=\"table-detail\"";
    const std::string attr = absl::StrCat("data-table=\"", report::Escaped(table), "\">");
    size_t at = std::string::npos;
    for (size_t p = html_->find(open); p != std::string::npos; p = html_->find(open, p + 1)) {
      const size_t tag_end = html_->find('>', p);
      if (html_->substr(p, tag_end - p + 1).find(attr) != std::string::npos) at = p;
    }
    ASSERT_NE(at, std::string::npos) << "no section for " << table;
    const std::string section = html_->substr(at, html_->find("</section>", at) - at);
    EXPECT_THAT(section, HasSubstr("class=\"chart chart-dead\"")) << table;
    EXPECT_THAT(section, HasSubstr("<polyline class=\"trigger-line\"")) << table;
    EXPECT_THAT(section, HasSubstr("class=\"run-marker ")) << table;
    EXPECT_THAT(section, HasSubstr("<rect class=\"alert-span ")) << table;
  }
}

TEST_F(ReportDatasetTest, ABrowserLoadsItWithNoRequestOutsideTheFile) {
  const std::string work = dir_->path() + "/browser";
  std::filesystem::create_directories(work);
  const std::string shot = dir_->path() + "/report.png";
  const testing::BrowserRun run = testing::OpenInBrowser(dir_->path() + "/report.html", work, shot);
  ASSERT_EQ(run.error, "");
  EXPECT_THAT(run.page_requests, IsEmpty());
  // The DOM the browser built has what the file has: every table's section and chart.
  EXPECT_THAT(run.dom, HasSubstr("class=\"chart chart-dead\""));
  EXPECT_THAT(run.dom, HasSubstr("class=\"timeline\""));
  EXPECT_GT(std::filesystem::file_size(shot), 20'000u);  // a page was drawn, not a blank
}

TEST_F(ReportDatasetTest, TheRequestCheckSeesARequestWhenAPageMakesOne) {
  // The same page without its Content-Security-Policy and with one remote image: the check
  // must catch it, or its silence above proves nothing.
  std::string page = *html_;
  const size_t csp = page.find("<meta http-equiv=\"Content-Security-Policy\"");
  ASSERT_NE(csp, std::string::npos);
  page.erase(csp, page.find("/>", csp) + 2 - csp);
  page.replace(page.find("<body>"), 6, "<body><img src=\"http://vacwatch-canary.invalid/x.png\"/>");
  const std::string path = dir_->path() + "/canary.html";
  std::ofstream(path) << page;
  const std::string work = dir_->path() + "/canary";
  std::filesystem::create_directories(work);
  const testing::BrowserRun run = testing::OpenInBrowser(path, work, "");
  ASSERT_EQ(run.error, "");
  EXPECT_THAT(run.page_requests, ::testing::Contains("http://vacwatch-canary.invalid/x.png"));
}

TEST(AdviseDatasetTest, ProposesSettingsWhereASettingHelpsAndTheHolderWhereNoneDoes) {
  const testing::CommandResult advise =
      testing::RunVacwatchCommand({"advise", "--logs", Data("postgresql.log"), "--stats",
                                   Data("snapshots.jsonl"), "--format", "json"});
  ASSERT_EQ(advise.exit_code, 0) << advise.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(advise.out).get(doc), simdjson::SUCCESS) << advise.out;
  std::map<std::string, simdjson::dom::object> by_table;
  simdjson::dom::array tables;
  ASSERT_EQ(doc["tables"].get(tables), simdjson::SUCCESS);
  auto text = [](simdjson::dom::object o, const char* key) {
    std::string_view v;
    return o[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string("(absent)");
  };
  auto number = [](simdjson::dom::object o, const char* key) {
    double v = -1;
    EXPECT_EQ(o[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  for (simdjson::dom::element t : tables) {
    simdjson::dom::object o;
    ASSERT_EQ(t.get(o), simdjson::SUCCESS);
    by_table[text(o, "table")] = o;
  }
  auto kind = [&](const std::string& table) -> std::string {
    auto it = by_table.find(absl::StrCat("prod-eu-1/", table));
    return it == by_table.end() ? "none" : text(it->second, "kind");
  };
  // Not keeping up, and a setting fixes it: throttling.
  EXPECT_EQ(kind("events.public.throttled_events"), "settings");
  // Keeping up, but the dead ratio peaks above 10 % between vacuums (truth: orders near 20 %).
  EXPECT_EQ(kind("shop.public.orders"), "settings");
  // Pinned horizons: the holder, no setting.
  EXPECT_EQ(kind("reporting.public.held_table"), "holder");
  EXPECT_EQ(kind("reporting.public.report_cache"), "holder");
  EXPECT_EQ(kind("events.public.ledger"), "holder");
  // Lock conflicts: no setting fixes them.
  EXPECT_EQ(kind("jobs.public.locked_jobs"), "no_setting");
  // Tables that stay under the target: nothing.
  EXPECT_EQ(kind("shop.public.inventory"), "none");
  EXPECT_EQ(kind("shop.public.audit_log"), "none");
  EXPECT_EQ(kind("jobs.public.cancel_jobs"), "none");
  for (const auto& [table, t] : by_table) {
    const std::string k = text(t, "kind");
    if (k != "settings") {
      EXPECT_TRUE(t["settings"].error() == simdjson::NO_SUCH_FIELD) << table;
      continue;
    }
    // Each proposal shows its rates and the peak it predicts, under the target.
    EXPECT_EQ(t["rates"]["dead_tuples_per_s"].error(), simdjson::SUCCESS) << table;
    EXPECT_EQ(t["rates"]["live_tuples"].error(), simdjson::SUCCESS) << table;
    EXPECT_GT(number(t, "observed_peak_ratio"), 0.1) << table;
    EXPECT_LE(number(t, "predicted_peak_ratio"), 0.1) << table;
    EXPECT_THAT(text(t, "sql"), HasSubstr("ALTER TABLE ")) << table;
  }
  EXPECT_THAT(text(by_table["prod-eu-1/events.public.throttled_events"], "sql"),
              HasSubstr("autovacuum_vacuum_cost_delay = 2"));

  const testing::CommandResult sql =
      testing::RunVacwatchCommand({"advise", "--logs", Data("postgresql.log"), "--stats",
                                   Data("snapshots.jsonl"), "--format", "sql"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_THAT(sql.out, HasSubstr("ALTER TABLE public.orders SET (autovacuum_vacuum_scale_factor"));
  EXPECT_THAT(sql.out, ::testing::Not(HasSubstr("ALTER TABLE public.held_table")));
}

}  // namespace
}  // namespace vacwatch
