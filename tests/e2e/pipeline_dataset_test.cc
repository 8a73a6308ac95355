// The detector acceptance on the real PostgreSQL 15 dataset, driving Pipeline directly:
// the log (each destination in turn) and the snapshots merged by event time, the shipped
// configs/vacwatch.yaml. truth.json says which tables were not keeping up (alert + cause),
// which were healthy, and when the xmin pin of the held table started.

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/config_loader.h"
#include "gtest/gtest.h"
#include "ingest/log_source.h"
#include "ingest/snapshot_reader.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include "state/state_store.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch {
namespace {

using pipeline::AlertTransition;

struct ReplayResult {
  std::vector<AlertTransition> transitions;
  pipeline::PipelineCounters counters;
};

// Feeds `log_file` and snapshots.jsonl to a memory-only pipeline in event-time order,
// checkpointing after every input (as the replay runner does per batch).
ReplayResult Replay(const std::string& log_file, const std::string& yaml = "") {
  const std::string dir = testing::DatasetPath("pg15-prod-eu-1");
  absl::StatusOr<pipeline::PipelineConfig> config = pipeline::ParsePipelineConfig(yaml);
  if (yaml.empty()) {
    absl::StatusOr<app::VacwatchConfig> file =
        app::LoadConfig(testing::SourceDir() + "/configs/vacwatch.yaml");
    EXPECT_OK(file);
    if (file.ok()) config = file->pipeline;
  }
  EXPECT_OK(config);
  pipeline::Pipeline p(*config, nullptr);

  ingest::LogSourceOptions log_options;
  log_options.cluster = "prod-eu-1";
  log_options.log_line_prefix = "%m [%p] %q%u@%d ";
  auto logs = ingest::LogFileSource::Open(dir + "/" + log_file, log_options);
  EXPECT_OK(logs);
  ingest::SnapshotSourceOptions snap_options;
  auto snaps = ingest::SnapshotFileSource::Open(dir + "/snapshots.jsonl", snap_options);
  EXPECT_OK(snaps);

  ingest::LogEvent event;
  ingest::Snapshot snapshot;
  absl::StatusOr<bool> have_event = (*logs)->Next(&event);
  absl::StatusOr<bool> have_snap = (*snaps)->Next(&snapshot);
  ReplayResult run;
  state::StateStore::Batch batch;
  while (have_event.ok() && have_snap.ok() && (*have_event || *have_snap)) {
    if (*have_event && (!*have_snap || event.time <= snapshot.collected_at)) {
      EXPECT_OK(p.OnLogEvent(event));
      have_event = (*logs)->Next(&event);
    } else {
      EXPECT_OK(p.OnSnapshot(snapshot));
      have_snap = (*snaps)->Next(&snapshot);
    }
    EXPECT_OK(p.Checkpoint(&batch, &run.transitions));
    batch.Clear();
  }
  EXPECT_OK(have_event);
  EXPECT_OK(have_snap);
  run.counters = p.counters();
  return run;
}

std::string Qualified(const pipeline::Alert& a) {
  return absl::StrCat(a.database, ".", a.schema, ".", a.table);
}

const absl::Time kStartedAt = absl::FromUnixSeconds(1795475903);  // 2026-11-23T23:18:23Z

void CheckAcceptance(const ReplayResult& run) {
  // Report everything, so a failure shows the whole story.
  for (const AlertTransition& t : run.transitions) {
    std::string line;
    pipeline::WriteAlertJson(t.alert, &line);
    std::printf("+%5.0fs %s\n", absl::ToDoubleSeconds(t.alert.event_time - kStartedAt),
                line.c_str());
  }
  struct Expect {
    std::string alert;
    pipeline::Cause cause;
  };
  const std::map<std::string, Expect> not_keeping_up = {
      {"reporting.public.held_table", {"AutovacuumNotKeepingUp", pipeline::Cause::kXminHorizon}},
      {"reporting.public.report_cache", {"AutovacuumNotKeepingUp", pipeline::Cause::kXminHorizon}},
      {"events.public.throttled_events",
       {"AutovacuumNotKeepingUp", pipeline::Cause::kCostThrottled}},
      {"events.public.ledger", {"FreezingNotKeepingUp", pipeline::Cause::kXminHorizon}},
      {"jobs.public.locked_jobs", {"AutovacuumNotKeepingUp", pipeline::Cause::kLockConflicts}},
  };
  const std::set<std::string> keeping_up = {"shop.public.orders", "shop.public.django_session",
                                            "shop.public.audit_log", "shop.public.inventory"};
  std::map<std::string, absl::Time> fired_at;
  for (const AlertTransition& t : run.transitions) {
    const pipeline::Alert& a = t.alert;
    const std::string table = Qualified(a);
    if (keeping_up.contains(table)) {
      EXPECT_EQ(a.severity, pipeline::Severity::kInfo) << "a healthy table paged: " << a.summary;
    }
    if (table == "jobs.public.cancel_jobs" && a.alert == "AutovacuumNotKeepingUp") {
      EXPECT_EQ(a.cause, pipeline::Cause::kLockConflicts) << a.summary;
    }
    auto want = not_keeping_up.find(table);
    if (a.status == pipeline::AlertStatus::kFiring && want != not_keeping_up.end() &&
        a.alert == want->second.alert) {
      EXPECT_EQ(a.cause, want->second.cause) << a.summary;
      fired_at.try_emplace(table, a.event_time);
    }
  }
  for (const auto& [table, want] : not_keeping_up) {
    EXPECT_TRUE(fired_at.contains(table)) << table << " never fired " << want.alert;
  }
  ASSERT_TRUE(fired_at.contains("reporting.public.held_table"));
  const absl::Time pinned_from = kStartedAt + absl::Seconds(150);
  EXPECT_LE(fired_at["reporting.public.held_table"] - pinned_from, absl::Seconds(60));
  for (const auto& [table, at] : fired_at) {
    std::printf("%-32s fired +%.0fs after started_at\n", table.c_str(),
                absl::ToDoubleSeconds(at - kStartedAt));
  }
  // Every transition exactly once: no fingerprint fires twice without a resolve between.
  std::map<std::string, std::optional<pipeline::AlertStatus>> last_status;
  for (const AlertTransition& t : run.transitions) {
    std::optional<pipeline::AlertStatus>& last = last_status[t.alert.fingerprint];
    EXPECT_NE(last, t.alert.status) << "repeated " << t.alert.status << ": " << t.alert.summary;
    last = t.alert.status;
  }
}

TEST(PipelineDatasetTest, StderrLogAndSnapshots) {
  ReplayResult run = Replay("postgresql.log");
  CheckAcceptance(run);
  const pipeline::PipelineCounters& c = run.counters;
  std::printf(
      "snapshots %lld, table rows %lld, log events %lld, unresolved skips %lld, "
      "duplicates %lld, out of order %lld, counter resets %lld\n",
      static_cast<long long>(c.snapshots), static_cast<long long>(c.table_rows),
      static_cast<long long>(c.log_events), static_cast<long long>(c.unresolved_skips),
      static_cast<long long>(c.duplicates_ignored), static_cast<long long>(c.out_of_order_ignored),
      static_cast<long long>(c.counter_resets));
  EXPECT_EQ(c.snapshots, 400);
  EXPECT_EQ(c.unresolved_skips, 0);
  EXPECT_GT(run.counters.log_events, 1000);
}

TEST(PipelineDatasetTest, CsvLogAndSnapshots) { CheckAcceptance(Replay("postgresql.csv")); }

TEST(PipelineDatasetTest, JsonLogAndSnapshots) { CheckAcceptance(Replay("postgresql.json")); }

TEST(PipelineDatasetTest, SameInputGivesByteIdenticalTransitions) {
  ReplayResult a = Replay("postgresql.log");
  ReplayResult b = Replay("postgresql.log");
  ASSERT_EQ(a.transitions.size(), b.transitions.size());
  for (size_t i = 0; i < a.transitions.size(); ++i) {
    std::string x, y;
    pipeline::WriteAlertJson(a.transitions[i].alert, &x);
    pipeline::WriteAlertJson(b.transitions[i].alert, &y);
    EXPECT_EQ(x, y);
    EXPECT_EQ(a.transitions[i].seq, b.transitions[i].seq);
  }
}

// The advice on its own: with no `for` window the lax-threshold advice shows on the table that
// peaks near 20% dead (orders), as info, with the ALTER TABLE that fixes it.
TEST(PipelineDatasetTest, ThresholdTooLaxAdvisesOrders) {
  ReplayResult run = Replay("postgresql.log", R"(
defaults:
  alerts:
    AutovacuumThresholdTooLax: {for: 0s}
)");
  std::set<std::string> advised;
  for (const AlertTransition& t : run.transitions) {
    if (t.alert.alert != "AutovacuumThresholdTooLax") continue;
    EXPECT_EQ(t.alert.severity, pipeline::Severity::kInfo);
    advised.insert(Qualified(t.alert));
    std::printf("%s\n  %s\n", t.alert.summary.c_str(), t.alert.recommendation.c_str());
    EXPECT_NE(t.alert.recommendation.find("ALTER TABLE public.orders SET "
                                          "(autovacuum_vacuum_scale_factor = "),
              std::string::npos);
  }
  EXPECT_EQ(advised, std::set<std::string>{"shop.public.orders"});
}

}  // namespace
}  // namespace vacwatch
