// The collector's cost on the server and on the wire: one snapshot (CollectRound on one
// database) of a database with N user tables, on a throwaway PostgreSQL 15
// (tests/testing/postgres_server.h). Reported: the query's wall time as the collector sees it
// (round trip included, on the unix socket) and the bytes of the document. Run by hand:
//
//   build/bench/collect_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Figures in docs/performance.md ("vacwatch collect").

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "ingest/postgres/snapshot_collector.h"
#include "tests/testing/postgres_server.h"

namespace {

using vacwatch::testing::PostgresServer;

PostgresServer* Server() {
  static PostgresServer* server = [] {
    vacwatch::testing::PostgresServerOptions options;
    // As a production server would: autovacuum on, default lock table.
    absl::StatusOr<std::unique_ptr<PostgresServer>> s = PostgresServer::Start(options);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
      std::abort();
    }
    return s->release();
  }();
  return server;
}

// A database `tables_N` with N tables of one indexed column and one row each (so every
// counter is set), analyzed; created in batches of 500 so the lock table suffices.
std::string Database(int tables) {
  std::string name = absl::StrCat("tables_", tables);
  PostgresServer* server = Server();
  if (server->QueryValue(absl::StrCat("SELECT 1 FROM pg_database WHERE datname = '", name, "'"))
          .ok()) {
    return name;
  }
  if (!server->Execute(absl::StrCat("CREATE DATABASE ", name)).ok()) std::abort();
  for (int from = 0; from < tables; from += 500) {
    const absl::Status s = server->Execute(
        absl::StrCat("DO $$ BEGIN FOR i IN ", from, "..", std::min(tables, from + 500) - 1,
                     " LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text); "
                     "INSERT INTO t%s VALUES (1, ''x'')', i, i); END LOOP; END $$"),
        name);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      std::abort();
    }
  }
  (void)server->Execute("VACUUM ANALYZE", name);
  return name;
}

void BM_SnapshotOfDatabase(benchmark::State& state) {
  const int tables = static_cast<int>(state.range(0));
  const std::string database = Database(tables);
  vacwatch::ingest::SnapshotCollectorOptions options;
  options.dsn = Server()->Dsn();
  options.cluster = "bench";
  options.databases = {database};
  options.statement_timeout = absl::Seconds(60);
  std::string error;
  options.log = [&error](vacwatch::ingest::CollectorLogLevel, const std::string& m) {
    if (m.find("cluster name") == std::string::npos) error = m;
  };
  vacwatch::ingest::SnapshotCollector collector(options);
  double query_seconds = 0;
  double bytes = 0;
  int64_t snapshots = 0;
  for (auto _ : state) {
    const vacwatch::ingest::RoundResult r =
        collector.CollectRound([&](const vacwatch::ingest::CollectedSnapshot& s) {
          query_seconds += absl::ToDoubleSeconds(s.query_time);
          bytes += static_cast<double>(s.document.size());
          ++snapshots;
        });
    if (r.snapshots != 1) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["query_ms"] = query_seconds * 1000 / static_cast<double>(snapshots);
  state.counters["bytes"] = bytes / static_cast<double>(snapshots);
  state.counters["bytes_per_table"] = bytes / static_cast<double>(snapshots) / tables;
}
BENCHMARK(BM_SnapshotOfDatabase)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete Server();
  return 0;
}
