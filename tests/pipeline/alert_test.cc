#include "pipeline/alert.h"

#include <optional>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace vacwatch::pipeline {
namespace {

TEST(AlertTest, EveryStatusSeverityAndCauseParsesBackFromItsName) {
  for (AlertStatus s : {AlertStatus::kFiring, AlertStatus::kResolved}) {
    EXPECT_EQ(ParseAlertStatus(AlertStatusName(s)), s) << AlertStatusName(s);
  }
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    EXPECT_EQ(ParseSeverity(SeverityName(s)), s) << SeverityName(s);
  }
  for (int c = 0; c <= kMaxCause; ++c) {
    const Cause cause = static_cast<Cause>(c);
    EXPECT_EQ(ParseCause(CauseName(cause)), cause) << CauseName(cause);
  }
}

// The names are the alert JSON's values (docs/alerts.md): they must never change.
TEST(AlertTest, NamesAreTheDocumentedOnes) {
  EXPECT_EQ(AlertStatusName(AlertStatus::kFiring), "firing");
  EXPECT_EQ(AlertStatusName(AlertStatus::kResolved), "resolved");
  EXPECT_EQ(SeverityName(Severity::kInfo), "info");
  EXPECT_EQ(SeverityName(Severity::kWarning), "warning");
  EXPECT_EQ(SeverityName(Severity::kCritical), "critical");
  EXPECT_EQ(CauseName(Cause::kUnknown), "unknown");
  EXPECT_EQ(CauseName(Cause::kXminHorizon), "xmin_horizon");
  EXPECT_EQ(CauseName(Cause::kCostThrottled), "cost_throttled");
  EXPECT_EQ(CauseName(Cause::kLockConflicts), "lock_conflicts");
  EXPECT_EQ(CauseName(Cause::kWorkerStarvation), "worker_starvation");
  EXPECT_EQ(CauseName(Cause::kInsufficientMaintenanceWorkMem), "insufficient_maintenance_work_mem");
  EXPECT_EQ(CauseName(Cause::kScaleFactorTooLarge), "scale_factor_too_large");
  EXPECT_EQ(CauseName(Cause::kAutovacuumDisabled), "autovacuum_disabled");
  EXPECT_EQ(CauseName(Cause::kServerWarning), "server_warning");
}

TEST(AlertTest, OtherTextDoesNotParse) {
  for (const char* text : {"", "Firing", "fired", "firing ", "pending"}) {
    EXPECT_EQ(ParseAlertStatus(text), std::nullopt) << text;
  }
  for (const char* text : {"", "WARNING", "error", "fatal"}) {
    EXPECT_EQ(ParseSeverity(text), std::nullopt) << text;
  }
  for (const char* text : {"", "xmin", "Unknown", "xmin_horizon\n"}) {
    EXPECT_EQ(ParseCause(text), std::nullopt) << text;
  }
}

TEST(AlertTest, AValueOutOfRangeIsNamedAsBefore) {
  // Bytes from a state of an unknown encoding: the names the string fields defaulted to.
  EXPECT_EQ(SeverityName(static_cast<Severity>(200)), "warning");
  EXPECT_EQ(CauseName(static_cast<Cause>(kMaxCause + 1)), "unknown");
}

TEST(AlertTest, StreamsTheName) {
  std::ostringstream os;
  os << AlertStatus::kResolved << " " << Severity::kCritical << " " << Cause::kLockConflicts;
  EXPECT_EQ(os.str(), "resolved critical lock_conflicts");
}

}  // namespace
}  // namespace vacwatch::pipeline
