#ifndef VACWATCH_APP_WATCH_COMMAND_H_
#define VACWATCH_APP_WATCH_COMMAND_H_

// `vacwatch watch --dsn DSN [--log-file PATH] [--log-format F] [--state-dir DIR] [--config F]
//                 [--interval S] [--cluster NAME] [sink flags] [--quiet] [--metrics-listen A]`
//
// vacwatch for one server without Kafka: one process polls the stats as `collect` does
// (ingest/postgres/snapshot_collector.h), follows the server log across rotation and truncation
// (followed_log_input.h), merges both in event time through the Driver (driver.h, a short
// max_input_skew: a live log that is idle has caught up) and runs the pipeline and the
// configured sinks, state in a local RocksDB directory (default ./vacwatch-state), so a
// restart continues the log where it stopped and never repeats an alert. Alerts go to stdout
// as JSON lines (as `replay` prints them) unless --quiet.
//
// What it does not get from flags it asks the server: log_line_prefix, log_timezone, and, with
// --log-file a directory or absent, log_destination/logging_collector/log_directory/
// log_filename to find the files. Runs until SIGINT/SIGTERM: then a last checkpoint, delivery,
// exit 0. One line per event on io.err ("<time> info vacwatch watch: ..."), a progress line
// every --progress-every seconds.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunWatchCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_WATCH_COMMAND_H_
