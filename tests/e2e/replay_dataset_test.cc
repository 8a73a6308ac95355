// `vacwatch replay` end to end on the real dataset (../shared/datasets/pg15-prod-eu-1), run
// in-process through the command as a user would run it, for each log destination:
//   - every truth.json not_keeping_up entry fires with its alert and cause, no warning or
//     critical alert fires on a keeping_up table, and the held table fires within 60 s of event
//     time after its pin began (started_at + from_s);
//   - the same input twice gives byte-identical output;
//   - the input cut in two at one event time (on an entry boundary) and replayed as two runs
//     over one --state-dir gives the same transitions as one run.

#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/command.h"
#include "app/replay_runner.h"
#include "common/rfc3339_time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "pipeline/config.h"
#include "simdjson.h"
#include "sinks/alert_sink.h"
#include "state/state_store.h"
#include "tests/testing/datasets.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch {
namespace {

using testing::Replay;
using testing::ReplayResult;

constexpr char kDataset[] = "pg15-prod-eu-1";
constexpr char kPrefix[] = "%m [%p] %q%u@%d ";

// The non-empty lines of `text`, without their newlines; views into `text`.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, std::string_view text, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// One log destination of the dataset.
struct LogFile {
  std::string name;    // file in the dataset
  std::string format;  // --log-format
};

void PrintTo(const LogFile& log, std::ostream* os) { *os << log.name; }

std::vector<std::string> ReplayArgs(const LogFile& log, const std::string& log_path,
                                    const std::string& stats_path) {
  std::vector<std::string> args = {"--logs",   log_path,       "--stats",
                                   stats_path, "--log-format", log.format};
  if (log.format == "stderr") {
    args.push_back("--log-line-prefix");
    args.push_back(kPrefix);
  }
  return args;
}

std::vector<pipeline::Alert> ParseLines(const std::string& out) {
  std::vector<pipeline::Alert> alerts;
  for (std::string_view line : Lines(out)) {
    auto alert = pipeline::ParseAlertJson(std::string(line));
    EXPECT_OK(alert);
    if (alert.ok()) alerts.push_back(*std::move(alert));
  }
  return alerts;
}

// truth.json's started_at (a test failure, and the epoch, when it has none).
absl::Time StartedAt(simdjson::dom::element truth) {
  std::string_view text;
  absl::Time t = absl::UnixEpoch();
  EXPECT_EQ(truth["started_at"].get(text), simdjson::SUCCESS);
  EXPECT_TRUE(ParseRfc3339(text, &t)) << text;
  return t;
}

std::string NameOf(const pipeline::Alert& a) {
  return absl::StrCat(a.database, ".", a.schema, ".", a.table);
}

// No warning or critical alert fires on a table truth.json lists as keeping up.
void ExpectHealthyTablesQuiet(simdjson::dom::element truth,
                              const std::vector<pipeline::Alert>& alerts, std::string_view what) {
  simdjson::dom::array keeping_up;
  ASSERT_EQ(truth["keeping_up"].get(keeping_up), simdjson::SUCCESS);
  std::set<std::string> healthy;
  for (auto name : keeping_up) healthy.insert(std::string(std::string_view(name)));
  for (const pipeline::Alert& a : alerts) {
    if (a.status != pipeline::AlertStatus::kFiring || !healthy.contains(NameOf(a))) continue;
    EXPECT_EQ(a.severity, pipeline::Severity::kInfo)
        << what << ": " << NameOf(a) << " keeps up but got " << a.alert << " (" << a.severity
        << ")";
  }
}

class ReplayDatasetTest : public ::testing::TestWithParam<LogFile> {
 protected:
  std::string DatasetFile(const std::string& name) const {
    return testing::DatasetPath(kDataset) + "/" + name;
  }

