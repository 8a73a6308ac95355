#include "app/explain_command.h"

#include "app/arg_parser.h"
#include "app/config_loader.h"
#include "common/status_macros.h"
#include "pipeline/config.h"
#include "pipeline/explanation.h"
#include "pipeline/pipeline.h"
#include "state/state_store.h"

namespace vacwatch::app {
namespace {

constexpr char kDescription[] =
    "Says why a table paged, or why not, from the state a replay (--state-dir) or the service\n"
    "keeps: its autovacuum trigger and how it was computed, its dead tuples and their rates, the\n"
    "last runs and what they removed, the removable cutoff they met and the root holding it,\n"
    "each detector's conditions (which held, which did not), and the alerts with their windows.\n"
    "The first question an on-call engineer asks, answered from the same numbers the detectors\n"
    "used. TABLE is CLUSTER/DATABASE.SCHEMA.TABLE, as the alerts name it.";

struct ExplainFlags {
  std::string state_dir;
  std::string config;
  std::string format = "text";
  std::vector<std::string> tables;
};

}  // namespace

absl::Status RunExplainCommand(const std::vector<std::string>& args, CommandIo& io) {
  ExplainFlags flags;
  ArgParser parser("explain", kDescription);
  parser.AddString("state-dir", "DIR", "the state directory a replay or the service wrote",
                   &flags.state_dir);
  parser.AddString("config", "FILE",
                   "the detector configuration the state was made with (default: built-in)",
                   &flags.config);
  parser.AddString("format", "FORMAT", "text (for a human) or json", &flags.format);
  parser.SetPositionals("TABLE", "CLUSTER/DATABASE.SCHEMA.TABLE", 1, &flags.tables);
  VW_RETURN_IF_ERROR(parser.Parse(args));
  if (parser.help_requested()) {
    std::fputs(parser.Help().c_str(), io.out);
    return absl::OkStatus();
  }
  if (flags.state_dir.empty()) {
    return absl::InvalidArgumentError(
        "explain needs --state-dir (the directory a replay or the service kept its state in)");
  }
  if (flags.format != "text" && flags.format != "json") {
    return absl::InvalidArgumentError("unknown format '" + flags.format +
                                      "': expected text or json (see 'vacwatch explain --help')");
  }
  pipeline::PipelineConfig config;
  if (!flags.config.empty()) {
    VW_ASSIGN_OR_RETURN(VacwatchConfig file, LoadConfig(flags.config));
    config = std::move(file.pipeline);
  }
  state::StateStoreOptions options;
  options.create_if_missing = false;
  VW_ASSIGN_OR_RETURN(std::unique_ptr<state::StateStore> store,
                      state::StateStore::Open(flags.state_dir, options));
  pipeline::Pipeline pipeline(config, store.get());
  for (const std::string& table : flags.tables) {
    VW_ASSIGN_OR_RETURN(pipeline::Explanation e, pipeline.Explain(table, absl::InfinitePast()));
    std::string out;
    if (flags.format == "json") {
      pipeline::WriteExplanationJson(e, &out);
      out.push_back('\n');
    } else {
      pipeline::WriteExplanationText(e, &out);
    }
    std::fputs(out.c_str(), io.out);
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
