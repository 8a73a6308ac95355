#ifndef VACWATCH_TESTS_TESTING_POSTGRES_SERVER_H_
#define VACWATCH_TESTS_TESTING_POSTGRES_SERVER_H_

// PostgresServer: a real, throwaway PostgreSQL 15 for integration tests. Start() runs initdb in
// a fresh temporary directory, picks a free port, puts the unix socket in that directory and
// starts the postmaster as a child of the test; the destructor stops it (immediate shutdown)
// and removes the directory. Start it once per test binary (a gtest Environment or
// SetUpTestSuite): initdb and start-up take about a second.
//
//   static std::unique_ptr<PostgresServer> server;       // in SetUpTestSuite():
//   PostgresServerOptions options;   // (designated initializers trip -Wmissing-field-initializers)
//   options.settings = {{"log_autovacuum_min_duration", "0"}, {"autovacuum_naptime", "1"}};
//   options.logging_collector = true;
//   absl::StatusOr<std::unique_ptr<PostgresServer>> s = PostgresServer::Start(options);
//   ASSERT_OK(s); server = *std::move(s);
//   ASSERT_OK(server->Execute("CREATE DATABASE shop"));
//   std::string dsn = server->Dsn("shop");  // "host=/tmp/vacwatch-pg-Xy12ab port=41234 ..."
//   absl::StatusOr<std::string> n = server->QueryValue("SELECT count(*) FROM t", "shop");
//   ASSERT_OK(server->Restart());           // same data, same port
//   PostgresSession holder(server->Dsn("shop"));   // a connection the test keeps open
//   ASSERT_OK(holder.Execute("BEGIN; UPDATE t SET v = v + 1"));
//
// Users: when the test runs as root (CI), initdb refuses to, so every server process runs as
// the `postgres` user through `runuser -u postgres --`, and the temporary directory is chowned
// to it; otherwise they run as the test's user. The superuser role is `postgres` either way,
// authentication is `trust` on the socket and on 127.0.0.1.
//
// Logs: without the collector, the server's stderr goes to server_log() (a plain file in the
// temporary directory). With `logging_collector`, the server writes `stderr`-format files into
// log_directory() (postgresql-<time>.log; rotated by SELECT pg_rotate_logfile()), and
// CurrentLogFile() asks the server which one it writes now (pg_current_logfile()). On a failed
// start the error carries the last lines of the server's output.
//
// Waiting: every wait (start, stop) polls a condition until a deadline (options.timeout);
// nothing sleeps a fixed time. Errors: Internal/Unavailable/DeadlineExceeded with the reason.
// Not thread-safe: one test thread drives it (libpq connections of other threads are fine).
// If the test process dies, the server gets SIGTERM (PR_SET_PDEATHSIG) and goes away.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct pg_conn;

namespace vacwatch::testing {

struct PostgresServerOptions {
  // Extra postgresql.conf lines (name, value as written in the file: quote strings yourself,
  // e.g. {"log_line_prefix", "'%m [%p] '"}). They come after the harness's own settings
  // (port, sockets, fsync = off, max_prepared_transactions = 10, lc_messages = 'C'), so they win.
  std::vector<std::pair<std::string, std::string>> settings;
  // Server log files in log_directory() instead of one stderr file.
  bool logging_collector = false;
  // Contrib extensions to CREATE in the postgres database after start (e.g. "pgstattuple").
  std::vector<std::string> extensions;
  absl::Duration timeout = absl::Seconds(60);
  // Where to make the temporary directory: $TMPDIR, else /tmp (kept short: socket paths are
  // limited to 107 bytes).
  std::string parent_dir;
};

class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(PostgresServerOptions options);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq connection string for `database` as the superuser, over the unix socket.
  std::string Dsn(std::string_view database = "postgres") const;
  // The same over TCP (host=127.0.0.1).
  std::string TcpDsn(std::string_view database = "postgres") const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }            // the temporary directory
  const std::string& socket_dir() const { return dir_; }     // the unix socket's directory
  const std::string& data_dir() const { return data_dir_; }  // PGDATA
  const std::string& server_log() const { return server_log_; }
  const std::string& log_directory() const { return log_dir_; }  // with logging_collector
  // The absolute path of the file the server logs to now: pg_current_logfile() with the
  // collector, server_log() without.
  absl::StatusOr<std::string> CurrentLogFile();
  // The postmaster's pid while running, else -1.
  pid_t postmaster_pid() const { return postmaster_pid_; }

  // Runs `sql` (one or more statements) in `database` on a fresh connection; the rows of the
  // last statement, each value as text (NULL as std::nullopt). Several statements run in one
  // implicit transaction, so CREATE/DROP DATABASE must come alone.
  using Row = std::vector<std::optional<std::string>>;
  absl::StatusOr<std::vector<Row>> Query(std::string_view sql,
                                         std::string_view database = "postgres");
  // The first value of the first row (NotFound when there is none, a NULL is "").
  absl::StatusOr<std::string> QueryValue(std::string_view sql,
                                         std::string_view database = "postgres");
  absl::Status Execute(std::string_view sql, std::string_view database = "postgres");

  // Fast shutdown (SIGINT) and wait until the postmaster has exited: connections are refused
  // until StartAgain(). FailedPrecondition when it is not running.
  absl::Status Stop();
  // Starts the stopped server on the same data directory and port, and waits until it accepts
  // connections.
  absl::Status StartAgain();
  absl::Status Restart();  // Stop() then StartAgain()
  bool running() const { return postmaster_pid_ > 0; }

 private:
  PostgresServer() = default;
  absl::Status Init();
  absl::Status Launch();
  // Runs argv (as postgres when root) to completion; Internal with its output when it fails.
  absl::Status RunTool(const std::vector<std::string>& argv);
  std::vector<std::string> AsServerUser(std::vector<std::string> argv) const;
  std::string TailOfServerOutput() const;

  PostgresServerOptions options_;
  std::string dir_, data_dir_, server_log_, log_dir_;
  int port_ = 0;
  pid_t child_pid_ = -1;       // runuser (as root) or the postmaster itself
  pid_t postmaster_pid_ = -1;  // the postmaster (from postmaster.pid)
};

// One connection the test keeps open (a session that holds a transaction, a lock, a prepared
// transaction), closed when the object goes. Execute runs one or more statements.
class PostgresSession {
 public:
  explicit PostgresSession(const std::string& dsn);
  ~PostgresSession();
  PostgresSession(const PostgresSession&) = delete;
  PostgresSession& operator=(const PostgresSession&) = delete;

  absl::Status Execute(std::string_view sql);
  // The first value of the first row of the last statement.
  absl::StatusOr<std::string> QueryValue(std::string_view sql);
  int backend_pid() const;

 private:
  pg_conn* conn_ = nullptr;
};

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_POSTGRES_SERVER_H_
