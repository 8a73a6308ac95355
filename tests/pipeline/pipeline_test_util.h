#ifndef VACWATCH_TESTS_PIPELINE_PIPELINE_TEST_UTIL_H_
#define VACWATCH_TESTS_PIPELINE_PIPELINE_TEST_UTIL_H_

// Hand-made inputs for the pipeline tests: snapshot rows and log events built from small
// specs (the builders own every string the views point into), and a harness that feeds a
// Pipeline and collects its transitions.
//
//   PipelineHarness h;                       // default config, memory only
//   TableSpec t{.name = "orders", .relid = 100, .live = 100000, .dead = 30000};
//   h.Snapshot(T(0), "shop", {t});
//   h.Vacuum(T(5), "shop", "orders", {.removed = 0, .not_yet_removable = 30000});
//   EXPECT_TRUE(h.Fired("AutovacuumNotKeepingUp", "orders"));

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"

namespace vacwatch::pipeline::testing {

inline constexpr char kCluster[] = "c1";

// Seconds after a fixed origin.
absl::Time T(double seconds);

struct TableSpec {
  std::string schema = "public";
  std::string name = "t";
  int64_t relid = 1000;
  int64_t live = 100000;
  int64_t dead = 0;
  int64_t writes = 0;  // n_tup_upd (n_tup_del stays 0)
  int64_t inserts = 0;
  int64_t autovacuum_count = 0;
  int64_t vacuum_count = 0;
  std::optional<double> reltuples;  // default: live
  int64_t size_bytes = 64 << 20;
  int64_t frozenxid_age = 1000;
  std::vector<std::string> reloptions;
  std::optional<absl::Time> last_autovacuum;
};

struct HolderSpec {
  int32_t pid = 0;
  std::string database;
  std::string application_name = "app";
  std::string backend_type = "client backend";
  std::string state = "idle in transaction";
  std::optional<absl::Time> xact_start;
  int64_t xmin_age = 0;  // 0: no backend_xmin
  std::optional<int64_t> xid_age;
  std::optional<int64_t> backend_xid, backend_xmin;  // raw values
};

struct SlotSpec {
  std::string name;
  int64_t xmin_age = 0;
  std::optional<int64_t> xmin;  // raw
  bool active = false;
};

struct PreparedSpec {
  std::string gid;
  int64_t xid_age = 0;
  std::optional<int64_t> transaction;  // raw
  std::optional<absl::Time> prepared;
};

struct WalsenderSpec {
  int32_t pid = 0;
  std::string application_name;
  int64_t xmin_age = 0;
  std::optional<int64_t> backend_xmin;
};

struct ProgressSpec {
  int32_t pid = 0;
  int64_t relid = 0;
  std::string database;
  absl::Time start;
  int64_t heap_blks_total = 0, heap_blks_scanned = 0, index_vacuum_count = 0;
};

struct SnapshotExtras {
  std::vector<HolderSpec> holders;
  std::vector<ProgressSpec> progress;
  std::vector<SlotSpec> slots;
  std::vector<PreparedSpec> prepared;  // in this database
  std::vector<WalsenderSpec> walsenders;
  std::optional<int64_t> oldest_running_xid, next_xid;
  int64_t naptime_s = 60;
  int64_t max_workers = 3;
  bool autovacuum = true;
  int64_t server_version_num = 150000;
  std::vector<ingest::MeasuredBloat> measured_bloat;  // `collect --measure-bloat`
};

struct RunSpec {
  int64_t removed = 0;
  int64_t not_yet_removable = 0;
  int64_t remain = 100000;
  double elapsed_s = 0.1;
  int64_t pages_scanned = 1000;
  int64_t index_scans = 1;
  ingest::VacuumMode mode = ingest::VacuumMode::kNormal;
  int32_t pid = 4242;
  std::optional<int64_t> cutoff_age;
  std::optional<int64_t> cutoff;  // removable cutoff (raw xid)
};

// Builds a Snapshot whose views stay valid as long as the builder.
class SnapshotBuilder {
 public:
  ingest::Snapshot Build(absl::Time at, const std::string& database,
                         const std::vector<TableSpec>& tables, const SnapshotExtras& extras = {});

 private:
  std::string_view Keep(std::string s);
  std::deque<std::string> strings_;
};

class EventBuilder {
 public:
  ingest::LogEvent Vacuum(absl::Time at, const std::string& database, const std::string& table,
                          const RunSpec& run, const std::string& schema = "public");
  ingest::LogEvent Skip(absl::Time at, const std::string& table, int32_t pid,
                        const std::string& database = "");
  ingest::LogEvent Cancel(absl::Time at, const std::string& database, const std::string& table,
                          int32_t pid);
  ingest::LogEvent Warning(absl::Time at, const std::string& database,
                           ingest::WraparoundWarningKind kind);

 private:
  std::string_view Keep(std::string s);
  std::deque<std::string> strings_;
};

class PipelineHarness {
 public:
  explicit PipelineHarness(const PipelineConfig& config = PipelineConfig(),
                           state::StateStore* store = nullptr);

  void Snapshot(absl::Time at, const std::string& database, const std::vector<TableSpec>& tables,
                const SnapshotExtras& extras = {});
  void Vacuum(absl::Time at, const std::string& database, const std::string& table,
              const RunSpec& run);
  void Skip(absl::Time at, const std::string& table, int32_t pid, const std::string& database = "");
  void Cancel(absl::Time at, const std::string& database, const std::string& table, int32_t pid);
  void Warning(absl::Time at, const std::string& database, ingest::WraparoundWarningKind kind);
  void Event(const ingest::LogEvent& e);
  // Checkpoints into a throwaway batch (or commits to the store when there is one).
  void Checkpoint();

  // Transitions so far (checkpointed).
  const std::vector<AlertTransition>& transitions() const { return transitions_; }
  // The transitions of `alert` on `table` with `status`.
  std::vector<Alert> Find(const std::string& alert, const std::string& table,
                          AlertStatus status = AlertStatus::kFiring) const;
  bool Fired(const std::string& alert, const std::string& table) const {
    return !Find(alert, table).empty();
  }
  // A printable list of every transition (for failure messages).
  std::string Dump() const;

  Pipeline& pipeline() { return *pipeline_; }
  const PipelineCounters& counters() const { return pipeline_->counters(); }

 private:
  state::StateStore* store_;
  std::unique_ptr<Pipeline> pipeline_;
  SnapshotBuilder snapshots_;
  EventBuilder events_;
  std::vector<AlertTransition> transitions_;
};

}  // namespace vacwatch::pipeline::testing

#endif  // VACWATCH_TESTS_PIPELINE_PIPELINE_TEST_UTIL_H_
