// The recorded horizon scenarios (tests/data/scenarios/<name>/, made against a real
// PostgreSQL 15 by scripts/record-scenario; their answer keys, expected.json, are computed from
// the recorded data by scripts/scenario_truth.py). Each is replayed from the stderr, csvlog and
// jsonlog destinations and from its snapshots alone, and held to the verdicts issue:
//   - each table that must alert in an episode fires AutovacuumNotKeepingUp / xmin_horizon
//     not before the pin and within 60 s of crossing its trigger, naming the episode's root;
//   - it resolves within one snapshot interval of its first effective vacuum after the
//     release (with logs; from snapshots, of the first snapshot after it), at most 7 minutes
//     after the release; each episode pages again;
//   - no warning or critical alert on a quiet table, none of cause xmin_horizon outside the
//     episodes;
//   - one XminHorizonHeld per root (with `for` shortened to 30 s: the episodes last ~1 min).

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/rfc3339_time.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "simdjson.h"
#include "tests/testing/datasets.h"
#include "tests/testing/gunzip.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"

namespace vacwatch {
namespace {

using testing::Gunzip;
using testing::ParseTransitions;
using testing::Replay;
using testing::ReplayResult;
using testing::TableOf;

std::string ScenariosDir() { return testing::SourceDir() + "/tests/data/scenarios"; }

std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(ScenariosDir(), ec)) {
    if (std::filesystem::exists(entry.path() / "expected.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Root {
  std::string kind, gid, slot_name, application_name;
  int64_t pid = 0;
};

struct Episode {
  absl::Time pin_at, release_at;
  Root root;
  std::map<std::string, absl::Time> must_alert;       // table -> crossed its trigger
  std::map<std::string, absl::Time> first_effective;  // table -> first effective vacuum
};

struct AnswerKey {
  int64_t snapshot_interval_s = 5;
  std::vector<Episode> episodes;
  std::set<std::string> quiet;
};

bool Time(simdjson::dom::element e, absl::Time* out) {
  std::string_view text;
  return e.get(text) == simdjson::SUCCESS && ParseRfc3339(text, out);
}

std::optional<AnswerKey> LoadAnswerKey(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.load(path).get(root); error != simdjson::SUCCESS) {
    ADD_FAILURE() << path << ": " << simdjson::error_message(error);
    return std::nullopt;
  }
  AnswerKey key;
  int64_t interval = 0;
  if (root["snapshot_interval_s"].get(interval) == simdjson::SUCCESS) {
    key.snapshot_interval_s = interval;
  }
  simdjson::dom::array episodes, quiet;
  if (root["episodes"].get(episodes) != simdjson::SUCCESS ||
      root["quiet"].get(quiet) != simdjson::SUCCESS) {
    ADD_FAILURE() << path << ": needs episodes and quiet";
    return std::nullopt;
  }
  for (simdjson::dom::element e : episodes) {
    Episode ep;
    simdjson::dom::object r, must;
    if (!Time(e["pin_at"], &ep.pin_at) || !Time(e["release_at"], &ep.release_at) ||
        e["root"].get(r) != simdjson::SUCCESS || e["must_alert"].get(must) != simdjson::SUCCESS) {
      ADD_FAILURE() << path << ": an episode needs pin_at, release_at, root and must_alert";
      return std::nullopt;
    }
    std::string_view sv;
    if (r["kind"].get(sv) == simdjson::SUCCESS) ep.root.kind = sv;
    if (r["gid"].get(sv) == simdjson::SUCCESS) ep.root.gid = sv;
    if (r["slot_name"].get(sv) == simdjson::SUCCESS) ep.root.slot_name = sv;
    if (r["application_name"].get(sv) == simdjson::SUCCESS) ep.root.application_name = sv;
    int64_t pid = 0;
    if (r["pid"].get(pid) == simdjson::SUCCESS) ep.root.pid = pid;
    for (auto [table, v] : must) {
      absl::Time crossed;
      if (!Time(v["crossed_trigger_at"], &crossed)) {
        ADD_FAILURE() << path << ": " << table << " needs crossed_trigger_at";
        return std::nullopt;
      }
      ep.must_alert[std::string(table)] = crossed;
    }
    simdjson::dom::object effective;
    if (e["first_effective_vacuum_after_release"].get(effective) == simdjson::SUCCESS) {
      for (auto [table, v] : effective) {
        absl::Time at;
        if (Time(v, &at)) ep.first_effective[std::string(table)] = at;
      }
    }
    key.episodes.push_back(std::move(ep));
  }
  for (simdjson::dom::element q : quiet) {
    std::string_view table;
    if (q.get(table) == simdjson::SUCCESS) key.quiet.emplace(table);
  }
  return key;
}

bool NamesRoot(const pipeline::Alert& a, const Root& root) {
  if (!a.holder.has_value() || a.holder->kind != root.kind) return false;
  if (!root.gid.empty() && a.holder->gid != root.gid) return false;
  if (!root.slot_name.empty() && a.holder->slot_name != root.slot_name) return false;
  if (root.kind == "session" || root.kind == "walsender") {
    if (root.pid != 0 && a.holder->pid != root.pid) return false;
    if (!root.application_name.empty() && a.holder->application_name != root.application_name) {
      return false;
    }
  }
  return true;
}

std::string Describe(const Root& r) {
  return absl::StrCat(r.kind, " gid=", r.gid, " slot=", r.slot_name, " pid=", r.pid,
                      " app=", r.application_name);
}

// The inputs of one run: a log destination with the snapshots, or the snapshots alone.
enum class Input { kStderr, kCsvlog, kJsonlog, kSnapshotsOnly };

struct Case {
  std::string scenario;
  Input input;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.scenario;
  std::replace(name.begin(), name.end(), '-', '_');
  switch (info.param.input) {
    case Input::kStderr:
      return name + "_stderr";
    case Input::kCsvlog:
      return name + "_csvlog";
    case Input::kJsonlog:
      return name + "_jsonlog";
    case Input::kSnapshotsOnly:
      return name + "_snapshots_only";
  }
  return name;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const std::string& name : ScenarioNames()) {
    for (Input in : {Input::kStderr, Input::kCsvlog, Input::kJsonlog, Input::kSnapshotsOnly}) {
      cases.push_back({name, in});
    }
  }
  return cases;
}

class ScenarioTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScenarioTest, PinnedTablesNameTheRootResolveAndPageAgainQuietOnesStayQuiet) {
  const Case& c = GetParam();
  const std::string dir = ScenariosDir() + "/" + c.scenario;
  const std::optional<AnswerKey> key = LoadAnswerKey(dir + "/expected.json");
  ASSERT_TRUE(key.has_value());
  ASSERT_FALSE(key->episodes.empty());

