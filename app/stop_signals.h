#ifndef VACWATCH_APP_STOP_SIGNALS_H_
#define VACWATCH_APP_STOP_SIGNALS_H_

// How the long-running commands (`collect`, `watch`) wait between rounds: they block SIGINT
// and SIGTERM before any thread starts (so no thread takes them), and take them here,
// synchronously, with a deadline.
//
//   pthread_sigmask(SIG_BLOCK, &stop, &previous);           // stop = {SIGINT, SIGTERM}
//   while (!WaitForStop(stop, next_round)) { ... }          // true: a stop signal came
//
// Thread-compatible: call from the command's main thread.

#include <signal.h>

#include "absl/time/time.h"

namespace vacwatch::app {

// Waits until `deadline` or a signal of `signals`; true when a signal came.
bool WaitForStop(const sigset_t& signals, absl::Time deadline);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_STOP_SIGNALS_H_
