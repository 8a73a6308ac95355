#ifndef VACWATCH_APP_LOG_INPUTS_H_
#define VACWATCH_APP_LOG_INPUTS_H_

// The --logs arguments of `replay` (and `parse`), expanded into files and the cluster each
// belongs to, so that a fleet's logs replay together with its snapshots:
//   FILE                  a log of the default cluster (--cluster, else the snapshots')
//   CLUSTER=FILE          a log of CLUSTER (the name before the first '=', which holds no '/')
//   PATTERN with {cluster}  every file the pattern matches, {cluster} standing for one path
//                         component's worth of name ('logs/{cluster}/*.log',
//                         'logs/{cluster}-postgresql.csv'); the matched text is the cluster
//   -                     standard input
// Files matched by a pattern come sorted by path. Errors (InvalidArgument): a pattern that
// matches nothing, an empty cluster or file name.
//
//   VW_ASSIGN_OR_RETURN(std::vector<LogInputArg> logs, ExpandLogArgs(flags.logs));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/arg_parser.h"
#include "ingest/shipper_envelope.h"

namespace vacwatch::app {

struct LogInputArg {
  std::string path;
  std::string cluster;  // empty: the default cluster
  bool operator==(const LogInputArg&) const = default;
};

absl::StatusOr<std::vector<LogInputArg>> ExpandLogArgs(const std::vector<std::string>& args);

// --payload-field, --cluster-field and --time-field: where a log shipper's JSON records keep
// the log line, the cluster name and the time (ingest/shipper_envelope.h). `parser` writes
// into `options` when it parses; both must outlive that.
void AddEnvelopeFlags(ArgParser* parser, ingest::EnvelopeOptions* options);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_LOG_INPUTS_H_
