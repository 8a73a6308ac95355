#include "pipeline/threshold_too_lax_detector.h"

#include "gtest/gtest.h"
#include "tests/pipeline/pipeline_test_util.h"

// Designated initializers name only the fields a test cares about.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vacwatch::pipeline {
namespace {

using testing::PipelineHarness;
using testing::RunSpec;
using testing::T;
using testing::TableSpec;

constexpr char kAlert[] = "AutovacuumThresholdTooLax";

// A saw-tooth: dead tuples climb to `peak`, a run removes them, again, every 10 minutes.
void SawTooth(PipelineHarness* h, const TableSpec& base, int64_t peak, int cycles) {
  int64_t writes = 0;
  for (int c = 0; c < cycles; ++c) {
    for (int s = 0; s < 600; s += 60) {
      TableSpec t = base;
      t.dead = peak * s / 540;
      writes += peak / 10;
      t.writes = writes;
      h->Snapshot(T(c * 600 + s), "shop", {t});
    }
    h->Vacuum(T(c * 600 + 590), "shop", base.name,
              RunSpec{.removed = peak, .not_yet_removable = 10, .remain = base.live});
  }
}

TEST(ThresholdTooLaxTest, BigTablePeakingFarAboveHealthyGetsInfoAdvice) {
  PipelineHarness h;
  TableSpec orders;
  orders.name = "orders";
  orders.live = 3'000'000;
  orders.size_bytes = int64_t{400} << 20;
  SawTooth(&h, orders, 600'000, 4);  // the default trigger: 600k dead = 17% of the table
  std::vector<Alert> fired = h.Find(kAlert, "orders");
  ASSERT_EQ(fired.size(), 1u) << h.Dump();
  EXPECT_EQ(fired[0].severity, Severity::kInfo);
  EXPECT_EQ(fired[0].cause, Cause::kScaleFactorTooLarge);
  EXPECT_NE(fired[0].recommendation.find("ALTER TABLE public.orders SET "
                                         "(autovacuum_vacuum_scale_factor = 0.1, "
                                         "autovacuum_vacuum_threshold = 20000);"),
            std::string::npos)
      << fired[0].recommendation;
  EXPECT_TRUE(h.Find("AutovacuumNotKeepingUp", "orders").empty());
}

TEST(ThresholdTooLaxTest, TunedTableGetsNoAdvice) {
  PipelineHarness h;
  TableSpec orders;
  orders.name = "orders";
  orders.live = 3'000'000;
  orders.size_bytes = int64_t{400} << 20;
  orders.reloptions = {"autovacuum_vacuum_scale_factor=0.02"};
  SawTooth(&h, orders, 60'000, 4);
  EXPECT_TRUE(h.Find(kAlert, "orders").empty()) << h.Dump();
}

TEST(ThresholdTooLaxTest, SmallTablesGetNoAdvice) {
  PipelineHarness h;
  TableSpec small;
  small.name = "small";
  small.live = 50'000;
  small.size_bytes = 8 << 20;
  SawTooth(&h, small, 10'000, 4);  // 17% dead but only 10k tuples
  EXPECT_TRUE(h.Find(kAlert, "small").empty()) << h.Dump();
}

TEST(ThresholdTooLaxTest, SuggestTriggerAimsAtTheHealthyRatio) {
  SuggestedTrigger s = SuggestTrigger(300'000, 0.10, 60'000, 60'050);
  EXPECT_DOUBLE_EQ(s.scale_factor, 0.1);
  EXPECT_EQ(s.threshold, 2000);
  s = SuggestTrigger(100'000'000, 0.10, 40'000'000, 20'000'050);  // overshoots 2x
  EXPECT_DOUBLE_EQ(s.scale_factor, 0.05);
  EXPECT_EQ(s.threshold, 500'000);
}

}  // namespace
}  // namespace vacwatch::pipeline