  testing::ScopedTempDir temp_;
};

TEST_P(ReplayDatasetTest, FiresEveryTruthAlertAndNothingLoudOnHealthyTables) {
  const LogFile& log = GetParam();
  ReplayResult run = Replay(ReplayArgs(log, DatasetFile(log.name), DatasetFile("snapshots.jsonl")));
  ASSERT_OK(run.status);
  EXPECT_NE(run.err.find("vacwatch replay: "), std::string::npos) << run.err;
  const std::vector<pipeline::Alert> alerts = ParseLines(run.out);

  simdjson::dom::parser parser;
  simdjson::dom::element truth;
  ASSERT_EQ(parser.load(DatasetFile("truth.json")).get(truth), simdjson::SUCCESS);
  const absl::Time started_at = StartedAt(truth);
  auto name_of = NameOf;

  simdjson::dom::object not_keeping_up;
  ASSERT_EQ(truth["not_keeping_up"].get(not_keeping_up), simdjson::SUCCESS);
  for (auto [key, entry] : not_keeping_up) {
    const std::string table(key);
    std::string_view want_alert, want_cause;
    ASSERT_EQ(entry["alert"].get(want_alert), simdjson::SUCCESS);
    ASSERT_EQ(entry["cause"].get(want_cause), simdjson::SUCCESS);
    const std::optional<pipeline::Cause> cause = pipeline::ParseCause(want_cause);
    ASSERT_TRUE(cause.has_value()) << table << ": unknown cause " << want_cause;
    const pipeline::Alert* fired = nullptr;
    for (const pipeline::Alert& a : alerts) {
      if (a.status == pipeline::AlertStatus::kFiring && name_of(a) == table &&
          a.alert == want_alert && a.cause == *cause) {
        fired = &a;
        break;
      }
    }
    EXPECT_NE(fired, nullptr) << log.name << ": " << table << " should fire " << want_alert
                              << " with cause " << want_cause;
    int64_t from_s = 0;
    if (fired != nullptr && entry["from_s"].get(from_s) == simdjson::SUCCESS &&
        table == "reporting.public.held_table") {
      EXPECT_LE(fired->event_time, started_at + absl::Seconds(from_s + 60))
          << log.name << ": held_table fired at " << absl::FormatTime(fired->event_time)
          << ", pin began at " << absl::FormatTime(started_at + absl::Seconds(from_s));
    }
  }

  ExpectHealthyTablesQuiet(truth, alerts, log.name);
}

TEST_P(ReplayDatasetTest, SameInputTwiceGivesByteIdenticalOutput) {
  const LogFile& log = GetParam();
  const auto args = ReplayArgs(log, DatasetFile(log.name), DatasetFile("snapshots.jsonl"));
  ReplayResult first = Replay(args);
  ReplayResult second = Replay(args);
  ASSERT_OK(first.status);
  ASSERT_OK(second.status);
  EXPECT_FALSE(first.out.empty()) << "no alert transitions at all";
  EXPECT_EQ(first.out, second.out);
}

// The event time at the start of a log entry that begins at `line`, or nullopt when `line`
// does not begin an entry (a continuation line, a CSV line inside a quoted field).
std::optional<absl::Time> EntryTime(std::string_view line, const std::string& format) {
  if (format == "jsonlog") {
    constexpr std::string_view kKey = "{\"timestamp\":\"";
    if (line.substr(0, kKey.size()) != kKey) return std::nullopt;
    line.remove_prefix(kKey.size());
  }
  if (line.size() < 23 || line[4] != '-' || line[10] != ' ' || line[19] != '.') {
    return std::nullopt;
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", std::string(line.substr(0, 23)), absl::UTCTimeZone(),
                       &t, &error)) {
    return std::nullopt;
  }
  return t;
}

struct Cut {
  size_t offset = 0;  // bytes before the cut
  bool clean = true;  // everything before is earlier than the cut time, everything after not
};

// Where to cut `text` (one entry per `EntryTime` line) so that the first part holds the entries
// before `at`.
Cut CutAt(std::string_view text, absl::Time at,
          const std::function<std::optional<absl::Time>(std::string_view)>& entry_time) {
  Cut cut;
  cut.offset = text.size();
  bool found = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    if (auto t = entry_time(text.substr(pos, end - pos)); t.has_value()) {
      if (!found && *t >= at) {
        cut.offset = pos;
        found = true;
      } else if (found != (*t >= at)) {
        cut.clean = false;  // out of order across the cut
      }
    }
    pos = end;
  }
  return cut;
}

