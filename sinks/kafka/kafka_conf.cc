#include "sinks/kafka/kafka_conf.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"

namespace vacwatch::sinks {

absl::StatusOr<rd_kafka_conf_s*> MakeKafkaConf(
    const KafkaSettings& defaults, const std::map<std::string, std::string>& passthrough,
    const KafkaSettings& ours) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  auto set = [&](const std::string& key, const std::string& value) {
    return rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) ==
           RD_KAFKA_CONF_OK;
  };
  for (const auto& [key, value] : defaults) {
    if (!set(key, value)) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(absl::StrCat("kafka setting '", key, "': ", error));
    }
  }
  for (const auto& [key, value] : passthrough) {
    if (!set(key, value)) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka setting '", key, "': ", error));
    }
  }
  for (const auto& [key, value] : ours) {
    if (!set(key, value)) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(absl::StrCat("kafka setting '", key, "': ", error));
    }
  }
  return conf;
}

}  // namespace vacwatch::sinks
