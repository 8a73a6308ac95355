#include "app/arg_parser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Flags {
  std::string format = "auto";
  std::string cluster;
  std::vector<std::string> logs, stats, tags, files;
  bool dry_run = false;
};

ArgParser MakeParser(Flags* f) {
  ArgParser p("replay", "Replays logs and snapshots.");
  p.AddString("format", "FORMAT", "input format", &f->format);
  p.AddString("cluster", "NAME", "cluster name", &f->cluster);
  p.AddMulti("logs", "FILE", "log files", &f->logs);
  p.AddMulti("stats", "FILE", "snapshot files", &f->stats);
  p.AddRepeated("tag", "K=V", "a tag", &f->tags);
  p.AddSwitch("dry-run", "print only", &f->dry_run);
  p.SetPositionals("FILE", "more files", 0, &f->files);
  return p;
}

TEST(ArgParserTest, ParsesEveryOptionShape) {
  Flags f;
  ArgParser p = MakeParser(&f);
  ASSERT_OK(p.Parse({"--format", "csvlog", "--cluster=eu-1", "--logs", "a.log", "b.log", "-",
                     "--stats", "s.jsonl", "--tag", "x=1", "--tag=y=2", "--dry-run", "c.log"}));
  EXPECT_FALSE(p.help_requested());
  EXPECT_EQ(f.format, "csvlog");
  EXPECT_EQ(f.cluster, "eu-1");
  EXPECT_THAT(f.logs, ElementsAre("a.log", "b.log", "-"));
  EXPECT_THAT(f.stats, ElementsAre("s.jsonl"));
  EXPECT_THAT(f.tags, ElementsAre("x=1", "y=2"));
  EXPECT_TRUE(f.dry_run);
  EXPECT_THAT(f.files, ElementsAre("c.log"));
}

TEST(ArgParserTest, DefaultsStayWhenNotGiven) {
  Flags f;
  ArgParser p = MakeParser(&f);
  ASSERT_OK(p.Parse({}));
  EXPECT_EQ(f.format, "auto");
  EXPECT_THAT(f.logs, IsEmpty());
  EXPECT_FALSE(f.dry_run);
}

TEST(ArgParserTest, DoubleDashEndsOptionsAndDashIsStdin) {
  Flags f;
  ArgParser p = MakeParser(&f);
  ASSERT_OK(p.Parse({"-", "--", "--format", "-x"}));
  EXPECT_THAT(f.files, ElementsAre("-", "--format", "-x"));
  EXPECT_EQ(f.format, "auto");
}

TEST(ArgParserTest, ValueMayStartWithDashForSingleValueOptions) {
  Flags f;
  ArgParser p = MakeParser(&f);
  ASSERT_OK(p.Parse({"--cluster", "-eu-"}));
  EXPECT_EQ(f.cluster, "-eu-");
}

TEST(ArgParserTest, HelpStopsParsing) {
  Flags f;
  ArgParser p = MakeParser(&f);
  ASSERT_OK(p.Parse({"--format", "x", "--help", "--unknown"}));
  EXPECT_TRUE(p.help_requested());
  ASSERT_OK(p.Parse({"-h"}));
  EXPECT_TRUE(p.help_requested());
}

TEST(ArgParserTest, UsageErrorsAreOneLineInvalidArgument) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--foo"}, "unknown flag --foo (see 'vacwatch replay --help')"},
      {{"--foo=1"}, "unknown flag --foo (see 'vacwatch replay --help')"},
      {{"-x"}, "unknown flag -x (see 'vacwatch replay --help')"},
      {{"--format"}, "flag --format needs a value (FORMAT) (see 'vacwatch replay --help')"},
      {{"--logs", "--stats", "s"},
       "flag --logs needs a value (FILE) (see 'vacwatch replay --help')"},
      {{"--dry-run=yes"}, "flag --dry-run takes no value (see 'vacwatch replay --help')"},
  };
  for (const auto& [args, message] : cases) {
    Flags f;
    ArgParser p = MakeParser(&f);
    const absl::Status s = p.Parse(args);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << args[0];
    EXPECT_EQ(s.message(), message);
  }
}

TEST(ArgParserTest, PositionalsAreCheckedAgainstTheirMinimum) {
  std::vector<std::string> files;
  ArgParser p("parse", "Parses.");
  p.SetPositionals("FILE", "files", 1, &files);
  EXPECT_EQ(p.Parse({}).message(), "missing FILE (see 'vacwatch parse --help')");

  ArgParser none("status", "No arguments.");
  EXPECT_EQ(none.Parse({"extra"}).message(),
            "unexpected argument 'extra' (see 'vacwatch status --help')");
}

TEST(ArgParserTest, HelpListsOptionsWithDefaultsAndWraps) {
  Flags f;
  ArgParser p = MakeParser(&f);
  p.AddString("long", "X", std::string(30, 'a') + " " + std::string(70, 'b'), &f.cluster);
  const std::string help = p.Help();
  EXPECT_THAT(help, HasSubstr("Usage: vacwatch replay [options] [FILE...]\n"));
  EXPECT_THAT(help, HasSubstr("Replays logs and snapshots.\n"));
  EXPECT_THAT(help, HasSubstr("  --format FORMAT  "));
  EXPECT_THAT(help, HasSubstr("input format (default: auto)\n"));
  EXPECT_THAT(help, HasSubstr("  --logs FILE...  "));
  EXPECT_THAT(help, HasSubstr("a tag (repeatable)"));
  EXPECT_THAT(help, HasSubstr("  --dry-run  "));
  EXPECT_THAT(help, HasSubstr("  -h, --help  "));
  size_t longest = 0;
  size_t start = 0;
  for (size_t nl = help.find('\n'); nl != std::string::npos; nl = help.find('\n', start)) {
    longest = std::max(longest, nl - start);
    start = nl + 1;
  }
  EXPECT_LE(longest, 100u);
}

}  // namespace
}  // namespace vacwatch::app
