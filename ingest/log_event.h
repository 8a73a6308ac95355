#ifndef VACWATCH_INGEST_LOG_EVENT_H_
#define VACWATCH_INGEST_LOG_EVENT_H_

// LogEvent: one autovacuum-related server-log entry, typed. Produced by the log readers
// (stderr, csvlog, jsonlog), consumed by the pipeline and by `vacwatch parse`.
//
// Lifetime: every std::string_view in a LogEvent points into the reader that filled it and is
// valid only until the next call on that reader. A consumer that keeps anything copies it.
// Readers fill a caller-owned LogEvent and reuse its vectors' capacity, so steady-state
// parsing allocates nothing per event.
//
// Numbers a PostgreSQL version does not print are absent (std::nullopt), never zero.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace vacwatch::ingest {

enum class LogEventType : uint8_t {
  kVacuum,             // "automatic [aggressive ]vacuum [to prevent wraparound ]of table ..."
  kAnalyze,            // "automatic analyze of table ..."
  kVacuumCancelled,    // "canceling autovacuum task" with CONTEXT "automatic vacuum of table"
  kAnalyzeCancelled,   // ... with CONTEXT "automatic analyze of table"
  kVacuumSkipped,      // "skipping vacuum of "rel" --- lock not available"
  kAnalyzeSkipped,     // "skipping analyze of "rel" --- lock not available"
  kWraparoundWarning,  // "must be vacuumed within", "oldest xmin is far in the past", ...
};
inline constexpr int kNumLogEventTypes = 7;

// The `type` string of the JSON output: "vacuum", "analyze", "vacuum_cancelled", ...
std::string_view LogEventTypeName(LogEventType type);

enum class VacuumMode : uint8_t {
  kNormal,                // automatic vacuum of table
  kAggressive,            // automatic aggressive vacuum of table (PG11+)
  kWraparound,            // automatic vacuum to prevent wraparound of table (PG12+, rare)
  kAggressiveWraparound,  // automatic aggressive vacuum to prevent wraparound of table (PG12+)
};
std::string_view VacuumModeName(VacuumMode mode);  // "normal", "aggressive", ...

// The PG14+ line "index scan not needed|needed|bypassed|bypassed by failsafe: ...".
enum class IndexScanDecision : uint8_t { kNotNeeded, kNeeded, kBypassed, kBypassedByFailsafe };
std::string_view IndexScanDecisionName(IndexScanDecision decision);

enum class WraparoundWarningKind : uint8_t {
  kMustVacuumWithin,           // database "x" must be vacuumed within N transactions
  kMultixactMustVacuumWithin,  // database "x" must be vacuumed before N more MultiXactIds ...
  kOldestXminFarInPast,        // oldest xmin is far in the past / cutoff ... far in the past
  kOldestMultixactFarInPast,   // oldest multixact is far in the past / cutoff for multixacts
  kNotAcceptingCommands,       // database is not accepting commands ... wraparound data loss
  kFailsafe,                   // bypassing nonessential maintenance of table ... as a failsafe
  kNotVacuumedIn2Billion,      // some databases have not been vacuumed in over 2 billion ...
};
std::string_view WraparoundWarningKindName(WraparoundWarningKind kind);

// One per-index line (PG14+): index "name": pages: N in total, N newly deleted, ...
struct IndexVacuumStats {
  std::string_view name;
  int64_t pages_total = 0;
  int64_t pages_newly_deleted = 0;
  int64_t pages_currently_deleted = 0;
  int64_t pages_reusable = 0;
};

