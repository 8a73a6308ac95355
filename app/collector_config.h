#ifndef VACWATCH_APP_COLLECTOR_CONFIG_H_
#define VACWATCH_APP_COLLECTOR_CONFIG_H_

// The collector's settings: the config's `collector:` section, then the command's flags over
// it, then the options of ingest::SnapshotCollector. Shared by `vacwatch collect` and anything
// else that polls the stats (`watch`):
//
//   collector:                      # configs/vacwatch.yaml
//     dsn: "host=db1 user=vacwatch sslmode=verify-full"   # or the PG* environment
//     cluster: prod-eu-1            # default: the server's host:port
//     databases: [shop, events]     # default: every database the role may connect to
//     interval: 15                  # seconds between rounds
//     statement_timeout: 10         # seconds, per snapshot query
//     lock_timeout: 1               # seconds
//     connect_timeout: 10           # seconds
//     to: kafka                     # stdout | file:PATH | kafka (collect only)
//     measure_bloat: false          # pgstattuple_approx on tables over their trigger
//     bloat_interval: 600           # seconds between two measurements of one table
//     bloat_tables_per_round: 3     # per database
//
//   CollectorSettings settings;
//   VW_RETURN_IF_ERROR(ReadCollectorSection(config.collector_yaml, &settings));
//   AddCollectorFlags(&parser, &flags);  ...  VW_RETURN_IF_ERROR(ApplyCollectorFlags(flags,
//   &settings)); ingest::SnapshotCollector collector(MakeCollectorOptions(settings, log));
//
// `${NAME}` in a value is replaced by the environment (env_expansion.h), for passwords in a
// DSN. Errors: InvalidArgument naming the key ("config key 'collector.interval': ...") or the
// flag.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "app/arg_parser.h"
#include "ingest/postgres/snapshot_collector.h"

namespace vacwatch::app {

struct CollectorSettings {
  std::string dsn;
  std::string cluster;
  std::vector<std::string> databases;
  absl::Duration interval = absl::Seconds(15);
  absl::Duration statement_timeout = absl::Seconds(10);
  absl::Duration lock_timeout = absl::Seconds(1);
  absl::Duration connect_timeout = absl::Seconds(10);
  std::string to = "stdout";
  bool measure_bloat = false;
  absl::Duration bloat_interval = absl::Minutes(10);
  int bloat_tables_per_round = 3;
};

// The flags as given (empty = not given).
struct CollectorFlags {
  std::string dsn, cluster, interval, statement_timeout, lock_timeout, bloat_interval;
  std::vector<std::string> databases;
  bool measure_bloat = false;
};

absl::Status ReadCollectorSection(const std::string& yaml, CollectorSettings* settings);
void AddCollectorFlags(ArgParser* parser, CollectorFlags* flags);
absl::Status ApplyCollectorFlags(const CollectorFlags& flags, CollectorSettings* settings);

// The SnapshotCollector's options; with measure_bloat, the candidates are the tables whose
// dead tuples are over their autovacuum trigger (pipeline/thresholds.h), furthest over first.
ingest::SnapshotCollectorOptions MakeCollectorOptions(
    const CollectorSettings& settings,
    std::function<void(ingest::CollectorLogLevel, const std::string&)> log);

// The tables of `snapshot` over their vacuum trigger, furthest over first (relids).
std::vector<int64_t> TablesOverTrigger(const ingest::Snapshot& snapshot);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_COLLECTOR_CONFIG_H_
