#ifndef VACWATCH_INGEST_POSTGRES_SERVER_LOG_SETTINGS_H_
#define VACWATCH_INGEST_POSTGRES_SERVER_LOG_SETTINGS_H_

// ReadServerLogSettings: how a PostgreSQL server writes its log, asked of the server itself
// (`vacwatch watch` reads the log with them when the flags do not say): log_line_prefix and
// log_timezone (to read the lines), log_destination, logging_collector, log_directory (made
// absolute against data_directory) and log_filename (to find the files).
//
//   VW_ASSIGN_OR_RETURN(ServerLogSettings s, ReadServerLogSettings("host=db1 user=vacwatch"));
//   options.log_line_prefix = s.log_line_prefix;
//
// One connection (application_name vacwatch-watch), one round trip, closed before returning.
// data_directory needs pg_read_all_settings (in pg_monitor) or superuser; without it
// log_directory stays as the server has it (relative paths then unknown: empty). Errors:
// Unavailable with libpq's message when the server cannot be reached or the query fails.
// Thread-safe (no shared state).

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vacwatch::ingest {

struct ServerLogSettings {
  std::string log_line_prefix;
  std::string log_timezone;
  std::string log_destination;  // "stderr", "csvlog", "stderr,jsonlog"...
  bool logging_collector = false;
  std::string log_directory;  // absolute, or "" when it is relative and PGDATA is not readable
  std::string log_filename;
};

absl::StatusOr<ServerLogSettings> ReadServerLogSettings(
    const std::string& dsn, absl::Duration connect_timeout = absl::Seconds(10));

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_POSTGRES_SERVER_LOG_SETTINGS_H_
