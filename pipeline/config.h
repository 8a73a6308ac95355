#ifndef VACWATCH_PIPELINE_CONFIG_H_
#define VACWATCH_PIPELINE_CONFIG_H_

// PipelineConfig: every threshold and time window of the detectors, with defaults a careful
// operator would choose (configs/vacwatch.yaml lists each one with its default and why), loaded
// from YAML. Knobs that describe a table (floors, ratios, alert windows) can be overridden per
// cluster / table by a glob on "cluster/database.schema.table" (fnmatch); later overrides win.
//
//   // The `pipeline:` section of the config file (app/config_loader.h reads the file).
//   VW_ASSIGN_OR_RETURN(PipelineConfig config, ParsePipelineConfig(section_yaml, "pipeline."));
//   TableTuning t = config.Resolve("prod-eu-1/shop.public.orders");
//
// A default-constructed PipelineConfig holds the defaults. Unknown YAML keys are an error that
// names the key; values are validated (InvalidArgument with the key path).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vacwatch::pipeline {

// The alerts vacwatch knows, in the order they are evaluated and emitted.
enum class AlertKind : uint8_t {
  kAutovacuumNotKeepingUp,
  kFreezingNotKeepingUp,
  kWraparoundRisk,
  kAutovacuumThresholdTooLax,
  kVacuumOverdueAutovacuumDisabled,
  kXminHorizonHeld,  // per cluster (or database) and root, not per table
};
inline constexpr int kNumAlertKinds = 6;
std::string_view AlertKindName(AlertKind kind);  // "AutovacuumNotKeepingUp", ...

// How long a condition must hold before the alert fires (`for`), and be clear before it
// resolves (`clear_for`), in event time. A disabled alert never fires. A detector may shorten
// either for one verdict (Verdict::fire_now, Verdict::clear_for): an AutovacuumNotKeepingUp
// whose runs prove a pinned horizon fires at once and resolves on the evidence of a vacuum;
// other causes resolve after clear_cycles autovacuum cycles, at most clear_for.
struct AlertWindow {
  absl::Duration for_duration = absl::Minutes(5);
  absl::Duration clear_for = absl::Minutes(15);
  bool enabled = true;
};

// Per-table knobs (overridable by glob). Defaults and the reason for each: configs/vacwatch.yaml.
struct TableTuning {
  // Floors: a table below either never pages for dead tuples or bloat (freeze alerts ignore
  // them: a tiny table holds back datfrozenxid as well as a big one).
  int64_t min_table_bytes = int64_t{1} << 20;
  int64_t min_dead_tuples = 1000;
  // AutovacuumNotKeepingUp evidence, counted since the table crossed its vacuum trigger:
  int32_t ineffective_runs = 2;          // completed runs that left it over the trigger
  int32_t lock_conflict_min_events = 3;  // skipped + cancelled runs (and within lock_window)
  absl::Duration lock_window = absl::Minutes(15);
  double removed_near_zero_fraction = 0.05;  // removed <= this of (removed + not yet removable)
  absl::Duration min_slow_run = absl::Seconds(60);  // a run shorter is never "too long"
  double slow_run_pages_per_s = 1000;  // below this a cost-delayed run counts as throttled
  absl::Duration overdue_after = absl::Minutes(30);  // over the trigger with no run at all
  int32_t max_index_scans = 1;  // more index passes per run: maintenance_work_mem too small
  // Bloat velocity: a dead ratio rising faster than this per hour counts as getting worse;
  // the evidence says when the ratio reaches bloat_dead_ratio_limit at that speed.
  double bloat_velocity_limit = 0.25;
  double bloat_dead_ratio_limit = 0.5;
  // AutovacuumThresholdTooLax: the dead ratio a table may reach between vacuums; advice when
  // at least lax_min_cycles vacuum cycles in lax_window peaked above healthy * lax_peak_factor
  // with at least lax_min_dead_tuples dead.
  double healthy_dead_ratio = 0.10;
  double lax_peak_factor = 1.5;
  int64_t lax_min_dead_tuples = 50000;
  int32_t lax_min_cycles = 2;
  absl::Duration lax_window = absl::Hours(6);
  // FreezingNotKeepingUp: relfrozenxid_age above freeze_warning_fraction * its effective
  // autovacuum_freeze_max_age, still rising after freeze_min_runs anti-wraparound or
  // aggressive runs within freeze_window.
  double freeze_warning_fraction = 1.0;
  int32_t freeze_min_runs = 2;
  absl::Duration freeze_window = absl::Hours(6);
  // WraparoundRisk: age or projected time to the stop limit (2^31 - 3M XIDs).
  int64_t wraparound_warning_age = 1'000'000'000;
  int64_t wraparound_critical_age = 1'600'000'000;
  absl::Duration wraparound_warning_horizon = absl::Hours(72);
  absl::Duration wraparound_critical_horizon = absl::Hours(24);
  // AutovacuumNotKeepingUp causes other than a pinned horizon resolve after this many
  // autovacuum cycles of the table under its trigger (a cycle: autovacuum_naptime, or the
  // table's own interval between runs when longer), never later than its clear_for.
  int32_t clear_cycles = 10;
  // XminHorizonHeld: one root holding the horizon for `for`, or holding a value older than
  // this many XIDs (0 = never by age), fires.
  int64_t horizon_held_max_age_xids = 50'000'000;
  std::array<AlertWindow, kNumAlertKinds> alerts;

