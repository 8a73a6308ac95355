#ifndef VACWATCH_APP_METERED_CONSUMER_H_
#define VACWATCH_APP_METERED_CONSUMER_H_

// MeteredConsumer: an EventConsumer in front of another (the pipeline) that keeps what
// /metrics shows about the snapshots fed through it:
//   - per cluster, when its last snapshot was fed (wall time) and the snapshot's collected_at:
//     the "no snapshots from a cluster" alert reads the first;
//   - with `table_series_limit` > 0, per-table gauges from each snapshot row (dead tuples, the
//     ratio to the autovacuum trigger, the dead tuples' growth per second between two
//     snapshots, relfrozenxid age over the freeze max age) and per database the age of its
//     oldest xmin horizon. The first `table_series_limit` tables seen get a series; rows of
//     other tables are counted as dropped, never exported, so the series stay bounded.
//
//   MeteredConsumer metered(&pipeline_consumer, /*table_series_limit=*/0);  // keeps the pointer
//   MeteredConsumer shard_0(&pipeline_0, budget);    // or a limit shared with other shards'
//   Driver driver(options, &metered, store, sink);
//   ... metered.clusters(), metered.tables()            // at a progress tick
//
// Log events pass straight through (no cost per event beyond a virtual call); a snapshot costs a
// lookup of its cluster, plus a lookup per row when per-table series are on. Not thread-safe:
// the driver's thread calls it and reads it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "app/event_consumer.h"

namespace vacwatch::app {

// The per-table and per-database series a process shows, shared by the MeteredConsumers of its
// shards (`run`: one per partition) so that table_series_limit bounds the process, not each
// shard. A consumer's series go back to the budget when it is destroyed (its partition
// revoked: its tables are the next owner's). Thread-safe: the shards run on several threads.
struct TableSeriesBudget {
  int64_t limit = 0;                     // set before any consumer uses it
  std::atomic<int64_t> tables{0};        // series taken
  std::atomic<int64_t> databases{0};     // series taken
  std::atomic<int64_t> rows_dropped{0};  // rows of tables that got none, by every consumer

  // Takes one series of `taken` (tables or databases) unless the limit is reached.
  bool TryTake(std::atomic<int64_t>& taken) const {
    int64_t n = taken.load(std::memory_order_relaxed);
    while (n < limit) {
      if (taken.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
};

class MeteredConsumer final : public EventConsumer {
 public:
  struct ClusterFacts {
    absl::Time last_fed = absl::InfinitePast();        // wall time
    absl::Time last_collected = absl::InfinitePast();  // the snapshot's collected_at
    int64_t snapshots = 0;
  };
  struct TableSeries {
    std::string cluster, database, schema, table;
    double dead_tuples = 0;
    double over_trigger_ratio = 0;
    double bloat_velocity = 0;  // dead tuples per second, between the last two snapshots
    double freeze_age_ratio = 0;
    absl::Time collected = absl::InfinitePast();  // of the last row
  };
  struct DatabaseSeries {
    std::string cluster, database;
    double horizon_age_xids = 0;  // the oldest xmin horizon holder's age in the last snapshot
  };

  // `inner` is not owned and must outlive this. `clock` (wall time) defaults to absl::Now.
  MeteredConsumer(EventConsumer* inner, int64_t table_series_limit,
                  std::function<absl::Time()> clock = nullptr);
  // The per-table series limit shared with other consumers: `budget` is kept (a reference, so
  // that a literal 0 still means the limit above) and must outlive this.
  MeteredConsumer(EventConsumer* inner, TableSeriesBudget& budget,
                  std::function<absl::Time()> clock = nullptr);
  ~MeteredConsumer() override;  // its series go back to the budget
  MeteredConsumer(const MeteredConsumer&) = delete;
  MeteredConsumer& operator=(const MeteredConsumer&) = delete;

  absl::Status OnSnapshot(const ingest::Snapshot& snapshot) override;
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    return inner_->OnLogEvent(event);
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    return inner_->Checkpoint(batch, emitted);
  }
  const pipeline::PipelineCounters* pipeline_counters() const override {
    return inner_->pipeline_counters();
  }
  int64_t TablesTracked() const override { return inner_->TablesTracked(); }
  absl::StatusOr<pipeline::Explanation> Explain(std::string_view table) override {
    return inner_->Explain(table);
  }

  // By cluster name.
  const std::map<std::string, ClusterFacts, std::less<>>& clusters() const { return clusters_; }
  // In the order the tables were first seen.
  const std::vector<TableSeries>& tables() const { return tables_; }
  const std::vector<DatabaseSeries>& databases() const { return databases_; }
  // Rows of tables that got no series because the limit was reached: by every consumer
  // sharing the budget (destroyed ones included), so a counter for the whole process.
  int64_t table_rows_dropped() const { return budget_->rows_dropped; }
  int64_t table_series_limit() const { return budget_->limit; }

 private:
  void NoteTables(const ingest::Snapshot& snapshot);

  EventConsumer* const inner_;
  TableSeriesBudget own_budget_;     // without a shared one
  TableSeriesBudget* const budget_;  // &own_budget_ or the shared one
  const std::function<absl::Time()> clock_;
  std::map<std::string, ClusterFacts, std::less<>> clusters_;
  std::vector<TableSeries> tables_;
  std::vector<DatabaseSeries> databases_;
  absl::flat_hash_map<std::string, size_t> table_index_;     // key -> tables_ index
  absl::flat_hash_map<std::string, size_t> database_index_;  // key -> databases_ index
  std::string key_;                                          // reused per row
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_METERED_CONSUMER_H_
