#include "tests/testing/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace vacwatch::testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";

bool IsRoot() { return ::geteuid() == 0; }

// A TCP port nobody listens on now (the kernel's pick for port 0 on 127.0.0.1).
absl::StatusOr<int> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::InternalError("cannot bind a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Forks and execs argv with stdout and stderr appended to `output`; the child gets SIGTERM when
// the test process dies.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& output) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return absl::InternalError(absl::StrCat("cannot open ", output));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

// Waits for `pid` to exit until `deadline`; its wait status, or nullopt at the deadline.
std::optional<int> WaitForExit(pid_t pid, absl::Time deadline) {
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return 0;  // not our child any more
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(20));  // polling the exit, not a fixed wait
  }
}

absl::Status ChownToPostgres(const std::string& path) {
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) return absl::InternalError("running as root but there is no postgres user");
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return absl::InternalError(absl::StrCat("chown postgres ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PostgresServer::Row>> RunQuery(pg_conn* conn, std::string_view sql) {
  PGresult* result = PQexec(conn, std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const std::string message = PQresultErrorMessage(result);
    PQclear(result);
    return absl::InternalError(
        absl::StrCat("query failed: ", message, " (", std::string(sql), ")"));
  }
  std::vector<PostgresServer::Row> rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    PostgresServer::Row row;
    for (int c = 0; c < PQnfields(result); ++c) {
      if (PQgetisnull(result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  PQclear(result);
  return rows;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(
    PostgresServerOptions options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->options_ = std::move(options);
  VW_RETURN_IF_ERROR(server->Init());
  // A port picked free may be taken before the postmaster binds it: try a few.
  absl::Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    VW_ASSIGN_OR_RETURN(server->port_, FreePort());
    started = server->Launch();
    if (started.ok()) break;
  }
  VW_RETURN_IF_ERROR(started);
  for (const std::string& extension : server->options_.extensions) {
    VW_RETURN_IF_ERROR(server->Execute(absl::StrCat("CREATE EXTENSION ", extension)));
  }
  return server;
}

absl::Status PostgresServer::Init() {
  const char* tmp = std::getenv("TMPDIR");
  std::string parent = !options_.parent_dir.empty()       ? options_.parent_dir
                       : tmp != nullptr && tmp[0] != '\0' ? tmp
                                                          : "/tmp";
  std::string pattern = parent + "/vacwatch-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
  }
  dir_ = pattern;
  data_dir_ = dir_ + "/data";
  server_log_ = dir_ + "/server.log";
  log_dir_ = dir_ + "/log";
  if (dir_.size() > 80) {
    return absl::InvalidArgumentError(
        absl::StrCat("temporary directory ", dir_, " is too long for a unix socket path"));
  }
  std::filesystem::create_directories(log_dir_);
  // The directory only needs to be traversable by the server user; mkdtemp made it 0700.
  ::chmod(dir_.c_str(), 0755);
  if (IsRoot()) {
    VW_RETURN_IF_ERROR(ChownToPostgres(dir_));
    VW_RETURN_IF_ERROR(ChownToPostgres(log_dir_));
  }
  VW_RETURN_IF_ERROR(RunTool({absl::StrCat(kBinDir, "/initdb"), "-D", data_dir_, "-U", "postgres",
                              "-A", "trust", "-N", "-E", "UTF8", "--locale=C"}));
  std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
  conf << "\n# vacwatch test harness (tests/testing/postgres_server.h)\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
       << "max_prepared_transactions = 10\n"
       << "lc_messages = 'C'\n";
  if (options_.logging_collector) {
    conf << "logging_collector = on\n"
         << "log_directory = '" << log_dir_ << "'\n"
         << "log_filename = 'postgresql-%Y%m%d_%H%M%S.log'\n"
         << "log_rotation_age = 0\nlog_rotation_size = 0\n";
  }
  for (const auto& [name, value] : options_.settings) conf << name << " = " << value << "\n";
  conf.close();
  if (!conf) return absl::InternalError("cannot write postgresql.conf");
  return absl::OkStatus();
}

std::vector<std::string> PostgresServer::AsServerUser(std::vector<std::string> argv) const {
  if (!IsRoot()) return argv;
  std::vector<std::string> wrapped = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

absl::Status PostgresServer::RunTool(const std::vector<std::string>& argv) {
  const std::string output = dir_ + "/tool.log";
  VW_ASSIGN_OR_RETURN(const pid_t pid, Spawn(AsServerUser(argv), output));
  const std::optional<int> status = WaitForExit(pid, absl::Now() + options_.timeout);
  if (!status.has_value()) {
    ::kill(pid, SIGKILL);
    WaitForExit(pid, absl::InfiniteFuture());
    return absl::DeadlineExceededError(absl::StrCat(argv[0], " did not finish"));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return absl::InternalError(
        absl::StrCat(absl::StrJoin(argv, " "), " failed: ", ReadWholeFile(output)));
  }
  return absl::OkStatus();
}

std::string PostgresServer::TailOfServerOutput() const {
  std::string text = ReadWholeFile(server_log_);
  if (text.size() > 2000) text = text.substr(text.size() - 2000);
  return text;
}

absl::Status PostgresServer::Launch() {
  // Rewritten by every start; a stale one would be read as the new postmaster's.
  std::error_code ignored;
  std::filesystem::remove(data_dir_ + "/postmaster.pid", ignored);
  VW_ASSIGN_OR_RETURN(child_pid_, Spawn(AsServerUser({absl::StrCat(kBinDir, "/postgres"), "-D",
                                                      data_dir_, "-p", absl::StrCat(port_)}),
                                        server_log_));
  const absl::Time deadline = absl::Now() + options_.timeout;
  const std::string dsn = Dsn();
  while (true) {
    int status = 0;
    if (::waitpid(child_pid_, &status, WNOHANG) == child_pid_) {
      child_pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("postgres exited at start-up: ", TailOfServerOutput()));
    }
    if (PQping(dsn.c_str()) == PQPING_OK) break;
    if (absl::Now() >= deadline) {
      ::kill(child_pid_, SIGKILL);
      WaitForExit(child_pid_, absl::InfiniteFuture());
      child_pid_ = -1;
      return absl::DeadlineExceededError(
          absl::StrCat("postgres did not accept connections in time: ", TailOfServerOutput()));
    }
    absl::SleepFor(absl::Milliseconds(20));  // polling readiness, not a fixed wait
  }
  // The first line of postmaster.pid is the postmaster's pid (under runuser it is not ours).
  std::ifstream pid_file(data_dir_ + "/postmaster.pid");
  int64_t pid = -1;
  pid_file >> pid;
  if (pid <= 0) return absl::InternalError("cannot read postmaster.pid");
  postmaster_pid_ = static_cast<pid_t>(pid);
  return absl::OkStatus();
}

PostgresServer::~PostgresServer() {
  if (postmaster_pid_ > 0) ::kill(postmaster_pid_, SIGQUIT);  // immediate shutdown
  if (child_pid_ > 0) {
    if (!WaitForExit(child_pid_, absl::Now() + absl::Seconds(30)).has_value()) {
      ::kill(child_pid_, SIGKILL);
      if (postmaster_pid_ > 0) ::kill(postmaster_pid_, SIGKILL);
      WaitForExit(child_pid_, absl::InfiniteFuture());
    }
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::Dsn(std::string_view database) const {
  return absl::StrCat("host=", dir_, " port=", port_,
                      " user=postgres dbname=", std::string(database));
}

std::string PostgresServer::TcpDsn(std::string_view database) const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=postgres dbname=", std::string(database));
}

absl::StatusOr<std::string> PostgresServer::CurrentLogFile() {
  if (!options_.logging_collector) return server_log_;
  absl::StatusOr<std::string> file = QueryValue("SELECT pg_current_logfile()");
  if (!file.ok()) return file.status();
  if (file->empty()) return absl::UnavailableError("the server names no current log file yet");
  if (file->front() == '/') return *file;
  return absl::StrCat(data_dir_, "/", *file);
}

absl::StatusOr<std::vector<PostgresServer::Row>> PostgresServer::Query(std::string_view sql,
                                                                       std::string_view database) {
  pg_conn* conn = PQconnectdb(Dsn(database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect: ", message));
  }
  absl::StatusOr<std::vector<Row>> rows = RunQuery(conn, sql);
  PQfinish(conn);
  return rows;
}

absl::StatusOr<std::string> PostgresServer::QueryValue(std::string_view sql,
                                                       std::string_view database) {
  VW_ASSIGN_OR_RETURN(std::vector<Row> rows, Query(sql, database));
  if (rows.empty() || rows[0].empty()) return absl::NotFoundError("the query returned no row");
  return rows[0][0].value_or("");
}

absl::Status PostgresServer::Execute(std::string_view sql, std::string_view database) {
  return Query(sql, database).status();
}

absl::Status PostgresServer::Stop() {
  if (postmaster_pid_ <= 0) return absl::FailedPreconditionError("the server is not running");
  ::kill(postmaster_pid_, SIGINT);  // fast shutdown: clients are disconnected
  const std::optional<int> status = WaitForExit(child_pid_, absl::Now() + options_.timeout);
  if (!status.has_value()) {
    return absl::DeadlineExceededError("postgres did not stop in time");
  }
  child_pid_ = -1;
  postmaster_pid_ = -1;
  return absl::OkStatus();
}

absl::Status PostgresServer::StartAgain() {
  if (postmaster_pid_ > 0) return absl::FailedPreconditionError("the server is running");
  return Launch();
}

absl::Status PostgresServer::Restart() {
  VW_RETURN_IF_ERROR(Stop());
  return StartAgain();
}

PostgresSession::PostgresSession(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {}

PostgresSession::~PostgresSession() { PQfinish(conn_); }

absl::Status PostgresSession::Execute(std::string_view sql) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("not connected: ", PQerrorMessage(conn_)));
  }
  return RunQuery(conn_, sql).status();
}

absl::StatusOr<std::string> PostgresSession::QueryValue(std::string_view sql) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("not connected: ", PQerrorMessage(conn_)));
  }
  VW_ASSIGN_OR_RETURN(std::vector<PostgresServer::Row> rows, RunQuery(conn_, sql));
  if (rows.empty() || rows[0].empty()) return absl::NotFoundError("the query returned no row");
  return rows[0][0].value_or("");
}

int PostgresSession::backend_pid() const { return PQbackendPID(conn_); }

}  // namespace vacwatch::testing