  TableTuning();
  const AlertWindow& window(AlertKind kind) const { return alerts[static_cast<int>(kind)]; }
};

struct TuningOverride {
  std::string match;      // fnmatch glob on "cluster/database.schema.table"
  TableTuning values;     // the keys this override sets (the others are unused)
  uint64_t set_mask = 0;  // which keys it sets (bit positions internal to config.cc)
};

struct PipelineConfig {
  TableTuning defaults;
  std::vector<TuningOverride> overrides;
  // A table not seen (no snapshot row, no log event) for this long in event time is dropped,
  // its firing alerts resolved.
  absl::Duration table_ttl = absl::Hours(24);
  // Table states kept in memory (encoded between checkpoints, about 500 bytes each); the rest
  // live in the store (LRU of clean states). A million is about 500 MiB at the bound: a fleet
  // of that size runs from memory (a miss reads the state back from RocksDB, docs/performance.md).
  int64_t max_cached_tables = 1000000;
  // Rates (dead tuples/s, dead ratio/h, XIDs/s) are measured over at least this much event time.
  absl::Duration rate_window = absl::Minutes(5);
  // Worker starvation: at least this fraction of autovacuum_max_workers busy, and at least this
  // many tables of the cluster over their vacuum trigger.
  double worker_busy_fraction = 1.0;
  int32_t starvation_min_tables_over_trigger = 3;

  // The servers' log_timezone (IANA names, checked with absl::LoadTimeZone): for all clusters
  // (`log_timezone:`) and per cluster (`clusters: {NAME: {log_timezone: ZONE}}`). Log
  // timestamps' zone abbreviations are read in it (CST is US Central or China Standard Time).
  // Not a detector setting: the command hands it to the log readers.
  std::string log_timezone;
  std::map<std::string, std::string, std::less<>> cluster_log_timezones;
  // The zone for `cluster`'s logs: its own, else log_timezone, else empty.
  const std::string& LogTimezoneFor(std::string_view cluster) const;

  // The tuning of one table: defaults with every matching override applied in order.
  TableTuning Resolve(std::string_view glob_subject) const;
};

// Same, from YAML text: the pipeline's section of a config file (app/config_loader.h) or a
// test's. `key_prefix` ("pipeline.") is put before every key path an error names.
absl::StatusOr<PipelineConfig> ParsePipelineConfig(std::string_view yaml_text,
                                                   std::string_view key_prefix = "");

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_CONFIG_H_
