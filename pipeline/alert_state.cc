#include "pipeline/alert_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace vacwatch::pipeline {

std::string_view AlertPhaseName(AlertPhase phase) {
  switch (phase) {
    case AlertPhase::kInactive:
      return "inactive";
    case AlertPhase::kPending:
      return "pending";
    case AlertPhase::kFiring:
      return "firing";
    case AlertPhase::kResolving:
      return "resolving";
  }
  return "unknown";
}

bool IsLegalAlertTransition(AlertPhase from, AlertPhase to) {
  // For each target, its legal predecessors.
  switch (to) {
    case AlertPhase::kInactive:
      // pending -> inactive (condition cleared before `for`), resolving -> inactive (clear held
      // `clear_for`), and any phase on a forced resolve is handled by ForceResolve itself.
      return from == AlertPhase::kPending || from == AlertPhase::kResolving;
    case AlertPhase::kPending:
      return from == AlertPhase::kInactive;
    case AlertPhase::kFiring:
      // inactive -> firing only when `for` is zero (pending is passed through at once).
      return from == AlertPhase::kPending || from == AlertPhase::kResolving ||
             from == AlertPhase::kInactive;
    case AlertPhase::kResolving:
      return from == AlertPhase::kFiring;
  }
  return false;
}

absl::Status AlertState::MoveTo(AlertPhase to, int64_t now_us) {
  if (!IsLegalAlertTransition(phase_, to)) {
    return absl::InternalError(absl::StrCat("illegal alert transition from ",
                                            std::string(AlertPhaseName(phase_)), " to ",
                                            std::string(AlertPhaseName(to)), " at ", now_us));
  }
  phase_ = to;
  return absl::OkStatus();
}

absl::StatusOr<AlertStep> AlertState::Step(absl::Time now, bool condition,
                                           const AlertWindow& window) {
  int64_t now_us = absl::ToUnixMicros(now);
  if (last_us_ != kNever) now_us = std::max(now_us, last_us_);
  last_us_ = now_us;
  if (!window.enabled) condition = false;
  const int64_t for_us = absl::ToInt64Microseconds(window.for_duration);
  const int64_t clear_us = absl::ToInt64Microseconds(window.clear_for);
  switch (phase_) {
    case AlertPhase::kInactive:
      if (!condition) return AlertStep::kNone;
      since_us_ = now_us;
      clear_since_us_ = kNever;
      if (for_us <= 0) {
        if (absl::Status s = MoveTo(AlertPhase::kFiring, now_us); !s.ok()) return s;
        return AlertStep::kFired;
      }
      if (absl::Status s = MoveTo(AlertPhase::kPending, now_us); !s.ok()) return s;
      return AlertStep::kNone;
    case AlertPhase::kPending:
      if (!condition) {
        if (absl::Status s = MoveTo(AlertPhase::kInactive, now_us); !s.ok()) return s;
        since_us_ = kNever;
        return AlertStep::kNone;
      }
      if (now_us - since_us_ >= for_us) {
        if (absl::Status s = MoveTo(AlertPhase::kFiring, now_us); !s.ok()) return s;
        return AlertStep::kFired;
      }
      return AlertStep::kNone;
    case AlertPhase::kFiring:
      if (condition) return AlertStep::kNone;
      clear_since_us_ = now_us;
      if (absl::Status s = MoveTo(AlertPhase::kResolving, now_us); !s.ok()) return s;
      if (clear_us <= 0) {
        if (absl::Status s = MoveTo(AlertPhase::kInactive, now_us); !s.ok()) return s;
        return AlertStep::kResolved;
      }
      return AlertStep::kNone;
    case AlertPhase::kResolving:
      if (condition) {
        clear_since_us_ = kNever;
        if (absl::Status s = MoveTo(AlertPhase::kFiring, now_us); !s.ok()) return s;
        return AlertStep::kNone;
      }
      if (now_us - clear_since_us_ >= clear_us) {
        if (absl::Status s = MoveTo(AlertPhase::kInactive, now_us); !s.ok()) return s;
        return AlertStep::kResolved;
      }
      return AlertStep::kNone;
  }
  return absl::InternalError("alert state holds an unknown phase");
}

absl::StatusOr<AlertStep> AlertState::ForceResolve(absl::Time now) {
  int64_t now_us = absl::ToUnixMicros(now);
  if (last_us_ != kNever) now_us = std::max(now_us, last_us_);
  last_us_ = now_us;
  AlertStep step = AlertStep::kNone;
  if (phase_ == AlertPhase::kFiring) {
    clear_since_us_ = now_us;
    if (absl::Status s = MoveTo(AlertPhase::kResolving, now_us); !s.ok()) return s;
  }
  if (phase_ == AlertPhase::kResolving) {
    if (absl::Status s = MoveTo(AlertPhase::kInactive, now_us); !s.ok()) return s;
    step = AlertStep::kResolved;
  } else if (phase_ == AlertPhase::kPending) {
    if (absl::Status s = MoveTo(AlertPhase::kInactive, now_us); !s.ok()) return s;
    since_us_ = kNever;
  }
  return step;
}

bool AlertState::Escalate(uint8_t to) {
  if (phase_ != AlertPhase::kFiring || to <= severity) return false;
  severity = to;
  return true;
}

bool AlertState::Restore(uint8_t phase, int64_t since_us, int64_t clear_since_us, int64_t last_us) {
  if (phase > static_cast<uint8_t>(AlertPhase::kResolving)) return false;
  phase_ = static_cast<AlertPhase>(phase);
  since_us_ = since_us;
  clear_since_us_ = clear_since_us;
  last_us_ = last_us;
  return true;
}

}  // namespace vacwatch::pipeline
