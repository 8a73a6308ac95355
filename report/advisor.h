#ifndef VACWATCH_REPORT_ADVISOR_H_
#define VACWATCH_REPORT_ADVISOR_H_

// Advisor: the autovacuum settings that would have kept each table under a target dead ratio
// (default 10 %), derived from what a replay measured (recording.h), in the spirit of
// pganalyze's VACUUM Advisor (a workload-aware scale factor and threshold per table, cost
// settings where runs are throttled, a server template), as `vacwatch advise` prints and the
// report shows:
//
//   Advice advice = Advise(recording, AdvisorOptions{.target_ratio = 0.1});
//   std::string out;
//   WriteAdviceSql(advice, &out);   // or WriteAdviceText / WriteAdviceJson
//
// The model, per table (docs/report.md says it in words):
//   W  = dead tuples made per second = increase of n_tup_upd + n_tup_del / time observed
//   L  = live tuples (max of n_live_tup and reltuples), d = mean run duration (log), n = naptime
//   peak dead after crossing a trigger T  ~  T + W * (n + d)   (found within a naptime, and what
//   is made while the run works is not removed by it); peak ratio = peak / (L + peak)
//   target: peak <= D = r / (1 - r) * L  ->  T = D - W * (n + d)
//   T becomes a scale factor over the current threshold (L < 1 M) or a fixed threshold with
//   scale factor 0 (L >= 1 M, where a fraction of a growing table drifts); the insert trigger
//   follows when inserts outnumber updates and deletes. Runs are throttled when the alerts say
//   so or when what is written during one run alone takes half of D: the cost limit rises (up
//   to 10000, then the delay falls) until a run takes D / (4 W).
// Only tables whose measured dead ratio peaked above the target, or that alerted for a cause
// a setting fixes (thresholds, throttling, autovacuum disabled), get settings. A table whose
// runs a pinned horizon made useless gets its holder instead, and one held back by lock
// conflicts gets the words and no setting: no setting fixes either. Tables under `min_live`
// live tuples are left alone (their ratio swings with a handful of rows).
//
// Pure function of the recording: keeps no reference to it; the output is deterministic.

#include <cstdint>
#include <string>
#include <vector>

#include "report/recording.h"

namespace vacwatch::report {

struct AdvisorOptions {
  double target_ratio = 0.10;
  int64_t min_live = 1000;
  // Per-table advice only for these tables (indexes into Recording::tables; the report's
  // drawn ones), so a fleet's report does not word a million proposals it will not show. The
  // cluster templates still count every table. Null: every table. Not owned; read during
  // Advise only.
  const std::vector<int32_t>* only_tables = nullptr;
};

enum class AdviceKind : uint8_t {
  kSettings,   // the settings below fix it
  kHolder,     // a pinned horizon: the advice is its holder; no setting helps
  kNoSetting,  // another cause no setting fixes (lock conflicts): the reason says what does
};
std::string_view AdviceKindName(AdviceKind kind);  // settings | holder | no_setting

struct Setting {
  std::string name;     // autovacuum_vacuum_scale_factor
  std::string value;    // 0.02
  std::string current;  // 0.2
};

struct TableAdvice {
  int32_t table = -1;  // index into Recording::tables
  std::string name;    // cluster/database.schema.table
  AdviceKind kind = AdviceKind::kSettings;
  // What it was computed from.
  double write_rate = 0;     // dead tuples made per second (updates + deletes)
  double insert_rate = 0;    // inserts per second
  double removal_rate = -1;  // tuples removed per second of run time; -1 unknown
  double run_seconds = -1;   // mean run duration; -1 unknown
  double live = 0;           // live tuples
  double observed_peak_ratio = 0;
  double predicted_peak_now = 0;  // the model with the current settings
  double predicted_peak = 0;      // the model with the proposal (kSettings)
  bool throttled = false;
  std::vector<Setting> settings;  // kSettings
  std::string sql;                // kSettings: ALTER TABLE ... SET (...);
  std::string reason;             // why; for kHolder the holder
};

struct ClusterAdvice {
  std::string cluster;
  std::vector<Setting> settings;  // only those that change
  std::vector<std::string> why;   // one line per setting, same order
  std::string sql;                // ALTER SYSTEM SET ...; SELECT pg_reload_conf();
};

struct Advice {
  double target_ratio = 0.10;
  std::vector<TableAdvice> tables;      // recording order
  std::vector<ClusterAdvice> clusters;  // recording order; only clusters with a change
};

Advice Advise(const Recording& recording, const AdvisorOptions& options);

// For a human: per table the proposal, the rates and the predicted peak; per cluster the
// template.
void WriteAdviceText(const Advice& advice, std::string* out);
// One JSON object: {"target_ratio", "tables": [...], "clusters": [...]}.
void WriteAdviceJson(const Advice& advice, std::string* out);
// The statements to run, each with a comment saying where and why.
void WriteAdviceSql(const Advice& advice, std::string* out);

// A PostgreSQL identifier as SQL needs it: bare when lower-case letters, digits and _, else
// double-quoted with quotes doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace vacwatch::report

#endif  // VACWATCH_REPORT_ADVISOR_H_
