#include "pipeline/alert_state.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::pipeline {
namespace {

absl::Time T(int seconds) { return absl::FromUnixSeconds(1'800'000'000 + seconds); }

AlertWindow Window(int for_s, int clear_s) {
  return AlertWindow{absl::Seconds(for_s), absl::Seconds(clear_s), true};
}

// Drives the state with (time, condition) pairs and returns the steps.
std::vector<AlertStep> Drive(AlertState* s, const AlertWindow& w,
                             const std::vector<std::pair<int, bool>>& inputs) {
  std::vector<AlertStep> steps;
  for (const auto& [t, cond] : inputs) {
    absl::StatusOr<AlertStep> step = s->Step(T(t), cond, w);
    EXPECT_TRUE(step.ok()) << step.status();
    steps.push_back(step.ok() ? *step : AlertStep::kNone);
  }
  return steps;
}

// One letter each, so that a sequence of steps reads as a row.
constexpr AlertStep kN = AlertStep::kNone;
constexpr AlertStep kF = AlertStep::kFired;
constexpr AlertStep kR = AlertStep::kResolved;

TEST(AlertStateTest, FiresAfterForAndResolvesAfterClearFor) {
  AlertState s;
  auto steps = Drive(&s, Window(30, 60),
                     {{0, true},
                      {10, true},
                      {29, true},
                      {30, true},
                      {40, true},
                      {50, false},
                      {100, false},
                      {110, false},
                      {120, false}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kN, kN, kN, kF, kN, kN, kN, kR, kN}));
  EXPECT_EQ(s.phase(), AlertPhase::kInactive);
  EXPECT_EQ(s.starts_at(), T(0));
  EXPECT_EQ(s.clear_since(), T(50));
}

TEST(AlertStateTest, ConditionThatDoesNotHoldForForNeverFires) {
  AlertState s;
  auto steps =
      Drive(&s, Window(30, 60),
            {{0, true}, {20, true}, {25, false}, {40, true}, {60, true}, {69, true}, {70, true}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kN, kN, kN, kN, kN, kN, kF}));
  EXPECT_EQ(s.starts_at(), T(40));  // the window restarted with the condition
}

TEST(AlertStateTest, SawToothWhileFiringDoesNotFlap) {
  AlertState s;
  // Condition true/false every 20 s, shorter than clear_for: one firing, no resolve.
  std::vector<std::pair<int, bool>> inputs;
  for (int t = 0; t <= 600; t += 10) inputs.push_back({t, (t / 20) % 2 == 0 || t < 40});
  auto steps = Drive(&s, Window(30, 60), inputs);
  int fired = 0, resolved = 0;
  for (AlertStep st : steps) {
    fired += st == kF;
    resolved += st == kR;
  }
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(resolved, 0);
  EXPECT_TRUE(s.active());
}

TEST(AlertStateTest, ZeroForFiresAtOnceAndZeroClearForResolvesAtOnce) {
  AlertState s;
  auto steps = Drive(&s, Window(0, 0), {{0, true}, {5, true}, {10, false}, {15, false}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kF, kN, kR, kN}));
}

TEST(AlertStateTest, ReturningConditionWhileResolvingRefiresSilently) {
  AlertState s;
  auto steps = Drive(&s, Window(0, 60),
                     {{0, true}, {10, false}, {20, true}, {30, false}, {89, false}, {90, false}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kF, kN, kN, kN, kN, kR}));
  EXPECT_EQ(s.clear_since(), T(30));
}

TEST(AlertStateTest, OlderTimeNeverShortensAWindow) {
  AlertState s;
  auto steps = Drive(&s, Window(30, 60), {{100, true}, {50, true}, {129, true}, {130, true}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kN, kN, kN, kF}));
}

TEST(AlertStateTest, DisabledAlertNeverFires) {
  AlertState s;
  AlertWindow w = Window(0, 0);
  w.enabled = false;
  auto steps = Drive(&s, w, {{0, true}, {100, true}});
  EXPECT_EQ(steps, (std::vector<AlertStep>{kN, kN}));
}

TEST(AlertStateTest, ForceResolveEmitsOnlyForActiveAlerts) {
  AlertState pending;
  Drive(&pending, Window(30, 60), {{0, true}});
  absl::StatusOr<AlertStep> step = pending.ForceResolve(T(5));
  ASSERT_OK(step);
  EXPECT_EQ(*step, kN);
  EXPECT_EQ(pending.phase(), AlertPhase::kInactive);

  AlertState firing;
  Drive(&firing, Window(0, 60), {{0, true}});
  step = firing.ForceResolve(T(5));
  ASSERT_OK(step);
  EXPECT_EQ(*step, kR);
  EXPECT_EQ(firing.clear_since(), T(5));
  step = firing.ForceResolve(T(6));
  ASSERT_OK(step);
  EXPECT_EQ(*step, kN);  // exactly once
}

TEST(AlertStateTest, SeverityRisesOnlyWhileFiringAndNeverFalls) {
  AlertState s;
  Drive(&s, Window(30, 60), {{0, true}});
  s.severity = 1;
  EXPECT_FALSE(s.Escalate(2));  // pending: the severity is still being decided
  Drive(&s, Window(30, 60), {{30, true}});
  ASSERT_EQ(s.phase(), AlertPhase::kFiring);
  EXPECT_FALSE(s.Escalate(1));  // not higher
  EXPECT_TRUE(s.Escalate(2));
  EXPECT_EQ(s.severity, 2);
  EXPECT_FALSE(s.Escalate(2));  // once per rise
  EXPECT_FALSE(s.Escalate(0));  // never down
  EXPECT_EQ(s.severity, 2);
  Drive(&s, Window(30, 60), {{40, false}});
  ASSERT_EQ(s.phase(), AlertPhase::kResolving);
  EXPECT_FALSE(s.Escalate(3));  // resolving: nothing to escalate
}

TEST(AlertStateTest, PredecessorTable) {
  using P = AlertPhase;
  EXPECT_TRUE(IsLegalAlertTransition(P::kInactive, P::kPending));
  EXPECT_TRUE(IsLegalAlertTransition(P::kPending, P::kFiring));
  EXPECT_TRUE(IsLegalAlertTransition(P::kPending, P::kInactive));
  EXPECT_TRUE(IsLegalAlertTransition(P::kFiring, P::kResolving));
  EXPECT_TRUE(IsLegalAlertTransition(P::kResolving, P::kFiring));
  EXPECT_TRUE(IsLegalAlertTransition(P::kResolving, P::kInactive));
  EXPECT_FALSE(IsLegalAlertTransition(P::kFiring, P::kPending));
  EXPECT_FALSE(IsLegalAlertTransition(P::kFiring, P::kInactive));
  EXPECT_FALSE(IsLegalAlertTransition(P::kInactive, P::kResolving));
  EXPECT_FALSE(IsLegalAlertTransition(P::kPending, P::kResolving));
}

TEST(AlertStateTest, RestoreRejectsUnknownPhase) {
  AlertState s;
  EXPECT_FALSE(s.Restore(7, 0, 0, 0));
  EXPECT_TRUE(s.Restore(2, 10, INT64_MIN, 20));
  EXPECT_EQ(s.phase(), AlertPhase::kFiring);
}

}  // namespace
}  // namespace vacwatch::pipeline
