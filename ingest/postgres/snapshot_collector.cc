#include "ingest/postgres/snapshot_collector.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ingest/postgres/snapshot_query.h"
#include "ingest/snapshot_decoder.h"

namespace vacwatch::ingest {
namespace {

constexpr char kApplicationName[] = "vacwatch-collect";

// libpq's messages end in a newline and may span lines ("...failed: Connection refused\n\tIs
// the server running..."): one line for the log.
std::string OneLine(std::string_view message) {
  std::string out;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(message.data(), message.size()), absl::ByAnyChar("\n\t"))) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    if (!out.empty()) out += ' ';
    absl::StrAppend(&out, part);
  }
  return out;
}

int64_t Millis(absl::Duration d) { return std::max<int64_t>(0, absl::ToInt64Milliseconds(d)); }

// "host:port" of a connection; a unix socket (a directory) stands for this machine.
std::string ClusterNameOf(PGconn* conn) {
  std::string host = PQhost(conn) != nullptr ? PQhost(conn) : "";
  if (host.empty() || host[0] == '/' || host == "localhost" || host == "127.0.0.1" ||
      host == "::1") {
    char name[256] = {};
    host = ::gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0' ? name : "localhost";
  }
  const std::string port =
      PQport(conn) != nullptr && PQport(conn)[0] != '\0' ? PQport(conn) : "5432";
  return absl::StrCat(host, ":", port);
}

// The first value of a one-row result, or nullopt with `error` set.
std::optional<std::string> SingleValue(PGresult* result, std::string* error) {
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    *error = OneLine(PQresultErrorMessage(result));
    return std::nullopt;
  }
  if (PQntuples(result) != 1 || PQnfields(result) < 1 || PQgetisnull(result, 0, 0)) {
    *error = absl::StrCat("expected one value, got ", PQntuples(result), " rows");
    return std::nullopt;
  }
  return std::string(PQgetvalue(result, 0, 0), PQgetlength(result, 0, 0));
}

}  // namespace

struct SnapshotCollector::Connection {
  PGconn* pg = nullptr;
  int server_version_num = 0;
  std::string query;         // the snapshot query of this server's version
  std::string bloat_schema;  // where pgstattuple lives (quoted), empty without it

  ~Connection() { PQfinish(pg); }
  bool ok() const { return pg != nullptr && PQstatus(pg) == CONNECTION_OK; }
};

struct SnapshotCollector::DatabaseState {
  std::unique_ptr<Connection> conn;
  bool failing = false;  // the last round failed (logged once)
  std::string last_error;
  std::map<int64_t, absl::Time> measured_at;  // bloat measurements, per relid
};

SnapshotCollector::SnapshotCollector(SnapshotCollectorOptions options)
    : options_(std::move(options)), cluster_(options_.cluster) {}

SnapshotCollector::~SnapshotCollector() = default;

void SnapshotCollector::Log(CollectorLogLevel level, const std::string& message) const {
  if (options_.log) options_.log(level, message);
}

std::unique_ptr<SnapshotCollector::Connection> SnapshotCollector::Connect(
    const std::string& database, std::string* error) {
  // Later keywords override earlier ones; the first dbname is expanded as a connection string
  // (expand_dbname), so our default timeout yields to the DSN's, and the database and
  // application name are ours.
  const std::string timeout =
      absl::StrCat(std::max<int64_t>(2, absl::ToInt64Seconds(options_.connect_timeout)));
  std::vector<const char*> keys = {"connect_timeout", "dbname"};
  std::vector<const char*> values = {timeout.c_str(), options_.dsn.c_str()};
  if (!database.empty()) {
    keys.push_back("dbname");
    values.push_back(database.c_str());
  }
  keys.push_back("application_name");
  values.push_back(kApplicationName);
  keys.push_back(nullptr);
  values.push_back(nullptr);
  auto conn = std::make_unique<Connection>();
  conn->pg = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn->pg == nullptr || PQstatus(conn->pg) != CONNECTION_OK) {
    *error = conn->pg == nullptr ? "out of memory" : OneLine(PQerrorMessage(conn->pg));
    return nullptr;
  }
  conn->server_version_num = PQserverVersion(conn->pg);
  absl::StatusOr<std::string> query = BuildSnapshotQuery(conn->server_version_num);
  if (!query.ok()) {
    *error = std::string(query.status().message());
    return nullptr;
  }
  conn->query = *std::move(query);
  // Safety settings, and where pgstattuple is, in one round trip (the last statement's rows
  // come back).
  std::string setup = absl::StrCat(
      "SET statement_timeout = ", Millis(options_.statement_timeout),
      "; SET lock_timeout = ", Millis(options_.lock_timeout),
      "; SET default_transaction_read_only = on; ",
      options_.bloat.enabled
          ? "SELECT coalesce((SELECT quote_ident(n.nspname) FROM pg_extension e JOIN "
            "pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'), '')"
          : "SELECT ''");
  PGresult* result = PQexec(conn->pg, setup.c_str());
  std::optional<std::string> schema = SingleValue(result, error);
  PQclear(result);
  if (!schema.has_value()) return nullptr;
  conn->bloat_schema = *schema;
  if (cluster_.empty()) {
    cluster_ = ClusterNameOf(conn->pg);
    Log(CollectorLogLevel::kInfo, absl::StrCat("cluster name ", cluster_,
                                               " (from the server's host and port; --cluster "
                                               "names it)"));
  }
  return conn;
}