// A cut time in the second half of the run where both inputs are in order around it, as the
// byte offsets of the log and the snapshots at that time; nullopt when there is none.
std::optional<std::pair<Cut, Cut>> CleanCut(const LogFile& log, const std::string& log_text,
                                            const std::string& stats_text) {
  auto snapshot_time = [](std::string_view line) -> std::optional<absl::Time> {
    constexpr std::string_view kKey = "\"collected_at\": \"";
    const size_t at = line.find(kKey);
    if (at == std::string_view::npos) return std::nullopt;
    const size_t start = at + kKey.size();
    absl::Time t;
    if (!ParseRfc3339(line.substr(start, line.find('"', start) - start), &t)) {
      return std::nullopt;
    }
    return t;
  };
  auto log_time = [&](std::string_view line) { return EntryTime(line, log.format); };
  std::vector<absl::Time> snapshot_times;
  for (std::string_view line : Lines(stats_text)) {
    if (auto t = snapshot_time(line)) snapshot_times.push_back(*t);
  }
  if (snapshot_times.size() <= 10) return std::nullopt;
  for (size_t i = snapshot_times.size() / 2; i < snapshot_times.size(); ++i) {
    const absl::Time at = snapshot_times[i];
    if (i > 0 && snapshot_times[i - 1] == at) continue;
    const Cut log_cut = CutAt(log_text, at, log_time);
    const Cut stats_cut = CutAt(stats_text, at, snapshot_time);
    if (log_cut.clean && stats_cut.clean && log_cut.offset > 0 &&
        log_cut.offset < log_text.size()) {
      return std::make_pair(log_cut, stats_cut);
    }
  }
  return std::nullopt;
}

// The input cut in two and replayed as two runs over one --state-dir, the second with the
// files grown (`rotate` false: the second half appended, as live logs grow) or replaced under
// the same names (`rotate` true: the second half alone, as after log rotation): the same
// transitions as one run on the plain files.
// How the second run finds the files.
enum class SecondRun {
  kGrown,     // the second half appended, as live logs grow
  kRotated,   // the second half alone under the same names, as after log rotation
  kCutEntry,  // grown, the first run having ended in the middle of a log entry's line
};

void ExpectTwoRunsEqualOne(const LogFile& log, const std::string& dir, SecondRun how) {
  const bool rotate = how == SecondRun::kRotated;
  const std::string log_text = ReadAll(testing::DatasetPath(kDataset) + "/" + log.name);
  const std::string stats_text = ReadAll(testing::DatasetPath(kDataset) + "/snapshots.jsonl");
  ASSERT_FALSE(log_text.empty());
  ASSERT_FALSE(stats_text.empty());
  const std::optional<std::pair<Cut, Cut>> cut = CleanCut(log, log_text, stats_text);
  ASSERT_TRUE(cut.has_value()) << "no clean cut point in the second half of the run";
  auto [log_cut, stats_cut] = *cut;
  if (how == SecondRun::kCutEntry) {
    // Into the middle of the second line of the entry that starts at the cut.
    const size_t second = log_text.find('\n', log_cut.offset);
    ASSERT_NE(second, std::string::npos);
    log_cut.offset = std::min(second + 12, log_text.size() - 1);
  }

  const std::string log_path = dir + "/" + log.name;
  const std::string stats_path = dir + "/snapshots.jsonl";
  auto args = ReplayArgs(log, log_path, stats_path);
  args.push_back("--state-dir");
  args.push_back(dir + "/state");

  WriteAll(log_path, std::string_view(log_text).substr(0, log_cut.offset));
  WriteAll(stats_path, std::string_view(stats_text).substr(0, stats_cut.offset));
  ReplayResult first = Replay(args);
  ASSERT_OK(first.status);
  if (how == SecondRun::kCutEntry) {
    EXPECT_NE(first.err.find("ends in the middle of an entry"), std::string::npos) << first.err;
    EXPECT_NE(first.err.find(" 0 rejected"), std::string::npos) << first.err;
  }
  WriteAll(log_path, std::string_view(log_text).substr(log_cut.offset), /*append=*/!rotate);
  WriteAll(stats_path, std::string_view(stats_text).substr(stats_cut.offset), /*append=*/!rotate);
  ReplayResult second = Replay(args);
  ASSERT_OK(second.status);
  if (how == SecondRun::kCutEntry) {
    EXPECT_NE(second.err.find(" 0 rejected"), std::string::npos) << second.err;
  }
  if (rotate) {
    EXPECT_NE(second.err.find("rotated or replaced"), std::string::npos) << second.err;
  } else {
    EXPECT_NE(second.err.find("continued where the last run stopped"), std::string::npos)
        << second.err;
  }

  ReplayResult whole = Replay(ReplayArgs(log, testing::DatasetPath(kDataset) + "/" + log.name,
                                         testing::DatasetPath(kDataset) + "/snapshots.jsonl"));
  ASSERT_OK(whole.status);
  EXPECT_FALSE(whole.out.empty()) << "no alert transitions at all";
  EXPECT_EQ(first.out + second.out, whole.out);
}

