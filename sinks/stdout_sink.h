#ifndef VACWATCH_SINKS_STDOUT_SINK_H_
#define VACWATCH_SINKS_STDOUT_SINK_H_

// StdoutSink: alert transitions on a stdio stream (stdout for `vacwatch replay`), in one of two
// forms:
//   kJson  one JSON object per line (pipeline::WriteAlertJson), the machine-readable output;
//   kText  one readable line per transition, then, from WriteSummary(), a table of what was
//          found per table (alert, severity, cause, since, holder, fix) for a human.
//
//   StdoutSink sink(stdout, AlertFormat::kText);
//   VW_RETURN_IF_ERROR(sink.Deliver(transition));   // buffered by stdio
//   VW_RETURN_IF_ERROR(sink.Flush());               // fflush: delivered
//   ...
//   VW_RETURN_IF_ERROR(sink.WriteSummary());        // kText only; no-op for kJson
//
// A write error (a closed pipe, a full disk) is Unavailable from Deliver or Flush. Output is a
// function of the transitions alone, so the same transitions give the same bytes. Not
// thread-safe. Does not own or close the stream.

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sinks/alert_description.h"  // DescribeHolder, for callers of the text form
#include "sinks/alert_sink.h"

namespace vacwatch::sinks {

enum class AlertFormat : uint8_t { kJson, kText };

// "json" / "text"; InvalidArgument otherwise.
absl::StatusOr<AlertFormat> ParseAlertFormat(std::string_view name);

class StdoutSink final : public AlertSink {
 public:
  StdoutSink(std::FILE* out, AlertFormat format);

  absl::Status Deliver(const pipeline::AlertTransition& transition) override;
  absl::Status Flush() override;

  // What the run can add to the summary beyond the transitions it delivered.
  struct RunFacts {
    // False when no snapshot could be used: nothing was judged, so "no alert" means nothing.
    bool judged = true;
    std::string not_judged_reason;
    // Alerts firing in the state (earlier runs of the same --state-dir included): listed too
    // when this run delivered no transition of theirs.
    std::vector<pipeline::Alert> firing;
  };

  // kText: the per-table table of every alert that fired during the run or is still firing
  // from an earlier one, the ones still firing first, and flushes. kJson: nothing.
  absl::Status WriteSummary(const RunFacts& facts);
  absl::Status WriteSummary() { return WriteSummary(RunFacts{}); }

  int64_t fired() const { return fired_; }
  int64_t resolved() const { return resolved_; }

 private:
  // What the summary shows of one alert on one table: its latest transition.
  struct Found {
    pipeline::Alert alert;
    bool firing = false;
    bool earlier = false;  // fired by an earlier run, still firing
  };

  absl::Status Write(std::string_view text);
  void AppendTextLine(const pipeline::Alert& alert);

  std::FILE* out_;
  AlertFormat format_;
  std::string line_;  // reused per transition
  // Keyed by (cluster/database.schema.table, alert name): sorted, so the table is stable.
  std::map<std::pair<std::string, std::string>, Found> found_;
  int64_t fired_ = 0;
  int64_t resolved_ = 0;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_STDOUT_SINK_H_