// The numbers of a vacuum or analyze entry; an analyze fills only the I/O, buffer, WAL and
// system-usage parts. Field names follow the log's own words.
struct VacuumStats {
  VacuumMode mode = VacuumMode::kNormal;
  std::optional<int64_t> index_scans;
  // pages: N removed, N remain, [N skipped due to pins, N skipped frozen (<=14)]
  //        [N scanned (P% of total)(15+)] [, N eagerly scanned (18)]
  std::optional<int64_t> pages_removed, pages_remain, pages_scanned, pages_skipped_pins,
      pages_skipped_frozen, pages_eagerly_scanned;
  std::optional<double> pages_scanned_pct;
  // tuples: N removed, N remain, N are dead but not yet removable[, oldest xmin: X (10-14)]
  std::optional<int64_t> tuples_removed, tuples_remain, tuples_not_yet_removable, oldest_xmin;
  // tuples missed: N dead from N pages not removed due to cleanup lock contention (15+)
  std::optional<int64_t> tuples_missed_dead, tuples_missed_pages;
  // removable cutoff: X, which was N XIDs old when operation ended (15+)
  std::optional<int64_t> removable_cutoff, removable_cutoff_age;
  // new relfrozenxid: X, which is N XIDs ahead ...; new relminmxid: X, which is N MXIDs ahead
  std::optional<int64_t> new_relfrozenxid, relfrozenxid_advance, new_relminmxid, relminmxid_advance;
  // frozen: N pages from table (P% of total) had N tuples frozen (16+)
  std::optional<int64_t> frozen_pages, tuples_frozen;
  std::optional<double> frozen_pages_pct;
  // visibility map: N pages set all-visible, N pages set all-frozen (N were all-visible) (18)
  std::optional<int64_t> vm_all_visible, vm_all_frozen, vm_all_frozen_were_visible;
  // index scan <decision>: N pages from table (P% of total) had|have N dead item identifiers
  std::optional<IndexScanDecision> index_scan;
  std::optional<int64_t> index_scan_pages, dead_item_ids;
  std::optional<double> index_scan_pages_pct;
  std::vector<IndexVacuumStats> indexes;  // cleared, capacity kept, per event
  // delay time (18), I/O timings (track_io_timing), avg read/write rate
  std::optional<double> delay_time_ms, io_read_ms, io_write_ms, read_rate_mbs, write_rate_mbs;
  // buffer usage: N hits, N misses (N reads in 18), N dirtied
  std::optional<int64_t> buffer_hits, buffer_misses, buffer_dirtied;
  // WAL usage: N records, N full page images, N bytes[, N buffers full (18)]
  std::optional<int64_t> wal_records, wal_fpi, wal_bytes, wal_buffers_full;
  // system usage: CPU: user: X s, system: X s, elapsed: X s
  std::optional<double> cpu_user_s, cpu_system_s, elapsed_s;

  // Resets every field; keeps `indexes` capacity.
  void Clear();
};

struct WraparoundWarning {
  WraparoundWarningKind kind = WraparoundWarningKind::kMustVacuumWithin;
  std::optional<int64_t> remaining;     // transactions / MultiXactIds left, when the text says
  std::optional<int64_t> database_oid;  // "database with OID N" variants
};

struct LogEvent {
  LogEventType type = LogEventType::kVacuum;
  // Where. `cluster` comes from the reader's configuration; `database` from the entry (the
  // "db.schema.table" name, or the prefix's %d / csv database_name / json dbname) and is empty
  // when the entry does not say (a skip line under a prefix without %d). `schema` is empty
  // for skip lines, which name only the relation.
  std::string_view cluster, database, schema, table;
  int32_t pid = 0;
  // When, in the entry's own clock. `time_text` is the timestamp as written, zone included
  // ("2026-11-23 23:18:21.286 UTC"); `utc_offset_s` is that zone's offset.
  absl::Time time = absl::InfinitePast();
  std::string_view time_text;
  int32_t utc_offset_s = 0;
  // kVacuumCancelled / kAnalyzeCancelled: the vacuum phase from the CONTEXT's first line when
  // PG13+ gave one ("while scanning block 123 of relation \"public.t\""), else empty.
  std::string_view cancel_phase;
  VacuumStats stats;             // kVacuum, kAnalyze
  WraparoundWarning wraparound;  // kWraparoundWarning
  // Position of the entry's first byte in its input, for dead letters and resume offsets.
  int64_t byte_offset = 0;
  int64_t line_no = 0;

  void Clear();
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_EVENT_H_
