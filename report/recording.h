#ifndef VACWATCH_REPORT_RECORDING_H_
#define VACWATCH_REPORT_RECORDING_H_

// Recorder: what `vacwatch report` and `vacwatch advise` need of a replay, kept beside the
// pipeline while it runs: per table a summary (last values, peak dead ratio, runs, write and
// removal rates, its autovacuum parameters) and its time series (one sample per snapshot row,
// one mark per autovacuum run, skip or cancel); per cluster its settings and each database's
// horizon age with the root holding it; and every alert transition. It observes the same
// typed inputs the pipeline gets and the transitions the pipeline emits, and changes nothing:
//
//   Recorder recorder(RecorderOptions{});
//   recorder.OnSnapshot(snapshot);         // beside pipeline.OnSnapshot(snapshot)
//   recorder.OnLogEvent(event);            // beside pipeline.OnLogEvent(event)
//   recorder.OnTransition(transition);     // each transition the pipeline emitted
//   Recording recording = std::move(recorder).Finish();
//
// Memory is bounded: every table keeps its summary (about 300 bytes), but the samples of all
// the tables that have not alerted share a budget (RecorderOptions::sample_budget): when it is
// exceeded each such table's series is halved (pairs merged into the sample with more dead
// tuples, so peaks stay) and the per-table cap halves with it, down to `min_points`. Tables
// that alerted keep up to `alerted_points`. Runs are kept up to `max_runs` per table (the
// latest); their counts stay exact. The outcome depends on the inputs alone (deterministic).
//
// Copies what it keeps (the inputs' string_views need live only during the call). Not
// thread-safe: one thread feeds it, as the pipeline.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/alert.h"
#include "pipeline/horizon.h"

namespace vacwatch::report {

// One snapshot row of one table, for the charts (floats: a chart needs no more).
struct Sample {
  int64_t time_ms = 0;  // Unix milliseconds
  float dead = 0, live = 0, trigger = 0;
  float size_bytes = -1;  // relation size; -1 unknown
  float freeze_age = -1;  // relfrozenxid age; -1 unknown
};

enum class RunKind : uint8_t { kVacuum, kAggressive, kWraparound, kSkipped, kCancelled };
std::string_view RunKindName(RunKind kind);  // vacuum | aggressive | wraparound | skipped | ...

// One autovacuum run (or a skip or cancel) of one table, from the log.
struct RunMark {
  int64_t time_ms = 0;
  RunKind kind = RunKind::kVacuum;
  float removed = -1, not_removable = -1;  // tuples; -1 unknown (skips, cancels)
  float elapsed_s = -1;
};

// A table's effective autovacuum parameters (thresholds.h), as its last snapshot gave them.
struct TableParams {
  double vacuum_scale_factor = 0.2;
  int64_t vacuum_threshold = 50;
  double insert_scale_factor = 0.2;
  int64_t insert_threshold = 1000;  // -1: the insert trigger is off
  double cost_delay_ms = 2;
  int64_t cost_limit = 200;
  int64_t freeze_max_age = 200'000'000;
  bool has_insert_trigger = false;  // PG13+
};

struct TableRecord {
  int32_t cluster = 0;  // index into Recording::clusters
  std::string database, schema, table;
  // The last snapshot row.
  absl::Time last_seen = absl::InfinitePast();
  int64_t dead = 0, live = 0, size_bytes = -1, freeze_age = -1;
  double trigger = 0, reltuples = 0;
  std::optional<absl::Time> last_autovacuum;
  TableParams params;
  // Over the whole input.
  double peak_ratio = 0;  // max n_dead / (n_live + n_dead)
  absl::Time peak_ratio_at = absl::InfinitePast();
  int64_t peak_dead = 0;
  int64_t rows = 0;  // snapshot rows seen
  // Sums of the counters' increases between consecutive rows (a reset starts a new baseline),
  // over `observed_s` seconds: the measured write rates.
  double updates_deletes = 0, inserts = 0, observed_s = 0;
  // From the log.
  int64_t runs = 0, effective_runs = 0, skipped = 0, cancelled = 0;
  double removed = 0, not_removable = 0;  // tuples, over the runs that said
  double run_seconds = 0;                 // elapsed, over the runs that said
  int64_t timed_runs = 0;
  // From the transitions.
  int64_t alerts = 0;  // firing transitions
  std::optional<pipeline::Severity> worst;
  bool alerted() const { return alerts > 0; }
  std::vector<Sample> samples;  // time order; maybe thinned (see the header comment)
  std::vector<RunMark> run_marks;

