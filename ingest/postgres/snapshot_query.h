#ifndef VACWATCH_INGEST_POSTGRES_SNAPSHOT_QUERY_H_
#define VACWATCH_INGEST_POSTGRES_SNAPSHOT_QUERY_H_

// The snapshot query for one server version: ingest/snapshot_query.sql (embedded at build
// time) with its marked parts replaced by the explicit columns of that version, so a column a
// version lacks is absent from the document instead of an error, and nothing undocumented
// comes out:
//
//   VW_ASSIGN_OR_RETURN(std::string sql, BuildSnapshotQuery(150020));
//   PGresult* r = PQexecParams(conn, sql.c_str(), 1, nullptr, &cluster_cstr, ...);  // $1 = cluster
//
// The .sql file stays runnable by psql (`-v cluster=NAME`): there each marked part is its
// version-following original (to_jsonb of the view's row). For a version newer than the last
// one known here (PostgreSQL 18), the original is kept too: every column under its own name,
// which the decoder reads or skips. Versions before 10 are FailedPrecondition.
//
// ColumnsOf() is the generator's knowledge of the catalogs, per version; the unit tests check
// it against the PostgreSQL documentation of each release. Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vacwatch::ingest {

// The catalogs whose columns differ between versions and that the query reads column by column.
enum class StatsView {
  kPgStatUserTables,      // tables[] (pg_stat_user_tables)
  kPgStatProgressVacuum,  // vacuum_progress[] (pg_stat_progress_vacuum)
  kPgClass,               // the pg_class columns tables[] adds (relallfrozen from PG18)
};

// The first and the last major version the generator knows column lists for.
inline constexpr int kOldestSupportedVersionNum = 100000;
inline constexpr int kNewestKnownVersionNum = 189999;

// The columns of `view` the query reads on a server of `server_version_num` (150020 = 15.20),
// in the catalog's order.
std::vector<std::string_view> ColumnsOf(StatsView view, int server_version_num);

// The query for that server, with $1 (text) = the cluster name.
absl::StatusOr<std::string> BuildSnapshotQuery(int server_version_num);

// ingest/snapshot_query.sql as it was at build time.
std::string_view SnapshotQueryTemplate();

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_POSTGRES_SNAPSHOT_QUERY_H_
