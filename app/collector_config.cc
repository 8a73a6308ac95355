#include "app/collector_config.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/env_expansion.h"
#include "common/status_macros.h"
#include "pipeline/thresholds.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

// Seconds ("15", "0.5") or a duration with its unit ("15s", "10m"), as the rest of the config.
absl::StatusOr<absl::Duration> Seconds(const std::string& text, const std::string& where) {
  double seconds = 0;
  absl::Duration duration;
  if (absl::SimpleAtod(text, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &duration)) {
    duration = absl::ZeroDuration();
  }
  if (duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected seconds > 0 or a duration, e.g. 15 or 15s"));
  }
  return duration;
}

absl::StatusOr<bool> Bool(const std::string& text, const std::string& where) {
  if (text == "true" || text == "on" || text == "yes") return true;
  if (text == "false" || text == "off" || text == "no") return false;
  return absl::InvalidArgumentError(absl::StrCat(where, ": expected true or false"));
}

}  // namespace

absl::Status ReadCollectorSection(const std::string& yaml, CollectorSettings* settings) {
  if (yaml.empty()) return absl::OkStatus();
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config key 'collector': ", e.what()));
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const std::string where = absl::StrCat("config key 'collector.", key, "'");
    if (key == "databases") {
      if (!kv.second.IsSequence()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": expected a list of names"));
      }
      settings->databases.clear();
      for (const auto& name : kv.second) settings->databases.push_back(name.as<std::string>());
      continue;
    }
    if (!kv.second.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": expected a value"));
    }
    VW_ASSIGN_OR_RETURN(const std::string value,
                        ExpandEnv(absl::StrCat("collector.", key), kv.second.Scalar()));
    if (key == "dsn") {
      settings->dsn = value;
    } else if (key == "cluster") {
      settings->cluster = value;
    } else if (key == "to") {
      settings->to = value;
    } else if (key == "interval") {
      VW_ASSIGN_OR_RETURN(settings->interval, Seconds(value, where));
    } else if (key == "statement_timeout") {
      VW_ASSIGN_OR_RETURN(settings->statement_timeout, Seconds(value, where));
    } else if (key == "lock_timeout") {
      VW_ASSIGN_OR_RETURN(settings->lock_timeout, Seconds(value, where));
    } else if (key == "connect_timeout") {
      VW_ASSIGN_OR_RETURN(settings->connect_timeout, Seconds(value, where));
    } else if (key == "measure_bloat") {
      VW_ASSIGN_OR_RETURN(settings->measure_bloat, Bool(value, where));
    } else if (key == "bloat_interval") {
      VW_ASSIGN_OR_RETURN(settings->bloat_interval, Seconds(value, where));
    } else if (key == "bloat_tables_per_round") {
      if (!absl::SimpleAtoi(value, &settings->bloat_tables_per_round) ||
          settings->bloat_tables_per_round < 1) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": expected an integer >= 1"));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(where,
                       ": unknown key (dsn, cluster, databases, interval, statement_timeout, "
                       "lock_timeout, connect_timeout, to, measure_bloat, bloat_interval, "
                       "bloat_tables_per_round)"));
    }
  }
  return absl::OkStatus();
}

void AddCollectorFlags(ArgParser* parser, CollectorFlags* flags) {
  parser->AddString("dsn", "DSN",
                    "libpq connection string or URI (default: the PG* environment, as psql)",
                    &flags->dsn);
  parser->AddString("cluster", "NAME",
                    "the cluster name snapshots carry (default: the server's host:port)",
                    &flags->cluster);
  parser->AddMulti("databases", "DB",
                   "databases to collect (default: every one the role may connect to)",
                   &flags->databases);
  parser->AddString("interval", "SECONDS", "time between two rounds (default: 15)",
                    &flags->interval);
  parser->AddString("statement-timeout", "SECONDS",
                    "statement_timeout of the snapshot query (default: 10)",
                    &flags->statement_timeout);
  parser->AddString("lock-timeout", "SECONDS", "lock_timeout of the collector (default: 1)",
                    &flags->lock_timeout);
  parser->AddSwitch("measure-bloat",
                    "measure tables over their autovacuum trigger with pgstattuple_approx "
                    "(where the pgstattuple extension is installed)",
                    &flags->measure_bloat);
  parser->AddString("bloat-interval", "SECONDS",
                    "at most one measurement per table in this time (default: 600)",
                    &flags->bloat_interval);
}

absl::Status ApplyCollectorFlags(const CollectorFlags& flags, CollectorSettings* settings) {
  if (!flags.dsn.empty()) settings->dsn = flags.dsn;
  if (!flags.cluster.empty()) settings->cluster = flags.cluster;
  if (!flags.databases.empty()) settings->databases = flags.databases;
  if (flags.measure_bloat) settings->measure_bloat = true;
  for (auto [text, flag, target] :
       {std::tuple{&flags.interval, "--interval", &settings->interval},
        std::tuple{&flags.statement_timeout, "--statement-timeout", &settings->statement_timeout},
        std::tuple{&flags.lock_timeout, "--lock-timeout", &settings->lock_timeout},
        std::tuple{&flags.bloat_interval, "--bloat-interval", &settings->bloat_interval}}) {
    if (text->empty()) continue;
    VW_ASSIGN_OR_RETURN(*target, Seconds(*text, flag));
  }
  return absl::OkStatus();
}

std::vector<int64_t> TablesOverTrigger(const ingest::Snapshot& snapshot) {
  std::vector<std::pair<double, int64_t>> over;  // how far over, relid
  for (const ingest::TableStats& table : snapshot.tables) {
    if (!table.n_dead_tup.has_value()) continue;
    const pipeline::Thresholds thresholds =
        pipeline::ComputeThresholds(snapshot.settings, snapshot.server_version_num, table);
    const double excess = static_cast<double>(*table.n_dead_tup) - thresholds.vacuum;
    if (excess > 0) over.emplace_back(excess, table.relid);
  }
  std::sort(over.begin(), over.end(), [](const auto& a, const auto& b) { return a > b; });
  std::vector<int64_t> relids;
  relids.reserve(over.size());
  for (const auto& [excess, relid] : over) relids.push_back(relid);
  return relids;
}

ingest::SnapshotCollectorOptions MakeCollectorOptions(
    const CollectorSettings& settings,
    std::function<void(ingest::CollectorLogLevel, const std::string&)> log) {
  ingest::SnapshotCollectorOptions options;
  options.dsn = settings.dsn;
  options.cluster = settings.cluster;
  options.databases = settings.databases;
  options.statement_timeout = settings.statement_timeout;
  options.lock_timeout = settings.lock_timeout;
  options.connect_timeout = settings.connect_timeout;
  options.bloat.enabled = settings.measure_bloat;
  options.bloat.min_interval = settings.bloat_interval;
  options.bloat.max_tables_per_round = settings.bloat_tables_per_round;
  options.bloat.candidates = TablesOverTrigger;
  options.log = std::move(log);
  return options;
}

}  // namespace vacwatch::app