bool SnapshotCollector::Discover(std::string* error) {
  if (discovery_ == nullptr || !discovery_->ok()) {
    discovery_ = Connect("", error);
    if (discovery_ == nullptr) return false;
  }
  constexpr char kDiscover[] =
      "SELECT coalesce(jsonb_agg(datname ORDER BY datname), '[]')::text FROM pg_database "
      "WHERE datallowconn AND NOT datistemplate "
      "AND has_database_privilege(datname, 'CONNECT')";
  PGresult* result = PQexec(discovery_->pg, kDiscover);
  std::optional<std::string> list = SingleValue(result, error);
  PQclear(result);
  if (!list.has_value()) {
    if (!discovery_->ok()) discovery_.reset();
    return false;
  }
  // A jsonb array of names: parse it with the names' own quoting rules. Names are split on
  // the "," that jsonb puts between elements; a name with a quote or backslash is escaped by
  // jsonb and unescaped here.
  std::vector<std::string> found;
  std::string current;
  bool in_string = false, escaped = false;
  for (char c : *list) {
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        current.clear();
      }
      continue;
    }
    if (escaped) {
      current += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      in_string = false;
      found.push_back(current);
    } else {
      current += c;
    }
  }
  if (found != databases_) {
    Log(CollectorLogLevel::kInfo,
        absl::StrCat("collecting ", found.size(), " database", found.size() == 1 ? "" : "s", ": ",
                     absl::StrJoin(found, ", ")));
  }
  databases_ = std::move(found);
  discovered_at_ = absl::Now();
  rediscover_ = false;
  return true;
}

bool SnapshotCollector::CollectDatabase(const std::string& database, DatabaseState& state,
                                        const std::function<void(const CollectedSnapshot&)>& emit,
                                        RoundResult* result, std::string* error,
                                        bool* connect_failed) {
  *connect_failed = false;
  const char* cluster = nullptr;
  // A connection that broke since the last round (a restart) is opened again at once, and a
  // query that fails because the connection broke is tried once more on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (state.conn == nullptr || !state.conn->ok()) {
      state.conn = Connect(database, error);
      if (state.conn == nullptr) {
        *connect_failed = true;
        return false;
      }
    }
    cluster = cluster_.c_str();
    const absl::Time start = absl::Now();
    PGresult* r = PQexecParams(state.conn->pg, state.conn->query.c_str(), 1, nullptr, &cluster,
                               nullptr, nullptr, 0);
    const absl::Duration took = absl::Now() - start;
    std::optional<std::string> document = SingleValue(r, error);
    PQclear(r);
    if (!document.has_value()) {
      if (!state.conn->ok() && attempt == 0) continue;
      return false;
    }
    if (options_.bloat.enabled && !state.conn->bloat_schema.empty()) {
      result->bloat_measurements += MeasureBloat(*state.conn, state, &*document);
    }
    emit(CollectedSnapshot{
        .database = database, .document = *std::move(document), .query_time = took});
    ++result->snapshots;
    return true;
  }
  return false;
}

int SnapshotCollector::MeasureBloat(Connection& conn, DatabaseState& state, std::string* document) {
  if (!options_.bloat.candidates) return 0;
  SnapshotDecoder decoder(SnapshotDecoder::Options{.salvage = true});
  Snapshot snapshot;
  if (!decoder.TryDecode(*document, &snapshot)) return 0;
  const absl::Time now = absl::Now();
  std::vector<int64_t> due;
  for (int64_t relid : options_.bloat.candidates(snapshot)) {
    if (static_cast<int>(due.size()) >= options_.bloat.max_tables_per_round) break;
    auto it = state.measured_at.find(relid);
    if (it != state.measured_at.end() && now - it->second < options_.bloat.min_interval) continue;
    due.push_back(relid);
  }
  if (due.empty()) return 0;
  // Only heap tables and materialized views can be measured; the relid is an integer we
  // print, never text from the server.
  const std::string sql = absl::StrCat(
      "SELECT jsonb_build_object('relid', c.oid, 'measured_at', clock_timestamp(), "
      "'table_len', b.table_len, 'scanned_percent', b.scanned_percent, "
      "'approx_tuple_len', b.approx_tuple_len, 'dead_tuple_count', b.dead_tuple_count, "
      "'dead_tuple_len', b.dead_tuple_len, 'approx_free_space', b.approx_free_space)::text "
      "FROM pg_class c, LATERAL ",
      conn.bloat_schema,
      ".pgstattuple_approx(c.oid::regclass) b WHERE c.oid = $1::oid "
      "AND c.relkind IN ('r', 'm')");
  std::vector<std::string> measured;
  for (int64_t relid : due) {
    state.measured_at[relid] = now;  // a failure waits its turn too
    const std::string param = absl::StrCat(relid);
    const char* value = param.c_str();
    PGresult* r = PQexecParams(conn.pg, sql.c_str(), 1, nullptr, &value, nullptr, nullptr, 0);
    std::string error;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0) {
      PQclear(r);
      continue;  // dropped meanwhile, or not a heap
    }
    std::optional<std::string> row = SingleValue(r, &error);
    PQclear(r);
    if (!row.has_value()) {
      Log(CollectorLogLevel::kWarning,
          absl::StrCat("database ", std::string(snapshot.database),
                       ": measuring the bloat of table ", relid, " failed: ", error));
      if (!conn.ok()) break;
      continue;
    }
    measured.push_back(*std::move(row));
  }
  if (measured.empty()) return 0;
  // The measurements join the document as its last key (docs/formats.md, measured_bloat).
  const size_t end = document->rfind('}');
  if (end == std::string::npos) return 0;
  document->insert(end,
                   absl::StrCat(", \"measured_bloat\": [", absl::StrJoin(measured, ", "), "]"));
  return static_cast<int>(measured.size());
}

