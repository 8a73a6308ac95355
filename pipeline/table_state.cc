#include "pipeline/table_state.h"

#include <algorithm>

#include "common/fnv1a.h"

// The model: how snapshot rows and log events change a table's state (table_state.h). Its
// encoding is in table_state_codec.cc.

namespace vacwatch::pipeline {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

int64_t OptMicros(const std::optional<absl::Time>& t) {
  return t.has_value() ? absl::ToUnixMicros(*t) : kNever;
}

uint32_t SaturateU32(double v) {
  if (!(v >= 0)) return 0;
  return v >= 4294967294.0 ? 4294967294u : static_cast<uint32_t>(v);
}
uint16_t SaturateU16(double v) {
  if (!(v >= 0)) return 0;
  return v >= 65534.0 ? 65534 : static_cast<uint16_t>(v);
}

constexpr int64_t kLogReorderToleranceUs = 5LL * 60 * 1000 * 1000;

}  // namespace

uint64_t LogEventHash(const ingest::LogEvent& e) {
  Fnv1a h;
  auto mix_bytes = [&h](std::string_view s) { h.AddPart(s); };
  auto mix = [&h](int64_t v) { h.AddInt(v); };
  mix(static_cast<int64_t>(e.type));
  mix(e.pid);
  mix(Micros(e.time));
  mix_bytes(e.cluster);
  mix_bytes(e.database);
  mix_bytes(e.schema);
  mix_bytes(e.table);
  mix(e.stats.tuples_removed.value_or(-1));
  mix(e.stats.tuples_not_yet_removable.value_or(-1));
  mix(e.stats.pages_remain.value_or(-1));
  mix(static_cast<int64_t>(e.stats.elapsed_s.value_or(-1) * 1000));
  mix(e.wraparound.remaining.value_or(-1));
  return h.value();
}

bool TableState::SeenEvent(uint64_t hash) {
  for (uint64_t seen : dedup_) {
    if (seen == hash && hash != 0) return true;
  }
  dedup_[dedup_head_] = hash;
  dedup_head_ = static_cast<uint8_t>((dedup_head_ + 1) % kDedupRing);
  return false;
}

ApplyResult TableState::CheckLogTime(int64_t t_us) const {
  if (last_log_us != kNever && t_us < last_log_us - kLogReorderToleranceUs) {
    return ApplyResult::kOutOfOrder;
  }
  return ApplyResult::kApplied;
}

void TableState::Touch(absl::Time t) {
  const int64_t t_us = Micros(t);
  if (first_seen_us == kNever || t_us < first_seen_us) first_seen_us = t_us;
  last_seen_us = std::max(last_seen_us, t_us);
}

double TableState::dead_ratio() const {
  if (n_dead < 0 || n_live < 0 || n_live + n_dead <= 0) return 0;
  return static_cast<double>(n_dead) / static_cast<double>(n_live + n_dead);
}

int64_t TableState::dead_bytes() const {
  if (size_bytes < 0) return 0;
  return static_cast<int64_t>(static_cast<double>(size_bytes) * dead_ratio());
}

void TableState::PushRun(const RunRecord& r) {
  runs_[run_head_] = r;
  run_head_ = static_cast<uint8_t>((run_head_ + 1) % kRunRing);
  if (run_count_ < kRunRing) ++run_count_;
}

void TableState::NoteCutoff(int64_t cutoff, bool left_dead, int32_t runs, int64_t t_us) {
  if (cutoff < 0) {
    cutoff_xid = -1;
    cutoff_runs = 0;
    cutoff_since_us = kNever;
    return;
  }
  if (cutoff == cutoff_xid && left_dead && cutoff_runs > 0) {
    cutoff_runs = static_cast<int32_t>(std::min<int64_t>(int64_t{cutoff_runs} + runs, 1000000));
    return;
  }
  // A new value counts once, however many runs the snapshots saw end: the value was only
  // seen at the end of them.
  cutoff_xid = cutoff;
  cutoff_runs = left_dead ? 1 : 0;
  cutoff_since_us = left_dead ? t_us : kNever;
}

void TableState::CloseCycle(int64_t t_us, double post_ratio) {
  CycleRecord c;
  c.end_us = t_us;
  c.peak_ratio = cycle_peak_ratio;
  c.post_ratio = static_cast<float>(post_ratio);
  c.peak_dead = cycle_peak_dead;
  cycles_[cycle_head_] = c;
  cycle_head_ = static_cast<uint8_t>((cycle_head_ + 1) % kCycleRing);
  if (cycle_count_ < kCycleRing) ++cycle_count_;
  cycle_peak_ratio = static_cast<float>(post_ratio);
  cycle_peak_dead = std::max<int64_t>(0, n_dead);
}

