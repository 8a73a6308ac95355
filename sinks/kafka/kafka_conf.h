#ifndef VACWATCH_SINKS_KAFKA_KAFKA_CONF_H_
#define VACWATCH_SINKS_KAFKA_KAFKA_CONF_H_

// MakeKafkaConf: one librdkafka configuration for every vacwatch client (the service's
// consumer, the alert and dead-letter producers), built in three layers:
//
//   defaults     vacwatch's choices the user may change (fetch.wait.max.ms)
//   passthrough  the config's kafka.librdkafka map, as the user wrote it (SASL, SSL, ...)
//   ours         what vacwatch needs as it is (group.id, transactional.id, isolation.level)
//
//   VW_ASSIGN_OR_RETURN(rd_kafka_conf_t* conf,
//                       MakeKafkaConf({{"fetch.wait.max.ms", "10"}}, options.librdkafka,
//                                     {{"bootstrap.servers", brokers}, {"group.id", group}}));
//   rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
//
// The caller owns the returned conf (rd_kafka_new takes it; rd_kafka_conf_destroy otherwise).
// InvalidArgument names the key a user's setting was refused for, never its value (a secret);
// Internal for one of ours.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

struct rd_kafka_conf_s;

namespace vacwatch::sinks {

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

absl::StatusOr<rd_kafka_conf_s*> MakeKafkaConf(
    const KafkaSettings& defaults, const std::map<std::string, std::string>& passthrough,
    const KafkaSettings& ours);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_KAFKA_KAFKA_CONF_H_
