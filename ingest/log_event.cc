#include "ingest/log_event.h"

namespace vacwatch::ingest {

std::string_view LogEventTypeName(LogEventType type) {
  switch (type) {
    case LogEventType::kVacuum:
      return "vacuum";
    case LogEventType::kAnalyze:
      return "analyze";
    case LogEventType::kVacuumCancelled:
      return "vacuum_cancelled";
    case LogEventType::kAnalyzeCancelled:
      return "analyze_cancelled";
    case LogEventType::kVacuumSkipped:
      return "vacuum_skipped";
    case LogEventType::kAnalyzeSkipped:
      return "analyze_skipped";
    case LogEventType::kWraparoundWarning:
      return "wraparound_warning";
  }
  return "unknown";
}

std::string_view VacuumModeName(VacuumMode mode) {
  switch (mode) {
    case VacuumMode::kNormal:
      return "normal";
    case VacuumMode::kAggressive:
      return "aggressive";
    case VacuumMode::kWraparound:
      return "wraparound";
    case VacuumMode::kAggressiveWraparound:
      return "aggressive_wraparound";
  }
  return "unknown";
}

std::string_view IndexScanDecisionName(IndexScanDecision decision) {
  switch (decision) {
    case IndexScanDecision::kNotNeeded:
      return "not_needed";
    case IndexScanDecision::kNeeded:
      return "needed";
    case IndexScanDecision::kBypassed:
      return "bypassed";
    case IndexScanDecision::kBypassedByFailsafe:
      return "bypassed_by_failsafe";
  }
  return "unknown";
}

std::string_view WraparoundWarningKindName(WraparoundWarningKind kind) {
  switch (kind) {
    case WraparoundWarningKind::kMustVacuumWithin:
      return "must_vacuum_within";
    case WraparoundWarningKind::kMultixactMustVacuumWithin:
      return "multixact_must_vacuum_within";
    case WraparoundWarningKind::kOldestXminFarInPast:
      return "oldest_xmin_far_in_past";
    case WraparoundWarningKind::kOldestMultixactFarInPast:
      return "oldest_multixact_far_in_past";
    case WraparoundWarningKind::kNotAcceptingCommands:
      return "not_accepting_commands";
    case WraparoundWarningKind::kFailsafe:
      return "failsafe";
    case WraparoundWarningKind::kNotVacuumedIn2Billion:
      return "not_vacuumed_in_2_billion";
  }
  return "unknown";
}

void VacuumStats::Clear() {
  std::vector<IndexVacuumStats> keep = std::move(indexes);
  keep.clear();
  *this = VacuumStats();
  indexes = std::move(keep);
}

void LogEvent::Clear() {
  VacuumStats keep = std::move(stats);
  keep.Clear();
  *this = LogEvent();
  stats = std::move(keep);
}

}  // namespace vacwatch::ingest
