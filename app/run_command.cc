#include "app/run_command.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/alert_sinks.h"
#include "app/arg_parser.h"
#include "app/config_loader.h"
#include "app/env_expansion.h"
#include "app/kafka_service.h"
#include "app/log_inputs.h"
#include "app/metrics_flags.h"
#include "app/service_log.h"
#include "app/sinks_config.h"
#include "common/status_macros.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Runs vacwatch as a service on Kafka: consumes server logs and stats snapshots from two\n"
    "co-partitioned topics keyed by cluster, runs the detectors, and produces each alert\n"
    "transition exactly once to the alert topic (the JSON of docs/alerts.md, keyed by\n"
    "fingerprint); input it cannot use goes to the dead-letter topic with the reason. State and\n"
    "positions live in --state-dir: a restart (even after kill -9) continues where the last\n"
    "checkpoint left. Try it: `vacwatch dev-broker`, then the README's tour.";

struct RunFlags {
  std::string brokers, group, state_dir, config;
  std::string logs_topic, stats_topic, alerts_topic, dlq_topic;
  std::string max_input_skew;
  std::string checkpoint_interval;
  std::string threads;
  std::string log_line_prefix;
  std::string cluster_header;
  ingest::EnvelopeOptions envelope;
  SinkFlags sinks;
  MetricsFlags metrics;
};

constexpr char kDefaultMetricsListen[] = "127.0.0.1:9187";

// "${NAME}" in a kafka: value (env_expansion.h).
absl::StatusOr<std::string> SubstituteEnv(const std::string& key, const std::string& value) {
  return ExpandEnv(absl::StrCat("kafka.", key), value);
}

// kafka.logs / kafka.stats: how each topic's messages are read.
//   logs:  topic, payload_field, cluster_field, time_field, cluster_header, log_line_prefix
//   stats: topic
absl::Status ReadTopicSection(const std::string& section, const YAML::Node& node,
                              KafkaServiceOptions* options) {
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config key 'kafka.", section, "': expected a mapping"));
  }
  const bool logs = section == "logs";
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    std::string* target = nullptr;
    if (key == "topic") {
      target = logs ? &options->logs_topic : &options->stats_topic;
    } else if (logs) {
      target = key == "payload_field"     ? &options->envelope.payload_field
               : key == "cluster_field"   ? &options->envelope.cluster_field
               : key == "time_field"      ? &options->envelope.time_field
               : key == "cluster_header"  ? &options->cluster_header
               : key == "log_line_prefix" ? &options->log_line_prefix
                                          : nullptr;
    }
    if (target == nullptr || !kv.second.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config key 'kafka.", section, ".", key, "': ",
                       target != nullptr ? "expected a string"
                       : logs ? "unknown key (topic, payload_field, cluster_field, time_field, "
                                "cluster_header, log_line_prefix)"
                              : "unknown key (topic; snapshots name their own cluster)"));
    }
    VW_ASSIGN_OR_RETURN(*target,
                        SubstituteEnv(absl::StrCat(section, ".", key), kv.second.Scalar()));
  }
  return absl::OkStatus();
}

// The kafka: section into `options` (flags are applied after it).
absl::Status ReadKafkaSection(const std::string& yaml, KafkaServiceOptions* options) {
  if (yaml.empty()) return absl::OkStatus();
  YAML::Node root = YAML::Load(yaml);
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "librdkafka") {
      if (!kv.second.IsMap()) {
        return absl::InvalidArgumentError("config key 'kafka.librdkafka': expected a mapping");
      }
      for (const auto& setting : kv.second) {
        const std::string name = setting.first.as<std::string>();
        VW_ASSIGN_OR_RETURN(std::string value,
                            SubstituteEnv("librdkafka." + name, setting.second.as<std::string>()));
        options->librdkafka[name] = value;
      }
      continue;
    }
    if (key == "logs" || key == "stats") {
      VW_RETURN_IF_ERROR(ReadTopicSection(key, kv.second, options));
      continue;
    }
    std::string* target = key == "brokers"        ? &options->brokers
                          : key == "group"        ? &options->group
                          : key == "logs_topic"   ? &options->logs_topic
                          : key == "stats_topic"  ? &options->stats_topic
                          : key == "alerts_topic" ? &options->alerts_topic
                          : key == "dlq_topic"    ? &options->dlq_topic
                                                  : nullptr;
    if (target == nullptr || !kv.second.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config key 'kafka.", key, "': ",
                       target == nullptr ? "unknown key (brokers, group, logs, stats, logs_topic, "
                                           "stats_topic, alerts_topic, dlq_topic, librdkafka)"
                                         : "expected a string"));
    }
    VW_ASSIGN_OR_RETURN(*target, SubstituteEnv(key, kv.second.Scalar()));
  }
  return absl::OkStatus();
}

