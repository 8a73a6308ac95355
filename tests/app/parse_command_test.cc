#include "app/parse_command.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/vacwatch_command.h"

namespace vacwatch::app {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Runs `vacwatch args...` in-process and captures what it prints.
using RunResult = testing::CommandResult;

RunResult Vacwatch(const std::vector<std::string>& args) {
  return testing::RunVacwatchCommand(args);
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

std::string Dataset(const std::string& file) {
  return testing::DatasetPath("pg15-prod-eu-1") + "/" + file;
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/vacwatch_parse_test_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(VacwatchCliTest, HelpListsCommands) {
  const RunResult run = Vacwatch({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("Usage: vacwatch <command>"));
  EXPECT_THAT(run.out, HasSubstr("  parse "));
  EXPECT_EQ(Vacwatch({"-h"}).out, run.out);
}

TEST(VacwatchCliTest, NoArgumentsPrintsUsageAsAUsageError) {
  const RunResult run = Vacwatch({});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("Usage: vacwatch <command>"));
  EXPECT_TRUE(run.out.empty());
}

TEST(VacwatchCliTest, Version) {
  const RunResult run = Vacwatch({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("vacwatch "));
}

TEST(VacwatchCliTest, UnknownCommandAndFlag) {
  RunResult run = Vacwatch({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vacwatch: unknown command 'frobnicate' (see 'vacwatch --help')\n");
  run = Vacwatch({"--frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vacwatch: unknown flag --frobnicate (see 'vacwatch --help')\n");
}

TEST(VacwatchCliTest, EveryCommandAnswersHelp) {
  for (const Command& command : AllCommands()) {
    const RunResult run = Vacwatch({std::string(command.name), "--help"});
    EXPECT_EQ(run.exit_code, 0) << command.name;
    EXPECT_THAT(run.out, StartsWith("Usage: vacwatch " + std::string(command.name)));
  }
}

TEST(ExitCodeTest, FollowsTheStatusCode) {
  EXPECT_EQ(ExitCode(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCode(absl::InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCode(absl::NotFoundError("x")), 2);
  EXPECT_EQ(ExitCode(absl::UnavailableError("x")), 1);
  EXPECT_EQ(ExitCode(absl::InternalError("x")), 1);
}

TEST(ParseCommandTest, HelpDescribesOptions) {
  const RunResult run = Vacwatch({"parse", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("Usage: vacwatch parse [options] FILE...\n"));
  for (const char* flag : {"--format", "--log-line-prefix", "--cluster", "--dead-letter"}) {
    EXPECT_THAT(run.out, HasSubstr(flag));
  }
}

TEST(ParseCommandTest, UnknownFlagIsOneLineAndExitCode2) {
  const RunResult run = Vacwatch({"parse", "--foo", "x.log"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vacwatch: unknown flag --foo (see 'vacwatch parse --help')\n");
  EXPECT_TRUE(run.out.empty());
}

TEST(ParseCommandTest, MissingFileIsOneLineAndExitCode2BeforeAnyOutput) {
  const RunResult run = Vacwatch({"parse", Dataset("postgresql.csv"), "/nonexistent/pg.log"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vacwatch: no such file: /nonexistent/pg.log\n");
  EXPECT_TRUE(run.out.empty());
}

TEST(ParseCommandTest, BadFormatAndMissingFileArgument) {
  RunResult run = Vacwatch({"parse", "--format", "xml", Dataset("postgresql.csv")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(CountLines(run.err), 1);
  EXPECT_THAT(run.err, HasSubstr("unknown format 'xml'"));
  run = Vacwatch({"parse"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "vacwatch: missing FILE (see 'vacwatch parse --help')\n");
}

TEST(ParseCommandTest, PrintsOneJsonObjectPerEventAndASummary) {
  const RunResult run = Vacwatch({"parse", "--cluster", "prod-eu-1", Dataset("postgresql.csv")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 1953);
  EXPECT_THAT(run.out, StartsWith(R"({"type":"vacuum","cluster":"prod-eu-1","database":"shop",)"));
  EXPECT_EQ(CountLines(run.err), 1);
  EXPECT_THAT(run.err, HasSubstr("postgresql.csv (csvlog): 1971 entries, 1953 events (vacuum "));
  EXPECT_THAT(run.err, HasSubstr("18 skipped, 0 rejected\n"));
}

TEST(ParseCommandTest, StderrLogWithPrefixAndSeveralFiles) {
  const RunResult run =
      Vacwatch({"parse", "--format", "stderr", "--log-line-prefix", "%m [%p] %q%u@%d ",
                Dataset("postgresql.log"), Dataset("postgresql.log")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 2 * 1953);
  EXPECT_EQ(CountLines(run.err), 3);  // one per file and the total
  EXPECT_THAT(run.err, HasSubstr("total (all): 3942 entries, 3906 events"));
}

TEST(ParseCommandTest, RejectedEntriesGoToTheDeadLetterFile) {
  const std::string input =
      "{\"timestamp\":\"2026-11-23 23:18:25.286 UTC\",\"pid\":\"x\",\"message\":\"m\"}\n"
      "not json\n";
  const std::string path = WriteTempFile("bad.json", input);
  const std::string dead = ::testing::TempDir() + "/vacwatch_parse_test_dead.jsonl";
  const RunResult run = Vacwatch({"parse", "--format", "jsonlog", "--dead-letter", dead, path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  EXPECT_THAT(run.err, HasSubstr("2 rejected (bad_number 1, bad_structure 1)"));
  std::ifstream in(dead);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr(R"("kind":"bad_number","field":"pid")"));
  EXPECT_THAT(lines[0], HasSubstr(R"("source":")" + path + "\""));
  EXPECT_THAT(lines[1], HasSubstr(R"("line_no":2)"));
  std::remove(path.c_str());
  std::remove(dead.c_str());
}

TEST(ParseCommandTest, WithoutDeadLetterFileRejectsGoToStderr) {
  const std::string path = WriteTempFile("bad2.json", "{broken\n");
  const RunResult run = Vacwatch({"parse", path});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr(R"("kind":"bad_structure")"));
  EXPECT_THAT(run.err, HasSubstr("1 rejected (bad_structure 1)"));
  std::remove(path.c_str());
}

TEST(ParseCommandTest, SnapshotsAreRecognisedOrForced) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"parse", Dataset("snapshots.jsonl")},
        std::vector<std::string>{"parse", "--format", "snapshot", Dataset("snapshots.jsonl")}}) {
    const RunResult run = Vacwatch(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(CountLines(run.out), 400);
    EXPECT_THAT(run.out, StartsWith(R"({"type":"snapshot","cluster":"prod-eu-1",)"));
    EXPECT_THAT(run.err, HasSubstr("snapshots.jsonl (snapshot): 400 lines, 400 snapshots, "));
    EXPECT_THAT(run.err, HasSubstr(" 0 rejected\n"));
  }
}

TEST(ParseCommandTest, JsonlogThatNamesTablesIsALog) {
  // Its database is called "tables": still a jsonlog file, not snapshots.
  const std::string path = WriteTempFile(
      "tables.json",
      R"({"timestamp":"2026-11-23 23:18:25.286 UTC","pid":13208,"dbname":"tables",)"
      R"("error_severity":"LOG","message":"skipping vacuum of \"tables\" --- lock not available"})"
      "\n");
  const RunResult run = Vacwatch({"parse", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith(R"({"type":"vacuum_skipped",)"));
  EXPECT_THAT(run.out, HasSubstr(R"("database":"tables")"));
  EXPECT_THAT(run.err, HasSubstr("(jsonlog): 1 entries, 1 events"));
  std::remove(path.c_str());
}

TEST(ParseCommandTest, LogsAndSnapshotsInOneRun) {
  const RunResult run = Vacwatch({"parse", Dataset("postgresql.json"), Dataset("snapshots.jsonl")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 1953 + 400);
  EXPECT_EQ(CountLines(run.err), 3);
}

// The real binary: stdin, exit codes and the one-line error as a shell sees them.
class VacwatchBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryDir() + "/vacwatch";
    if (std::ifstream(binary_).fail()) GTEST_SKIP() << "not built: " << binary_;
  }
  int Shell(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string binary_;
};

TEST_F(VacwatchBinaryTest, ReadsStdinAndGivesExitCodes) {
  const std::string out = ::testing::TempDir() + "/vacwatch_binary_out.txt";
  const std::string err = ::testing::TempDir() + "/vacwatch_binary_err.txt";
  ASSERT_EQ(
      Shell(binary_ + " parse - < " + Dataset("postgresql.json") + " > " + out + " 2> " + err), 0);
  std::ifstream out_in(out);
  std::string text((std::istreambuf_iterator<char>(out_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(CountLines(text), 1953);

  EXPECT_EQ(Shell(binary_ + " parse --foo x 2> " + err), 2);
  std::ifstream err_in(err);
  std::string message((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(message, "vacwatch: unknown flag --foo (see 'vacwatch parse --help')\n");
  EXPECT_EQ(Shell(binary_ + " parse /nonexistent/x.log 2> /dev/null"), 2);
  EXPECT_EQ(Shell(binary_ + " --help > /dev/null"), 0);
  std::remove(out.c_str());
  std::remove(err.c_str());
}

}  // namespace
}  // namespace vacwatch::app

namespace vacwatch::app {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The dataset's stderr log rewritten with pgBadger's documented prefix
// '%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ' (not in the common list in this order), as
// a server with that setting prints it: sessionless lines with empty fields.
std::string WithPgBadgerPrefix(const std::string& log) {
  static const std::regex head(
      R"(^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d{3} (\w+) \[(\d+)\] (?:(\S*)@(\S*) )?([A-Z]+:  .*)$)");
  std::string out;
  std::istringstream in(log);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, head)) {
      const bool session = m[4].matched;
      out += m[1].str() + " " + m[2].str() + " [" + m[3].str() + "]: [" + std::to_string(++n) +
             "-1] user=" + (session ? m[4].str() : "") + ",db=" + (session ? m[5].str() : "") +
             ",host=" + (session ? "[local]" : "") + ",app=" + (session ? "psql" : "") + " " +
             m[6].str() + "\n";
    } else {
      out += line + "\n";
    }
  }
  return out;
}

TEST(ParseCommandTest, DetectsAPrefixOutsideTheCommonListAndSaysWhenAGivenOneMatchesNothing) {
  const std::string path =
      WriteTempFile("pgbadger.log", WithPgBadgerPrefix(ReadFile(Dataset("postgresql.log"))));
  const RunResult run = Vacwatch({"parse", "--cluster", "prod-eu-1", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 1953) << run.err;
  EXPECT_THAT(run.err, HasSubstr(" 0 rejected"));

  const RunResult wrong =
      Vacwatch({"parse", "--cluster", "prod-eu-1", "--log-line-prefix", "%m [%p] ", path});
  EXPECT_EQ(CountLines(wrong.out), 0);
  EXPECT_THAT(wrong.err, HasSubstr("--log-line-prefix '%m [%p] ' matched none of"));
  EXPECT_THAT(wrong.err, HasSubstr("pass --log-line-prefix '%t [%p]: [%l-1] user="));
}

TEST(ParseCommandTest, MessagesInAnotherLanguageNameLcMessages) {
  std::string log = ReadFile(Dataset("postgresql.log"));
  for (size_t at = log.find("automatic vacuum of table"); at != std::string::npos;
       at = log.find("automatic vacuum of table", at)) {
    log.replace(at, 25, "automatisches Vacuum der Tabelle");
  }
  const RunResult run =
      Vacwatch({"parse", "--cluster", "prod-eu-1", "--strict", WriteTempFile("german.log", log)});
  EXPECT_THAT(run.err, HasSubstr("not in English"));
  EXPECT_THAT(run.err, HasSubstr("lc_messages = 'C'"));
}

TEST(ParseCommandTest, StrictFailsOnRejectedInputAndWriteFailuresAreErrors) {
  const std::string broken = WriteTempFile("broken.json", "{\"timestamp\": \n{nope}\n");
  const RunResult lenient = Vacwatch({"parse", "--format", "jsonlog", broken});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  const RunResult strict = Vacwatch({"parse", "--format", "jsonlog", "--strict", broken});
  EXPECT_EQ(strict.exit_code, 1) << strict.err;

  CommandIo io;
  io.out = std::fopen("/dev/full", "w");
  ASSERT_NE(io.out, nullptr);
  io.err = std::tmpfile();
  const int code = RunVacwatch({"parse", "--cluster", "c", Dataset("postgresql.csv")}, io);
  std::fclose(io.out);
  EXPECT_NE(code, 0);
  EXPECT_THAT(testing::FileContents(io.err), HasSubstr("cannot write the output"));
  std::fclose(io.err);
}

}  // namespace
}  // namespace vacwatch::app
