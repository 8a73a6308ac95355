#ifndef VACWATCH_APP_DEV_BROKER_COMMAND_H_
#define VACWATCH_APP_DEV_BROKER_COMMAND_H_

// `vacwatch dev-broker [--partitions N] [--bootstrap-file F]`: a Kafka broker on localhost for
// trying vacwatch and for tests (dev_broker.h), with the default topics (pg.logs and pg.stats
// with N partitions, vacwatch.alerts, vacwatch.dlq). Prints its bootstrap address on stdout
// (and writes it to F), then runs until SIGINT or SIGTERM and exits 0. Data lives in memory.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunDevBrokerCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_DEV_BROKER_COMMAND_H_
