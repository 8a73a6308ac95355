// `vacwatch watch` (the real binary) against a real PostgreSQL 15 (tests/testing/
// postgres_server.h) under a pgbench write load, with nothing but --dsn and --log-file (plus a
// state dir in a temporary directory, a 1 s --interval, so the test's waits are short: the
// default 15 s only makes every step 15 s later, and --progress-every 1: the progress line is
// where the test reads how many log events watch has read). The log is logging_collector's
// directory, so where the files are, their log_line_prefix and zone come from the server (SHOW).
//
// Acceptance (issue 17): a transaction that wrote and stays open pins the horizon:
// AutovacuumNotKeepingUp, cause xmin_horizon, naming that session's pid and application_name,
// fires within 90 s; a quiet table never gets a warning or critical alert; after COMMIT the
// alert resolves within the documented bound (docs/alerts.md, "Resolution": about one naptime
// plus one snapshot interval after the release; the deadline here is generous, the measured
// times are printed). Then the server rotates its log (pg_rotate_logfile()) while watch
// follows it, twice, and watch's count of log events equals what `vacwatch parse` finds in all
// the files afterwards: no entry lost, none read twice. A restart with the same state dir
// continues the log where the last run stopped (exactly what was logged while it was down) and
// prints no alert again; it serves /metrics when asked. The server, pgbench and
// watch are stopped and every directory removed at the end. Nothing sleeps a fixed time.
//
// No config is needed for the detectors: runs that prove a pinned horizon (two autovacuum runs
// in a row at the same removable cutoff, leaving dead tuples over the trigger) fire at once,
// whatever the table's size (docs/alerts.md, "Proof of a pin"), and with a 1 s naptime the
// pgbench tables see a run every second or two.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/http_get.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/small_filesystem.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"
#include "tests/testing/vacwatch_command.h"

