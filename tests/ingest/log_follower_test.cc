#include "ingest/log_follower.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/log_directory.h"
#include "ingest/log_source.h"
#include "tests/ingest/log_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// One single-line stderr entry about table t<n>: "skipping vacuum of" is an event of its own.
std::string Skip(int n) {
  return "2026-11-23 23:18:33.481 UTC [13245] LOG:  skipping vacuum of \"t" + std::to_string(n) +
         "\" --- lock not available\n";
}

// A multi-line stderr autovacuum entry of shop.public.t<n> (PG15), continuation lines TABbed.
std::string Vacuum(int n) {
  std::string message(testing::kVacuumMessage);
  message.replace(message.find("orders"), 6, "t" + std::to_string(n));
  std::string entry = "2026-11-23 23:18:21.286 UTC [13110] LOG:  ";
  for (char c : message) {
    entry.push_back(c);
    if (c == '\n') entry.push_back('\t');
  }
  return entry + "\n";
}

std::string CsvQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

// A PG15 csvlog record: the vacuum of shop.public.t<n> (its message spans lines).
std::string CsvVacuum(int n) {
  std::string message(testing::kVacuumMessage);
  message.replace(message.find("orders"), 6, "t" + std::to_string(n));
  return "2026-11-23 23:18:21.286 UTC,,,13110,,6b04c9bd.3336,1,,2026-11-23 23:18:21 UTC,4/5,0,"
         "LOG,00000," +
         CsvQuote(message) + ",,,,,,,,,\"\",\"autovacuum worker\",,0\n";
}

// A PG15 jsonlog line: the vacuum of shop.public.t<n>.
std::string JsonVacuum(int n) {
  std::string message(testing::kVacuumMessage);
  message.replace(message.find("orders"), 6, "t" + std::to_string(n));
  std::string line =
      R"({"timestamp":"2026-11-23 23:18:21.286 UTC","pid":13110,"session_id":"6b04c9bd.3336",)"
      R"("line_num":1,"session_start":"2026-11-23 23:18:21 UTC","vxid":"4/5","txid":0,)"
      R"("error_severity":"LOG","message":")";
  JsonWriter::AppendEscaped(message, &line);
  return line + R"(","backend_type":"autovacuum worker","query_id":0})" + "\n";
}

