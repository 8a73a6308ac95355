// The table of vacwatch's subcommands: add a row here to add a command.
#include "app/collect_command.h"
#include "app/command.h"
#include "app/dev_broker_command.h"
#include "app/explain_command.h"
#include "app/parse_command.h"
#include "app/replay_command.h"
#include "app/report_command.h"
#include "app/run_command.h"
#include "app/watch_command.h"

namespace vacwatch::app {
namespace {

constexpr Command kCommands[] = {
    {"parse", "print the events of PostgreSQL logs (or snapshots) as JSON lines", RunParse},
    {"replay", "replay logs and snapshots through the detectors; print alerts", RunReplayCommand},
    {"report", "replay logs and snapshots; write one HTML page of every table", RunReportCommand},
    {"advise", "replay logs and snapshots; print the autovacuum settings tables call for",
     RunAdviseCommand},
    {"explain", "say why a table paged, or why not, from a state directory", RunExplainCommand},
    {"run", "the service: consume logs and snapshots from Kafka, produce alerts to a topic",
     RunRunCommand},
    {"collect", "take stats snapshots of a PostgreSQL server (to stdout, a file or Kafka)",
     RunCollectCommand},
    {"watch", "one server without Kafka: poll its stats, follow its log, run the detectors",
     RunWatchCommand},
    {"dev-broker", "run a Kafka broker on localhost with vacwatch's topics (for trying it out)",
     RunDevBrokerCommand},
};

}  // namespace

std::span<const Command> AllCommands() { return kCommands; }

const Command* FindCommand(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

int ExitCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace vacwatch::app