TEST_P(ReplayDatasetTest, CutInTwoWithOneStateDirGivesTheSameTransitionsAsOneRun) {
  ExpectTwoRunsEqualOne(GetParam(), temp_.path(), SecondRun::kGrown);
}

TEST_P(ReplayDatasetTest, AnEntryCutAtTheEndOfOneRunIsReadWholeByTheNext) {
  ExpectTwoRunsEqualOne(GetParam(), temp_.path(), SecondRun::kCutEntry);
}

TEST_P(ReplayDatasetTest, FilesReplacedUnderTheSameNamesBetweenRunsAreReadFromTheirStart) {
  ExpectTwoRunsEqualOne(GetParam(), temp_.path(), SecondRun::kRotated);
}

INSTANTIATE_TEST_SUITE_P(LogDestinations, ReplayDatasetTest,
                         ::testing::Values(LogFile{"postgresql.log", "stderr"},
                                           LogFile{"postgresql.csv", "csvlog"},
                                           LogFile{"postgresql.json", "jsonlog"}),
                         [](const ::testing::TestParamInfo<LogFile>& info) {
                           return info.param.format;
                         });

// Snapshots alone (no log shipped, or PostgreSQL 15's default log_autovacuum_min_duration of
// 10 min): the session-pinned tables still get cause xmin_horizon and their root, within 60 s
// of the pin, and no warning or critical alert fires on a keeping_up table.
TEST(ReplayDatasetSnapshotsOnlyTest, PinnedTablesGetTheirCauseAndRoot) {
  const std::string dir = testing::DatasetPath(kDataset);
  ReplayResult run = Replay({"--stats", dir + "/snapshots.jsonl"});
  ASSERT_OK(run.status);
  const std::vector<pipeline::Alert> alerts = ParseLines(run.out);
  simdjson::dom::parser parser;
  simdjson::dom::element truth;
  ASSERT_EQ(parser.load(dir + "/truth.json").get(truth), simdjson::SUCCESS);
  const absl::Time started_at = StartedAt(truth);
  auto name_of = NameOf;
  simdjson::dom::object not_keeping_up;
  ASSERT_EQ(truth["not_keeping_up"].get(not_keeping_up), simdjson::SUCCESS);
  int pinned = 0;
  for (auto [key, entry] : not_keeping_up) {
    int64_t from_s = 0;
    std::string_view want_alert;
    if (entry["from_s"].get(from_s) != simdjson::SUCCESS ||
        entry["alert"].get(want_alert) != simdjson::SUCCESS ||
        want_alert != "AutovacuumNotKeepingUp") {
      continue;
    }
    ++pinned;
    const pipeline::Alert* fired = nullptr;
    for (const pipeline::Alert& a : alerts) {
      if (a.status == pipeline::AlertStatus::kFiring && name_of(a) == key &&
          a.alert == want_alert) {
        fired = &a;
        break;
      }
    }
    ASSERT_NE(fired, nullptr) << key << " never fired:\n" << run.out;
    EXPECT_EQ(fired->cause, pipeline::Cause::kXminHorizon) << key;
    ASSERT_TRUE(fired->holder.has_value()) << key;
    EXPECT_EQ(fired->holder->kind, "session") << key;
    EXPECT_EQ(fired->holder->scope, "database") << key;
    EXPECT_LE(fired->event_time, started_at + absl::Seconds(from_s + 60)) << key;
  }
  EXPECT_GE(pinned, 1);
  ExpectHealthyTablesQuiet(truth, alerts, "snapshots only");
}