namespace vacwatch::testing {
namespace {

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";

std::string BinaryDir() { return VACWATCH_BINARY_DIR; }

// The alert transitions watch printed so far (stdout holds only them).
std::vector<pipeline::Alert> Transitions(const std::string& path) {
  std::string out = ReadFile(path);
  // A line being written has no '\n' yet: leave it for the next look.
  out.resize(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  return ParseTransitions(out);
}

// The events count of watch's last progress line ("log: N entries, M events, ..."), or -1.
int64_t WatchedEvents(const std::string& err_path) {
  const std::string err = ReadFile(err_path);
  const size_t at = err.rfind(" entries, ");
  if (at == std::string::npos) return -1;
  const size_t start = at + std::string(" entries, ").size();
  const size_t end = err.find(' ', start);
  int64_t n = -1;
  if (!absl::SimpleAtoi(err.substr(start, end - start), &n)) return -1;
  return n;
}

class WatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScopedTempDir();
    PostgresServerOptions options;
    options.logging_collector = true;
    options.settings = {{"log_autovacuum_min_duration", "0"}, {"autovacuum_naptime", "1"}};
    absl::StatusOr<std::unique_ptr<PostgresServer>> started = PostgresServer::Start(options);
    ASSERT_OK(started);
    server_ = started->release();
    ASSERT_OK(server_->Execute("CREATE DATABASE shop"));
    ASSERT_OK(server_->Execute(
        "CREATE TABLE quiet_archive (id int PRIMARY KEY, v text);"
        "INSERT INTO quiet_archive SELECT g, md5(g::text) FROM generate_series(1, 20000) g;"
        "CREATE TABLE report_marks (id int PRIMARY KEY, v int);"
        "INSERT INTO report_marks VALUES (1, 0)",
        "shop"));
    // pgbench's tables in shop, then a continuous load (2 clients) until the suite ends.
    const CommandResult init = RunTool({absl::StrCat(kPgBin, "/pgbench"), "-i", "-q", "-s", "1",
                                        "-h", server_->socket_dir(), "-p",
                                        absl::StrCat(server_->port()), "-U", "postgres", "shop"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    pgbench_ = new ServiceProcess(
        {absl::StrCat(kPgBin, "/pgbench"), "-n", "-c", "2", "-T", "3600", "-h",
         server_->socket_dir(), "-p", absl::StrCat(server_->port()), "-U", "postgres", "shop"},
        dir_->path() + "/pgbench.log");
    // stdout (the alerts) and stderr (the log lines) apart: through sh, which execs watch.
    out_path_ = dir_->path() + "/watch.out";
    err_path_ = dir_->path() + "/watch.err";
    const std::string command =
        absl::StrCat("exec '", BinaryDir(), "/vacwatch' watch --dsn '", server_->Dsn("postgres"),
                     "' --log-file '", server_->log_directory(), "' --state-dir '", dir_->path(),
                     "/state' --interval 1 --progress-every 1 2>'", err_path_, "'");
    watch_ = new ServiceProcess({"/bin/sh", "-c", command}, out_path_);
    started_at_ = absl::Now();
  }

  static void TearDownTestSuite() {
    delete watch_;  // killed if a test did not stop it
    watch_ = nullptr;
    delete pgbench_;
    pgbench_ = nullptr;
    delete server_;
    server_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(watch_, nullptr);
  }

  // Runs a tool to completion, its output captured (pgbench -i).
  static CommandResult RunTool(const std::vector<std::string>& argv) {
    const std::string log = dir_->path() + "/tool.log";
    ServiceProcess tool(argv, log);
    EXPECT_TRUE(WaitFor([&] { return !tool.Running(); }, absl::Seconds(120)));
    CommandResult result;
    result.exit_code = tool.exit_code();
    result.err = ReadFile(log);
    return result;
  }

  static std::string WatchErr() { return ReadFile(err_path_); }

  // `vacwatch watch` with only --dsn and --log-file, besides the test's state dir, a short
  // interval and a progress line every second; stderr to `err_path`.
  static std::string WatchCommand(const std::string& err_path) {
    return absl::StrCat("exec '", BinaryDir(), "/vacwatch' watch --dsn '", server_->Dsn("postgres"),
                        "' --log-file '", server_->log_directory(), "' --state-dir '", dir_->path(),
                        "/state' --interval 1 --progress-every 1 2>'", err_path, "'");
  }

  // No load, no more autovacuum log entries: the counts of what was logged can settle.
  static void Quiesce() {
    if (pgbench_->Running()) pgbench_->Terminate();
    ASSERT_OK(server_->Execute("ALTER SYSTEM SET log_autovacuum_min_duration = -1"));
    ASSERT_OK(server_->Execute("SELECT pg_reload_conf()"));
  }

  static std::vector<std::string> LogFiles() {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(server_->log_directory())) {
      files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // The log events `vacwatch parse` finds in every file of the log directory.
  static int64_t ParsedEvents() {
    std::vector<std::string> args = {"parse"};
    for (std::string& f : LogFiles()) args.push_back(std::move(f));
    return static_cast<int64_t>(Lines(RunVacwatchCommand(args).out).size());
  }

  static ScopedTempDir* dir_;
  static PostgresServer* server_;
  static ServiceProcess* pgbench_;
  static ServiceProcess* watch_;
  static std::string out_path_, err_path_;
  static absl::Time started_at_;
};

ScopedTempDir* WatchTest::dir_ = nullptr;
PostgresServer* WatchTest::server_ = nullptr;
ServiceProcess* WatchTest::pgbench_ = nullptr;
ServiceProcess* WatchTest::watch_ = nullptr;
std::string WatchTest::out_path_;
std::string WatchTest::err_path_;
absl::Time WatchTest::started_at_;

TEST_F(WatchTest, APinnedHorizonFiresNamingTheSessionAndResolvesAfterCommit) {
  // watch is up: it found the log directory and the prefix by asking the server.
  ASSERT_TRUE(
      WaitFor([] { return absl::StrContains(WatchErr(), "watching cluster "); }, absl::Seconds(60)))
      << WatchErr();
  EXPECT_THAT(WatchErr(), ::testing::HasSubstr("(logging_collector)"));

  // A transaction that wrote (it has an xid) and stays open: the horizon is pinned at it.
  PostgresSession holder(server_->Dsn("shop"));
  ASSERT_OK(holder.Execute("SET application_name = 'nightly_report'"));
  ASSERT_OK(holder.Execute("BEGIN; UPDATE report_marks SET v = v + 1 WHERE id = 1"));
  const int pid = holder.backend_pid();
  const absl::Time pinned_at = absl::Now();

  auto pinned_alert = [&](const pipeline::Alert& a) {
    return a.status == pipeline::AlertStatus::kFiring && a.alert == "AutovacuumNotKeepingUp" &&
           a.cause == pipeline::Cause::kXminHorizon && a.holder.has_value() &&
           a.holder->pid == pid && a.holder->application_name == "nightly_report";
  };
  std::string fingerprint;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const pipeline::Alert& a : Transitions(out_path_)) {
          if (pinned_alert(a)) fingerprint = a.fingerprint;
        }
        return !fingerprint.empty();
      },
      absl::Seconds(90)))
      << "no AutovacuumNotKeepingUp/xmin_horizon naming pid " << pid << "\nstdout:\n"
      << ReadFile(out_path_) << "\nstderr:\n"
      << WatchErr();
  const absl::Time fired_at = absl::Now();
  std::printf("[ watch    ] fired %.1f s after the pin\n",
              absl::ToDoubleSeconds(fired_at - pinned_at));

