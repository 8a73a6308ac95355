// The quick start's sample (examples/pg15-demo/, a real PostgreSQL 15 recording) against its
// answer key, examples/pg15-demo/expected.json:
//   - `vacwatch replay` of each log destination (as scripts/demo runs it: formats detected)
//     fires every expected alert with its cause, names the expected horizon holder, not before
//     the pin began, reads every entry, and fires nothing at warning or critical on any other
//     table (the healthy ones included);
//   - the three destinations of the same log give byte-identical transitions;
//   - scripts/demo (the real binary, text format) names every expected table.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/rfc3339_time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "simdjson.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/replay.h"
#include "tests/testing/shell_command.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"

namespace vacwatch {
namespace {

using testing::FileContents;
using testing::ParseTransitions;
using testing::Replay;
using testing::ReplayResult;
using testing::TableOf;

std::string ExampleFile(const std::string& name) {
  return testing::SourceDir() + "/examples/pg15-demo/" + name;
}

// One not_keeping_up entry of expected.json.
struct ExpectedAlert {
  std::string alert;
  pipeline::Cause cause = pipeline::Cause::kUnknown;
  std::optional<int64_t> from_s;                     // the pin began this long after started_at
  std::string holder_kind, holder_application_name;  // empty: no holder expected
};

struct Expected {
  absl::Time started_at;
  std::map<std::string, ExpectedAlert> not_keeping_up;  // "db.schema.table" -> alert
  std::set<std::string> keeping_up;
};

// Reads expected.json; fails the test (and returns nullopt) when it does not have the shape
// scripts/record-example writes.
std::optional<Expected> LoadExpected() {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const std::string path = ExampleFile("expected.json");
  if (auto error = parser.load(path).get(root); error != simdjson::SUCCESS) {
    ADD_FAILURE() << path << ": " << simdjson::error_message(error);
    return std::nullopt;
  }
  Expected expected;
  std::string_view started_text;
  simdjson::dom::object not_keeping_up;
  simdjson::dom::array keeping_up;
  if (root["started_at"].get(started_text) != simdjson::SUCCESS ||
      !ParseRfc3339(started_text, &expected.started_at) ||
      root["not_keeping_up"].get(not_keeping_up) != simdjson::SUCCESS ||
      root["keeping_up"].get(keeping_up) != simdjson::SUCCESS) {
    ADD_FAILURE() << path << ": needs started_at, not_keeping_up and keeping_up";
    return std::nullopt;
  }
  for (auto [key, entry] : not_keeping_up) {
    ExpectedAlert want;
    std::string_view alert, cause;
    if (entry["alert"].get(alert) != simdjson::SUCCESS ||
        entry["cause"].get(cause) != simdjson::SUCCESS) {
      ADD_FAILURE() << path << ": " << key << " needs alert and cause";
      return std::nullopt;
    }
    want.alert = alert;
    const std::optional<pipeline::Cause> known = pipeline::ParseCause(cause);
    if (!known.has_value()) {
      ADD_FAILURE() << path << ": " << key << ": unknown cause " << cause;
      return std::nullopt;
    }
    want.cause = *known;
    int64_t from_s = 0;
    if (entry["from_s"].get(from_s) == simdjson::SUCCESS) want.from_s = from_s;
    simdjson::dom::object holder;
    if (entry["holder"].get(holder) == simdjson::SUCCESS) {
      std::string_view kind, application_name;
      if (holder["kind"].get(kind) != simdjson::SUCCESS ||
          holder["application_name"].get(application_name) != simdjson::SUCCESS) {
        ADD_FAILURE() << path << ": " << key << ".holder needs kind and application_name";
        return std::nullopt;
      }
      want.holder_kind = kind;
      want.holder_application_name = application_name;
    }
    expected.not_keeping_up.emplace(std::string(key), std::move(want));
  }
  for (auto name : keeping_up) {
    std::string_view table;
    if (name.get(table) != simdjson::SUCCESS) {
      ADD_FAILURE() << path << ": keeping_up holds table names";
      return std::nullopt;
    }
    expected.keeping_up.emplace(table);
  }
  if (expected.not_keeping_up.empty() || expected.keeping_up.empty()) {
    ADD_FAILURE() << path << ": expects no alert or no healthy table";
    return std::nullopt;
  }
  return expected;
}

// The quick start's command line for one log destination: no --log-format, no prefix.
ReplayResult ReplayExample(const std::string& log_name) {
  return Replay({"--logs", ExampleFile(log_name), "--stats", ExampleFile("snapshots.jsonl")});
}

class ExampleDemoTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleDemoTest, FiresEveryExpectedAlertAndNothingLoudElsewhere) {
  const std::string& log_name = GetParam();
  const std::optional<Expected> expected = LoadExpected();
  ASSERT_TRUE(expected.has_value());
  const ReplayResult run = ReplayExample(log_name);
  ASSERT_OK(run.status);
  // The sample is a clean recording: every entry and snapshot must be understood.
  EXPECT_NE(run.err.find(" 0 rejected"), std::string::npos) << log_name << ": " << run.err;
  const std::vector<pipeline::Alert> alerts = ParseTransitions(run.out);