// Prints like `replay` does but loses its first flushed batch, as a crash right after the
// commit and before stdout was written would.
class CrashOnFirstFlushSink final : public sinks::AlertSink {
 public:
  absl::Status Deliver(const pipeline::AlertTransition& t) override {
    pipeline::WriteAlertJson(t.alert, &line_);
    pending_ += line_ + "\n";
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    if (!crashed_ && !pending_.empty()) {
      crashed_ = true;
      pending_.clear();
      return absl::UnavailableError("crashed before delivery");
    }
    out += pending_;
    pending_.clear();
    return absl::OkStatus();
  }
  std::string out;

 private:
  bool crashed_ = false;
  std::string line_, pending_;
};

TEST(ReplayRedeliveryTest, CrashBetweenCommitAndDeliveryStillPrintsEveryTransitionOnce) {
  const std::string dataset = testing::DatasetPath(kDataset);
  const LogFile log{"postgresql.json", "jsonlog"};
  testing::ScopedTempDir temp;
  const std::string state_dir = temp.path() + "/state";
  const auto args = ReplayArgs(log, dataset + "/" + log.name, dataset + "/snapshots.jsonl");
  ReplayResult whole = Replay(args);
  ASSERT_OK(whole.status);
  ASSERT_FALSE(whole.out.empty());

  {
    auto store = state::StateStore::Open(state_dir, state::StateStoreOptions());
    ASSERT_OK(store);
    app::ReplayOptions options;
    options.log_paths = {dataset + "/" + log.name};
    options.stats_paths = {dataset + "/snapshots.jsonl"};
    options.log_format = ingest::LogFormat::kJsonlog;
    CrashOnFirstFlushSink sink;
    app::ReplayRunner runner(options, pipeline::PipelineConfig(), store->get(), &sink);
    EXPECT_EQ(runner.Run().status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(sink.out.empty());
  }
  auto resumed_args = args;
  resumed_args.push_back("--state-dir");
  resumed_args.push_back(state_dir);
  ReplayResult resumed = Replay(resumed_args);
  ASSERT_OK(resumed.status);
  EXPECT_NE(resumed.err.find("left undelivered by the last run"), std::string::npos) << resumed.err;
  // The lost batch comes back first, byte for byte, then the rest; nothing twice.
  EXPECT_EQ(resumed.out, whole.out);
}

TEST(ReplayCommandTest, IsListedAndHelpsAndRefusesBadFlags) {
  ASSERT_NE(app::FindCommand("replay"), nullptr);
  ReplayResult help = Replay({"--help"});
  ASSERT_OK(help.status);
  EXPECT_NE(help.out.find("--state-dir"), std::string::npos) << help.out;
  EXPECT_EQ(Replay({}).status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Replay({"--stats", "x.jsonl", "--format", "yaml"}).status.code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Replay({"--logs", "/no/such/file.log"}).status.code(), absl::StatusCode::kNotFound);
}

TEST(ReplayCommandTest, TextFormatEndsWithASummary) {
  const std::string dataset = testing::DatasetPath(kDataset);
  ReplayResult run = Replay({"--logs", dataset + "/postgresql.json", "--stats",
                             dataset + "/snapshots.jsonl", "--format", "text"});
  ASSERT_OK(run.status);
  const bool summary = run.out.find("\nFound ") != std::string::npos ||
                       run.out.find("\nNo alerts") != std::string::npos;
  EXPECT_TRUE(summary) << run.out;
}

}  // namespace
}  // namespace vacwatch
