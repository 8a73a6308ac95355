#ifndef VACWATCH_APP_REPLAY_COMMAND_H_
#define VACWATCH_APP_REPLAY_COMMAND_H_

// `vacwatch replay --logs FILE... --stats FILE... [--log-format auto|stderr|csvlog|jsonlog]
//                  [--log-line-prefix P] [--cluster NAME] [--config FILE] [--state-dir DIR]
//                  [--format json|text] [--dead-letter FILE] [--progress]`
//
// Merges server logs and snapshot files by event time, runs the detectors over them and prints
// the alert transitions on io.out: JSON lines (docs/alerts.md), or with --format text a
// readable line per transition and a per-table summary at the end. A last line on io.err
// counts what was read and fired; progress goes there too on a terminal (or with --progress).
//
// With --state-dir the run is resumable: a second run with the same dir continues each file
// given again where the first stopped and never emits a transition twice. Without it, state
// lives in a temporary directory removed at exit. Without --config, the built-in defaults
// (those configs/vacwatch.yaml lists) apply.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunReplayCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_REPLAY_COMMAND_H_