void Append(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// The test's clock: quiet periods pass when the test says so.
class FollowerTest : public ::testing::Test {
 protected:
  LogFollowerOptions Options(LogFormat format = LogFormat::kStderr) {
    LogFollowerOptions o;
    o.reader.format = format;
    o.reader.cluster = "c1";
    if (format == LogFormat::kStderr) o.reader.log_line_prefix = "%m [%p] ";
    o.quiet_period = absl::Seconds(1);
    o.clock = [this] { return now_; };
    o.notice = [this](const std::string& line) { notices_.push_back(line); };
    return o;
  }

  std::unique_ptr<LogFollower> Open(const FollowTarget& target, LogFollowerOptions options,
                                    std::optional<FollowPosition> resume = std::nullopt) {
    absl::StatusOr<std::unique_ptr<LogFollower>> follower =
        LogFollower::Open(target, std::move(options), resume);
    EXPECT_OK(follower);
    return follower.ok() ? std::move(*follower) : nullptr;
  }

  // The tables of every event Next returns until it has caught up.
  std::vector<std::string> Drain(LogFollower* follower) {
    std::vector<std::string> tables;
    LogEvent event;
    while (true) {
      absl::StatusOr<bool> got = follower->Next(&event);
      EXPECT_OK(got);
      if (!got.ok() || !*got) return tables;
      tables.emplace_back(event.table);
    }
  }

  // Drain, let the quiet period pass, drain again (repeatedly: a rotation waits for one quiet
  // period, the new file's last entry for another).
  std::vector<std::string> DrainQuiet(LogFollower* follower) {
    std::vector<std::string> tables = Drain(follower);
    for (int i = 0; i < 4; ++i) {
      now_ += absl::Seconds(2);
      for (std::string& t : Drain(follower)) tables.push_back(std::move(t));
    }
    return tables;
  }

  vacwatch::testing::ScopedTempDir dir_;
  std::string log_ = dir_.path() + "/postgresql.log";
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  std::vector<std::string> notices_;
};

TEST_F(FollowerTest, ReadsAppendsAndCompletesTheLastEntryWhenQuiet) {
  Append(log_, Skip(1) + Skip(2));
  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  // The last entry may still get continuation lines: it waits for the next one, or quiet.
  EXPECT_THAT(Drain(follower.get()), ElementsAre("t1"));
  now_ += absl::Milliseconds(500);
  EXPECT_THAT(Drain(follower.get()), IsEmpty());
  now_ += absl::Milliseconds(600);
  EXPECT_THAT(Drain(follower.get()), ElementsAre("t2"));
  Append(log_, Skip(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t3"));
  EXPECT_EQ(follower->follow_counters().rotations, 0);
  // The stderr reader resumes at the last entry's first line: lines after it may still be its
  // continuation (a restart reads that entry again; the pipeline ignores what it applied).
  EXPECT_EQ(follower->resume_position()->offset, static_cast<int64_t>(2 * Skip(1).size()));
}

TEST_F(FollowerTest, HoldsAPartialLineUntilItsNewline) {
  const std::string second = Skip(2);
  Append(log_, Skip(1) + second.substr(0, 20));
  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  // t1 may go on in the line being written: neither it nor the cut line is read, however
  // long the writer takes.
  EXPECT_THAT(DrainQuiet(follower.get()), IsEmpty());
  EXPECT_EQ(follower->resume_position()->offset, 0);
  Append(log_, second.substr(20));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1", "t2"));
  EXPECT_EQ(follower->counters().total_rejected(), 0);
}

TEST_F(FollowerTest, ReassemblesAMultiLineEntryWrittenInPiecesAndReadInSmallChunks) {
  const std::string vacuum = Vacuum(1);
  const size_t cut = vacuum.find("\ttuples");  // mid-entry, at a line start
  Append(log_, vacuum.substr(0, cut));
  LogFollowerOptions options = Options();
  options.chunk_bytes = 7;  // every line arrives in many reads
  auto follower = Open(FollowTarget::File(log_), options);
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(Drain(follower.get()), IsEmpty());
  now_ += absl::Milliseconds(900);  // within the quiet period: the entry is still open
  EXPECT_THAT(Drain(follower.get()), IsEmpty());
  Append(log_, vacuum.substr(cut) + Skip(2));
  LogEvent event;
  absl::StatusOr<bool> got = follower->Next(&event);
  ASSERT_OK(got);
  ASSERT_TRUE(*got);
  EXPECT_EQ(event.table, "t1");
  ASSERT_TRUE(event.stats.tuples_removed.has_value());
  EXPECT_EQ(*event.stats.tuples_removed, 7);  // a line of the second piece
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2"));
  EXPECT_EQ(follower->counters().total_rejected(), 0);
}

TEST_F(FollowerTest, FollowsRenameAndCreateRotationWithoutLosingAnEntry) {
  Append(log_, Skip(1) + Skip(2));
  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(Drain(follower.get()), ElementsAre("t1"));
  // logrotate `create`: renamed, the writer still writes to the old file until it reopens,
  // then a new file under the name.
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_ + ".1", Skip(3));
  Append(log_, Skip(4) + Skip(5));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3", "t4", "t5"));
  EXPECT_EQ(follower->follow_counters().rotations, 1);
  EXPECT_EQ(follower->current_path(), log_);
  EXPECT_EQ(follower->resume_position()->offset, static_cast<int64_t>(Skip(4).size()));
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_THAT(notices_[0], ::testing::HasSubstr("was rotated"));
}

TEST_F(FollowerTest, FinishesTheRotatedFilesUnterminatedLastLine) {
  const std::string second = Skip(2);
  Append(log_, Skip(1) + second.substr(0, second.size() - 1));  // no '\n'

  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_, Skip(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1", "t2", "t3"));
}

TEST_F(FollowerTest, RestartsFromTheStartOfATruncatedFile) {
  Append(log_, Skip(1) + Skip(2) + Skip(3));
  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(Drain(follower.get()), ElementsAre("t1", "t2"));
  // copytruncate: copied elsewhere, then cut to nothing; the server goes on writing.
  std::filesystem::copy_file(log_, log_ + ".1");
  std::filesystem::resize_file(log_, 0);
  Append(log_, Skip(4));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t3", "t4"));
  EXPECT_EQ(follower->follow_counters().truncations, 1);
  EXPECT_EQ(follower->follow_counters().rotations, 0);
  ASSERT_FALSE(notices_.empty());
  EXPECT_THAT(notices_[0], ::testing::HasSubstr("truncated"));
  EXPECT_EQ(follower->resume_position()->offset, 0);  // t4's first line, in the new content
}

TEST_F(FollowerTest, WaitsForAFileThatDoesNotExistYet) {
  auto follower = Open(FollowTarget::File(log_), Options());
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), IsEmpty());
  EXPECT_FALSE(follower->resume_position().has_value());
  EXPECT_EQ(follower->current_path(), "");
  Append(log_, Skip(1));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1"));
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_THAT(notices_[0], ::testing::HasSubstr("waiting"));
}

TEST_F(FollowerTest, MovesToEachNewFileOfALoggingCollectorDirectory) {
  const std::string first = dir_.path() + "/postgresql-2026-11-23_000000.log";
  Append(dir_.path() + "/postgresql-2026-11-22_000000.log", Skip(0));  // an older day
  Append(first, Skip(1));
  Append(dir_.path() + "/postgresql-2026-11-23_000000.csv", CsvVacuum(99));  // csvlog beside
  Append(dir_.path() + "/notes.txt", "not a log\n");
  // The older day's file was written before: mtimes order them as the server wrote them.
  std::filesystem::last_write_time(
      dir_.path() + "/postgresql-2026-11-22_000000.log",
      std::filesystem::last_write_time(first) - std::chrono::hours(24));
  auto follower = Open(FollowTarget::Directory(dir_.path()), Options());
  ASSERT_NE(follower, nullptr);
  EXPECT_EQ(follower->current_path(), first);
  Append(first, Skip(2));
  EXPECT_THAT(Drain(follower.get()), ElementsAre("t1"));
  // pg_rotate_logfile(): a new name, twice before the follower looks again.
  const std::string second = dir_.path() + "/postgresql-2026-11-23_010000.log";
  const std::string third = dir_.path() + "/postgresql-2026-11-23_020000.log";
  Append(second, Skip(3));
  Append(third, Skip(4));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3", "t4"));
  EXPECT_EQ(follower->current_path(), third);
  EXPECT_EQ(follower->follow_counters().rotations, 2);
}

TEST_F(FollowerTest, DirectoryOfCsvlogFilesFollowsTheCsvNames) {
  const std::string first = dir_.path() + "/postgresql-2026-11-23_000000.csv";
  Append(first, CsvVacuum(1));
  Append(dir_.path() + "/postgresql-2026-11-23_000000.log", Skip(99));
  auto follower = Open(FollowTarget::Directory(dir_.path()), Options(LogFormat::kCsvlog));
  ASSERT_NE(follower, nullptr);
  EXPECT_EQ(follower->current_path(), first);
  Append(first, CsvVacuum(2));
  Append(dir_.path() + "/postgresql-2026-11-23_010000.csv", CsvVacuum(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1", "t2", "t3"));
}

TEST_F(FollowerTest, FollowsCsvlogAcrossRotation) {
  const std::string record = CsvVacuum(2);
  const size_t cut = record.find("tuples");  // inside the quoted message
  Append(log_, CsvVacuum(1) + record.substr(0, cut));
  LogFollowerOptions options = Options(LogFormat::kAuto);
  auto follower = Open(FollowTarget::File(log_), options);
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1"));
  EXPECT_EQ(follower->format(), LogFormat::kCsvlog);
  Append(log_, record.substr(cut));
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_, CsvVacuum(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3"));
  EXPECT_EQ(follower->counters().total_rejected(), 0);
}

TEST_F(FollowerTest, FollowsJsonlogAcrossRotation) {
  const std::string line = JsonVacuum(2);
  Append(log_, JsonVacuum(1) + line.substr(0, 100));
  auto follower = Open(FollowTarget::File(log_), Options(LogFormat::kAuto));
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t1"));
  EXPECT_EQ(follower->format(), LogFormat::kJsonlog);
  Append(log_, line.substr(100));
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_, JsonVacuum(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3"));
  EXPECT_EQ(follower->counters().total_rejected(), 0);
}

TEST_F(FollowerTest, ResumesInTheSameFileAtTheStoredOffset) {
  Append(log_, Skip(1) + Skip(2) + Skip(3));
  std::optional<FollowPosition> position;
  {
    auto follower = Open(FollowTarget::File(log_), Options());
    ASSERT_NE(follower, nullptr);
    EXPECT_THAT(Drain(follower.get()), ElementsAre("t1", "t2"));
    position = follower->resume_position();
  }
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->offset, static_cast<int64_t>(2 * Skip(1).size()));
  Append(log_, Skip(4));
  auto follower = Open(FollowTarget::File(log_), Options(), position);
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t3", "t4"));
  EXPECT_EQ(follower->follow_counters().resumed, 1);
}

TEST_F(FollowerTest, ResumesInARenamedFileThenReadsTheNewOne) {
  Append(log_, Skip(1) + Skip(2));
  std::optional<FollowPosition> position;
  {
    auto follower = Open(FollowTarget::File(log_), Options());
    ASSERT_NE(follower, nullptr);
    EXPECT_THAT(Drain(follower.get()), ElementsAre("t1"));
    position = follower->resume_position();
  }
  // Rotated while vacwatch was stopped.
  std::filesystem::rename(log_, log_ + ".1");
  Append(log_, Skip(3));
  auto follower = Open(FollowTarget::File(log_), Options(), position);
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3"));
  // The old file gone too: the file under the name is read from its start.
  std::filesystem::remove(log_ + ".1");
  auto again = Open(FollowTarget::File(log_), Options(), position);
  ASSERT_NE(again, nullptr);
  EXPECT_THAT(DrainQuiet(again.get()), ElementsAre("t3"));
  EXPECT_EQ(again->follow_counters().resumed, 0);
}

TEST_F(FollowerTest, ResumesInADirectoryAndReadsTheFilesMadeSince) {
  const std::string first = dir_.path() + "/postgresql-2026-11-23_000000.log";
  Append(first, Skip(1) + Skip(2));
  std::optional<FollowPosition> position;
  {
    auto follower = Open(FollowTarget::Directory(dir_.path()), Options());
    ASSERT_NE(follower, nullptr);
    EXPECT_THAT(Drain(follower.get()), ElementsAre("t1"));
    position = follower->resume_position();
  }
  Append(dir_.path() + "/postgresql-2026-11-23_010000.log", Skip(3));
  Append(dir_.path() + "/postgresql-2026-11-23_020000.log", Skip(4));
  auto follower = Open(FollowTarget::Directory(dir_.path()), Options(), position);
  ASSERT_NE(follower, nullptr);
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t2", "t3", "t4"));
}

TEST_F(FollowerTest, FreshStartFromTheEndReadsOnlyWhatComes) {
  Append(log_, Skip(1) + Skip(2));
  LogFollowerOptions options = Options();
  options.fresh_start = LogFollowerOptions::FreshStart::kFromEnd;
  auto follower = Open(FollowTarget::File(log_), options);
  ASSERT_NE(follower, nullptr);
  Append(log_, Skip(3));
  EXPECT_THAT(DrainQuiet(follower.get()), ElementsAre("t3"));
}

TEST(FollowTargetTest, ParsesFilesDirectoriesAndPatterns) {
  vacwatch::testing::ScopedTempDir dir;
  FollowTarget t = ParseFollowTarget(dir.path());
  EXPECT_EQ(t.kind, FollowTarget::Kind::kDirectory);
  EXPECT_EQ(t.log_filename, kDefaultLogFilename);
  t = ParseFollowTarget("/var/log/pg/postgresql-%a.log");
  EXPECT_EQ(t.kind, FollowTarget::Kind::kDirectory);
  EXPECT_EQ(t.path, "/var/log/pg");
  EXPECT_EQ(t.log_filename, "postgresql-%a.log");
  t = ParseFollowTarget("/var/log/postgresql/postgresql-15-main.log");
  EXPECT_EQ(t.kind, FollowTarget::Kind::kFile);
}

TEST(LogDirectoryTest, MatchesStrftimeNames) {
  EXPECT_TRUE(MatchesLogFilename("postgresql-2026-11-23_010203.log", kDefaultLogFilename));
  EXPECT_FALSE(MatchesLogFilename("postgresql-2026-11-23_010203.log.1", kDefaultLogFilename));
  EXPECT_FALSE(MatchesLogFilename("postgresql-2026-11-23_0102.log", kDefaultLogFilename));
  EXPECT_FALSE(MatchesLogFilename("postgresql-2026-11-23_010203.csv", kDefaultLogFilename));
  EXPECT_TRUE(MatchesLogFilename("postgresql-Mon.log", "postgresql-%a.log"));
  EXPECT_TRUE(MatchesLogFilename("pg-100%.log", "pg-100%%.log"));
  EXPECT_TRUE(MatchesLogFilename("x-2026-11-23.log", "x-%F.log"));
  EXPECT_EQ(LogFilenameForFormat(kDefaultLogFilename, LogFormat::kCsvlog),
            "postgresql-%Y-%m-%d_%H%M%S.csv");
  EXPECT_EQ(LogFilenameForFormat("server_log", LogFormat::kJsonlog), "server_log.json");
  EXPECT_EQ(LogFilenameForFormat(kDefaultLogFilename, LogFormat::kStderr), kDefaultLogFilename);
}

// A writer thread appends entries and rotates (by rename, or by a new file in a directory)
// while the follower reads with the real clock: every entry comes out once, in order.
void FollowUnderConcurrentWriter(bool directory) {
  vacwatch::testing::ScopedTempDir dir;
  constexpr int kEntries = 3000;
  constexpr int kPerFile = 250;
  const std::string log = dir.path() + "/postgresql.log";
  auto file_name = [&](int k) {
    char name[64];
    std::snprintf(name, sizeof(name), "/postgresql-2026-11-23_%06d.log", k);
    return dir.path() + name;
  };
  // The first file exists before the follower opens: what is written after is all followed.
  int fd = ::open((directory ? file_name(0) : log).c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  LogFollowerOptions options;
  options.reader.format = LogFormat::kStderr;
  options.reader.log_line_prefix = "%m [%p] ";
  options.quiet_period = absl::Milliseconds(20);
  options.chunk_bytes = 4096;
  absl::StatusOr<std::unique_ptr<LogFollower>> follower = LogFollower::Open(
      directory ? FollowTarget::Directory(dir.path()) : FollowTarget::File(log), options);
  ASSERT_OK(follower);

  std::atomic<bool> stop{false};
  std::atomic<int> consumed{0};
  std::thread writer([&] {
    for (int i = 0; i < kEntries && !stop; ++i) {
      if (i % kPerFile == 0 && i > 0) {
        ::close(fd);
        const int k = i / kPerFile;
        if (!directory) {
          // A file rotated away before the follower ever opened it is lost to any follower of
          // a name (tail -F too): rotate again only once the follower holds the file before.
          const absl::Time wait_until = absl::Now() + absl::Seconds(30);
          while (consumed < (k - 1) * kPerFile && !stop && absl::Now() < wait_until) {
            std::this_thread::yield();
          }
          std::filesystem::rename(log, log + "." + std::to_string(k));
        }
        const std::string path = directory ? file_name(k) : log;
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      }
      // Whole entries per write, as the server writes them; some multi-line.
      const std::string entry = i % 7 == 0 ? Vacuum(i) : Skip(i);
      if (::write(fd, entry.data(), entry.size()) != static_cast<ssize_t>(entry.size())) break;
    }
    ::close(fd);
  });
  std::vector<std::string> tables;
  LogEvent event;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (static_cast<int>(tables.size()) < kEntries && absl::Now() < deadline) {
    absl::StatusOr<bool> got = (*follower)->Next(&event);
    if (!got.ok()) {
      ADD_FAILURE() << got.status();
      break;
    }
    if (*got) {
      tables.emplace_back(event.table);
      consumed = static_cast<int>(tables.size());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // poll interval
    }
  }
  stop = true;
  writer.join();
  ASSERT_EQ(tables.size(), static_cast<size_t>(kEntries));
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_EQ(tables[i], "t" + std::to_string(i)) << "entry " << i;
  }
  EXPECT_EQ((*follower)->counters().total_rejected(), 0);
  // Rotations before the follower opened the first file are none; each later one is seen.
  EXPECT_EQ((*follower)->follow_counters().rotations, kEntries / kPerFile - 1);
}

TEST(FollowerConcurrencyTest, LosesNoEntryAcrossManyRenameRotations) {
  FollowUnderConcurrentWriter(/*directory=*/false);
}

TEST(FollowerConcurrencyTest, LosesNoEntryAcrossManyNewFilesInADirectory) {
  FollowUnderConcurrentWriter(/*directory=*/true);
}

}  // namespace
}  // namespace vacwatch::ingest
