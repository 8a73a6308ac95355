#include "app/stop_signals.h"

#include <cerrno>
#include <ctime>

#include "absl/time/clock.h"

namespace vacwatch::app {

bool WaitForStop(const sigset_t& signals, absl::Time deadline) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    const timespec wait = absl::ToTimespec(left);
    const int signal = sigtimedwait(&signals, nullptr, &wait);
    if (signal > 0) return true;
    if (signal < 0 && errno == EAGAIN) return false;
    // EINTR (another signal): wait for the rest.
  }
}

}  // namespace vacwatch::app
