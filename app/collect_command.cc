#include "app/collect_command.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/arg_parser.h"
#include "app/collector_config.h"
#include "app/config_loader.h"
#include "app/env_expansion.h"
#include "app/snapshot_output.h"
#include "app/stop_signals.h"
#include "common/status_macros.h"
#include "ingest/postgres/snapshot_collector.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Takes stats snapshots of a PostgreSQL server: every interval, one JSON document per\n"
    "database (docs/formats.md, \"Snapshots\"), from the query of ingest/snapshot_query.sql\n"
    "adapted to the server's version (10 to 18). Connects with libpq: --dsn, or the PG*\n"
    "environment as psql does (TLS, passfile and service file included). A role with\n"
    "pg_monitor is enough (docs/collect.md). Writes JSON Lines to stdout or a file, or one\n"
    "message per snapshot to the stats topic keyed by cluster. A server that restarts or\n"
    "refuses connections is retried with backoff; a database that fails does not stop the\n"
    "others. SIGINT/SIGTERM: finish the round, exit 0.";

struct CollectFlags {
  CollectorFlags collector;
  std::string config, to, brokers, stats_topic, count;
  bool once = false;
};

// The parts of the kafka: section collect uses (brokers, the stats topic, librdkafka); the
// rest belongs to `vacwatch run`.
absl::Status ReadKafkaOutput(const std::string& yaml, SnapshotOutputOptions* output) {
  if (yaml.empty()) return absl::OkStatus();
  const YAML::Node root = YAML::Load(yaml);
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "brokers" && kv.second.IsScalar()) {
      VW_ASSIGN_OR_RETURN(output->brokers, ExpandEnv("kafka.brokers", kv.second.Scalar()));
    } else if (key == "stats_topic" && kv.second.IsScalar()) {
      output->topic = kv.second.Scalar();
    } else if (key == "stats" && kv.second.IsMap() && kv.second["topic"]) {
      output->topic = kv.second["topic"].as<std::string>();
    } else if (key == "librdkafka" && kv.second.IsMap()) {
      for (const auto& setting : kv.second) {
        const std::string name = setting.first.as<std::string>();
        VW_ASSIGN_OR_RETURN(output->librdkafka[name], ExpandEnv("kafka.librdkafka." + name,
                                                                setting.second.as<std::string>()));
      }
    }
  }
  return absl::OkStatus();
}

void Log(std::FILE* out, std::string_view level, std::string_view message) {
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   std::string(level), " vacwatch collect: ", std::string(message), "\n");
  std::fputs(line.c_str(), out);
  std::fflush(out);
}

}  // namespace

absl::Status RunCollectCommand(const std::vector<std::string>& args, CommandIo& io) {
  CollectFlags flags;
  ArgParser parser("collect", kDescription);
  AddCollectorFlags(&parser, &flags.collector);
  parser.AddString("to", "DEST", "stdout, file:PATH (appended) or kafka (default: stdout)",
                   &flags.to);
  parser.AddString("brokers", "HOST:PORT[,...]",
                   "Kafka bootstrap servers for --to kafka (or kafka.brokers)", &flags.brokers);
  parser.AddString("stats-topic", "TOPIC", "the topic for --to kafka (default: pg.stats)",
                   &flags.stats_topic);
  parser.AddString("count", "N", "stop after N rounds (default: run until stopped)", &flags.count);
  parser.AddSwitch("once", "one round, then exit (the same as --count 1)", &flags.once);
  parser.AddString("config", "FILE", "configs/vacwatch.yaml: collector: and kafka: sections",
                   &flags.config);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }

  CollectorSettings settings;
  SnapshotOutputOptions output_options;
  output_options.stdout_file = io.out;
  if (!flags.config.empty()) {
    VW_ASSIGN_OR_RETURN(VacwatchConfig config, LoadConfig(flags.config));
    VW_RETURN_IF_ERROR(ReadCollectorSection(config.collector_yaml, &settings));
    VW_RETURN_IF_ERROR(ReadKafkaOutput(config.kafka_yaml, &output_options));
  }
  VW_RETURN_IF_ERROR(ApplyCollectorFlags(flags.collector, &settings));
  if (!flags.to.empty()) settings.to = flags.to;
  if (!flags.brokers.empty()) output_options.brokers = flags.brokers;
  if (!flags.stats_topic.empty()) output_options.topic = flags.stats_topic;
  output_options.to = settings.to;
  int64_t count = -1;
  if (flags.once) count = 1;
  if (!flags.count.empty() && (!absl::SimpleAtoi(flags.count, &count) || count < 1)) {
    return absl::InvalidArgumentError("--count: expected a number of rounds >= 1");
  }
  VW_ASSIGN_OR_RETURN(std::unique_ptr<SnapshotOutput> output, OpenSnapshotOutput(output_options));

  // Blocked before librdkafka or libpq start threads, so a signal only asks the loop to stop.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  std::FILE* log = io.err;
  ingest::SnapshotCollector collector(
      MakeCollectorOptions(settings, [log](ingest::CollectorLogLevel level, const std::string& m) {
        Log(log,
            level == ingest::CollectorLogLevel::kError     ? "error"
            : level == ingest::CollectorLogLevel::kWarning ? "warning"
                                                           : "info",
            m);
      }));
  Log(log, "info",
      absl::StrCat("collecting every ", absl::FormatDuration(settings.interval), " into ",
                   output->Describe()));

  absl::Status write_error;
  bool output_failing = false;
  const auto emit = [&](const ingest::CollectedSnapshot& snapshot) {
    if (!write_error.ok()) return;
    write_error = output->Write(collector.cluster(), snapshot.document);
  };
  absl::Duration backoff = absl::Seconds(1);
  absl::Time next = absl::Now();
  bool last_unreachable = false;
  bool stopped = false;
  for (int64_t round = 0; count < 0 || round < count; ++round) {
    const ingest::RoundResult result = collector.CollectRound(emit);
    VW_RETURN_IF_ERROR(write_error);
    const absl::Status delivered = output->EndRound();
    if (!delivered.ok() && !output_failing) Log(log, "warning", std::string(delivered.message()));
    if (delivered.ok() && output_failing) Log(log, "info", "the output accepts snapshots again");
    output_failing = !delivered.ok();
    last_unreachable = result.server_unreachable;
    if (count >= 0 && round + 1 >= count) break;
    const absl::Time now = absl::Now();
    if (result.server_unreachable) {
      next = now + std::min(backoff, settings.interval);
      backoff = std::min(backoff * 2, settings.interval);
    } else {
      backoff = absl::Seconds(1);
      next += settings.interval;
      // A round that took longer than the interval: the missed start times are skipped.
      while (next <= now) next += settings.interval;
    }
    if (WaitForStop(stop_signals, next)) {
      Log(log, "info", "stopping (signal)");
      stopped = true;
      break;
    }
  }
  // A signal that came during the last round is consumed here, not delivered on unblocking.
  const timespec zero{0, 0};
  while (sigtimedwait(&stop_signals, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  // Only a bounded run (--count, --once) reports the server it could not reach; a stop signal
  // is an orderly end whatever the server's state.
  if (last_unreachable && count >= 0 && !stopped) {
    return absl::UnavailableError("the last round could not reach the server");
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