RoundResult SnapshotCollector::CollectRound(
    const std::function<void(const CollectedSnapshot&)>& emit) {
  RoundResult result;
  const absl::Time now = absl::Now();
  std::string discovery_error;
  bool discovery_failed = false;
  if (!options_.databases.empty()) {
    databases_ = options_.databases;
  } else if (rediscover_ || now - discovered_at_ >= options_.rediscover_every) {
    discovery_failed = !Discover(&discovery_error);
  }
  // Forget the databases no longer listed (dropped, or CONNECT revoked).
  for (auto it = states_.begin(); it != states_.end();) {
    if (std::find(databases_.begin(), databases_.end(), it->first) == databases_.end()) {
      it = states_.erase(it);
    } else {
      ++it;
    }
  }

  // With no list to work from, the outage is already certain.
  bool unreachable = discovery_failed && databases_.empty();
  std::string outage_reason = discovery_error;
  std::vector<std::pair<std::string, std::string>> failures;  // database, error
  int attempted = 0, connect_failures = 0;
  if (!unreachable) {
    for (const std::string& database : databases_) {
      DatabaseState& state = states_[database];
      std::string error;
      bool connect_failed = false;
      ++attempted;
      if (CollectDatabase(database, state, emit, &result, &error, &connect_failed)) {
        if (state.failing) {
          Log(CollectorLogLevel::kInfo, absl::StrCat("database ", database, ": collecting again"));
        }
        state.failing = false;
        continue;
      }
      connect_failures += connect_failed ? 1 : 0;
      if (outage_reason.empty()) outage_reason = error;
      failures.emplace_back(database, error);
    }
    if (attempted > 0 && connect_failures == attempted) {
      // Every connection failed: the server is down or refusing, unless it answers a ping
      // (then each database has its own problem: dropped, no privilege).
      std::vector<const char*> keys = {"dbname", nullptr};
      std::vector<const char*> values = {options_.dsn.c_str(), nullptr};
      unreachable = PQpingParams(keys.data(), values.data(), 1) != PQPING_OK;
    } else if (discovery_failed) {
      Log(CollectorLogLevel::kWarning, absl::StrCat("cannot list the databases (", discovery_error,
                                                    "); collecting the ones listed before"));
    }
  }

  if (unreachable) {
    result.server_unreachable = true;
    result.failed_databases = static_cast<int>(databases_.size());
    if (unreachable_since_ == absl::InfiniteFuture()) {
      unreachable_since_ = now;
      rounds_missed_ = 0;
      Log(CollectorLogLevel::kError,
          absl::StrCat("cannot reach the server (", outage_reason,
                       "); retrying with backoff, no snapshots until it answers"));
    }
    ++rounds_missed_;
    discovery_.reset();
    states_.clear();  // every connection is dead; per-database failures are this outage
    rediscover_ = true;
    return result;
  }
  if (unreachable_since_ != absl::InfiniteFuture()) {
    Log(CollectorLogLevel::kInfo,
        absl::StrCat("reached the server again after ",
                     absl::StrFormat("%.1f", absl::ToDoubleSeconds(now - unreachable_since_)),
                     " s (", rounds_missed_, " attempt", rounds_missed_ == 1 ? "" : "s",
                     " without a snapshot)"));
    unreachable_since_ = absl::InfiniteFuture();
  }
  for (const auto& [database, error] : failures) {
    DatabaseState& state = states_[database];
    ++result.failed_databases;
    if (!state.failing) {
      Log(CollectorLogLevel::kWarning,
          absl::StrCat("database ", database, ": ", error,
                       "; the other databases are collected, this one is retried"));
    }
    state.failing = true;
    state.last_error = error;
    rediscover_ = true;  // dropped, or CONNECT revoked: the next round looks again
  }
  return result;
}

}  // namespace vacwatch::ingest