  testing::ScopedTempDir tmp;
  const std::string stats = tmp.path() + "/snapshots.jsonl";
  ASSERT_TRUE(Gunzip(dir + "/snapshots.jsonl.gz", stats));
  const std::string config = tmp.path() + "/vacwatch.yaml";
  {
    std::FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("pipeline:\n  defaults:\n    alerts:\n      XminHorizonHeld: {for: 30s}\n", f);
    ASSERT_EQ(std::fclose(f), 0);
  }
  std::vector<std::string> args = {"--stats", stats, "--config", config};
  const char* log_file = c.input == Input::kStderr    ? "postgresql.log"
                         : c.input == Input::kCsvlog  ? "postgresql.csv"
                         : c.input == Input::kJsonlog ? "postgresql.json"
                                                      : nullptr;
  if (log_file != nullptr) {
    const std::string log = tmp.path() + "/" + log_file;
    ASSERT_TRUE(Gunzip(dir + "/" + log_file + ".gz", log));
    args.insert(args.begin(), {"--logs", log});
  }
  const ReplayResult run = Replay(args);
  ASSERT_OK(run.status);
  EXPECT_NE(run.err.find(" 0 rejected"), std::string::npos) << run.err;
  const std::vector<pipeline::Alert> alerts = ParseTransitions(run.out);

  const absl::Duration interval = absl::Seconds(key->snapshot_interval_s);
  std::map<std::string, int> xmin_fired;  // table -> firing transitions of cause xmin_horizon
  for (const pipeline::Alert& a : alerts) {
    if (a.alert == "AutovacuumNotKeepingUp" && a.status == pipeline::AlertStatus::kFiring &&
        a.cause == pipeline::Cause::kXminHorizon && a.summary.rfind("Root changed", 0) != 0) {
      ++xmin_fired[TableOf(a)];
    }
  }