void TableState::ApplyMeasuredBloat(const ingest::MeasuredBloat& m, absl::Time snapshot_time) {
  // A measurement without its own time is as of the snapshot that carries it.
  const int64_t at = absl::ToUnixMicros(m.measured_at.value_or(snapshot_time));
  if (const MeasuredBloatState* old = measured_bloat(); old != nullptr && at <= old->at_us) return;
  MeasuredBloatState* b = mutable_measured_bloat();
  b->at_us = at;
  b->table_bytes = m.table_len.value_or(-1);
  b->dead_bytes = m.dead_tuple_len.value_or(-1);
  b->free_bytes = m.approx_free_space.value_or(-1);
  b->dead_tuples = m.dead_tuple_count.value_or(-1);
}

ApplyResult TableState::ApplySnapshotRow(absl::Time t, const ingest::TableStats& row,
                                         const Thresholds& th, const ProgressRecord* prog,
                                         absl::Duration rate_window, int64_t horizon_xid,
                                         bool* counter_reset) {
  *counter_reset = false;
  const int64_t t_us = Micros(t);
  if (last_snapshot_us != kNever) {
    if (t_us == last_snapshot_us) return ApplyResult::kDuplicate;
    if (t_us < last_snapshot_us) return ApplyResult::kOutOfOrder;
  }
  const bool first = last_snapshot_us == kNever;
  const int64_t new_writes =
      row.n_tup_upd.has_value() && row.n_tup_del.has_value() ? *row.n_tup_upd + *row.n_tup_del : -1;
  const int64_t new_inserts = row.n_tup_ins.value_or(-1);
  const int64_t new_avc = row.autovacuum_count.value_or(-1);
  const int64_t new_vc = row.vacuum_count.value_or(-1);
  const int64_t dead = row.n_dead_tup.value_or(-1);
  const int64_t age = row.relfrozenxid_age.value_or(-1);

  bool reset = false;
  if (!first) {
    auto backwards = [](int64_t now_v, int64_t before) {
      return now_v >= 0 && before >= 0 && now_v < before;
    };
    reset = backwards(new_writes, writes) || backwards(new_avc, autovacuum_count) ||
            backwards(new_vc, vacuum_count) || backwards(new_inserts, inserts);
  }
  *counter_reset = reset;
  const bool vacuumed_between =
      !first && !reset &&
      ((new_avc >= 0 && autovacuum_count >= 0 && new_avc > autovacuum_count) ||
       (new_vc >= 0 && vacuum_count >= 0 && new_vc > vacuum_count) || runs_since_snapshot > 0);

  if (!first && !reset && dead >= 0 && snap_dead >= 0) {
    if (!vacuumed_between) {
      dead_added += std::max<int64_t>(0, dead - snap_dead);
    } else {
      // A vacuum ran in between: the dead tuples now are at most what was written since.
      int64_t written = (new_writes >= 0 && writes >= 0) ? new_writes - writes : dead;
      dead_added += std::max<int64_t>(0, std::min(written, dead));
    }
  }
  if (!first && age >= 0 && frozenxid_age >= 0) {
    // Age grows with every XID the cluster assigns; it drops when relfrozenxid advances, an
    // interval that tells nothing about the XID rate.
    if (age >= frozenxid_age) xid_clock += age - frozenxid_age;
    if (age < frozenxid_age - frozenxid_age / 10) {
      freeze_series_start_us = kNever;  // freezing made progress: the series ends
      freeze_age_at_start = -1;
      freeze_runs = 0;
    }
  }
  const bool unlogged_run =
      vacuumed_between && runs_since_snapshot == 0 && new_avc > autovacuum_count;
  const int64_t autovacuum_count_before = autovacuum_count;
  const int64_t dead_before = snap_dead;
  if (unlogged_run && frozenxid_age > freeze_max_age) {
    // An autovacuum past the freeze limit is an anti-wraparound one, logged or not.
    if (freeze_series_start_us == kNever) {
      freeze_series_start_us = t_us;
      freeze_age_at_start = frozenxid_age;
    }
    freeze_runs += static_cast<int32_t>(std::min<int64_t>(new_avc - autovacuum_count, 1000));
  }

  n_live = row.n_live_tup.value_or(-1);
  n_dead = dead;
  snap_dead = dead;
  size_bytes = row.relation_size_bytes.value_or(-1);
  frozenxid_age = age;
  reltuples = row.reltuples.value_or(-1);
  writes = new_writes;
  inserts = new_inserts;
  autovacuum_count = new_avc;
  vacuum_count = new_vc;
  const int64_t new_last_autovacuum = OptMicros(row.last_autovacuum);
  if (new_last_autovacuum != last_autovacuum_us && last_autovacuum_us != kNever &&
      new_last_autovacuum != kNever && new_last_autovacuum > last_autovacuum_us) {
    autovacuum_interval_s = static_cast<int32_t>(
        std::min<int64_t>((new_last_autovacuum - last_autovacuum_us) / 1000000, INT32_MAX));
  }
  last_autovacuum_us = new_last_autovacuum;
  last_vacuum_us = OptMicros(row.last_vacuum);
  last_autoanalyze_us = OptMicros(row.last_autoanalyze);

  vacuum_trigger = th.vacuum;
  insert_trigger = static_cast<float>(th.insert.value_or(-1));
  analyze_trigger = static_cast<float>(th.analyze);
  scale_factor = static_cast<float>(th.params.vacuum_scale_factor);
  base_threshold = th.params.vacuum_threshold;
  freeze_max_age = th.params.freeze_max_age;
  cost_delay_ms = static_cast<float>(th.params.cost_delay_ms);
  cost_limit = static_cast<int32_t>(std::clamp<int64_t>(th.params.cost_limit, 0, INT32_MAX));
  av_flags = (th.params.enabled ? kAvEnabled : 0) |
             (th.params.has_table_scale_factor ? kAvTableScaleFactor : 0) |
             (th.params.has_table_threshold ? kAvTableThreshold : 0) |
             (th.params.has_table_freeze_max_age ? kAvTableFreezeMaxAge : 0) |
             (th.params.has_table_cost_delay ? kAvTableCostDelay : 0) |
             (th.params.has_table_cost_limit ? kAvTableCostLimit : 0);

  if (prog != nullptr) {
    progress.pid = prog->pid;
    progress.start_us = prog->start_us;
    progress.heap_blks_total =
        static_cast<int32_t>(std::clamp<int64_t>(prog->heap_blks_total, -1, INT32_MAX));
    progress.heap_blks_scanned =
        static_cast<int32_t>(std::clamp<int64_t>(prog->heap_blks_scanned, -1, INT32_MAX));
    progress.index_passes =
        static_cast<int32_t>(std::clamp<int64_t>(prog->index_vacuum_count, -1, INT32_MAX));
  } else {
    progress = ProgressState{};
  }

  if (unlogged_run) {
    CloseCycle(t_us, dead_ratio());
    // Runs only the snapshots saw removed nothing when the dead tuples did not fall across
    // them (with a pin they only grow; an effective run brings them down).
    NoteCutoff(snapshot_horizon, dead > 0 && dead_before >= 0 && dead >= dead_before,
               static_cast<int32_t>(std::min<int64_t>(new_avc - autovacuum_count_before, 1000)),
               t_us);
  }
  runs_since_snapshot = 0;
  const double ratio = dead_ratio();
  if (ratio > cycle_peak_ratio) {
    cycle_peak_ratio = static_cast<float>(ratio);
    cycle_peak_dead = dead;
  }

  if (dead >= 0 && vacuum_trigger >= 0) {
    if (static_cast<double>(dead) > vacuum_trigger) {
      if (over_since_us == kNever) {
        over_since_us = t_us;
        dead_at_over = dead;
        avc_at_over = std::max<int64_t>(0, new_avc);
      }
    } else {
      over_since_us = kNever;
    }
  }

  RateAnchor cur;
  cur.t_us = t_us;
  cur.writes = std::max<int64_t>(0, writes);
  cur.dead_added = dead_added;
  cur.xid_clock = xid_clock;
  cur.removed = removed_total;
  cur.size_bytes = std::max<int64_t>(0, size_bytes);
  cur.live = std::max<int64_t>(0, n_live);
  cur.dead_ratio = ratio;
  if (first || reset || anchor_new.t_us == kNever) {
    anchor_old = cur;
    anchor_new = cur;
  } else if (t_us - anchor_new.t_us >= absl::ToInt64Microseconds(rate_window)) {
    anchor_old = anchor_new;
    anchor_new = cur;
  }
  snapshot_horizon = horizon_xid;
  last_snapshot_us = t_us;
  Touch(t);
  return ApplyResult::kApplied;
}

