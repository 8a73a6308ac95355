#ifndef VACWATCH_INGEST_LOG_FOLLOWER_H_
#define VACWATCH_INGEST_LOG_FOLLOWER_H_

// LogFollower: a live server log read as it is written, like `tail -F`, through the same
// readers as a log file (log_source.h: stderr, csvlog, jsonlog, shipper lines), across
// rotation and truncation. It follows one of two targets:
//
//   - a file (FollowTarget::File): a path that may be rotated under the same name, by rename
//     and create (logrotate `create`) or by copy and truncate (`copytruncate`);
//   - logging_collector's directory (FollowTarget::Directory: log_directory and log_filename),
//     where the server starts a NEW file at each rotation (by age, by size,
//     pg_rotate_logfile()): the follower moves to each new file in turn.
//
//   LogFollowerOptions options;
//   options.reader.format = LogFormat::kCsvlog;          // as LogSourceOptions: cluster,
//   options.reader.log_line_prefix = "%m [%p] ";          // prefix, zone, dead letters...
//   VW_ASSIGN_OR_RETURN(auto follower, LogFollower::Open(ParseFollowTarget(arg), options,
//                                                         stored_position));
//   LogEvent event;
//   while (running) {
//     VW_ASSIGN_OR_RETURN(bool got, follower->Next(&event));  // never blocks
//     if (got) { Use(event); continue; }                     // valid until the next call
//     Save(follower->resume_position());                     // caught up: wait, poll again
//     WaitABit();
//   }
//
// Next() reads what is there (a chunk per step, stat + pread: no inotify), feeds whole lines
// only (a last line without its '\n' is being written and waits), and returns false when it
// has caught up: nothing complete now, call again later. Entries are complete when the reader
// says so (the next entry's first line, a csvlog row's end, a jsonlog line) or, for the entry
// still open at the end of the file, after `quiet_period` with no new bytes (a multi-line
// entry written in pieces is never cut; LogReader::EndOpenEntry).
//
// Rotation (the path names another file, or a new file appears in the directory): the old file
// is read to its end and then, once it has been quiet for `quiet_period` (a writer may flush
// its last lines after it created the new file, as the syslogger does), finished: its last
// entries (and an unterminated last line) complete. Then the new file is read from its start,
// through a new reader (same format and options; a detected stderr prefix is kept). The new
// file is opened as soon as it is seen, so a second rotation before the switch loses nothing.
// Truncation (the file is shorter than what was read: copytruncate, or a reused %a file):
// reading starts again at byte 0 of it; what was written between the copy and the truncation
// is gone, which no reader can help. Both are counted (FollowCounters) and said in one line
// each (`notice`). A file or directory that does not exist yet is waited for.
//
// Positions: resume_position() is (the file's identity, the byte offset) from which a new
// follower reproduces exactly the events not yet returned. Opened with it, a follower
// continues in that file when it still exists: at the path, or (a file target) renamed beside
// it (postgresql.log.1), or (a directory) among its files; files newer than it are then read
// from their start. When that file is gone (or shorter than the offset), reading starts at
// the current file's start, said in a notice. Without a position: `fresh_start`.
//
// Errors: Next() fails on read errors and on MakeLogReader's (a stats snapshot file, a bad
// prefix). Bad entries never fail it: they go to options.reader.errors and the counters. Not
// thread-safe: one thread owns the follower. The follower keeps no pointer to its arguments
// except options.reader.errors (must outlive it).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ingest/file_identity.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_directory.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"
#include "ingest/log_source.h"

namespace vacwatch::ingest {

struct FollowTarget {
  enum class Kind : uint8_t { kFile, kDirectory };
  Kind kind = Kind::kFile;
  std::string path;          // the file, or the directory (the server's log_directory)
  std::string log_filename;  // kDirectory: the server's log_filename (strftime escapes)