  ASSERT_OK(holder.Execute("COMMIT"));
  const absl::Time released_at = absl::Now();
  // docs/alerts.md: about one naptime (1 s) plus one snapshot interval (1 s) after the release,
  // once a vacuum has removed the backlog; the deadline leaves room for a slow machine.
  const bool resolved = WaitFor(
      [&] {
        for (const pipeline::Alert& a : Transitions(out_path_)) {
          if (a.status == pipeline::AlertStatus::kResolved && a.fingerprint == fingerprint) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(60));
  ASSERT_TRUE(resolved) << "not resolved after COMMIT\nstdout:\n"
                        << ReadFile(out_path_) << "\nstderr:\n"
                        << WatchErr();
  std::printf("[ watch    ] resolved %.1f s after the commit\n",
              absl::ToDoubleSeconds(absl::Now() - released_at));

  // The quiet table (never written after its load) got nothing that pages.
  for (const pipeline::Alert& a : Transitions(out_path_)) {
    if (a.table == "quiet_archive") {
      EXPECT_EQ(a.severity, pipeline::Severity::kInfo) << a.summary;
    }
  }
}

TEST_F(WatchTest, ALogRotatedByTheServerWhileWatchFollowsLosesNoEntry) {
  // watch follows the first file before the server moves on (started later, it would begin at
  // the newest file: the history before it is not its to read).
  ASSERT_TRUE(WaitFor([] { return WatchedEvents(err_path_) >= 0; }, absl::Seconds(60)))
      << WatchErr();
  // Two rotations while autovacuum logs every second; each new file has a new name (the
  // harness's log_filename has seconds), so rotate until pg_current_logfile() says so.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::string> before = server_->CurrentLogFile();
    ASSERT_OK(before);
    ASSERT_TRUE(WaitFor(
        [&] {
          EXPECT_OK(server_->Execute("SELECT pg_rotate_logfile()"));
          absl::StatusOr<std::string> now = server_->CurrentLogFile();
          return now.ok() && *now != *before;
        },
        absl::Seconds(30)));
    // Autovacuum writes into the new file before the next rotation.
    ASSERT_TRUE(WaitFor(
        [&] {
          absl::StatusOr<std::string> now = server_->CurrentLogFile();
          return now.ok() && absl::StrContains(ReadFile(*now), "automatic vacuum of table");
        },
        absl::Seconds(30)));
  }
  Quiesce();
  ASSERT_GE(LogFiles().size(), 3u);
  int64_t parsed = -1;
  const bool settled = WaitFor(
      [&] {
        parsed = ParsedEvents();
        return WatchedEvents(err_path_) == parsed;
      },
      absl::Seconds(60));
  EXPECT_TRUE(settled) << "watch counted " << WatchedEvents(err_path_)
                       << " log events; vacwatch parse finds " << parsed << " in "
                       << LogFiles().size() << " files\n"
                       << WatchErr();
  EXPECT_GT(parsed, 0);
  std::printf("[ watch    ] %lld log events in %zu files, the same as vacwatch parse finds\n",
              static_cast<long long>(parsed), LogFiles().size());
  EXPECT_THAT(WatchErr(), ::testing::HasSubstr(" 2 rotations"));

  // SIGTERM: a last checkpoint, exit 0.
  EXPECT_EQ(watch_->Terminate(), 0) << WatchErr();
  EXPECT_THAT(WatchErr(), ::testing::HasSubstr("stopping (signal)"));
}

TEST_F(WatchTest, ARestartContinuesTheLogWhereItStoppedAndRepeatsNoAlert) {
  // The first run reads the log to its end (quiet: the counts settle) and stops.
  Quiesce();
  ASSERT_TRUE(WaitFor([] { return WatchedEvents(err_path_) == ParsedEvents(); }, absl::Seconds(60)))
      << WatchErr();
  if (watch_->Running()) {
    ASSERT_EQ(watch_->Terminate(), 0) << WatchErr();
  }
  const int64_t first_run = WatchedEvents(err_path_);
  ASSERT_GE(first_run, 0) << WatchErr();

  // While it is down, autovacuum logs more: 100 dead rows in pgbench_tellers (over its trigger
  // of 52), logged again.
  ASSERT_OK(server_->Execute("ALTER SYSTEM RESET log_autovacuum_min_duration"));
  ASSERT_OK(server_->Execute("SELECT pg_reload_conf()"));
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(server_->Execute("UPDATE pgbench_tellers SET tbalance = tbalance + 1", "shop"));
  }
  ASSERT_TRUE(WaitFor([&] { return ParsedEvents() > first_run; }, absl::Seconds(60)));
  Quiesce();

