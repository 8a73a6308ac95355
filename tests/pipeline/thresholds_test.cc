#include "pipeline/thresholds.h"

#include "gtest/gtest.h"

namespace vacwatch::pipeline {
namespace {

ingest::AutovacuumSettings Pg15Defaults() {
  ingest::AutovacuumSettings s;
  s.autovacuum = true;
  s.autovacuum_vacuum_scale_factor = 0.2;
  s.autovacuum_vacuum_threshold = 50;
  s.autovacuum_vacuum_insert_scale_factor = 0.2;
  s.autovacuum_vacuum_insert_threshold = 1000;
  s.autovacuum_analyze_scale_factor = 0.1;
  s.autovacuum_analyze_threshold = 50;
  s.autovacuum_freeze_max_age = 200'000'000;
  s.autovacuum_vacuum_cost_delay = 2;
  s.autovacuum_vacuum_cost_limit = -1;
  s.vacuum_cost_limit = 200;
  return s;
}

TEST(ThresholdsTest, ServerDefaults) {
  ingest::TableStats t;
  t.reltuples = 300000;
  Thresholds th = ComputeThresholds(Pg15Defaults(), 150020, t);
  EXPECT_DOUBLE_EQ(th.vacuum, 50 + 0.2 * 300000);
  ASSERT_TRUE(th.insert.has_value());
  EXPECT_DOUBLE_EQ(*th.insert, 1000 + 0.2 * 300000);
  EXPECT_DOUBLE_EQ(th.analyze, 50 + 0.1 * 300000);
  EXPECT_EQ(th.params.freeze_max_age, 200'000'000);
  EXPECT_EQ(th.params.cost_limit, 200);  // -1 falls back to vacuum_cost_limit
  EXPECT_DOUBLE_EQ(th.params.cost_delay_ms, 2);
  EXPECT_TRUE(th.params.enabled);
}

TEST(ThresholdsTest, NeverAnalyzedCountsAsZero) {
  ingest::TableStats t;
  t.reltuples = -1;
  Thresholds th = ComputeThresholds(Pg15Defaults(), 150020, t);
  EXPECT_DOUBLE_EQ(th.vacuum, 50);
  EXPECT_DOUBLE_EQ(*th.insert, 1000);
  t.reltuples.reset();
  EXPECT_DOUBLE_EQ(ComputeThresholds(Pg15Defaults(), 150020, t).vacuum, 50);
}

TEST(ThresholdsTest, ReloptionsOverrideSettings) {
  ingest::TableStats t;
  t.reltuples = 60000;
  t.reloptions = {"autovacuum_vacuum_cost_delay=50",     "autovacuum_vacuum_cost_limit=50",
                  "autovacuum_vacuum_scale_factor=0.01", "autovacuum_vacuum_threshold=100",
                  "autovacuum_freeze_max_age=100000",    "fillfactor=70"};
  Thresholds th = ComputeThresholds(Pg15Defaults(), 150020, t);
  EXPECT_DOUBLE_EQ(th.vacuum, 100 + 0.01 * 60000);
  EXPECT_EQ(th.params.freeze_max_age, 100000);
  EXPECT_DOUBLE_EQ(th.params.cost_delay_ms, 50);
  EXPECT_EQ(th.params.cost_limit, 50);
  EXPECT_TRUE(th.params.has_table_scale_factor);
  EXPECT_TRUE(th.params.has_table_freeze_max_age);
}

TEST(ThresholdsTest, TableFreezeMaxAgeCanOnlyLower) {
  ingest::TableStats t;
  t.reloptions = {"autovacuum_freeze_max_age=500000000"};
  EXPECT_EQ(ComputeThresholds(Pg15Defaults(), 150020, t).params.freeze_max_age, 200'000'000);
}

TEST(ThresholdsTest, AutovacuumDisabledByTableOrServer) {
  ingest::TableStats t;
  t.reloptions = {"autovacuum_enabled=false"};
  EXPECT_FALSE(ComputeThresholds(Pg15Defaults(), 150020, t).params.enabled);
  t.reloptions = {"autovacuum_enabled=off"};
  EXPECT_FALSE(ComputeThresholds(Pg15Defaults(), 150020, t).params.enabled);
  t.reloptions = {"autovacuum_enabled=true"};
  EXPECT_TRUE(ComputeThresholds(Pg15Defaults(), 150020, t).params.enabled);
  ingest::AutovacuumSettings off = Pg15Defaults();
  off.autovacuum = false;
  t.reloptions.clear();
  EXPECT_FALSE(ComputeThresholds(off, 150020, t).params.enabled);
}

TEST(ThresholdsTest, NoInsertTriggerBeforePg13) {
  ingest::TableStats t;
  t.reltuples = 1000;
  EXPECT_FALSE(ComputeThresholds(Pg15Defaults(), 120005, t).insert.has_value());
  EXPECT_TRUE(ComputeThresholds(Pg15Defaults(), 130000, t).insert.has_value());
  ingest::AutovacuumSettings s = Pg15Defaults();
  s.autovacuum_vacuum_insert_threshold = -1;  // disabled
  EXPECT_FALSE(ComputeThresholds(s, 150020, t).insert.has_value());
}

TEST(ThresholdsTest, Pg18CapsVacuumTriggerAndScalesInsertByUnfrozenFraction) {
  ingest::AutovacuumSettings s = Pg15Defaults();
  ingest::TableStats t;
  t.reltuples = 1e9;
  t.relpages = 1000;
  t.relallfrozen = 750;
  // Before 18 no cap, even if the setting is reported.
  s.autovacuum_vacuum_max_threshold = 100'000'000;
  EXPECT_DOUBLE_EQ(ComputeThresholds(s, 170004, t).vacuum, 50 + 0.2 * 1e9);
  EXPECT_DOUBLE_EQ(*ComputeThresholds(s, 170004, t).insert, 1000 + 0.2 * 1e9);
  Thresholds th = ComputeThresholds(s, 180000, t);
  EXPECT_DOUBLE_EQ(th.vacuum, 100'000'000);
  EXPECT_DOUBLE_EQ(*th.insert, 1000 + 0.2 * 1e9 * 0.25);
  // The PG18 default cap applies when the setting is missing; -1 disables it.
  s.autovacuum_vacuum_max_threshold.reset();
  EXPECT_DOUBLE_EQ(ComputeThresholds(s, 180000, t).vacuum, 100'000'000);
  s.autovacuum_vacuum_max_threshold = -1;
  EXPECT_DOUBLE_EQ(ComputeThresholds(s, 180000, t).vacuum, 50 + 0.2 * 1e9);
  // relallfrozen above relpages is clamped: everything frozen.
  t.relallfrozen = 5000;
  EXPECT_DOUBLE_EQ(*ComputeThresholds(s, 180000, t).insert, 1000);
  // The table's own cap.
  t.reloptions = {"autovacuum_vacuum_max_threshold=5000"};
  EXPECT_DOUBLE_EQ(ComputeThresholds(s, 180000, t).vacuum, 5000);
}

TEST(ThresholdsTest, UnparseableReloptionKeepsServerSetting) {
  ingest::TableStats t;
  t.reltuples = 100;
  t.reloptions = {"autovacuum_vacuum_scale_factor=abc", "noequals"};
  EXPECT_DOUBLE_EQ(ComputeThresholds(Pg15Defaults(), 150020, t).vacuum, 50 + 0.2 * 100);
}

TEST(ThresholdsTest, CostDelayMinusOneFallsBackToVacuumCostDelay) {
  ingest::AutovacuumSettings s = Pg15Defaults();
  s.autovacuum_vacuum_cost_delay = -1;
  s.vacuum_cost_delay = 0;
  ingest::TableStats t;
  EXPECT_DOUBLE_EQ(ComputeThresholds(s, 150020, t).params.cost_delay_ms, 0);
}

}  // namespace
}  // namespace vacwatch::pipeline
