#ifndef VACWATCH_APP_RUN_COMMAND_H_
#define VACWATCH_APP_RUN_COMMAND_H_

// `vacwatch run --brokers B --group G --state-dir D [--config F]`: the service on Kafka
// (kafka_service.h). The config's `kafka:` section gives brokers, group, topics and a
// `librdkafka:` map passed through to librdkafka (SASL, SSL), with ${ENV} replaced by the
// environment; flags win over the file. Values are never printed (secrets). SIGINT and
// SIGTERM stop consuming, finish the batch, deliver, checkpoint and exit 0.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunRunCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_RUN_COMMAND_H_
