#ifndef VACWATCH_APP_EXPLAIN_COMMAND_H_
#define VACWATCH_APP_EXPLAIN_COMMAND_H_

// `vacwatch explain --state-dir DIR CLUSTER/DB.SCHEMA.TABLE [--format text|json]`: why a
// table paged, or why not, from the state a replay (or the service) left in DIR: the trigger
// and how it was computed, dead tuples and their rates, the last runs, the horizon its runs
// met, each detector's conditions, the alerts and their windows (pipeline/explanation.h).
// The store is opened without creating anything; NotFound for an unknown table or an empty
// directory.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunExplainCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_EXPLAIN_COMMAND_H_