// --FLAG SECONDS: a duration in (fractional) seconds, at least 0 or above it.
absl::StatusOr<absl::Duration> ParseSeconds(const std::string& text, std::string_view flag,
                                            bool zero_ok) {
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || seconds < 0 || (!zero_ok && seconds == 0)) {
    return absl::InvalidArgumentError(absl::StrCat("--", std::string(flag), ": expected seconds",
                                                   zero_ok ? "" : " > 0", ", e.g. 30"));
  }
  return absl::Seconds(seconds);
}

}  // namespace

absl::Status RunRunCommand(const std::vector<std::string>& args, CommandIo& io) {
  RunFlags flags;
  ArgParser parser("run", kDescription);
  parser.AddString("brokers", "HOST:PORT[,...]", "Kafka bootstrap servers (or kafka.brokers)",
                   &flags.brokers);
  parser.AddString("group", "NAME", "consumer group (default: vacwatch)", &flags.group);
  parser.AddString("state-dir", "DIR", "where state, outbox and positions live (required)",
                   &flags.state_dir);
  parser.AddString("config", "FILE", "configs/vacwatch.yaml: pipeline: and kafka: sections",
                   &flags.config);
  parser.AddString("logs-topic", "TOPIC", "server logs (default: pg.logs)", &flags.logs_topic);
  parser.AddString("stats-topic", "TOPIC", "stats snapshots (default: pg.stats)",
                   &flags.stats_topic);
  parser.AddString("alerts-topic", "TOPIC", "alert transitions (default: vacwatch.alerts)",
                   &flags.alerts_topic);
  parser.AddString("dlq-topic", "TOPIC", "unusable input (default: vacwatch.dlq)",
                   &flags.dlq_topic);
  parser.AddString("max-input-skew", "SECONDS",
                   "how long an idle partition may hold event time back (default: 30)",
                   &flags.max_input_skew);
  parser.AddString("checkpoint-interval", "SECONDS",
                   "the longest state, positions and alerts wait to be committed and "
                   "delivered while input keeps coming; once it is read up to its end they "
                   "are at once (default: 5)",
                   &flags.checkpoint_interval);
  parser.AddString("threads", "N",
                   "threads that run the partitions' pipelines (default: the number of cores)",
                   &flags.threads);
  parser.AddString("cluster-header", "NAME",
                   "take a log message's cluster from this header (default: the message key)",
                   &flags.cluster_header);
  parser.AddString("log-line-prefix", "PREFIX",
                   "the servers' log_line_prefix (default: detected per cluster)",
                   &flags.log_line_prefix);
  AddEnvelopeFlags(&parser, &flags.envelope);
  AddSinkFlags(&parser, &flags.sinks);
  AddMetricsFlags(&parser, &flags.metrics, kDefaultMetricsListen);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }

  KafkaServiceOptions options;
  MetricsSettings metrics_settings;
  metrics_settings.listen = kDefaultMetricsListen;
  std::string sinks_yaml;
  if (!flags.config.empty()) {
    VW_ASSIGN_OR_RETURN(VacwatchConfig config, LoadConfig(flags.config));
    options.pipeline = std::move(config.pipeline);
    VW_RETURN_IF_ERROR(ReadKafkaSection(config.kafka_yaml, &options));
    VW_RETURN_IF_ERROR(ReadMetricsSection(config.metrics_yaml, &metrics_settings));
    sinks_yaml = std::move(config.sinks_yaml);
  }
  VW_RETURN_IF_ERROR(ApplyMetricsFlags(flags.metrics, &metrics_settings));
  VW_ASSIGN_OR_RETURN(const SinksConfig sinks_config, ParseSinksConfig(sinks_yaml));
  // A flag given wins over the config's same setting, one by one.
  for (auto [flag, target] :
       {std::pair{&flags.brokers, &options.brokers}, std::pair{&flags.group, &options.group},
        std::pair{&flags.logs_topic, &options.logs_topic},
        std::pair{&flags.stats_topic, &options.stats_topic},
        std::pair{&flags.alerts_topic, &options.alerts_topic},
        std::pair{&flags.dlq_topic, &options.dlq_topic},
        std::pair{&flags.cluster_header, &options.cluster_header},
        std::pair{&flags.envelope.payload_field, &options.envelope.payload_field},
        std::pair{&flags.envelope.cluster_field, &options.envelope.cluster_field},
        std::pair{&flags.envelope.time_field, &options.envelope.time_field},
        std::pair{&flags.log_line_prefix, &options.log_line_prefix}}) {
    if (!flag->empty()) *target = *flag;
  }
  if (options.brokers.empty()) {
    return absl::InvalidArgumentError(
        "run needs --brokers (or kafka.brokers in the config); `vacwatch dev-broker` runs one "
        "on localhost");
  }
  if (flags.state_dir.empty()) return absl::InvalidArgumentError("run needs --state-dir DIR");
  options.state_dir = flags.state_dir;
  if (!flags.max_input_skew.empty()) {
    VW_ASSIGN_OR_RETURN(options.max_input_skew,
                        ParseSeconds(flags.max_input_skew, "max-input-skew", /*zero_ok=*/true));
  }
  if (!flags.checkpoint_interval.empty()) {
    VW_ASSIGN_OR_RETURN(options.checkpoint_interval,
                        ParseSeconds(flags.checkpoint_interval, "checkpoint-interval",
                                     /*zero_ok=*/false));
  }
  options.threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
  if (!flags.threads.empty()) {
    int threads = 0;
    if (!absl::SimpleAtoi(flags.threads, &threads) || threads < 1 || threads > 256) {
      return absl::InvalidArgumentError(absl::StrCat("--threads: '", flags.threads,
                                                     "' is not a number of threads from 1 to 256"));
    }
    options.threads = threads;
  }
  options.log = io.err;

  // Blocked before librdkafka starts its threads, so they come to the stop check only.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  options.stop = [stop_signals]() {
    const timespec zero{0, 0};
    return sigtimedwait(&stop_signals, nullptr, &zero) > 0;
  };
  // The sinks as configured: checked here, at start, and named in the log.
  std::FILE* log = io.err;
  VW_ASSIGN_OR_RETURN(std::unique_ptr<AlertSinks> alert_sinks,
                      AlertSinks::Start(sinks_config, flags.sinks, [log](const std::string& line) {
                        WriteServiceLog(log, "warning", line);
                      }));
  for (const std::string& sink : alert_sinks->Describe()) {
    WriteServiceLog(io.err, "info", absl::StrCat("alerts also go to ", sink));
  }
  options.alerts_topic_route = sinks_config.kafka_route;
  if (alert_sinks->has_http_sinks()) {
    // Each partition's shard gets sinks of its own (kafka_service.h); the ones above only
    // checked the configuration and named the destinations.
    options.make_sinks = [sinks_config, sink_flags = flags.sinks, log](int32_t) {
      return AlertSinks::Start(sinks_config, sink_flags, [log](const std::string& line) {
        WriteServiceLog(log, "warning", line);
      });
    };
  }
  alert_sinks.reset();
  // After the mask: the listener's thread inherits it. Stopped when this returns (after the
  // service), so /readyz answers until the end.
  VW_ASSIGN_OR_RETURN(MetricsRuntime metrics, StartMetrics(metrics_settings, "run"));
  options.metrics = metrics.metrics.get();
  if (metrics.server != nullptr) {
    WriteServiceLog(
        io.err, "info",
        absl::StrCat("serving /metrics, /healthz and /readyz on port ", metrics.server->port()));
  }
  KafkaService service(std::move(options));
  return service.Run();
}

}  // namespace vacwatch::app