  std::string QualifiedName() const;  // database.schema.table
  double dead_ratio() const;          // of the last row
};

// One database's horizon at one snapshot: the root's age and who it is.
struct HorizonPoint {
  int64_t time_ms = 0;
  int64_t age_xids = 0;  // 0: nothing held it
  int32_t root = -1;     // index into ClusterRecord::roots; -1 none
};

struct HorizonSeries {
  std::string database;
  std::vector<HorizonPoint> points;
};

struct ClusterRecord {
  std::string name;
  std::string log_timezone;  // from its snapshots' settings; empty when they do not say
  std::optional<int32_t> log_utc_offset_s;  // of its first log entry
  std::optional<int64_t> server_version_num;
  // Its server settings, as the last snapshot gave them (PostgreSQL's defaults otherwise).
  int64_t naptime_s = 60, max_workers = 3, cost_limit = 200, log_min_duration_ms = 600'000;
  double cost_delay_ms = 2;
  int64_t freeze_max_age = 200'000'000;
  bool log_min_duration_known = false;
  std::vector<HorizonSeries> horizons;  // one per database, in first-seen order
  std::vector<std::string> roots;       // "session:4242 (nightly_report)"...
};

// One alert transition (what `replay` prints), owned.
struct TransitionRecord {
  int32_t table = -1;  // index into Recording::tables; -1 when no row named the table
  pipeline::AlertTransition transition;
};

struct Recording {
  std::vector<ClusterRecord> clusters;                                     // first-seen order
  std::vector<TableRecord> tables;                                         // first-seen order
  std::vector<TransitionRecord> transitions;                               // emitted order
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();  // event times
  int64_t snapshots = 0, log_events = 0;
  int64_t samples_thinned = 0;  // samples merged away to stay within the budget
};

struct RecorderOptions {
  int64_t sample_budget = 4'000'000;  // samples of tables that have not alerted, all together
  int32_t max_points = 2048;          // per table that has not alerted, at first
  int32_t min_points = 16;            // the cap never halves below this
  int32_t alerted_points = 8192;      // per table that alerted
  int32_t max_runs = 1024;            // run marks per table
};

class Recorder {
 public:
  explicit Recorder(RecorderOptions options);
  void OnSnapshot(const ingest::Snapshot& snapshot);
  void OnLogEvent(const ingest::LogEvent& event);
  void OnTransition(const pipeline::AlertTransition& transition);
  Recording Finish() &&;

 private:
  int32_t Cluster(std::string_view name);
  int32_t Table(int32_t cluster, std::string_view database, std::string_view schema,
                std::string_view table, bool create);
  void AddSample(TableRecord* t, const Sample& s);
  void ThinAll();
  void IndexUnqualified(int32_t index);
  void Root(ClusterRecord* c, const pipeline::HolderRecord* root, HorizonPoint* point);

  const RecorderOptions options_;
  Recording rec_;
  absl::flat_hash_map<std::string, int32_t> cluster_index_;
  // Fnv1a of (cluster, database, schema, table) -> index; names whose hash an earlier name
  // took, by their MakeKey text (recording.cc).
  absl::flat_hash_map<uint64_t, int32_t> table_index_;
  absl::flat_hash_map<std::string, int32_t> collided_;
  // cluster database table, and cluster "" table (-1: several tables have that name).
  absl::flat_hash_map<std::string, int32_t> unqualified_index_;
  bool unqualified_built_ = false;
  std::string key_;  // reused
  pipeline::Horizon horizon_;
  int64_t unalerted_samples_ = 0;
  int32_t cap_;
  // The counters of each table's previous row (for the write rates), parallel to tables.
  struct Previous {
    int64_t time_ms = INT64_MIN;
    int64_t upd_del = -1, ins = -1;
  };
  std::vector<Previous> previous_;
};

}  // namespace vacwatch::report

#endif  // VACWATCH_REPORT_RECORDING_H_
