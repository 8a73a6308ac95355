#ifndef VACWATCH_APP_COLLECT_COMMAND_H_
#define VACWATCH_APP_COLLECT_COMMAND_H_

// `vacwatch collect [--dsn DSN] [--to stdout|file:PATH|kafka] [--interval S] ...`: the snapshot
// collector (ingest/postgres/snapshot_collector.h) on a schedule. Every interval, one
// snapshot per database goes to the output (snapshot_output.h); an unreachable server is
// retried with backoff (1 s, doubling, up to the interval) and logged once per outage. The
// config's `collector:` section (collector_config.h) and `kafka:` brokers, stats topic and
// librdkafka map apply; flags win. `--count N` / `--once` stop after N rounds (exit 1 when the
// last round could not reach the server); SIGINT and SIGTERM stop after the current round,
// exit 0. docs/collect.md is the guide.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunCollectCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_COLLECT_COMMAND_H_
