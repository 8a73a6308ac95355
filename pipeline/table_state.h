#ifndef VACWATCH_PIPELINE_TABLE_STATE_H_
#define VACWATCH_PIPELINE_TABLE_STATE_H_

// TableState: the per-table model, fed by snapshot rows and log events in event time, read by
// the detectors, and stored in the state store as bytes (Encode/Decode, versioned; the grammar
// is at the top of table_state_codec.cc). Memory is fixed per table (rings, no containers): see
// sizeof(TableState) in the tests; the only heap use is a holder record while an alert that
// names one is pending or firing.
//
// It keeps the facts, not the judgements: thresholds and how far over the vacuum trigger the
// table is and since when; dead-tuple counters for generation and removal rates; the last
// kRunRing completed runs, the last kConflictRing skips/cancels, the last kCycleRing
// vacuum cycles (peak and post-vacuum dead ratio), the run in progress, freeze progress, and
// one AlertState per alert kind. Detectors decide from these with their tuning.
//
//   TableState s;
//   s.ApplySnapshotRow(t, row, thresholds, progress, rate_window);   // kApplied, kDuplicate...
//   s.ApplyVacuum(event);
//   std::string bytes;  s.Encode(&bytes);
//   TableState back;    VW_RETURN_IF_ERROR(TableState::Decode(bytes, &back));
//
// Rules: a snapshot row at or before the latest applied one changes nothing (duplicate /
// out of order); a log event already applied (same content) changes nothing; counters that go
// backwards (stats reset, crash, failover) start a new baseline and never yield a negative
// rate; "never vacuumed" is kNever, never the epoch. Keeps no reference to its inputs.

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "pipeline/alert_state.h"
#include "pipeline/config.h"
#include "pipeline/database_state.h"
#include "pipeline/thresholds.h"

namespace vacwatch::pipeline {

inline constexpr int64_t kNever = INT64_MIN;  // a time that has not happened
inline constexpr int kRunRing = 8;
inline constexpr int kConflictRing = 8;
inline constexpr int kCycleRing = 4;
inline constexpr int kDedupRing = 4;
inline constexpr uint8_t kTableStateVersion = 4;  // written; 1 to 3 are still read

enum class ApplyResult : uint8_t { kApplied, kDuplicate, kOutOfOrder };

// One completed vacuum run, from its log entry. Counts are kept in 32 bits (saturating at
// 4.29 billion, far beyond one run of any table vacuum can finish) to keep the ring small.
struct RunRecord {
  static constexpr uint32_t kUnknown32 = UINT32_MAX;
  static constexpr uint32_t kMax32 = UINT32_MAX - 1;

  int64_t end_us = kNever;
  uint32_t removed32 = kUnknown32;            // tuples removed
  uint32_t not_yet_removable32 = kUnknown32;  // dead but not yet removable
  uint32_t duration_ms = kUnknown32;          // elapsed
  uint32_t pages = kUnknown32;                // pages scanned (remain when scanned is not printed)
  uint32_t cutoff_age = kUnknown32;           // removable cutoff age in XIDs (PG15+)
  uint16_t read_rate_dmbs = UINT16_MAX;       // 0.1 MB/s units
  uint16_t write_rate_dmbs = UINT16_MAX;
  uint8_t index_scans = UINT8_MAX;
  uint8_t mode = 0;   // ingest::VacuumMode
  uint8_t flags = 0;  // kRunFroze