  for (size_t i = 0; i < key->episodes.size(); ++i) {
    const Episode& ep = key->episodes[i];
    const absl::Time next_pin =
        i + 1 < key->episodes.size() ? key->episodes[i + 1].pin_at : absl::InfiniteFuture();
    for (const auto& [table, crossed] : ep.must_alert) {
      SCOPED_TRACE(absl::StrCat("episode ", i + 1, ", ", table));
      const pipeline::Alert* fired = nullptr;
      const pipeline::Alert* resolved = nullptr;
      for (const pipeline::Alert& a : alerts) {
        if (a.alert != "AutovacuumNotKeepingUp" || TableOf(a) != table) continue;
        if (fired == nullptr && a.status == pipeline::AlertStatus::kFiring &&
            a.event_time >= ep.pin_at && a.event_time < next_pin) {
          fired = &a;
        } else if (fired != nullptr && resolved == nullptr &&
                   a.status == pipeline::AlertStatus::kResolved) {
          resolved = &a;
        }
      }
      ASSERT_NE(fired, nullptr) << "never fired; got:\n" << run.out;
      EXPECT_EQ(fired->cause, pipeline::Cause::kXminHorizon);
      EXPECT_LE(fired->event_time, crossed + absl::Seconds(60))
          << "fired at " << absl::FormatTime(fired->event_time) << ", crossed its trigger at "
          << absl::FormatTime(crossed);
      EXPECT_TRUE(NamesRoot(*fired, ep.root))
          << "names " << (fired->holder ? fired->holder->id : "nothing") << ", the root is "
          << Describe(ep.root);
      ASSERT_NE(resolved, nullptr) << "never resolved; got:\n" << run.out;
      EXPECT_GE(resolved->event_time, ep.release_at);
      EXPECT_LE(resolved->event_time, ep.release_at + absl::Minutes(7));
      if (auto it = ep.first_effective.find(table); it != ep.first_effective.end()) {
        EXPECT_LE(resolved->event_time, it->second + interval + absl::Seconds(1))
            << "resolved at " << absl::FormatTime(resolved->event_time)
            << ", the first effective vacuum ended at " << absl::FormatTime(it->second);
      }
    }
  }

  // Nothing loud on quiet tables, no pinned-horizon page outside the episodes.
  for (const pipeline::Alert& a : alerts) {
    if (a.status != pipeline::AlertStatus::kFiring || a.alert == "XminHorizonHeld") continue;
    const std::string table = TableOf(a);
    if (key->quiet.contains(table)) {
      EXPECT_EQ(a.severity, pipeline::Severity::kInfo)
          << table << " is quiet but got " << a.alert << " (" << a.cause << ") at "
          << absl::FormatTime(a.event_time);
    }
    if (a.cause == pipeline::Cause::kXminHorizon) {
      bool inside = false;
      for (const Episode& ep : key->episodes) {
        inside = inside ||
                 (a.event_time >= ep.pin_at && a.event_time <= ep.release_at + absl::Minutes(7));
      }
      EXPECT_TRUE(inside) << table << " fired xmin_horizon at " << absl::FormatTime(a.event_time)
                          << ", outside every episode";
    }
  }

  // One XminHorizonHeld per root, naming it.
  std::vector<const pipeline::Alert*> held;
  for (const pipeline::Alert& a : alerts) {
    if (a.alert == "XminHorizonHeld" && a.status == pipeline::AlertStatus::kFiring)
      held.push_back(&a);
  }
  ASSERT_EQ(held.size(), key->episodes.size()) << run.out;
  for (size_t i = 0; i < held.size(); ++i) {
    EXPECT_TRUE(NamesRoot(*held[i], key->episodes[i].root))
        << "XminHorizonHeld " << i + 1 << " names "
        << (held[i]->holder ? held[i]->holder->id : "nothing");
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, ScenarioTest, ::testing::ValuesIn(Cases()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScenarioTest);

}  // namespace
}  // namespace vacwatch
