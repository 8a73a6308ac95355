// `vacwatch replay` on inputs as users really have them, each against the plain run of the
// shared dataset (../shared/datasets/pg15-prod-eu-1):
//   - the log rewritten to Asia/Shanghai local time, stamped "CST" (as such a server writes
//     it), replayed with --log-timezone Asia/Shanghai: exactly the original transitions;
//     without it, stderr names CST and the option;
//   - the snapshots from standard input (`--stats -`) and from a pipe (`--stats <(zcat ...)`,
//     a /dev/fd path), without --cluster: exactly the transitions of the plain files;
//   - the log given as CLUSTER=FILE and through a {cluster} pattern: the same.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "app/command.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch {
namespace {

using testing::Replay;
using testing::ReplayResult;

std::string Dataset(const std::string& name) {
  return testing::DatasetPath("pg15-prod-eu-1") + "/" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Every "YYYY-MM-DD HH:MM:SS[.mmm] UTC" timestamp at the start of a line moved to Shanghai's
// local time and stamped CST, as a server with log_timezone = 'Asia/Shanghai' writes it.
std::string ToShanghai(const std::string& log) {
  absl::TimeZone shanghai;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  std::string out;
  out.reserve(log.size());
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    std::string_view line(log.data() + pos, end - pos);
    absl::Time t;
    std::string err;
    if (line.size() > 27 && line.substr(23, 5) == " UTC " &&
        absl::ParseTime("%Y-%m-%d %H:%M:%S", std::string(line.substr(0, 19)), absl::UTCTimeZone(),
                        &t, &err)) {
      absl::StrAppend(&out, absl::FormatTime("%Y-%m-%d %H:%M:%S", t, shanghai),
                      std::string(line.substr(19, 4)), " CST ", std::string(line.substr(28)), "\n");
    } else {
      absl::StrAppend(&out, std::string(line), "\n");
    }
    pos = end + 1;
  }
  return out;
}

ReplayResult PlainRun() {
  return Replay({"--logs", Dataset("postgresql.log"), "--stats", Dataset("snapshots.jsonl")});
}

TEST(ReplayInputsTest, AShanghaiLogStampedCstGivesTheOriginalTransitionsWithItsZone) {
  testing::ScopedTempDir dir;
  const std::string log = dir.path() + "/postgresql.log";
  const std::string shanghai = ToShanghai(ReadAll(Dataset("postgresql.log")));
  ASSERT_NE(shanghai.find(" CST [13069] LOG:"), std::string::npos);
  WriteAll(log, shanghai);
  const ReplayResult plain = PlainRun();
  ASSERT_OK(plain.status);
  ASSERT_FALSE(plain.out.empty());

  const ReplayResult zoned = Replay(
      {"--logs", log, "--stats", Dataset("snapshots.jsonl"), "--log-timezone", "Asia/Shanghai"});
  ASSERT_OK(zoned.status);
  EXPECT_EQ(zoned.out, plain.out);
  EXPECT_EQ(zoned.err.find("CST"), std::string::npos) << zoned.err;

  // The same zone from the config file.
  const std::string config = dir.path() + "/vacwatch.yaml";
  WriteAll(config, "pipeline:\n  clusters:\n    prod-eu-1: {log_timezone: Asia/Shanghai}\n");
  const ReplayResult configured =
      Replay({"--logs", log, "--stats", Dataset("snapshots.jsonl"), "--config", config});
  ASSERT_OK(configured.status);
  EXPECT_EQ(configured.out, plain.out);

  // Without it: read as US Central, and said so, naming the abbreviation and the option.
  const ReplayResult guessed = Replay({"--logs", log, "--stats", Dataset("snapshots.jsonl")});
  ASSERT_OK(guessed.status);
  EXPECT_NE(guessed.out, plain.out);
  EXPECT_NE(guessed.err.find("'CST'"), std::string::npos) << guessed.err;
  EXPECT_NE(guessed.err.find("--log-timezone"), std::string::npos) << guessed.err;

  EXPECT_FALSE(Replay({"--logs", log, "--log-timezone", "Mars/Olympus"}).status.ok());
}

// Runs `vacwatch replay` with the snapshots read from fd 0, as `--stats -` in a shell.
ReplayResult ReplayWithStdin(const std::string& stdin_path, const std::vector<std::string>& args) {
  const int saved = ::dup(0);
  const int fd = ::open(stdin_path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  ::dup2(fd, 0);
  ::close(fd);
  ReplayResult result = Replay(args);
  ::dup2(saved, 0);
  ::close(saved);
  return result;
}

TEST(ReplayInputsTest, SnapshotsFromStdinOrAPipeGiveThePlainTransitions) {
  const ReplayResult plain = PlainRun();
  ASSERT_OK(plain.status);

  const ReplayResult from_stdin = ReplayWithStdin(
      Dataset("snapshots.jsonl"), {"--logs", Dataset("postgresql.log"), "--stats", "-"});
  ASSERT_OK(from_stdin.status);
  EXPECT_EQ(from_stdin.out, plain.out);

  // <(zcat snapshots.jsonl.gz): a pipe the shell names /dev/fd/N, read once.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string snapshots = ReadAll(Dataset("snapshots.jsonl"));
  std::thread writer([&] {
    size_t done = 0;
    while (done < snapshots.size()) {
      const ssize_t n = ::write(fds[1], snapshots.data() + done, snapshots.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  const ReplayResult from_pipe =
      Replay({"--logs", Dataset("postgresql.log"), "--stats", absl::StrCat("/dev/fd/", fds[0])});
  writer.join();
  ::close(fds[0]);
  ASSERT_OK(from_pipe.status);
  EXPECT_EQ(from_pipe.out, plain.out);
}

TEST(ReplayInputsTest, LogsNamedByClusterOrPatternGiveThePlainTransitions) {
  const ReplayResult plain = PlainRun();
  ASSERT_OK(plain.status);
  const ReplayResult named = Replay(
      {"--logs", "prod-eu-1=" + Dataset("postgresql.log"), "--stats", Dataset("snapshots.jsonl")});
  ASSERT_OK(named.status);
  EXPECT_EQ(named.out, plain.out);

  testing::ScopedTempDir dir;
  std::filesystem::create_directories(dir.path() + "/logs/prod-eu-1");
  std::filesystem::copy_file(Dataset("postgresql.log"),
                             dir.path() + "/logs/prod-eu-1/postgresql.log");
  const ReplayResult pattern = Replay({"--logs", dir.path() + "/logs/{cluster}/*.log", "--stats",
                                       Dataset("snapshots.jsonl"), "--cluster", "elsewhere"});
  ASSERT_OK(pattern.status);
  EXPECT_EQ(pattern.out, plain.out);
  EXPECT_FALSE(Replay({"--logs", dir.path() + "/none/{cluster}.log"}).status.ok());
}

}  // namespace
}  // namespace vacwatch

namespace vacwatch {
namespace {

TEST(ReplayDiagnosticsTest, NothingJudgedIsSaidNeverEveryTableKeptUp) {
  const ReplayResult run = Replay({"--logs", Dataset("postgresql.log"), "--format", "text"});
  ASSERT_OK(run.status);
  EXPECT_EQ(run.out.find("every table kept up"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Nothing could be judged"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("nothing could be judged"), std::string::npos) << run.err;
  EXPECT_FALSE(
      Replay({"--logs", Dataset("postgresql.log"), "--format", "text", "--strict"}).status.ok());
}

TEST(ReplayDiagnosticsTest, TheTextSummaryListsAlertsStillFiringFromEarlierRuns) {
  testing::ScopedTempDir dir;
  const std::string state = dir.path() + "/state";
  ASSERT_OK(Replay({"--logs", Dataset("postgresql.log"), "--stats", Dataset("snapshots.jsonl"),
                    "--state-dir", state})
                .status);
  // Nothing new: no transition, but what still fires is listed.
  const ReplayResult again =
      Replay({"--logs", Dataset("postgresql.log"), "--stats", Dataset("snapshots.jsonl"),
              "--state-dir", state, "--format", "text"});
  ASSERT_OK(again.status);
  EXPECT_NE(again.out.find("(earlier run)"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("reporting.public.held_table"), std::string::npos) << again.out;
}

TEST(ReplayDiagnosticsTest, AForeignStateDirAndAConfigDirectoryAreRefused) {
  testing::ScopedTempDir dir;
  WriteAll(dir.path() + "/notes.txt", "mine\n");
  const ReplayResult foreign =
      Replay({"--stats", Dataset("snapshots.jsonl"), "--state-dir", dir.path()});
  EXPECT_EQ(foreign.status.code(), absl::StatusCode::kFailedPrecondition) << foreign.status;
  EXPECT_NE(foreign.status.message().find("notes.txt"), std::string::npos) << foreign.status;
  const ReplayResult config_dir =
      Replay({"--stats", Dataset("snapshots.jsonl"), "--config", dir.path()});
  EXPECT_EQ(config_dir.status.code(), absl::StatusCode::kInvalidArgument) << config_dir.status;
}

}  // namespace
}  // namespace vacwatch

namespace vacwatch {
namespace {

TEST(ExplainTest, SaysWhyATablePagedFromTheStateDirAndAfterAReplay) {
  testing::ScopedTempDir dir;
  const std::string state = dir.path() + "/state";
  const ReplayResult run =
      Replay({"--logs", Dataset("postgresql.log"), "--stats", Dataset("snapshots.jsonl"),
              "--state-dir", state, "--explain", "prod-eu-1/reporting.public.held_table"});
  ASSERT_OK(run.status);
  EXPECT_NE(run.err.find("Why prod-eu-1/reporting.public.held_table paged"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("root in the latest snapshot: session pid 13956"), std::string::npos)
      << run.err;

  app::CommandIo io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  ASSERT_OK(app::FindCommand("explain")->run(
      {"--state-dir", state, "--format", "json", "prod-eu-1/reporting.public.held_table"}, io));
  const std::string json = testing::FileContents(io.out);
  std::fclose(io.out);
  std::fclose(io.err);
  EXPECT_NE(json.find(R"("title":"Detector AutovacuumNotKeepingUp")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"vacuum trigger")"), std::string::npos) << json;
  EXPECT_NE(json.find("firing since"), std::string::npos) << json;

  io.out = std::tmpfile();
  io.err = std::tmpfile();
  const absl::Status unknown =
      app::FindCommand("explain")->run({"--state-dir", state, "prod-eu-1/shop.public.nope"}, io);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound) << unknown;
  EXPECT_EQ(app::FindCommand("explain")->run({"--state-dir", state, "orders"}, io).code(),
            absl::StatusCode::kInvalidArgument);
  std::fclose(io.out);
  std::fclose(io.err);
}

}  // namespace
}  // namespace vacwatch
