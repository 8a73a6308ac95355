#include "ingest/postgres/server_log_settings.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace vacwatch::ingest {
namespace {

// current_setting(name, missing_ok): a setting the role may not read is NULL, not an error.
constexpr char kQuery[] =
    "SELECT current_setting('log_line_prefix'), current_setting('log_timezone'), "
    "current_setting('log_destination'), current_setting('logging_collector'), "
    "current_setting('log_directory'), current_setting('log_filename'), "
    "current_setting('data_directory', true)";

std::string Value(const PGresult* result, int column) {
  if (PQgetisnull(result, 0, column) != 0) return "";
  return PQgetvalue(result, 0, column);
}

}  // namespace

absl::StatusOr<ServerLogSettings> ReadServerLogSettings(const std::string& dsn,
                                                        absl::Duration connect_timeout) {
  const std::string timeout =
      absl::StrCat(std::max<int64_t>(2, absl::ToInt64Seconds(connect_timeout)));
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {timeout.c_str(), dsn.c_str(), "vacwatch-watch", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string error = conn == nullptr ? "out of memory" : PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("cannot reach the server: ", absl::StripTrailingAsciiWhitespace(error)));
  }
  PGresult* result = PQexec(conn, kQuery);
  if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
    std::string error = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot read the server's log settings: ",
                                               absl::StripTrailingAsciiWhitespace(error)));
  }
  ServerLogSettings s;
  s.log_line_prefix = Value(result, 0);
  s.log_timezone = Value(result, 1);
  s.log_destination = Value(result, 2);
  s.logging_collector = Value(result, 3) == "on";
  s.log_directory = Value(result, 4);
  s.log_filename = Value(result, 5);
  const std::string data_directory = Value(result, 6);
  PQclear(result);
  PQfinish(conn);
  if (!s.log_directory.empty() && s.log_directory.front() != '/') {
    s.log_directory = data_directory.empty() ? "" : data_directory + "/" + s.log_directory;
  }
  return s;
}

}  // namespace vacwatch::ingest
