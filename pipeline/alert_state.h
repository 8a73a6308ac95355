#ifndef VACWATCH_PIPELINE_ALERT_STATE_H_
#define VACWATCH_PIPELINE_ALERT_STATE_H_

// AlertState: the life of one alert on one table, driven in event time:
//
//   inactive --cond--> pending --cond held `for`--> firing --clear--> resolving
//      ^                  |                            ^                |
//      +------clear-------+                            +------cond------+
//      ^                                                                |
//      +---------------------- clear held `clear_for` ------------------+
//
// Step() is called at every evaluation with whether the condition holds now; it returns the
// transition to emit, if any: kFired exactly once when pending turns firing, kResolved exactly
// once when resolving turns inactive. A condition that comes back while resolving returns to
// firing silently (no second page), so a saw-tooth never flaps. `for` = 0 fires on the first
// evaluation; `clear_for` = 0 resolves on the first clear one. Every state change is checked
// against a table of legal predecessors (always on, also in release builds): an illegal one is
// an Internal error, never a silent jump.
//
//   AlertState s;
//   VW_ASSIGN_OR_RETURN(AlertStep step, s.Step(now, condition, window));
//   if (step == AlertStep::kFired) Emit(...);   // s.starts_at() = when the condition began
//
// A plain value (24 bytes + a few flags): it is stored inside the table state and encoded with it.

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/config.h"

namespace vacwatch::pipeline {

enum class AlertPhase : uint8_t { kInactive = 0, kPending = 1, kFiring = 2, kResolving = 3 };
std::string_view AlertPhaseName(AlertPhase phase);

enum class AlertStep : uint8_t { kNone, kFired, kResolved };

class AlertState {
 public:
  // Evaluates at `now` (must not go backwards; an older `now` is treated as `now` of the last
  // step, so a late input can never shorten a window).
  absl::StatusOr<AlertStep> Step(absl::Time now, bool condition, const AlertWindow& window);

  // Forces the alert to resolve now (the table was dropped or renamed): firing or resolving
  // returns kResolved (ends_at = now), pending or inactive return kNone; the state becomes
  // inactive either way.
  absl::StatusOr<AlertStep> ForceResolve(absl::Time now);

  AlertPhase phase() const { return phase_; }
  bool active() const { return phase_ == AlertPhase::kFiring || phase_ == AlertPhase::kResolving; }
  // When the condition began to hold (pending since, kept while firing / resolving).
  absl::Time starts_at() const { return FromMicros(since_us_); }
  // When the condition stopped holding (resolving since; the resolved alert's ends_at).
  absl::Time clear_since() const { return FromMicros(clear_since_us_); }

  // Detector-owned facts that must survive with the alert (cause and severity decided while
  // pending; the cause is frozen once firing, the severity can only rise: Escalate).
  uint8_t cause = 0;
  uint8_t severity = 0;

  // While firing, raises `severity` to `to` when that is higher and returns true: the caller
  // emits the alert again, firing at the new severity (an escalation, once per rise). Returns
  // false otherwise (not firing, or not higher). Severity never falls while the alert is
  // active, so a condition wavering around a critical threshold pages once, not each time.
  bool Escalate(uint8_t to);

  // Raw fields for the table-state encoding.
  int64_t since_us() const { return since_us_; }
  int64_t clear_since_us() const { return clear_since_us_; }
  int64_t last_us() const { return last_us_; }
  // Restores a decoded state; false if the phase byte is unknown.
  bool Restore(uint8_t phase, int64_t since_us, int64_t clear_since_us, int64_t last_us);

  bool operator==(const AlertState&) const = default;

 private:
  static absl::Time FromMicros(int64_t us) {
    return us == kNever ? absl::InfinitePast() : absl::FromUnixMicros(us);
  }
  absl::Status MoveTo(AlertPhase to, int64_t now_us);

  static constexpr int64_t kNever = INT64_MIN;
  AlertPhase phase_ = AlertPhase::kInactive;
  int64_t since_us_ = kNever;
  int64_t clear_since_us_ = kNever;
  int64_t last_us_ = kNever;
};

// Whether `from -> to` is a legal change (the predecessor table).
bool IsLegalAlertTransition(AlertPhase from, AlertPhase to);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_ALERT_STATE_H_
