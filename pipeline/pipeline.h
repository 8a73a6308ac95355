#ifndef VACWATCH_PIPELINE_PIPELINE_H_
#define VACWATCH_PIPELINE_PIPELINE_H_

// Pipeline: the per-table model of every table of every cluster, driven by typed snapshots and
// log events in event time (collected_at, the log's own timestamps; never the wall clock, so a
// replay of yesterday gives yesterday's alerts), and the detectors that decide when autovacuum
// runs but does not keep up. Feed it inputs merged by event time; take a Checkpoint after each
// processed batch and commit it together with the input offsets:
//
//   Pipeline pipeline(config, store);             // store may be null: memory only
//   for (...) VW_RETURN_IF_ERROR(pipeline.OnSnapshot(snapshot));  // or OnLogEvent(event)
//   StateStore::Batch batch;
//   std::vector<AlertTransition> emitted;
//   VW_RETURN_IF_ERROR(pipeline.Checkpoint(&batch, &emitted));
//   batch.PutOffset(source, state::SourceOffset(offset));
//   VW_RETURN_IF_ERROR(store->Commit(&batch));
//   for (const AlertTransition& t : emitted) Deliver(t);
//
// The pipeline copies what it keeps from its inputs: string_views in a Snapshot or LogEvent
// need stay valid only during the call. Output is deterministic: the same inputs in the same
// order give byte-identical transitions with the same sequence numbers. Not thread-safe: one
// thread owns a Pipeline (and its store's writes).

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/explanation.h"
#include "state/state_store.h"

namespace vacwatch::pipeline {

struct PipelineCounters {
  int64_t snapshots = 0;             // accepted snapshots
  int64_t table_rows = 0;            // table rows of accepted snapshots
  int64_t log_events = 0;            // accepted log events
  int64_t unresolved_skips = 0;      // skip/cancel events that matched no single known table
  int64_t duplicates_ignored = 0;    // snapshot rows / log events already applied
  int64_t out_of_order_ignored = 0;  // snapshot rows older than the table's latest
  int64_t counter_resets = 0;        // counters that went backwards: new baseline
  int64_t tables_dropped_ttl = 0;    // tables not seen for table_ttl, dropped
  int64_t tables_dropped_relid = 0;  // a name seen with a new relid: the old table is gone
  int64_t tables_renamed = 0;        // a relid seen under a new name: state moved
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;  // looked up in the store (found or not)
  int64_t cache_evictions = 0;
  int64_t transitions = 0;  // alert transitions emitted
};

class Pipeline {
 public:
  // `store` may be null (memory only, used by unit tests; nothing is ever evicted then). Loads
  // table state lazily from the store (a snapshot's missing rows with one scan of its
  // database's key range); keeps at most config.max_cached_tables states in memory between
  // inputs (LRU of clean ones; states changed since the last Checkpoint stay), encoded between
  // checkpoints and decoded when an input names them. On the first input it scans the store's
  // table keys once to rebuild the per-database index (relid, name, last seen), reads back the
  // databases' and clusters' contexts (holders, progress, workers, pid map, clock: meta keys
  // `ctx:db:` and `ctx:cluster:`, written at each Checkpoint where they changed) and continues
  // the outbox sequence from store->LastOutboxSeq(). `store` must outlive the Pipeline.
  Pipeline(const PipelineConfig& config, state::StateStore* store);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Event time = snapshot.collected_at. Errors: only from the store (Unavailable, DataLoss).
  absl::Status OnSnapshot(const ingest::Snapshot& snapshot);
  // Event time = event.time.
  absl::Status OnLogEvent(const ingest::LogEvent& event);

  // Puts every table state changed since the last call and every alert transition emitted
  // since then (outbox entries, increasing seq that continues across restarts) into `batch`,
  // and appends those transitions to `*emitted` for delivery after Commit. Tables dropped by
  // TTL become DeleteTable operations.
  absl::Status Checkpoint(state::StateStore::Batch* batch, std::vector<AlertTransition>* emitted);

  const PipelineCounters& counters() const;
  // Tables the pipeline knows (every database's index: relid, name, last seen; cached or not),
  // for the tables-tracked gauge. Counts the databases' indexes: call it at a progress tick,
  // not per input. 0 before the first input (the index is loaded then).
  int64_t TablesTracked() const;

  // Why `table` ("cluster/database.schema.table") paged or did not, at `now` (InfinitePast:
  // the cluster's event time, else the table's last input): its trigger, dead tuples and
  // rates, last runs, the horizon its runs met and the root this pipeline last saw, each
  // detector's conditions, its alerts and their windows. NotFound when no state has the
  // table; InvalidArgument for a name of another shape.
  absl::StatusOr<Explanation> Explain(std::string_view table, absl::Time now);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_PIPELINE_H_
