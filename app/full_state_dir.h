#ifndef VACWATCH_APP_FULL_STATE_DIR_H_
#define VACWATCH_APP_FULL_STATE_DIR_H_

// FullStateDir: what `run` and `watch` say and how often they retry while the disk under the
// state directory is full (a commit failed with the store's ResourceExhausted). Nothing more is
// read meanwhile; the failed checkpoint is retried, 0.1 s after the failure and then twice as
// long after each failed retry, up to 5 s; one error line when it starts, one info line when a
// retry commits. Nothing read is lost: what was not committed is retried or read again.
//
//   FullStateDir full(state_dir, "consumption stopped", "consuming again");
//   log("error", full.Begin(status, absl::Now()));
//   ...                                     // until full.RetryDue(absl::Now()), then retry:
//   if (failed) full.RetryFailed(absl::Now()); else log("info", full.End(absl::Now()));
//
// A value owned by one thread.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vacwatch::app {

class FullStateDir {
 public:
  // `stopped`: what stopped ("consumption stopped"); `going_on`: what the info line ends with
  // ("consuming again").
  FullStateDir(std::string state_dir, std::string stopped, std::string going_on);

  bool active() const { return since_.has_value(); }
  // The disk filled (`full` is the failed commit's status): the error line.
  std::string Begin(const absl::Status& full, absl::Time now);
  // Whether the checkpoint is to be retried now.
  bool RetryDue(absl::Time now) const { return active() && now >= next_retry_; }
  // The retry failed on the full disk again: the next one waits twice as long (up to 5 s).
  void RetryFailed(absl::Time now);
  // A retry committed: the info line, and no longer active.
  std::string End(absl::Time now);

 private:
  std::string state_dir_, stopped_, going_on_;
  std::optional<absl::Time> since_;
  absl::Time next_retry_ = absl::InfiniteFuture();
  absl::Duration backoff_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_FULL_STATE_DIR_H_
