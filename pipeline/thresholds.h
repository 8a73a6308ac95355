#ifndef VACWATCH_PIPELINE_THRESHOLDS_H_
#define VACWATCH_PIPELINE_THRESHOLDS_H_

// Thresholds: the autovacuum triggers of one table as PostgreSQL computes them
// (autovacuum.c, relation_needs_vacanalyze), from the server settings, the table's
// pg_class.reloptions (which override the settings) and its reltuples:
//
//   vacuum   = vacuum_threshold + vacuum_scale_factor * reltuples
//              PG18+: capped at autovacuum_vacuum_max_threshold (-1 = no cap)
//   insert   = insert_threshold + insert_scale_factor * reltuples [* pcnt_unfrozen, PG18+]
//              (PG13+; insert_threshold -1 disables), pcnt_unfrozen = 1 - relallfrozen/relpages
//              when both are > 0 (relallfrozen clamped to relpages), else 1
//   analyze  = analyze_threshold + analyze_scale_factor * reltuples
//   freeze max age = min(reloption autovacuum_freeze_max_age, server setting)
// reltuples = -1 (never analyzed, PG14+) or absent counts as 0. Settings the snapshot lacks
// take PostgreSQL's defaults. The cost limit/delay follow autovacuum's own fallbacks
// (autovacuum_vacuum_cost_limit -1 -> vacuum_cost_limit; cost_delay -1 -> vacuum_cost_delay).
//
//   Thresholds t = ComputeThresholds(snapshot.settings, snapshot.server_version_num, row);
//   bool over = row.n_dead_tup.value_or(0) > t.vacuum;
//
// Pure function: keeps no reference to its arguments.

#include <cstdint>
#include <optional>
#include <string_view>

#include "ingest/snapshot.h"

namespace vacwatch::pipeline {

// The effective autovacuum parameters of one table (settings with reloptions applied).
struct AutovacuumParams {
  bool enabled = true;  // server autovacuum = on and reloption autovacuum_enabled not false
  double vacuum_scale_factor = 0.2;
  int64_t vacuum_threshold = 50;
  int64_t vacuum_max_threshold = -1;  // PG18+ cap; -1 = none (and always -1 before PG18)
  double insert_scale_factor = 0.2;
  int64_t insert_threshold = 1000;  // -1 disables the insert trigger
  double analyze_scale_factor = 0.1;
  int64_t analyze_threshold = 50;
  int64_t freeze_max_age = 200'000'000;
  int64_t multixact_freeze_max_age = 400'000'000;
  double cost_delay_ms = 2;  // effective autovacuum cost delay (PG12+ default 2 ms)
  int64_t cost_limit = 200;  // effective autovacuum cost limit
  // Which of the above came from the table's reloptions (for evidence and advice).
  bool has_table_scale_factor = false, has_table_threshold = false,
       has_table_freeze_max_age = false, has_table_cost_delay = false, has_table_cost_limit = false;
};

struct Thresholds {
  double vacuum = 0;             // dead tuples above which autovacuum vacuums
  std::optional<double> insert;  // inserts since vacuum above which it vacuums (PG13+)
  double analyze = 0;
  AutovacuumParams params;
};

// Applies the reloptions (name=value strings) over the server settings.
AutovacuumParams ResolveParams(const ingest::AutovacuumSettings& settings,
                               std::optional<int64_t> server_version_num,
                               const std::vector<std::string_view>& reloptions);

Thresholds ComputeThresholds(const ingest::AutovacuumSettings& settings,
                             std::optional<int64_t> server_version_num,
                             const ingest::TableStats& table);

// The same from already-resolved parameters.
Thresholds ComputeThresholds(const AutovacuumParams& params,
                             std::optional<int64_t> server_version_num,
                             const ingest::TableStats& table);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_THRESHOLDS_H_
