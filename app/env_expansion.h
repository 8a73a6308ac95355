#ifndef VACWATCH_APP_ENV_EXPANSION_H_
#define VACWATCH_APP_ENV_EXPANSION_H_

// ExpandEnv: "${NAME}" in a config value replaced by the environment's NAME, so secrets (SASL
// passwords, PagerDuty routing keys, webhook tokens) stay out of config files:
//
//   VW_ASSIGN_OR_RETURN(std::string password,
//                       ExpandEnv("kafka.librdkafka.sasl.password", "${KAFKA_PASSWORD}"));
//
// InvalidArgument naming the config key and the variable, never a value, when a variable is
// not set. Text without "${" (or with an unclosed one) is returned as it is.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vacwatch::app {

absl::StatusOr<std::string> ExpandEnv(std::string_view config_path, const std::string& value);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_ENV_EXPANSION_H_
