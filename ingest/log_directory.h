#ifndef VACWATCH_INGEST_LOG_DIRECTORY_H_
#define VACWATCH_INGEST_LOG_DIRECTORY_H_

// The files logging_collector writes into log_directory: their names come from log_filename
// (strftime escapes, default "postgresql-%Y-%m-%d_%H%M%S.log"), and each rotation (by age, by
// size, pg_rotate_logfile()) makes a NEW file, never a rename. A follower of the directory
// lists the files the pattern matches and moves to the newest:
//
//   const std::string pattern = LogFilenameForFormat(kDefaultLogFilename, LogFormat::kCsvlog);
//   // "postgresql-%Y-%m-%d_%H%M%S.csv", as the server names its csvlog files
//   VW_ASSIGN_OR_RETURN(std::vector<LogDirectoryEntry> files, ListLogFiles(dir, pattern));
//   if (!files.empty()) Follow(files.back().path);           // oldest first: back() is newest
//
// Plain functions, no state; ListLogFiles reads the directory each call.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/file_identity.h"
#include "ingest/log_source.h"

namespace vacwatch::ingest {

// PostgreSQL's default log_filename.
inline constexpr std::string_view kDefaultLogFilename = "postgresql-%Y-%m-%d_%H%M%S.log";

// The name pattern of the files `format` writes, from log_filename: the server replaces a
// ".log" suffix by ".csv" (csvlog) or ".json" (jsonlog), or appends that suffix (syslogger.c,
// logfile_getname). stderr and kAuto: log_filename itself.
std::string LogFilenameForFormat(std::string_view log_filename, LogFormat format);

// Whether strftime could have made `name` from `log_filename`: %Y is four digits; %m %d %H %M
// %S %y two; %j three; %a %A %b %B %h letters; "%%" is '%'; any other escape one or more
// characters other than '/'. Literal characters match themselves.
bool MatchesLogFilename(std::string_view name, std::string_view log_filename);

struct LogDirectoryEntry {
  std::string path;  // dir + "/" + name
  std::string name;
  FileStat stat;
};

// The regular files of `dir` whose names match `log_filename` (MatchesLogFilename), oldest
// first: by modification time, then by name (the default pattern's names sort by time). A
// missing directory is NotFound naming it; a file that vanishes while listed is left out.
absl::StatusOr<std::vector<LogDirectoryEntry>> ListLogFiles(const std::string& dir,
                                                            std::string_view log_filename);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_DIRECTORY_H_