TableRates TableState::Rates(absl::Time now) const {
  TableRates r;
  if (anchor_old.t_us == kNever || last_snapshot_us == kNever) return r;
  const double span_s = static_cast<double>(last_snapshot_us - anchor_old.t_us) / 1e6;
  if (span_s < 30) return r;
  r.writes_per_s =
      std::max(0.0, static_cast<double>(std::max<int64_t>(0, writes) - anchor_old.writes) / span_s);
  r.dead_growth_per_s = static_cast<double>(dead_added - anchor_old.dead_added) / span_s;
  r.xids_per_s = static_cast<double>(xid_clock - anchor_old.xid_clock) / span_s;
  // Removal counts runs up to `now` (log events arrive between snapshots).
  const double removal_span_s =
      static_cast<double>(std::max(last_snapshot_us, absl::ToUnixMicros(now)) - anchor_old.t_us) /
      1e6;
  r.removal_per_s = static_cast<double>(removed_total - anchor_old.removed) / removal_span_s;
  const double span_h = span_s / 3600;
  r.dead_ratio_per_h = (dead_ratio() - anchor_old.dead_ratio) / span_h;
  const double dead_bytes_then = static_cast<double>(anchor_old.size_bytes) * anchor_old.dead_ratio;
  r.dead_bytes_per_h = (static_cast<double>(dead_bytes()) - dead_bytes_then) / span_h;
  // Growth of the heap not explained by more live rows: bloat (0 when live rows grew).
  const int64_t live_now = std::max<int64_t>(0, n_live);
  const int64_t size_now = std::max<int64_t>(0, size_bytes);
  r.bloat_bytes_per_h =
      live_now <= anchor_old.live + anchor_old.live / 100
          ? std::max(0.0, static_cast<double>(size_now - anchor_old.size_bytes) / span_h)
          : 0.0;
  return r;
}

