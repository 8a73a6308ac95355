#include "ingest/log_line_prefix.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

LogLinePrefix Compiled(std::string_view text) {
  absl::StatusOr<LogLinePrefix> p = LogLinePrefix::Compile(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : *LogLinePrefix::Compile("");
}

std::string_view Message(std::string_view line, const PrefixMatch& m) {
  return line.substr(m.message_offset);
}

TEST(LogLinePrefix, DefaultPrefix) {
  LogLinePrefix p = Compiled("%m [%p] ");
  PrefixMatch m;
  std::string_view line =
      "2026-11-23 23:18:21.286 UTC [13110] LOG:  automatic vacuum of table \"a.b.c\": index "
      "scans: 0";
  ASSERT_TRUE(p.Match(line, &m));
  EXPECT_EQ(m.time_text, "2026-11-23 23:18:21.286 UTC");
  EXPECT_EQ(m.time_format, LogTimeFormat::kMillis);
  EXPECT_EQ(m.pid, 13110);
  EXPECT_EQ(m.severity, "LOG");
  EXPECT_EQ(m.database, "");
  EXPECT_EQ(Message(line, m), "automatic vacuum of table \"a.b.c\": index scans: 0");
  EXPECT_FALSE(p.Match("\tpages: 0 removed, 1 remain", &m));
  EXPECT_FALSE(p.Match("2026-11-23 23:18:21.286 UTC [13110] hello", &m));
  EXPECT_FALSE(p.Match("2026-11-23 23:18:21.286 UTC [13110] LOGGING:  x", &m));
  EXPECT_FALSE(p.Match("2026-11-23 23:18:21.286 UTC [] LOG:  x", &m));
  EXPECT_FALSE(p.Match("", &m));
}

TEST(LogLinePrefix, SessionCutMatchesBothForms) {
  LogLinePrefix p = Compiled("%m [%p] %q%u@%d ");
  PrefixMatch m;
  std::string_view worker = "2026-11-23 23:18:21.286 UTC [13110] LOG:  skipping vacuum";
  ASSERT_TRUE(p.Match(worker, &m));
  EXPECT_EQ(m.pid, 13110);
  EXPECT_EQ(m.database, "");
  EXPECT_EQ(Message(worker, m), "skipping vacuum");
  std::string_view session =
      "2026-11-23 23:28:21.000 UTC [13500] postgres@reporting STATEMENT:  SELECT pg_sleep(600)";
  ASSERT_TRUE(p.Match(session, &m));
  EXPECT_EQ(m.database, "reporting");
  EXPECT_EQ(m.severity, "STATEMENT");
  EXPECT_EQ(Message(session, m), "SELECT pg_sleep(600)");
  // A database name holding the delimiter still parses (backtracking).
  std::string_view spaced = "2026-11-23 23:28:21.000 UTC [1] app@my db WARNING:  oldest xmin";
  ASSERT_TRUE(p.Match(spaced, &m));
  EXPECT_EQ(m.database, "my db");
  EXPECT_EQ(m.severity, "WARNING");
}

TEST(LogLinePrefix, PgBadgerStyleWithEmptySessionFields) {
  LogLinePrefix p = Compiled("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ");
  PrefixMatch m;
  std::string_view worker =
      "2024-01-01 10:00:00 CET [4242]: [3-1] user=,db=,app=,client= LOG:  automatic analyze";
  ASSERT_TRUE(p.Match(worker, &m));
  EXPECT_EQ(m.time_text, "2024-01-01 10:00:00 CET");
  EXPECT_EQ(m.time_format, LogTimeFormat::kSeconds);
  EXPECT_EQ(m.pid, 4242);
  EXPECT_EQ(m.database, "");
  EXPECT_EQ(Message(worker, m), "automatic analyze");
  std::string_view client =
      "2024-01-01 10:00:00 CET [77]: [9-1] user=bob,db=shop,app=psql,client=10.0.0.1 ERROR:  "
      "boom";
  ASSERT_TRUE(p.Match(client, &m));
  EXPECT_EQ(m.database, "shop");
  EXPECT_EQ(m.severity, "ERROR");
  EXPECT_EQ(Message(client, m), "boom");
}

TEST(LogLinePrefix, RdsAndAzure) {
  PrefixMatch m;
  LogLinePrefix rds = Compiled("%t:%r:%u@%d:[%p]:");
  std::string_view worker = "2024-01-01 10:00:00 UTC::@:[12345]:LOG:  automatic vacuum";
  ASSERT_TRUE(rds.Match(worker, &m));
  EXPECT_EQ(m.pid, 12345);
  EXPECT_EQ(Message(worker, m), "automatic vacuum");
  // %r of an IPv6 client holds ':' (backtracking over the delimiter).
  std::string_view v6 = "2024-01-01 10:00:00 UTC:[::1](5432):app@shop:[99]:ERROR:  x";
  ASSERT_TRUE(rds.Match(v6, &m));
  EXPECT_EQ(m.database, "shop");
  EXPECT_EQ(m.pid, 99);

  LogLinePrefix azure = Compiled("%t-%c-");
  std::string_view az = "2023-02-27 23:21:40 UTC-63fd3b04.cf0-LOG:  automatic analyze";
  ASSERT_TRUE(azure.Match(az, &m));
  EXPECT_EQ(m.time_text, "2023-02-27 23:21:40 UTC");
  EXPECT_EQ(m.pid, 0);
  EXPECT_EQ(Message(az, m), "automatic analyze");
}

TEST(LogLinePrefix, CloudSqlOneSpaceAfterSeverity) {
  LogLinePrefix p = Compiled("%m [%p]: [%l-1] db=%d,user=%u ");
  PrefixMatch m;
  std::string_view line =
      "2024-10-04 06:38:28.808 UTC [2569017]: [1-1] db=,user= LOG: automatic vacuum of table";
  ASSERT_TRUE(p.Match(line, &m));
  EXPECT_EQ(m.pid, 2569017);
  EXPECT_EQ(Message(line, m), "automatic vacuum of table");
}

TEST(LogLinePrefix, EveryEscape) {
  LogLinePrefix p = Compiled("%m|%t|%n|%s|%p|%l|%x|%P|%Q|%v|%e|%c|%b|%a|%u|%d|%h|%r|%i|%L|%%|");
  PrefixMatch m;
  std::string_view worker =
      "2024-01-01 10:00:00.123 UTC|2024-01-01 10:00:00 UTC|1704103200.123|2024-01-01 09:59:00 "
      "UTC|4242|7|0||0|3/17|00000|65920b00.1092|autovacuum worker||||||||%|LOG:  automatic "
      "vacuum";
  ASSERT_TRUE(p.Match(worker, &m));
  EXPECT_EQ(m.time_text, "2024-01-01 10:00:00.123 UTC");
  EXPECT_EQ(m.time_format, LogTimeFormat::kMillis);
  EXPECT_EQ(m.pid, 4242);
  EXPECT_EQ(Message(worker, m), "automatic vacuum");
  std::string_view client =
      "2024-01-01 10:00:00.123 UTC|2024-01-01 10:00:00 UTC|1704103200.123|2024-01-01 09:59:00 "
      "UTC|77|12|1234|76|-4567|5/2|42P01|65920b00.4d|client backend|psql|bob|shop|10.0.0.1|"
      "10.0.0.1(5000)|SELECT|10.0.0.2|%|ERROR:  relation does not exist";
  ASSERT_TRUE(p.Match(client, &m));
  EXPECT_EQ(m.database, "shop");
  EXPECT_EQ(m.pid, 77);
  EXPECT_EQ(m.severity, "ERROR");
}

TEST(LogLinePrefix, EpochTimeAndPadding) {
  PrefixMatch m;
  LogLinePrefix epoch = Compiled("%n [%p] ");
  ASSERT_TRUE(epoch.Match("1700000000.123 [5] LOG:  x", &m));
  EXPECT_EQ(m.time_text, "1700000000.123");
  EXPECT_EQ(m.time_format, LogTimeFormat::kEpoch);

  LogLinePrefix padded = Compiled("%m %10p %-10u %-8d|");
  std::string_view worker = "2024-01-01 10:00:00.123 UTC       4242                     |LOG:  x";
  ASSERT_TRUE(padded.Match(worker, &m));
  EXPECT_EQ(m.pid, 4242);
  EXPECT_EQ(m.database, "");
  std::string_view client = "2024-01-01 10:00:00.123 UTC         77 bob        shop    |LOG:  x";
  ASSERT_TRUE(padded.Match(client, &m));
  EXPECT_EQ(m.pid, 77);
  EXPECT_EQ(m.database, "shop");

  LogLinePrefix left = Compiled("%-6p|");
  ASSERT_TRUE(left.Match("42    |LOG:  x", &m));
  EXPECT_EQ(m.pid, 42);
}

TEST(LogLinePrefix, SeveritiesAndVerboseSqlState) {
  LogLinePrefix p = Compiled("[%p] ");
  PrefixMatch m;
  for (std::string_view sev :
       {"DEBUG", "DEBUG1", "DEBUG5", "LOG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL", "PANIC",
        "DETAIL", "HINT", "QUERY", "CONTEXT", "LOCATION", "STATEMENT", "BACKTRACE"}) {
    std::string line = "[1] " + std::string(sev) + ":  text";
    ASSERT_TRUE(p.Match(line, &m)) << sev;
    EXPECT_EQ(m.severity, sev);
    EXPECT_EQ(Message(line, m), "text");
  }
  EXPECT_FALSE(p.Match("[1] DEBUG9:  text", &m));
  EXPECT_FALSE(p.Match("[1] LOG:text", &m));
  ASSERT_TRUE(p.Match("[1] LOG:", &m));  // an empty message
  std::string_view verbose = "[1] ERROR:  57014: canceling autovacuum task";
  ASSERT_TRUE(p.Match(verbose, &m));
  EXPECT_EQ(Message(verbose, m), "canceling autovacuum task");
  std::string_view upper = "[1] LOG:  ABCDE: not a sqlstate";
  ASSERT_TRUE(p.Match(upper, &m));
  EXPECT_EQ(Message(upper, m), "ABCDE: not a sqlstate");
}

TEST(LogLinePrefix, CompileErrors) {
  EXPECT_FALSE(LogLinePrefix::Compile("%m [%p] %").ok());
  EXPECT_FALSE(LogLinePrefix::Compile("%m %y").ok());
  EXPECT_FALSE(LogLinePrefix::Compile("%-").ok());
  EXPECT_OK(LogLinePrefix::Compile(""));
  EXPECT_OK(LogLinePrefix::Compile("%%"));
}

TEST(LogLinePrefix, EmptyPrefix) {
  LogLinePrefix p = Compiled("");
  PrefixMatch m;
  ASSERT_TRUE(p.Match("LOG:  automatic vacuum", &m));  // 9.6's default
  EXPECT_EQ(m.pid, 0);
  EXPECT_EQ(m.time_text, "");
}

TEST(LogLinePrefix, DetectsTheCommonPrefixes) {
  struct Case {
    std::string_view sample;
    std::string_view expected;
  };
  const Case cases[] = {
      {"2026-11-23 23:18:21.286 UTC [13110] LOG:  automatic vacuum\n"
       "\tpages: 1\n"
       "2026-11-23 23:18:22.000 UTC [13500] postgres@reporting STATEMENT:  SELECT 1\n",
       "%m [%p] %q%u@%d "},
      {"2024-01-01 10:00:00 CET [4242]: [3-1] user=,db=,app=,client= LOG:  x\n"
       "2024-01-01 10:00:00 CET [77]: [9-1] user=bob,db=shop,app=psql,client=10.0.0.1 LOG:  y\n",
       "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "},
      {"2024-01-01 10:00:00 UTC::@:[12345]:LOG:  automatic vacuum\n"
       "2024-01-01 10:00:00 UTC:10.0.0.1(5432):app@shop:[99]:LOG:  statement\n",
       "%t:%r:%u@%d:[%p]:"},
      {"2023-02-27 23:21:40 UTC-63fd3b04.cf0-LOG:  automatic analyze\n", "%t-%c-"},
      {"2024-10-04 06:38:28.808 UTC [2569017]: [1-1] db=,user= LOG: automatic vacuum\n"
       "pages: 0 removed\n",
       "%m [%p]: [%l-1] db=%d,user=%u "},
      {"garbage\nmore garbage\n", "%m [%p] "},
  };
  for (const Case& c : cases) {
    int matched = -1;
    LogLinePrefix p = LogLinePrefix::Detect(c.sample, &matched);
    EXPECT_EQ(p.text(), c.expected) << c.sample;
  }
}

}  // namespace
}  // namespace vacwatch::ingest

