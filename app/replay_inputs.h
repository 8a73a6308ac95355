#ifndef VACWATCH_APP_REPLAY_INPUTS_H_
#define VACWATCH_APP_REPLAY_INPUTS_H_

// The inputs of every command that replays files through the pipeline (`replay`, `report`,
// `advise`): the same flags, parsed the same way, into the same ReplayOptions, so the three
// read exactly the same inputs (log formats, pipes, time zones, fleets, the config file):
//
//   ReplayInputFlags inputs;
//   ArgParser parser("report", kDescription);
//   AddReplayInputFlags(&parser, &inputs);
//   VW_RETURN_IF_ERROR(parser.Parse(args));
//   VW_ASSIGN_OR_RETURN(ReplayInputs in, PrepareReplayInputs(inputs, "report", io));
//   ReplayRunner runner(std::move(in.options), &consumer, in.store.get(), &sink);
//
// Errors: InvalidArgument naming the flag (and 'vacwatch <command> --help'), NotFound for a
// missing config file, the state store's errors.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "app/arg_parser.h"
#include "app/command.h"
#include "app/config_loader.h"
#include "app/replay_runner.h"
#include "ingest/shipper_envelope.h"
#include "pipeline/config.h"
#include "sinks/dead_letter_sink.h"
#include "state/state_store.h"

namespace vacwatch::app {

struct ReplayInputFlags {
  std::vector<std::string> logs, stats;
  std::string log_format = "auto";
  std::string log_line_prefix;
  ingest::EnvelopeOptions envelope;
  std::string log_timezone;
  std::string cluster;
  std::string config;
  std::string dead_letter;
  bool progress = false;
};

// --logs, --stats, --log-format, --log-line-prefix, --log-timezone, --cluster, the shipper
// fields, --config, --dead-letter, --progress. The parser writes into `flags` (must outlive it).
void AddReplayInputFlags(ArgParser* parser, ReplayInputFlags* flags);

// A directory for a run's state when --state-dir is not given; removed with its contents when
// this goes (after the store that lives in it: declare it first).
class TemporaryStateDir {
 public:
  static absl::StatusOr<std::unique_ptr<TemporaryStateDir>> Create();
  ~TemporaryStateDir();
  TemporaryStateDir(const TemporaryStateDir&) = delete;
  TemporaryStateDir& operator=(const TemporaryStateDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryStateDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// What the flags give: the runner's options (inputs, zones, dead letters, progress on io.err),
// the loaded config, and the dead-letter sink the options point to (keep it alive; Flush() it
// after the run).
struct ReplayInputs {
  ReplayOptions options;
  VacwatchConfig config;  // built-in defaults without --config
  std::unique_ptr<sinks::DeadLetterSink> dead_letters;
};

absl::StatusOr<ReplayInputs> PrepareReplayInputs(const ReplayInputFlags& flags,
                                                 std::string_view command, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_REPLAY_INPUTS_H_