ApplyResult TableState::ApplyVacuum(const ingest::LogEvent& e) {
  const int64_t t_us = Micros(e.time);
  if (CheckLogTime(t_us) != ApplyResult::kApplied) return ApplyResult::kOutOfOrder;
  if (SeenEvent(LogEventHash(e))) return ApplyResult::kDuplicate;
  const ingest::VacuumStats& st = e.stats;
  RunRecord r;
  r.end_us = t_us;
  r.removed32 = RunRecord::Pack(st.tuples_removed.value_or(-1));
  r.not_yet_removable32 = RunRecord::Pack(st.tuples_not_yet_removable.value_or(-1));
  if (st.elapsed_s.has_value()) r.duration_ms = SaturateU32(*st.elapsed_s * 1000);
  if (st.pages_scanned.has_value()) {
    r.pages = SaturateU32(static_cast<double>(*st.pages_scanned));
  } else if (st.pages_remain.has_value()) {
    r.pages = SaturateU32(static_cast<double>(*st.pages_remain));
  }
  if (st.removable_cutoff_age.has_value()) {
    r.cutoff_age = SaturateU32(static_cast<double>(*st.removable_cutoff_age));
  }
  if (st.read_rate_mbs.has_value()) r.read_rate_dmbs = SaturateU16(*st.read_rate_mbs * 10);
  if (st.write_rate_mbs.has_value()) r.write_rate_dmbs = SaturateU16(*st.write_rate_mbs * 10);
  if (st.index_scans.has_value()) {
    r.index_scans = static_cast<uint8_t>(std::clamp<int64_t>(*st.index_scans, 0, 254));
  }
  r.mode = static_cast<uint8_t>(st.mode);
  if (st.new_relfrozenxid.has_value() || st.relfrozenxid_advance.value_or(0) > 0) {
    r.flags |= RunRecord::kRunFroze;
  }
  PushRun(r);
  ++runs_since_snapshot;
  NoteCutoff(st.removable_cutoff.has_value() ? *st.removable_cutoff : st.oldest_xmin.value_or(-1),
             st.tuples_not_yet_removable.value_or(0) > 0, 1, t_us);
  last_log_us = std::max(last_log_us, t_us);
  if (st.tuples_removed.value_or(0) > 0) removed_total += *st.tuples_removed;

  if (st.tuples_not_yet_removable.has_value()) {
    // What the run left is the table's dead count now (pgstat reports the same).
    n_dead = *st.tuples_not_yet_removable + st.tuples_missed_dead.value_or(0);
    if (vacuum_trigger >= 0) {
      if (static_cast<double>(n_dead) > vacuum_trigger) {
        if (over_since_us == kNever) {
          over_since_us = t_us;
          dead_at_over = n_dead;
          avc_at_over = std::max<int64_t>(0, autovacuum_count);
        }
      } else {
        over_since_us = kNever;
      }
    }
  }
  double post_ratio = dead_ratio();
  if (st.tuples_remain.has_value() && *st.tuples_remain > 0 &&
      st.tuples_not_yet_removable.has_value()) {
    post_ratio =
        static_cast<double>(*st.tuples_not_yet_removable) / static_cast<double>(*st.tuples_remain);
  }
  CloseCycle(t_us, post_ratio);
  if (r.aggressive()) {
    if (freeze_series_start_us == kNever) {
      freeze_series_start_us = t_us;
      freeze_age_at_start = frozenxid_age;
    }
    ++freeze_runs;
  }
  if (progress.pid == e.pid) progress = ProgressState{};
  Touch(e.time);
  return ApplyResult::kApplied;
}

