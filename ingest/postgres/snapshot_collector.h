#ifndef VACWATCH_INGEST_POSTGRES_SNAPSHOT_COLLECTOR_H_
#define VACWATCH_INGEST_POSTGRES_SNAPSHOT_COLLECTOR_H_

// SnapshotCollector: takes stats snapshots of one PostgreSQL server with libpq, one document
// (docs/formats.md, "Snapshots") per database per round, with the query of the server's
// version (snapshot_query.h). The caller owns the schedule: `vacwatch collect` calls
// CollectRound every interval, `vacwatch watch` the same from its own loop.
//
//   SnapshotCollector collector({.dsn = "host=db1 user=vacwatch", .log = MyLog});
//   RoundResult r = collector.CollectRound([&](const CollectedSnapshot& s) {
//     Send(collector.cluster(), s.document);        // one JSON line
//   });
//   if (r.server_unreachable) wait with backoff, then call CollectRound again;
//
// Connecting: `dsn` is a libpq connection string or URI (empty: the PG* environment), with
// libpq's own semantics (TLS, passfile, service file, multiple hosts). Each database gets one
// connection, kept across rounds; its dbname replaces the DSN's, application_name is
// `vacwatch-collect`, and at connect it sets statement_timeout, lock_timeout and a read-only
// default transaction (one round trip per connection). A round then costs one round trip per
// database (plus, when enabled, one per bloat measurement).
//
// Databases: the configured list, or every database the role may connect to (datallowconn,
// not a template, has_database_privilege CONNECT), found on the DSN's own database and looked
// up again every `rediscover_every` and after a database failed.
//
// Failures never end the collector: a database whose connection or query fails is skipped for
// this round (the others are collected); a connection that broke is opened again at once, so a
// restarted server loses only the rounds it was down for. Log lines (through `log`) are one per
// change of state, not one per round: "cannot reach the server ..." when no database could be
// reached, "reached the server again after 12.3 s" when it answers again, and for a single
// database "database shop: <error>" / "database shop: collecting again".
//
// The cluster name is `cluster` if given, else derived once at the first connection from the
// server's host and port ("db1.example.com:5432"; for a unix socket, this machine's hostname).
//
// Thread safety: none; one thread calls CollectRound. `log` and `emit` are called on it.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ingest/snapshot.h"

namespace vacwatch::ingest {

enum class CollectorLogLevel { kInfo, kWarning, kError };

// Opt-in measurement of real bloat with the pgstattuple extension (pgstattuple_approx), where a
// database has it installed.
struct BloatMeasurement {
  bool enabled = false;
  // A table is measured at most once in this interval.
  absl::Duration min_interval = absl::Minutes(10);
  // At most this many tables per database per round (each is one more statement).
  int max_tables_per_round = 3;
  // The tables of a decoded snapshot worth measuring (relids), most urgent first: `vacwatch
  // collect` picks those whose dead tuples are over their autovacuum trigger
  // (pipeline/thresholds.h). Unset: none.
  std::function<std::vector<int64_t>(const Snapshot&)> candidates;
};

struct SnapshotCollectorOptions {
  std::string dsn;                     // libpq conninfo or URI; empty = PG* environment
  std::string cluster;                 // empty = derived from the first connection
  std::vector<std::string> databases;  // empty = discover
  absl::Duration statement_timeout = absl::Seconds(10);
  absl::Duration lock_timeout = absl::Seconds(1);
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration rediscover_every = absl::Minutes(1);
  BloatMeasurement bloat;
  std::function<void(CollectorLogLevel, const std::string&)> log;
};

struct CollectedSnapshot {
  std::string database;
  std::string document;  // one JSON object, no newline
  absl::Duration query_time;
};

struct RoundResult {
  int snapshots = 0;
  int failed_databases = 0;
  int bloat_measurements = 0;
  // No database (and, when discovering, not the DSN's database) could be connected to.
  bool server_unreachable = false;
};

class SnapshotCollector {
 public:
  explicit SnapshotCollector(SnapshotCollectorOptions options);
  ~SnapshotCollector();
  SnapshotCollector(const SnapshotCollector&) = delete;
  SnapshotCollector& operator=(const SnapshotCollector&) = delete;

  // One snapshot of every database, each handed to `emit` as soon as it is taken.
  RoundResult CollectRound(const std::function<void(const CollectedSnapshot&)>& emit);

  // The cluster name the documents carry; empty until the first successful connection when
  // it is derived.
  const std::string& cluster() const { return cluster_; }

 private:
  struct Connection;
  struct DatabaseState;

  void Log(CollectorLogLevel level, const std::string& message) const;
  // Opens a connection to `database` ("" = the DSN's own) and prepares it for collecting.
  std::unique_ptr<Connection> Connect(const std::string& database, std::string* error);
  bool Discover(std::string* error);
  // One database's snapshot; false with `error` when it failed. `connect_failed` says whether
  // it failed to connect (a hint of an outage) rather than in its query.
  bool CollectDatabase(const std::string& database, DatabaseState& state,
                       const std::function<void(const CollectedSnapshot&)>& emit,
                       RoundResult* result, std::string* error, bool* connect_failed);
  int MeasureBloat(Connection& conn, DatabaseState& state, std::string* document);

  SnapshotCollectorOptions options_;
  std::string cluster_;
  std::unique_ptr<Connection> discovery_;
  std::vector<std::string> databases_;
  absl::Time discovered_at_ = absl::InfinitePast();
  bool rediscover_ = true;
  std::map<std::string, DatabaseState> states_;
  // The outage in progress: since when no database could be reached.
  absl::Time unreachable_since_ = absl::InfiniteFuture();
  int rounds_missed_ = 0;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_POSTGRES_SNAPSHOT_COLLECTOR_H_