  static FollowTarget File(std::string path);
  // `log_filename` as the server has it: the follower applies the csvlog/jsonlog suffix rule
  // (log_directory.h, LogFilenameForFormat) for the format it is given.
  static FollowTarget Directory(std::string dir,
                                std::string log_filename = std::string(kDefaultLogFilename));
};

// What `--log-file ARG` names: an existing directory is logging_collector's (default
// log_filename); a path whose last component holds a '%' is a directory and its log_filename
// ("/var/lib/postgresql/15/main/log/postgresql-%a.log"); anything else is a file (which may
// not exist yet).
FollowTarget ParseFollowTarget(std::string_view arg);

// Where a follower stands: in which file, at which byte.
struct FollowPosition {
  FileIdentity file;
  int64_t offset = 0;
};

struct FollowCounters {
  int64_t files_opened = 0;  // files read (from a position or from their start)
  int64_t rotations = 0;     // moves to another file: renamed and created, or a new one
  int64_t truncations = 0;   // restarts at byte 0 of a file that became shorter
  int64_t resumed = 0;       // 1 when the stored position was found and continued from
  // Bytes a directory's file received after the follower had finished it (lost).
  int64_t bytes_after_finish = 0;
};

struct LogFollowerOptions {
  // The reader options, as for a log file: format (kAuto: recognised from the first line of
  // the first file, then kept), cluster, log_line_prefix, log_timezone, errors, envelope,
  // max_entry_bytes, source_name (default: each file's path). start_offset and hold_cut_entry
  // are the follower's business and ignored.
  LogSourceOptions reader;
  // How long the end of a file stays unchanged before the entry open there is complete, and
  // before a rotated file is finished.
  absl::Duration quiet_period = absl::Seconds(1);
  // Without a position to resume: read the current file from its start (the history the
  // server has there), or from its end (only what comes).
  enum class FreshStart : uint8_t { kFromStart, kFromEnd };
  FreshStart fresh_start = FreshStart::kFromStart;
  // Wall clock for the quiet period (tests drive it); default absl::Now.
  std::function<absl::Time()> clock;
  // One line per rotation, truncation, resume decision and wait; default: none.
  std::function<void(const std::string&)> notice;
  size_t chunk_bytes = size_t{1} << 20;  // bytes read per step
};

class LogFollower {
 public:
  // Opens the target and positions at `resume` when it finds that file (see above); a target
  // that does not exist yet is not an error (Next() waits for it). Errors: InvalidArgument for
  // an empty path; the file system's other than "missing".
  static absl::StatusOr<std::unique_ptr<LogFollower>> Open(
      FollowTarget target, LogFollowerOptions options,
      std::optional<FollowPosition> resume = std::nullopt);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Fills `event` with the next complete event and returns true; false when caught up (call
  // again later). `event`'s views are valid until the next call.
  absl::StatusOr<bool> Next(LogEvent* event);

  // Where a new follower reproduces exactly the events not yet returned; nullopt while no file
  // has been opened yet.
  std::optional<FollowPosition> resume_position() const;
  // The file being read ("" while waiting for one).
  std::string_view current_path() const;
  // Summed over every file read so far.
  const IngestCounters& counters() const;
  const FollowCounters& follow_counters() const { return follow_counters_; }
  // The format in use: options.reader.format, or the recognised one (kAuto before the first
  // line).
  LogFormat format() const { return format_; }
  // stderr: the prefix the lines suggest (LogReader::suggested_prefix) of the current file.
  std::string_view suggested_prefix() const;

 private:
  struct File;    // an open file, its reader and what of it was read
  struct Known {  // a directory's file as last seen
    int64_t size = 0;
    bool read = false;  // current, pending or finished (not skipped at start)
    bool finished = false;
  };

  LogFollower(FollowTarget target, LogFollowerOptions options,
              std::optional<FollowPosition> resume);
  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }
  void Notice(const std::string& line) const;

  // One step of reading or of noticing a change; false when nothing happened.
  absl::StatusOr<bool> Poll();
  // Opens the first file (resume position, fresh start); false when there is none yet.
  absl::StatusOr<bool> OpenFirst();
  absl::StatusOr<bool> OpenFirstFile();
  absl::StatusOr<bool> OpenFirstInDirectory();
  // Looks for the file to read after the current one (into pending_).
  absl::Status FindNext();
  absl::StatusOr<std::unique_ptr<File>> OpenAt(const std::string& path, int64_t offset,
                                               std::optional<FileIdentity> expected);
  // The start of the last line at or before `size` (FreshStart::kFromEnd).
  absl::StatusOr<int64_t> LastLineStart(const std::string& path, int64_t size);
  absl::StatusOr<size_t> ReadChunk(File* file);
  absl::Status FeedLines(File* file, std::string_view data);
  absl::Status FeedReader(File* file, std::string_view bytes);
  absl::Status FinishFile(File* file, bool keep_tail);
  void SwitchToPending();

  FollowTarget target_;
  LogFollowerOptions options_;
  std::string pattern_;  // kDirectory: log_filename with the format's suffix
  std::optional<FollowPosition> resume_;
  LogFormat format_;
  std::string learned_prefix_;  // stderr, no prefix given: detected in an earlier file

  std::unique_ptr<File> current_;
  std::deque<std::unique_ptr<File>> pending_;  // opened, read after current_, in order
  absl::Time switch_seen_ = absl::InfinitePast();
  bool waiting_said_ = false;
  std::map<FileIdentity, Known> known_;  // kDirectory: the files seen in the directory

  std::unique_ptr<char[]> chunk_;
  IngestCounters done_counters_;  // of the files finished
  mutable IngestCounters counters_;
  FollowCounters follow_counters_;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_FOLLOWER_H_