  static constexpr uint8_t kRunFroze = 1;  // relfrozenxid advanced
  // -1 when the log did not print it.
  int64_t removed() const { return removed32 == kUnknown32 ? -1 : removed32; }
  int64_t not_yet_removable() const {
    return not_yet_removable32 == kUnknown32 ? -1 : not_yet_removable32;
  }
  static uint32_t Pack(int64_t v) {
    if (v < 0) return kUnknown32;
    return v >= kMax32 ? kMax32 : static_cast<uint32_t>(v);
  }
  bool aggressive() const { return mode != 0; }
  std::optional<double> duration_s() const {
    return duration_ms == kUnknown32 ? std::nullopt : std::optional<double>(duration_ms / 1000.0);
  }
  bool operator==(const RunRecord&) const = default;
};

// A skipped or cancelled autovacuum: its time with the kind in the two low bits (times are
// kept to 4 microseconds, which no log prints anyway).
enum class ConflictKind : uint8_t {
  kVacuumSkipped,
  kVacuumCancelled,
  kAnalyzeSkipped,
  kAnalyzeCancelled
};
struct ConflictRecord {
  int64_t packed = kNever;
  static ConflictRecord Make(int64_t t_us, ConflictKind kind) {
    return ConflictRecord{static_cast<int64_t>((static_cast<uint64_t>(t_us) & ~uint64_t{3}) |
                                               static_cast<uint64_t>(kind))};
  }
  int64_t t_us() const {
    return static_cast<int64_t>(static_cast<uint64_t>(packed) & ~uint64_t{3});
  }
  ConflictKind kind() const { return static_cast<ConflictKind>(packed & 3); }
  bool operator==(const ConflictRecord&) const = default;
};

// One vacuum cycle: the dead ratio's peak before a run and what the run left.
struct CycleRecord {
  int64_t end_us = kNever;
  float peak_ratio = 0;
  float post_ratio = 0;
  int64_t peak_dead = 0;
  bool operator==(const CycleRecord&) const = default;
};

// Cumulative values at one moment, to measure rates over rate_window.
struct RateAnchor {
  int64_t t_us = kNever;
  int64_t writes = 0;      // n_tup_upd + n_tup_del
  int64_t dead_added = 0;  // TableState::dead_added
  int64_t xid_clock = 0;   // TableState::xid_clock
  int64_t removed = 0;     // TableState::removed_total
  int64_t size_bytes = 0;
  int64_t live = 0;
  double dead_ratio = 0;
  bool operator==(const RateAnchor&) const = default;
};

// Rates over the anchor window; nullopt until two samples at least 30 s apart exist.
struct TableRates {
  std::optional<double> writes_per_s, dead_growth_per_s, removal_per_s, xids_per_s;
  std::optional<double> dead_ratio_per_h, dead_bytes_per_h, bloat_bytes_per_h;
};

// A run in progress (pg_stat_progress_vacuum), as of the latest snapshot.
struct ProgressState {
  int32_t pid = 0;  // 0 = none
  int32_t index_passes = -1;
  int64_t start_us = kNever;
  int32_t heap_blks_total = -1, heap_blks_scanned = -1;  // blocks fit: 2^31 * 8 KiB = 16 TiB
  bool operator==(const ProgressState&) const = default;
};

// The table's bloat as pgstattuple_approx last measured it (ingest::MeasuredBloat, from
// `vacwatch collect --measure-bloat`): the real dead and free space beside n_dead_tup's
// estimate. Bytes of the main fork; -1 unknown.
struct MeasuredBloatState {
  int64_t at_us = kNever;  // when it was measured (kNever: never)
  int64_t table_bytes = -1, dead_bytes = -1, free_bytes = -1, dead_tuples = -1;
  bool operator==(const MeasuredBloatState&) const = default;
};

// The alert states of one table and the holders they name.
struct AlertBlock {
  std::array<AlertState, kNumAlertKinds> states;
  std::array<std::optional<HolderRecord>, kNumAlertKinds> holders;
  bool Idle() const;  // every alert inactive, no holder
  bool operator==(const AlertBlock&) const = default;
};

// An optional T on the heap, copied by value; no value equals a default T. For the parts of a
// TableState most tables never have (alerts, a bloat measurement): a pointer in every state
// instead of the part's bytes.
template <typename T>
class HeapBox {
 public:
  HeapBox() = default;
  HeapBox(const HeapBox& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  HeapBox& operator=(const HeapBox& o) {
    p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  HeapBox(HeapBox&&) noexcept = default;
  HeapBox& operator=(HeapBox&&) noexcept = default;
  bool operator==(const HeapBox& o) const {
    static const T kDefault;
    return *(p_ ? p_.get() : &kDefault) == *(o.p_ ? o.p_.get() : &kDefault);
  }
  const T* get() const { return p_.get(); }
  T* mutable_get() {
    if (p_ == nullptr) p_ = std::make_unique<T>();
    return p_.get();
  }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};
// No block equals an idle one (every alert inactive, no holder).
using AlertBlockBox = HeapBox<AlertBlock>;

class TableState {
 public:
  // ---- updates ----
  // `horizon_xid`: the database's horizon in this snapshot (Horizon::horizon_key, -1
  // unknown). Runs the log did not show, counted by this snapshot, are taken to have had the
  // horizon of the table's previous snapshot as their removable cutoff.
  ApplyResult ApplySnapshotRow(absl::Time t, const ingest::TableStats& row, const Thresholds& th,
                               const ProgressRecord* progress, absl::Duration rate_window,
                               int64_t horizon_xid, bool* counter_reset);
  ApplyResult ApplyVacuum(const ingest::LogEvent& e);
  ApplyResult ApplyConflict(const ingest::LogEvent& e, ConflictKind kind);
  ApplyResult ApplyAnalyze(const ingest::LogEvent& e);
  ApplyResult ApplyWraparoundWarning(const ingest::LogEvent& e);
  void Touch(absl::Time t);  // seen (for the TTL)

  // ---- identity and times ----
  int64_t relid = 0;  // 0 until a snapshot names it
  int64_t first_seen_us = kNever, last_seen_us = kNever;
  int64_t last_snapshot_us = kNever;  // collected_at of the latest applied row
  int64_t last_log_us = kNever;       // time of the latest applied log event

  // ---- latest snapshot values (-1 = unknown) ----
  int64_t n_live = -1, n_dead = -1;
  int64_t snap_dead = -1;  // n_dead_tup as the latest snapshot said (n_dead also follows runs)
  int64_t size_bytes = -1, frozenxid_age = -1;
  double reltuples = -1;
  int64_t writes = -1, inserts = -1, autovacuum_count = -1, vacuum_count = -1;
  int64_t last_autovacuum_us = kNever, last_vacuum_us = kNever, last_autoanalyze_us = kNever;

  // ---- thresholds (from the latest snapshot) ----
  double vacuum_trigger = -1;  // -1 = not known yet (no snapshot)
  float insert_trigger = -1;   // -1 = none (before PG13, or disabled)
  float analyze_trigger = -1;
  float scale_factor = 0.2f;
  float cost_delay_ms = 2;
  int64_t base_threshold = 50;
  int64_t freeze_max_age = 200'000'000;
  int32_t cost_limit = 200;
  uint8_t av_flags = kAvEnabled;
  uint8_t last_warning_kind = 0;  // ingest::WraparoundWarningKind of last_warning_us
  static constexpr uint8_t kAvEnabled = 1, kAvTableScaleFactor = 2, kAvTableThreshold = 4,
                           kAvTableFreezeMaxAge = 8, kAvTableCostDelay = 16, kAvTableCostLimit = 32;
  bool autovacuum_enabled() const { return av_flags & kAvEnabled; }

  // ---- over the vacuum trigger ----
  int64_t over_since_us = kNever;  // kNever = not over
  int64_t dead_at_over = 0;        // dead tuples when it crossed
  int64_t avc_at_over = 0;         // autovacuum_count when it crossed
  bool over_trigger() const { return over_since_us != kNever; }
  double lag() const {
    return vacuum_trigger < 0 ? 0 : static_cast<double>(n_dead) - vacuum_trigger;
  }

  // ---- cumulative counters of our own (never go backwards) ----
  int64_t dead_added = 0;     // dead tuples seen appearing between snapshots
  int64_t xid_clock = 0;      // XIDs consumed, from relfrozenxid_age growth
  int64_t removed_total = 0;  // tuples removed by logged runs
  RateAnchor anchor_old, anchor_new;
  TableRates Rates(absl::Time now) const;

  // ---- the horizon its runs met (domain.md: a cutoff that stays while the table keeps dead
  // tuples is direct proof of a pin, and its value names the root) ----
  // The removable cutoff of the latest run: the log's `removable cutoff: N` (PG15+) or
  // `oldest xmin: N` (10-14); for a run only the snapshots saw (autovacuum_count rose), the
  // database's horizon at that snapshot (Horizon::horizon_key: for snapshots without raw
  // values a key >= 2^32 of the root's identity). -1 unknown.
  int64_t cutoff_xid = -1;
  int64_t cutoff_since_us = kNever;  // the end of the first run of cutoff_runs
  // The database's horizon at the table's latest snapshot: runs the next snapshot counts
  // began under it (the horizon seen after them may already be a released one's).
  int64_t snapshot_horizon = -1;
  int32_t cutoff_runs = 0;  // consecutive runs at cutoff_xid that left dead tuples

  // ---- freeze (freeze_runs first: it pairs with cutoff_runs in 8 bytes) ----
  int32_t freeze_runs = 0;                  // anti-wraparound / aggressive runs in the series
  int64_t freeze_series_start_us = kNever;  // first aggressive run since relfrozenxid last moved
  int64_t freeze_age_at_start = -1;

  // ---- rings (index 0 = most recent) ----
  int run_count() const { return run_count_; }
  const RunRecord& run(int i) const { return runs_[(run_head_ + kRunRing - 1 - i) % kRunRing]; }
  int conflict_count() const { return conflict_count_; }
  const ConflictRecord& conflict(int i) const {
    return conflicts_[(conflict_head_ + kConflictRing - 1 - i) % kConflictRing];
  }
  int cycle_count() const { return cycle_count_; }
  const CycleRecord& cycle(int i) const {
    return cycles_[(cycle_head_ + kCycleRing - 1 - i) % kCycleRing];
  }
  float cycle_peak_ratio = 0;  // the open cycle's peak so far
  int64_t cycle_peak_dead = 0;
  int32_t runs_since_snapshot = 0;  // logged runs since the latest snapshot
  // Seconds between the two latest last_autovacuum values the snapshots gave: the table's
  // own interval between completed runs (a cycle of ClearWindow); -1 unknown.
  int32_t autovacuum_interval_s = -1;

  ProgressState progress;
  // The latest bloat measurement, or null when the table was never measured.
  const MeasuredBloatState* measured_bloat() const { return measured_bloat_.get(); }
  MeasuredBloatState* mutable_measured_bloat() { return measured_bloat_.mutable_get(); }
  // Keeps `m` when it is newer than what the state has.
  void ApplyMeasuredBloat(const ingest::MeasuredBloat& m, absl::Time snapshot_time);

  // ---- server warnings ----
  int64_t last_warning_us = kNever;

  // ---- alerts ----
  // Alert states and the holders they name live in a block allocated only while some alert of
  // the table is pending, firing or resolving: most tables never carry one.
  const AlertState& alert(AlertKind k) const;
  AlertState& mutable_alert(AlertKind k);  // allocates the block
  const HolderRecord* holder(AlertKind k) const;
  HolderRecord* mutable_holder(AlertKind k);  // null when the alert names none
  void set_holder(AlertKind k, std::optional<HolderRecord> h);
  // Frees the block when every alert is inactive again.
  void ReleaseIdleAlerts();
  bool has_alerts() const { return alerts_.get() != nullptr; }

  // ---- derived ----
  double dead_ratio() const;  // n_dead / (n_live + n_dead), 0 when unknown
  int64_t dead_bytes() const;

  // ---- encoding ----
  void Encode(std::string* out) const;  // appends
  // Replaces *out; on an error (DataLoss) *out is unspecified.
  static absl::Status Decode(std::string_view bytes, TableState* out);
  // Reads only relid and last_seen_us (for rebuilding indexes at start-up).
  static absl::Status DecodeHeader(std::string_view bytes, int64_t* relid, int64_t* last_seen_us);

  bool operator==(const TableState& other) const = default;

 private:
  bool SeenEvent(uint64_t hash);  // dedup ring: true if already applied (else remembers it)
  ApplyResult CheckLogTime(int64_t t_us) const;
  void CloseCycle(int64_t t_us, double post_ratio);
  // A run (or `runs` runs seen at once) ended at `t_us` with removable cutoff `cutoff` (-1
  // unknown), leaving dead tuples behind or not.
  void NoteCutoff(int64_t cutoff, bool left_dead, int32_t runs, int64_t t_us);
  void PushRun(const RunRecord& r);

  std::array<RunRecord, kRunRing> runs_{};
  std::array<ConflictRecord, kConflictRing> conflicts_{};
  std::array<CycleRecord, kCycleRing> cycles_{};
  std::array<uint64_t, kDedupRing> dedup_{};
  AlertBlockBox alerts_;
  HeapBox<MeasuredBloatState> measured_bloat_;
  // The rings' positions together, after the 8-byte-aligned members: no padding between.
  uint8_t run_head_ = 0, run_count_ = 0;
  uint8_t conflict_head_ = 0, conflict_count_ = 0;
  uint8_t cycle_head_ = 0, cycle_count_ = 0;
  uint8_t dedup_head_ = 0;
};

// A log event's identity for de-duplication (type, pid, time, names, the run's numbers).
uint64_t LogEventHash(const ingest::LogEvent& e);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_TABLE_STATE_H_