  for (const auto& [table, want] : expected->not_keeping_up) {
    const pipeline::Alert* fired = nullptr;
    for (const pipeline::Alert& a : alerts) {
      if (a.status == pipeline::AlertStatus::kFiring && TableOf(a) == table &&
          a.alert == want.alert && a.cause == want.cause) {
        fired = &a;
        break;
      }
    }
    EXPECT_NE(fired, nullptr) << log_name << ": " << table << " should fire " << want.alert
                              << " with cause " << want.cause << "; got:\n"
                              << run.out;
    if (fired == nullptr) continue;
    EXPECT_NE(fired->severity, pipeline::Severity::kInfo) << log_name << ": " << table;
    if (want.from_s.has_value()) {
      const absl::Time pinned_at = expected->started_at + absl::Seconds(*want.from_s);
      EXPECT_GE(fired->event_time, pinned_at)
          << log_name << ": " << table << " fired at " << absl::FormatTime(fired->event_time)
          << ", before its pin began at " << absl::FormatTime(pinned_at);
    }
    if (!want.holder_kind.empty()) {
      ASSERT_TRUE(fired->holder.has_value()) << log_name << ": " << table << " names no holder";
      EXPECT_EQ(fired->holder->kind, want.holder_kind) << log_name << ": " << table;
      EXPECT_EQ(fired->holder->application_name, want.holder_application_name)
          << log_name << ": " << table;
    }
  }

  for (const pipeline::Alert& a : alerts) {
    const std::string table = TableOf(a);
    if (a.status != pipeline::AlertStatus::kFiring || expected->not_keeping_up.contains(table))
      continue;
    EXPECT_EQ(a.severity, pipeline::Severity::kInfo)
        << log_name << ": " << table
        << (expected->keeping_up.contains(table) ? " keeps up" : " is not expected") << " but got "
        << a.alert << " (" << a.severity << ", " << a.cause << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(LogDestinations, ExampleDemoTest,
                         ::testing::Values("postgresql.log", "postgresql.csv", "postgresql.json"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(info.param.find('.') + 1);
                         });

TEST(ExampleDemoDestinationsTest, TheSameLogInThreeDestinationsGivesTheSameTransitions) {
  const ReplayResult stderr_log = ReplayExample("postgresql.log");
  const ReplayResult csvlog = ReplayExample("postgresql.csv");
  const ReplayResult jsonlog = ReplayExample("postgresql.json");
  ASSERT_OK(stderr_log.status);
  ASSERT_OK(csvlog.status);
  ASSERT_OK(jsonlog.status);
  EXPECT_FALSE(stderr_log.out.empty());
  EXPECT_EQ(csvlog.out, stderr_log.out);
  EXPECT_EQ(jsonlog.out, stderr_log.out);
}

// scripts/demo with this build's binary, as a user runs the quick start.
TEST(ExampleDemoScriptTest, TextOutputNamesEveryExpectedTable) {
  const std::optional<Expected> expected = LoadExpected();
  ASSERT_TRUE(expected.has_value());
  const testing::ShellResult run = testing::RunShellCommand(absl::StrCat(
      "VACWATCH='", testing::BinaryDir(), "/vacwatch' '", testing::SourceDir(), "/scripts/demo'"));
  ASSERT_TRUE(run.succeeded()) << run.command << " failed (status " << run.status << "):\n"
                               << run.err;
  const std::string& out = run.out;
  for (const auto& [table, want] : expected->not_keeping_up) {
    EXPECT_NE(out.find(table), std::string::npos) << "scripts/demo never names " << table << ":\n"
                                                  << out;
    EXPECT_NE(out.find(pipeline::CauseName(want.cause)), std::string::npos)
        << "scripts/demo never names the cause " << want.cause << ":\n"
        << out;
  }
}

// scripts/demo --report: the page of the same recording, with a chart for every expected table.
TEST(ExampleDemoScriptTest, ReportWritesThePageWithEveryExpectedTable) {
  const std::optional<Expected> expected = LoadExpected();
  ASSERT_TRUE(expected.has_value());
  testing::ScopedTempDir temp;
  const std::string page = temp.path() + "/demo.html";
  const std::string command =
      absl::StrCat("VACWATCH='", testing::BinaryDir(), "/vacwatch' '", testing::SourceDir(),
                   "/scripts/demo' --report '", page, "' 2>'", temp.path(), "/demo.err'");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::FILE* f = std::fopen(page.c_str(), "r");
  ASSERT_NE(f, nullptr) << page;
  const std::string html = FileContents(f);
  std::fclose(f);
  for (const auto& [table, want] : expected->not_keeping_up) {
    EXPECT_NE(html.find(absl::StrCat("/", table, "\">")), std::string::npos)
        << "no section for " << table;
  }
}

}  // namespace
}  // namespace vacwatch
