#ifndef VACWATCH_APP_REPORT_COMMAND_H_
#define VACWATCH_APP_REPORT_COMMAND_H_

// `vacwatch report` and `vacwatch advise`: a replay (the same inputs and flags as `replay`,
// replay_inputs.h; the same pipeline) recorded beside the pipeline (report/recording.h), then
//   report: one self-contained HTML page (report/html_report.h) written to --output;
//   advise: the autovacuum settings each table and cluster calls for (report/advisor.h), as
//           text, JSON or SQL on stdout.
// Both keep their state in a temporary directory (a report is of the inputs given, whole).
//
//   vacwatch report --logs postgresql.log --stats snapshots.jsonl --output report.html
//   vacwatch advise --logs postgresql.log --stats snapshots.jsonl --format sql

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"

namespace vacwatch::app {

absl::Status RunReportCommand(const std::vector<std::string>& args, CommandIo& io);
absl::Status RunAdviseCommand(const std::vector<std::string>& args, CommandIo& io);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_REPORT_COMMAND_H_
