#ifndef VACWATCH_PIPELINE_CONFIG_H_
#define VACWATCH_PIPELINE_CONFIG_H_

// PipelineConfig: every threshold and time window of the detectors, with defaults a careful
// operator would choose (configs/vacwatch.yaml lists each one with its default and why), loaded
// from YAML. Knobs that describe a table (floors, ratios, alert windows) can be overridden per
// cluster / table by a glob on "cluster/database.schema.table" (fnmatch); later overrides win.
//
//   VW_ASSIGN_OR_RETURN(PipelineConfig config, LoadPipelineConfig("configs/vacwatch.yaml"));
//   const TableTuning& t = config.Resolve("prod-eu-1", "shop", "public", "orders");
//
// A default-constructed PipelineConfig holds the defaults. Unknown YAML keys are an error that
// names the key; values are validated (InvalidArgument with the key path).

#include <array>
#include <cstdint>
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
};
inline constexpr int kNumAlertKinds = 5;
std::string_view AlertKindName(AlertKind kind);  // "AutovacuumNotKeepingUp", ...

// How long a condition must hold before the alert fires (`for`), and be clear before it
// resolves (`clear_for`), in event time.
struct AlertWindow {
  absl::Duration for_duration = absl::Minutes(5);
  absl::Duration clear_for = absl::Minutes(10);
  bool enabled = true;
};

// Per-table knobs (overridable by glob). Defaults and their reasons: configs/vacwatch.yaml.
struct TableTuning {
  // Floors: a table below either never pages for dead tuples (freeze alerts ignore them: a tiny
  // table can hold back datfrozenxid as well as a big one).
  int64_t min_table_bytes = int64_t{1} << 20;
  int64_t min_dead_tuples = 10000;
  // A dead ratio (n_dead_tup / (n_live_tup + n_dead_tup)) a table may reach between vacuums.
  double healthy_dead_ratio = 0.10;
  // Threshold-too-lax advice: the table keeps up, its peak dead ratio over the window exceeds
  // healthy_dead_ratio * lax_peak_factor and its dead peak is at least lax_min_dead_tuples.
  double lax_peak_factor = 1.5;
  int64_t lax_min_dead_tuples = 50000;
  absl::Duration lax_window = absl::Hours(1);
  // Bloat velocity: dead ratio per hour over which the table is "getting worse", and the dead
  // ratio whose projected time of arrival the alert reports.
  double bloat_velocity_limit_ratio_per_hour = 0.25;
  double bloat_dead_ratio_limit = 0.50;
  // Not keeping up: runs whose removed tuples are at most this fraction of (removed +
  // not-yet-removable) count as "removed ~0".
  double removed_near_zero_fraction = 0.05;
  // Skipped + cancelled runs in `lock_window` that make lock_conflicts the cause.
  int32_t lock_conflict_min_events = 3;
  absl::Duration lock_window = absl::Minutes(15);
  // Freeze pressure: warn when relfrozenxid_age exceeds this fraction of its freeze max age
  // (effective, table override first) and keeps rising; critical when the projected time to
  // the 2^31 stop limit is under `wraparound_critical_horizon`.
  double freeze_warning_fraction = 1.0;
  absl::Duration wraparound_warning_horizon = absl::Hours(72);
  absl::Duration wraparound_critical_horizon = absl::Hours(24);
  int64_t wraparound_warning_age = 1'200'000'000;  // ~56% of the stop limit
  std::array<AlertWindow, kNumAlertKinds> alerts = {};
};

struct TuningOverride {
  std::string match;      // fnmatch glob on "cluster/database.schema.table"
  TableTuning tuning;     // defaults with this override's (and earlier matching ones') keys applied
  uint64_t set_mask = 0;  // which TableTuning keys this override sets (internal to config.cc)
};

struct PipelineConfig {
  PipelineConfig();

  TableTuning defaults;
  std::vector<TuningOverride> overrides;
  // A table not seen (no snapshot row, no log event) for this long in event time is dropped.
  absl::Duration table_ttl = absl::Hours(24);
  // Table states kept in memory; the rest live in the store (LRU of clean states).
  int64_t max_cached_tables = 200000;
  // Worker starvation: this fraction of autovacuum_max_workers busy and at least this many of
  // the database's tables over their vacuum trigger.
  double worker_busy_fraction = 1.0;
  int32_t starvation_min_tables_over_trigger = 3;

  // The tuning of one table: defaults with every matching override applied in order.
  TableTuning Resolve(std::string_view cluster, std::string_view database, std::string_view schema,
                      std::string_view table) const;
};

// Loads and validates a YAML config (schema: configs/vacwatch.yaml).
absl::StatusOr<PipelineConfig> LoadPipelineConfig(const std::string& path);
// Same, from YAML text (tests).
absl::StatusOr<PipelineConfig> ParsePipelineConfig(std::string_view yaml_text);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_CONFIG_H_