  const std::string out = dir_->path() + "/watch-again.out";
  const std::string err = dir_->path() + "/watch-again.err";
  // This run also serves /metrics (a free port; it says which).
  ServiceProcess again({"/bin/sh", "-c", WatchCommand(err) + " --metrics-listen 127.0.0.1:0"}, out);
  // Exactly what was written while it was down: nothing lost, nothing read twice.
  int64_t parsed = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        parsed = ParsedEvents();
        return first_run + WatchedEvents(err) == parsed;
      },
      absl::Seconds(60)))
      << "first run " << first_run << ", second " << WatchedEvents(err) << ", in the files "
      << parsed << "\n"
      << ReadFile(err);
  EXPECT_THAT(ReadFile(err), ::testing::HasSubstr("resuming the log at byte "));
  const std::string marker = "on port ";
  const std::string text = ReadFile(err);
  int port = 0;
  ASSERT_NE(text.find(marker), std::string::npos) << text;
  ASSERT_TRUE(absl::SimpleAtoi(
      text.substr(text.find(marker) + marker.size(),
                  text.find('\n', text.find(marker)) - text.find(marker) - marker.size()),
      &port));
  const HttpReply metrics = HttpGet(port, "/metrics");
  EXPECT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("command=\"watch\""));
  EXPECT_EQ(HttpGet(port, "/readyz").status, 200);
  EXPECT_EQ(again.Terminate(), 0) << ReadFile(err);
  // No transition the first run delivered comes out again.
  for (const pipeline::Alert& a : Transitions(out)) {
    for (const pipeline::Alert& b : Transitions(out_path_)) {
      EXPECT_FALSE(a.fingerprint == b.fingerprint && a.status == b.status &&
                   a.event_time == b.event_time)
          << "delivered twice: " << a.summary;
    }
  }
}

// The state directory's disk fills while watch runs (a size-limited tmpfs, as
// DriverDiskFullTest): watch says so in one error line and keeps running, retrying its
// checkpoint; when space is back it says so and goes on; SIGTERM then exits 0.
TEST_F(WatchTest, AFullStateDirectoryPausesWatchWithOneErrorUntilSpaceIsBack) {
  auto fs = SmallFilesystem::Mount(32 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status().message();
  const std::string err = dir_->path() + "/watch-full.err";
  const std::string command =
      absl::StrCat("exec '", BinaryDir(), "/vacwatch' watch --dsn '", server_->Dsn("postgres"),
                   "' --log-file '", server_->log_directory(), "' --state-dir '", (*fs)->path(),
                   "/state' --interval 1 --progress-every 1 2>'", err, "'");
  ServiceProcess watch({"/bin/sh", "-c", command}, dir_->path() + "/watch-full.out");
  // Progress lines after byte `from` of its stderr.
  const auto progress_lines_after = [&](size_t from) {
    const std::string text = ReadFile(err);
    int n = 0;
    for (size_t at = text.find("; snapshots: ", from); at != std::string::npos;
         at = text.find("; snapshots: ", at + 1)) {
      ++n;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return progress_lines_after(0) >= 1; }, absl::Seconds(60)))
      << ReadFile(err);

  ASSERT_OK((*fs)->Fill());
  const std::string full_line = " is full: collecting and reading the log stopped";
  ASSERT_TRUE(
      WaitFor([&] { return absl::StrContains(ReadFile(err), full_line); }, absl::Seconds(60)))
      << ReadFile(err);
  // Still running, and still reporting, with the disk full.
  const size_t error_at = ReadFile(err).find(full_line);
  ASSERT_TRUE(WaitFor([&] { return progress_lines_after(error_at) >= 2 || !watch.Running(); },
                      absl::Seconds(60)))
      << ReadFile(err);
  ASSERT_TRUE(watch.Running()) << ReadFile(err);
  const std::string text = ReadFile(err);
  EXPECT_EQ(text.find(full_line), text.rfind(full_line)) << "one error line, not one per retry";

  ASSERT_OK((*fs)->Unfill());
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ReadFile(err), "has space again"); },
                      absl::Seconds(60)))
      << ReadFile(err);
  const size_t back_at = ReadFile(err).find("has space again");
  ASSERT_TRUE(WaitFor([&] { return progress_lines_after(back_at) >= 1; }, absl::Seconds(60)))
      << ReadFile(err);
  EXPECT_EQ(watch.Terminate(), 0) << ReadFile(err);
}

}  // namespace
}  // namespace vacwatch::testing