ApplyResult TableState::ApplyConflict(const ingest::LogEvent& e, ConflictKind kind) {
  const int64_t t_us = Micros(e.time);
  if (CheckLogTime(t_us) != ApplyResult::kApplied) return ApplyResult::kOutOfOrder;
  if (SeenEvent(LogEventHash(e))) return ApplyResult::kDuplicate;
  conflicts_[conflict_head_] = ConflictRecord::Make(t_us, kind);
  conflict_head_ = static_cast<uint8_t>((conflict_head_ + 1) % kConflictRing);
  if (conflict_count_ < kConflictRing) ++conflict_count_;
  last_log_us = std::max(last_log_us, t_us);
  if (progress.pid == e.pid && kind == ConflictKind::kVacuumCancelled) progress = ProgressState{};
  Touch(e.time);
  return ApplyResult::kApplied;
}

ApplyResult TableState::ApplyAnalyze(const ingest::LogEvent& e) {
  const int64_t t_us = Micros(e.time);
  if (CheckLogTime(t_us) != ApplyResult::kApplied) return ApplyResult::kOutOfOrder;
  if (SeenEvent(LogEventHash(e))) return ApplyResult::kDuplicate;
  last_log_us = std::max(last_log_us, t_us);
  last_autoanalyze_us = std::max(last_autoanalyze_us, t_us);
  Touch(e.time);
  return ApplyResult::kApplied;
}

ApplyResult TableState::ApplyWraparoundWarning(const ingest::LogEvent& e) {
  const int64_t t_us = Micros(e.time);
  if (CheckLogTime(t_us) != ApplyResult::kApplied) return ApplyResult::kOutOfOrder;
  if (SeenEvent(LogEventHash(e))) return ApplyResult::kDuplicate;
  last_log_us = std::max(last_log_us, t_us);
  last_warning_us = std::max(last_warning_us, t_us);
  last_warning_kind = static_cast<uint8_t>(e.wraparound.kind);
  Touch(e.time);
  return ApplyResult::kApplied;
}

bool AlertBlock::Idle() const {
  for (const AlertState& a : states) {
    if (a.phase() != AlertPhase::kInactive) return false;
  }
  for (const auto& h : holders) {
    if (h.has_value()) return false;
  }
  return true;
}

const AlertState& TableState::alert(AlertKind k) const {
  static const AlertState kInactive;
  const AlertBlock* b = alerts_.get();
  return b != nullptr ? b->states[static_cast<int>(k)] : kInactive;
}

AlertState& TableState::mutable_alert(AlertKind k) {
  return alerts_.mutable_get()->states[static_cast<int>(k)];
}

const HolderRecord* TableState::holder(AlertKind k) const {
  const AlertBlock* b = alerts_.get();
  if (b == nullptr || !b->holders[static_cast<int>(k)].has_value()) return nullptr;
  return &*b->holders[static_cast<int>(k)];
}

HolderRecord* TableState::mutable_holder(AlertKind k) {
  if (!has_alerts()) return nullptr;
  std::optional<HolderRecord>& h = alerts_.mutable_get()->holders[static_cast<int>(k)];
  return h.has_value() ? &*h : nullptr;
}

void TableState::set_holder(AlertKind k, std::optional<HolderRecord> h) {
  if (!h.has_value() && alerts_.get() == nullptr) return;
  alerts_.mutable_get()->holders[static_cast<int>(k)] = std::move(h);
}

void TableState::ReleaseIdleAlerts() {
  if (alerts_.get() != nullptr && alerts_.get()->Idle()) alerts_.reset();
}

}  // namespace vacwatch::pipeline