namespace vacwatch::ingest {
namespace {

// Prefixes outside the common list, in the order of fields their authors chose: detection
// infers each from a session's line and an autovacuum worker's (sessionless) line, and the
// result reads both: time, pid and database.
TEST(LogLinePrefix, InfersAnyPrefixBuiltFromEscapes) {
  struct Case {
    std::string_view prefix, session_line, worker_line;
  };
  const Case cases[] = {
      {"%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ",
       "2026-11-23 23:18:21 UTC [13110]: [1-1] user=app,db=shop,host=[local],app=psql LOG:  "
       "statement: select 1",
       "2026-11-23 23:18:22 UTC [13111]: [1-1] user=,db=,host=,app= LOG:  automatic vacuum of "
       "table \"shop.public.orders\": index scans: 0"},
      {"%m|%p|%u|%d|%a| ",
       "2026-11-23 23:18:21.286 UTC|13110|app|shop|psql| LOG:  statement: select 1",
       "2026-11-23 23:18:22.001 UTC|13111|||| LOG:  automatic vacuum of table "
       "\"shop.public.orders\": index scans: 0"},
      {"%n [%p] %q%u@%d ", "1700000000.123 [13110] app@shop LOG:  statement: select 1",
       "1700000001.456 [13111] LOG:  automatic vacuum of table \"shop.public.orders\": index "
       "scans: 0"},
      {"pid=%p ts=%m db=%d ",
       "pid=13110 ts=2026-11-23 23:18:21.286 CET db=shop LOG:  statement: select 1",
       "pid=13111 ts=2026-11-23 23:18:22.001 CET db= LOG:  automatic vacuum of table "
       "\"shop.public.orders\": index scans: 0"},
  };
  for (const Case& c : cases) {
    const std::string sample = std::string(c.session_line) + "\n" + std::string(c.worker_line) +
                               "\n" + std::string(c.session_line) + "\n";
    int matched = 0;
    const LogLinePrefix detected = LogLinePrefix::Detect(sample, &matched);
    EXPECT_EQ(matched, 3) << c.prefix << " detected as " << detected.text();
    PrefixMatch m;
    ASSERT_TRUE(detected.Match(c.session_line, &m)) << c.prefix << " -> " << detected.text();
    EXPECT_EQ(m.pid, 13110) << detected.text();
    EXPECT_FALSE(m.time_text.empty()) << detected.text();
    EXPECT_EQ(m.severity, "LOG");
    ASSERT_TRUE(detected.Match(c.worker_line, &m)) << c.prefix << " -> " << detected.text();
    EXPECT_EQ(m.pid, 13111) << detected.text();
    EXPECT_EQ(std::string_view(c.worker_line).substr(m.message_offset, 16), "automatic vacuum");
  }
}

// Found by fuzzing (tests/data/fuzz/log_line_prefix/timeout-c6ebfa7..., and through detection
// tests/data/fuzz/stderr_log_reader/timeout-018948c...): a line of words before "LOG: " makes
// Infer write a prefix of many free-text fields, and matching it against a line that does not
// match tried every way to cut the line among them: exponential, a reader stuck for hours on
// a few lines of garbage. Matching now gives up after kMaxMatchSteps candidate ends.
TEST(LogLinePrefix, ManyFreeTextFieldsFailFastOnALineThatDoesNotMatch) {
  std::string words;
  for (int i = 0; i < 24; ++i) absl::StrAppend(&words, "w", i, " ");
  const std::string head = absl::StrCat(words, "LOG:  automatic vacuum");
  const std::string inferred = LogLinePrefix::Infer(head);
  ASSERT_GE(std::count(inferred.begin(), inferred.end(), '%'), 20) << inferred;
  const LogLinePrefix p = Compiled(inferred);
  PrefixMatch m;
  EXPECT_TRUE(p.Match(head, &m));
  EXPECT_EQ(head.substr(m.message_offset), "automatic vacuum");
  std::string garbage;
  for (int i = 0; i < 300; ++i) garbage += "x ";
  EXPECT_FALSE(p.Match(garbage, &m));  // returns at once instead of after C(300, 24) tries
  EXPECT_FALSE(Compiled("%u%d%a%h%r%i%b%L ").Match(std::string(500, 'y'), &m));
  int matched = 0;
  LogLinePrefix::Detect(absl::StrCat(head, "\n", garbage, "\n", garbage, "\n"), &matched);
  EXPECT_EQ(matched, 1);
}

}  // namespace
}  // namespace vacwatch::ingest
