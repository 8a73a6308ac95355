#include "pipeline/table_state.h"

// Encoding of a TableState, version 1 (read only). Integers are zigzag varints ("v") unless noted;
// "f" is an IEEE-754 double, 8 bytes little-endian; "b" one byte; "s" a varint length then bytes.
// Times are Unix microseconds, kNever = INT64_MIN. Fields appear in exactly this order:
//
//   value      := version:b(=1) identity current thresholds over counters anchors freeze
//                 progress runs conflicts cycles dedup warning alerts holders
//   identity   := relid:v first_seen:v last_seen:v last_snapshot:v last_log:v
//   current    := n_live:v n_dead:v snap_dead:v size_bytes:v frozenxid_age:v reltuples:f
//                 writes:v inserts:v
//                 autovacuum_count:v vacuum_count:v last_autovacuum:v last_vacuum:v
//                 last_autoanalyze:v
//   thresholds := vacuum_trigger:f insert_trigger:f analyze_trigger:f scale_factor:f
//                 base_threshold:v freeze_max_age:v cost_delay_ms:f cost_limit:v av_flags:b
//                 (the float fields are kept as 32-bit floats in memory, widened here)
//   over       := over_since:v dead_at_over:v avc_at_over:v
//   counters   := dead_added:v xid_clock:v removed_total:v
//   anchors    := anchor anchor                       (old, new)
//   anchor     := t:v writes:v dead_added:v xid_clock:v removed:v size_bytes:v live:v
//                 dead_ratio:f
//   freeze     := series_start:v age_at_start:v freeze_runs:v
//   progress   := pid:v start:v heap_blks_total:v heap_blks_scanned:v index_passes:v
//   runs       := count:b run*count                   (oldest first, count <= 8)
//   run        := end:v removed:v not_yet_removable:v duration_ms:v pages:v cutoff_age:v
//                 read_rate_dmbs:v write_rate_dmbs:v index_scans:b mode:b flags:b
//   conflicts  := count:b (t:v kind:b)*count          (oldest first, count <= 8; t has its
//                                                      two low bits cleared)
//   cycles     := count:b (end:v peak_ratio:f post_ratio:f peak_dead:v)*count
//                 open_peak_ratio:f open_peak_dead:v runs_since_snapshot:v
//   dedup      := head:b hash:u64 fixed little-endian * 4
//   warning    := last_warning:v kind:b
//   alerts     := count:b (phase:b since:v clear_since:v last:v cause:b severity:b)*count
//                                                     (all inactive when the table has none)
//   holders    := mask:b holder*popcount(mask)        (bit i: alert i names a holder)
//   holder     := kind:b pid:v age_xids:v since:v cluster_wide:b vacuuming_relid:v
//                 database:s application_name:s state:s backend_type:s slot_name:s gid:s
//
// Version 2, written since version 1 stays readable: the same fields in the same order, more
// compactly (a state is rewritten at every snapshot of its table, so its size is the store's
// write volume; a typical state went from about 500 bytes to about 250):
//
//   value      := version:b(=2) groups:b identity current thresholds [over] counters anchors
//                 [freeze] [progress] runs conflicts cycles [dedup] [warning] [alerts holders]
//   groups     := bit 0 over, 1 freeze, 2 progress, 3 dedup, 4 warning, 5 alerts (with
//                 holders): the part is present. An absent part holds only its defaults
//                 (kNever times, zero counts, -1 unknowns, no alert and no holder).
//   identity   := relid:v last_seen:v first_seen:t last_snapshot:t last_log:t
//   t          := a time relative to last_seen (kNever counts as 0): varint 0 = kNever;
//                 1 = the time follows as a fixed 8-byte little-endian value; n >= 2 = last_seen
//                 + unzigzag(n - 2), in wrapping 64-bit arithmetic
//   g          := an IEEE-754 float, 4 bytes little-endian (the fields kept as floats)
//   current    := as version 1, with the three times as t
//   thresholds := vacuum_trigger:f insert_trigger:g analyze_trigger:g scale_factor:g
//                 base_threshold:v freeze_max_age:v cost_delay_ms:g cost_limit:v av_flags:b
//   over       := over_since:t dead_at_over:v avc_at_over:v
//   anchor     := t:t writes:v dead_added:v xid_clock:v removed:v size_bytes:v live:v
//                 dead_ratio:f
//   freeze     := series_start:t age_at_start:v freeze_runs:v
//   progress   := pid:v start:t heap_blks_total:v heap_blks_scanned:v index_passes:v
//   runs       := count:b run*count; run as version 1 with end:t
//   conflicts  := count:b (t:t kind:b)*count
//   cycles     := count:b (end:t peak_ratio:g post_ratio:g peak_dead:v)*count
//                 open_peak_ratio:g open_peak_dead:v runs_since_snapshot:v
//   dedup      := head:b mask:b hash:u64*popcount(mask)   (bit i: slot i is not 0)
//   warning    := last_warning:t kind:b
//   alerts     := (phase:b since:t clear_since:t last:t cause:b severity:b)*5
//   holders    := mask:b holder*popcount(mask); holder as version 1 with since:t
//
// Version 3, written since: version 2 plus the horizon its runs met, a sixth alert
// (XminHorizonHeld) and two holder fields:
//
//   value      := version:b(=3) groups:b ... as version 2 ... [warning] [horizon]
//                 [alerts holders]
//   groups     := version 2's bits, and bit 6 horizon
//   horizon    := cutoff_xid:v cutoff_runs:v cutoff_since:t snapshot_horizon:v
//                 autovacuum_interval_s:v
//   alerts     := count:b (phase:b since:t clear_since:t last:t cause:b severity:b)*count
//                 (count = 6 when written; a reader takes up to kNumAlertKinds)
//   holder     := as version 2, then horizon_xid:v paying_tables:s
//
// Version 4, written since: version 3 plus the bloat pgstattuple_approx measured
// (`vacwatch collect --measure-bloat`):
//
//   value      := version:b(=4) groups:b ... as version 3 ... [horizon] [measured]
//                 [alerts holders]
//   groups     := version 3's bits, and bit 7 measured
//   measured   := at:t table_bytes:v dead_bytes:v free_bytes:v dead_tuples:v
//
// A reader meeting an unknown version returns DataLoss: it never guesses. A new field means
// a new version with its own grammar here and a golden test for each version that shipped.

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "pipeline/stored_value_reader.h"

namespace vacwatch::pipeline {
namespace {

// ---- encoding helpers ----

// Writes into a buffer the caller has sized with TableState's bound (no capacity checks per
// byte: encoding runs for every changed table at every checkpoint).
struct Writer {
  char* p;
};

void PutVarint(uint64_t v, Writer* out) {
  char* p = out->p;
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  out->p = p;
}
void PutV(int64_t v, Writer* out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}
void PutFixed64(uint64_t v, Writer* out) {
  for (int i = 0; i < 8; ++i) out->p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->p += 8;
}
void PutF(double d, Writer* out) { PutFixed64(std::bit_cast<uint64_t>(d), out); }
void PutB(uint8_t b, Writer* out) { *out->p++ = static_cast<char>(b); }
void PutS(std::string_view s, Writer* out) {
  PutVarint(s.size(), out);
  std::memcpy(out->p, s.data(), s.size());
  out->p += s.size();
}

// Upper bounds of the encoding's parts (grammar above; a varint takes at most 10 bytes).
constexpr size_t kMaxV = 10, kMaxF = 8;
constexpr size_t kFixedBound =
    1 + 5 * kMaxV + (12 * kMaxV + kMaxF) + (5 * kMaxF + 3 * kMaxV + 1) + 3 * kMaxV + 3 * kMaxV +
    2 * (7 * kMaxV + kMaxF) + 3 * kMaxV + 5 * kMaxV + 1 + 1 + (1 + kMaxF + 2 * kMaxV) + (1 + 32) +
    (kMaxV + 1) + (1 + kNumAlertKinds * (3 + 3 * kMaxV)) + 1 + 5 * kMaxV + 5 * kMaxV;  // measured
constexpr size_t kRunBound = 8 * kMaxV + 3, kConflictBound = kMaxV + 1,
                 kCycleBound = 2 * kMaxV + 2 * kMaxF;
constexpr size_t kHolderBound = 2 + 4 * kMaxV + 8 * kMaxV;  // plus the strings' bytes
// Every state without holders fits in a stack buffer of this size.
constexpr size_t kStackEncodeBytes =
    kFixedBound + kRunRing * kRunBound + kConflictRing * kConflictBound + kCycleRing * kCycleBound;

}  // namespace

// ---- encoding ----

namespace {

// Version 2's time fields ("t"), relative to the state's last_seen_us.
void PutT(int64_t t, int64_t ref, Writer* out) {
  if (t == kNever) {
    PutB(0, out);
    return;
  }
  const int64_t d = static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(ref));
  const uint64_t z = (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
  if (z >= UINT64_MAX - 1) {
    PutB(1, out);
    PutFixed64(static_cast<uint64_t>(t), out);
    return;
  }
  PutVarint(z + 2, out);
}

int64_t GetT(StoredValueReader* r, int64_t ref) {
  const uint64_t n = r->Varint();
  if (n == 0) return kNever;
  if (n == 1) return static_cast<int64_t>(r->Fixed64());
  const uint64_t z = n - 2;
  const int64_t d = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  return static_cast<int64_t>(static_cast<uint64_t>(ref) + static_cast<uint64_t>(d));
}

// Version 2's 32-bit floats ("g").
void PutG(float f, Writer* out) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  for (int i = 0; i < 4; ++i) out->p[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
  out->p += 4;
}

float GetG(StoredValueReader* r) {
  uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) bits |= static_cast<uint32_t>(r->B()) << (8 * i);
  return std::bit_cast<float>(bits);
}

// Decodes one grammar or the other: times and floats differ in width.
struct FieldReader {
  StoredValueReader* r;
  int version;
  int64_t ref;  // version 2's time base
  int64_t T() { return version == 1 ? r->V() : GetT(r, ref); }
  float G() { return version == 1 ? static_cast<float>(r->F()) : GetG(r); }
};

void PutAnchor(const RateAnchor& a, int64_t ref, Writer* out) {
  PutT(a.t_us, ref, out);
  PutV(a.writes, out);
  PutV(a.dead_added, out);
  PutV(a.xid_clock, out);
  PutV(a.removed, out);
  PutV(a.size_bytes, out);
  PutV(a.live, out);
  PutF(a.dead_ratio, out);
}

void GetAnchor(FieldReader* f, RateAnchor* a) {
  a->t_us = f->T();
  a->writes = f->r->V();
  a->dead_added = f->r->V();
  a->xid_clock = f->r->V();
  a->removed = f->r->V();
  a->size_bytes = f->r->V();
  a->live = f->r->V();
  a->dead_ratio = f->r->F();
}

// Version 2's optional parts (the `groups` byte).
constexpr uint8_t kHasOver = 1, kHasFreeze = 2, kHasProgress = 4, kHasDedup = 8, kHasWarning = 16,
                  kHasAlerts = 32, kHasHorizon = 64, kHasMeasured = 128;
// The alert kinds a version 1 or 2 state holds (XminHorizonHeld came with version 3).
constexpr int kVersion2AlertKinds = 5;

}  // namespace

void TableState::Encode(std::string* result) const {
  size_t bound = kStackEncodeBytes;
  for (int i = 0; i < kNumAlertKinds; ++i) {
    if (const HolderRecord* h = holder(static_cast<AlertKind>(i))) {
      bound += kHolderBound + h->database.size() + h->application_name.size() + h->state.size() +
               h->backend_type.size() + h->slot_name.size() + h->gid.size() +
               h->paying_tables.size();
    }
  }
  char stack[kStackEncodeBytes];
  std::unique_ptr<char[]> heap;
  char* const begin = bound <= sizeof stack ? stack : (heap.reset(new char[bound]), heap.get());
  Writer writer{begin};
  Writer* const out = &writer;
  const int64_t ref = last_seen_us == kNever ? 0 : last_seen_us;

  bool alerts_set = false;
  for (int k = 0; k < kNumAlertKinds; ++k) {
    const AlertKind kind = static_cast<AlertKind>(k);
    if (!(alert(kind) == AlertState()) || holder(kind) != nullptr) alerts_set = true;
  }
  bool dedup_set = dedup_head_ != 0;
  for (uint64_t h : dedup_) dedup_set = dedup_set || h != 0;
  uint8_t groups = 0;
  if (over_since_us != kNever || dead_at_over != 0 || avc_at_over != 0) groups |= kHasOver;
  if (freeze_series_start_us != kNever || freeze_age_at_start != -1 || freeze_runs != 0) {
    groups |= kHasFreeze;
  }
  if (!(progress == ProgressState{})) groups |= kHasProgress;
  if (dedup_set) groups |= kHasDedup;
  if (last_warning_us != kNever || last_warning_kind != 0) groups |= kHasWarning;
  if (alerts_set) groups |= kHasAlerts;
  if (cutoff_xid != -1 || cutoff_runs != 0 || cutoff_since_us != kNever || snapshot_horizon != -1 ||
      autovacuum_interval_s != -1) {
    groups |= kHasHorizon;
  }
  const MeasuredBloatState* measured = measured_bloat();
  if (measured != nullptr && !(*measured == MeasuredBloatState{})) groups |= kHasMeasured;

  PutB(kTableStateVersion, out);
  PutB(groups, out);
  PutV(relid, out);
  PutV(last_seen_us, out);
  PutT(first_seen_us, ref, out);
  PutT(last_snapshot_us, ref, out);
  PutT(last_log_us, ref, out);

  PutV(n_live, out);
  PutV(n_dead, out);
  PutV(snap_dead, out);
  PutV(size_bytes, out);
  PutV(frozenxid_age, out);
  PutF(reltuples, out);
  PutV(writes, out);
  PutV(inserts, out);
  PutV(autovacuum_count, out);
  PutV(vacuum_count, out);
  PutT(last_autovacuum_us, ref, out);
  PutT(last_vacuum_us, ref, out);
  PutT(last_autoanalyze_us, ref, out);

  PutF(vacuum_trigger, out);
  PutG(insert_trigger, out);
  PutG(analyze_trigger, out);
  PutG(scale_factor, out);
  PutV(base_threshold, out);
  PutV(freeze_max_age, out);
  PutG(cost_delay_ms, out);
  PutV(cost_limit, out);
  PutB(av_flags, out);

  if (groups & kHasOver) {
    PutT(over_since_us, ref, out);
    PutV(dead_at_over, out);
    PutV(avc_at_over, out);
  }

  PutV(dead_added, out);
  PutV(xid_clock, out);
  PutV(removed_total, out);
  PutAnchor(anchor_old, ref, out);
  PutAnchor(anchor_new, ref, out);

  if (groups & kHasFreeze) {
    PutT(freeze_series_start_us, ref, out);
    PutV(freeze_age_at_start, out);
    PutV(freeze_runs, out);
  }

  if (groups & kHasProgress) {
    PutV(progress.pid, out);
    PutT(progress.start_us, ref, out);
    PutV(progress.heap_blks_total, out);
    PutV(progress.heap_blks_scanned, out);
    PutV(progress.index_passes, out);
  }

  PutB(run_count_, out);
  for (int i = run_count_ - 1; i >= 0; --i) {
    const RunRecord& r = run(i);
    PutT(r.end_us, ref, out);
    PutV(r.removed(), out);
    PutV(r.not_yet_removable(), out);
    PutV(r.duration_ms, out);
    PutV(r.pages, out);
    PutV(r.cutoff_age, out);
    PutV(r.read_rate_dmbs, out);
    PutV(r.write_rate_dmbs, out);
    PutB(r.index_scans, out);
    PutB(r.mode, out);
    PutB(r.flags, out);
  }
  PutB(conflict_count_, out);
  for (int i = conflict_count_ - 1; i >= 0; --i) {
    PutT(conflict(i).t_us(), ref, out);
    PutB(static_cast<uint8_t>(conflict(i).kind()), out);
  }
  PutB(cycle_count_, out);
  for (int i = cycle_count_ - 1; i >= 0; --i) {
    const CycleRecord& c = cycle(i);
    PutT(c.end_us, ref, out);
    PutG(c.peak_ratio, out);
    PutG(c.post_ratio, out);
    PutV(c.peak_dead, out);
  }
  PutG(cycle_peak_ratio, out);
  PutV(cycle_peak_dead, out);
  PutV(runs_since_snapshot, out);

  if (groups & kHasDedup) {
    PutB(dedup_head_, out);
    uint8_t mask = 0;
    for (int i = 0; i < kDedupRing; ++i) {
      if (dedup_[i] != 0) mask |= static_cast<uint8_t>(1u << i);
    }
    PutB(mask, out);
    for (uint64_t h : dedup_) {
      if (h != 0) PutFixed64(h, out);
    }
  }
  if (groups & kHasWarning) {
    PutT(last_warning_us, ref, out);
    PutB(last_warning_kind, out);
  }
  if (groups & kHasHorizon) {
    PutV(cutoff_xid, out);
    PutV(cutoff_runs, out);
    PutT(cutoff_since_us, ref, out);
    PutV(snapshot_horizon, out);
    PutV(autovacuum_interval_s, out);
  }
  if (groups & kHasMeasured) {
    PutT(measured->at_us, ref, out);
    PutV(measured->table_bytes, out);
    PutV(measured->dead_bytes, out);
    PutV(measured->free_bytes, out);
    PutV(measured->dead_tuples, out);
  }

  if (groups & kHasAlerts) {
    PutB(kNumAlertKinds, out);
    for (int k = 0; k < kNumAlertKinds; ++k) {
      const AlertState& a = alert(static_cast<AlertKind>(k));
      PutB(static_cast<uint8_t>(a.phase()), out);
      PutT(a.since_us(), ref, out);
      PutT(a.clear_since_us(), ref, out);
      PutT(a.last_us(), ref, out);
      PutB(a.cause, out);
      PutB(a.severity, out);
    }
    uint8_t mask = 0;
    for (int i = 0; i < kNumAlertKinds; ++i) {
      if (holder(static_cast<AlertKind>(i)) != nullptr) mask |= static_cast<uint8_t>(1u << i);
    }
    PutB(mask, out);
    for (int i = 0; i < kNumAlertKinds; ++i) {
      const HolderRecord* h = holder(static_cast<AlertKind>(i));
      if (h == nullptr) continue;
      PutB(static_cast<uint8_t>(h->kind), out);
      PutV(h->pid, out);
      PutV(h->age_xids, out);
      PutT(h->since_us, ref, out);
      PutB(h->cluster_wide ? 1 : 0, out);
      PutV(h->vacuuming_relid, out);
      PutS(h->database, out);
      PutS(h->application_name, out);
      PutS(h->state, out);
      PutS(h->backend_type, out);
      PutS(h->slot_name, out);
      PutS(h->gid, out);
      PutV(h->horizon_xid, out);
      PutS(h->paying_tables, out);
    }
  }
  result->append(begin, static_cast<size_t>(writer.p - begin));
}

absl::Status TableState::DecodeHeader(std::string_view bytes, int64_t* relid,
                                      int64_t* last_seen_us) {
  StoredValueReader r(bytes);
  uint8_t version = r.B();
  if (!r.ok()) return absl::DataLossError("table state: empty value");
  if (version < 1 || version > kTableStateVersion) {
    return absl::DataLossError(
        absl::StrCat("table state: unknown encoding version ", static_cast<int>(version)));
  }
  if (version >= 2) r.B();  // groups
  *relid = r.V();
  if (version == 1) r.V();  // first_seen
  *last_seen_us = r.V();
  if (!r.ok()) return absl::DataLossError("table state: truncated header");
  return absl::OkStatus();
}

absl::Status TableState::Decode(std::string_view bytes, TableState* out) {
  StoredValueReader r(bytes);
  const uint8_t version = r.B();
  if (!r.ok()) return absl::DataLossError("table state: empty value");
  if (version < 1 || version > kTableStateVersion) {
    return absl::DataLossError(
        absl::StrCat("table state: unknown encoding version ", static_cast<int>(version)));
  }
  // Version 1 has every part of its time (no horizon); versions 2 and 3 say which they have.
  const uint8_t groups = version == 1 ? (0xFF & ~kHasHorizon & ~kHasMeasured) : r.B();
  // Version 2 has six groups, version 3 seven, version 4 all eight.
  if ((version == 2 && (groups >> 6) != 0) || (version == 3 && (groups >> 7) != 0)) {
    return absl::DataLossError("table state: bad groups");
  }
  FieldReader f{&r, version, 0};
  // Decoded in place (a state is about a kilobyte, and the pipeline decodes one per snapshot
  // row): on an error *out holds a partly decoded state, which callers discard.
  TableState& s = *out;
  // Reset in place: `s = TableState()` built a kilobyte temporary on the stack and copied it
  // over, most of the decode's time.
  std::destroy_at(&s);
  std::construct_at(&s);
  s.relid = r.V();
  if (version == 1) {
    s.first_seen_us = r.V();
    s.last_seen_us = r.V();
  } else {
    s.last_seen_us = r.V();
    f.ref = s.last_seen_us == kNever ? 0 : s.last_seen_us;
    s.first_seen_us = f.T();
  }
  s.last_snapshot_us = f.T();
  s.last_log_us = f.T();

  s.n_live = r.V();
  s.n_dead = r.V();
  s.snap_dead = r.V();
  s.size_bytes = r.V();
  s.frozenxid_age = r.V();
  s.reltuples = r.F();
  s.writes = r.V();
  s.inserts = r.V();
  s.autovacuum_count = r.V();
  s.vacuum_count = r.V();
  s.last_autovacuum_us = f.T();
  s.last_vacuum_us = f.T();
  s.last_autoanalyze_us = f.T();

  s.vacuum_trigger = r.F();
  s.insert_trigger = f.G();
  s.analyze_trigger = f.G();
  s.scale_factor = f.G();
  s.base_threshold = r.V();
  s.freeze_max_age = r.V();
  s.cost_delay_ms = f.G();
  s.cost_limit = r.Narrow<int32_t>(r.V());
  s.av_flags = r.B();

  if (groups & kHasOver) {
    s.over_since_us = f.T();
    s.dead_at_over = r.V();
    s.avc_at_over = r.V();
  }

  s.dead_added = r.V();
  s.xid_clock = r.V();
  s.removed_total = r.V();
  GetAnchor(&f, &s.anchor_old);
  GetAnchor(&f, &s.anchor_new);

  if (groups & kHasFreeze) {
    s.freeze_series_start_us = f.T();
    s.freeze_age_at_start = r.V();
    s.freeze_runs = r.Narrow<int32_t>(r.V());
  }

  if (groups & kHasProgress) {
    s.progress.pid = r.Narrow<int32_t>(r.V());
    s.progress.start_us = f.T();
    s.progress.heap_blks_total = r.Narrow<int32_t>(r.V());
    s.progress.heap_blks_scanned = r.Narrow<int32_t>(r.V());
    s.progress.index_passes = r.Narrow<int32_t>(r.V());
  }

  const uint8_t runs = r.B();
  if (runs > kRunRing) return absl::DataLossError("table state: too many runs");
  for (int i = 0; i < runs && r.ok(); ++i) {
    RunRecord run;
    run.end_us = f.T();
    run.removed32 = RunRecord::Pack(r.V());
    run.not_yet_removable32 = RunRecord::Pack(r.V());
    run.duration_ms = r.Narrow<uint32_t>(r.V());
    run.pages = r.Narrow<uint32_t>(r.V());
    run.cutoff_age = r.Narrow<uint32_t>(r.V());
    run.read_rate_dmbs = r.Narrow<uint16_t>(r.V());
    run.write_rate_dmbs = r.Narrow<uint16_t>(r.V());
    run.index_scans = r.B();
    run.mode = r.B();
    run.flags = r.B();
    if (run.mode > static_cast<uint8_t>(ingest::VacuumMode::kAggressiveWraparound)) {
      return absl::DataLossError("table state: unknown vacuum mode");
    }
    s.PushRun(run);
  }
  const uint8_t conflicts = r.B();
  if (conflicts > kConflictRing) return absl::DataLossError("table state: too many conflicts");
  for (int i = 0; i < conflicts && r.ok(); ++i) {
    const int64_t t = f.T();
    uint8_t kind = r.B();
    if (kind > static_cast<uint8_t>(ConflictKind::kAnalyzeCancelled)) {
      return absl::DataLossError("table state: unknown conflict kind");
    }
    const ConflictRecord c = ConflictRecord::Make(t, static_cast<ConflictKind>(kind));
    s.conflicts_[s.conflict_head_] = c;
    s.conflict_head_ = static_cast<uint8_t>((s.conflict_head_ + 1) % kConflictRing);
    ++s.conflict_count_;
  }
  const uint8_t cycles = r.B();
  if (cycles > kCycleRing) return absl::DataLossError("table state: too many cycles");
  for (int i = 0; i < cycles && r.ok(); ++i) {
    CycleRecord c;
    c.end_us = f.T();
    c.peak_ratio = f.G();
    c.post_ratio = f.G();
    c.peak_dead = r.V();
    s.cycles_[s.cycle_head_] = c;
    s.cycle_head_ = static_cast<uint8_t>((s.cycle_head_ + 1) % kCycleRing);
    ++s.cycle_count_;
  }
  s.cycle_peak_ratio = f.G();
  s.cycle_peak_dead = r.V();
  s.runs_since_snapshot = r.Narrow<int32_t>(r.V());

  if (groups & kHasDedup) {
    s.dedup_head_ = r.B();
    if (s.dedup_head_ >= kDedupRing) return absl::DataLossError("table state: bad dedup head");
    const uint8_t mask = version == 1 ? 0xF : r.B();
    if (mask >> kDedupRing) return absl::DataLossError("table state: bad dedup mask");
    for (int i = 0; i < kDedupRing; ++i) {
      if (mask & (1u << i)) s.dedup_[i] = r.Fixed64();
    }
  }
  if (groups & kHasWarning) {
    s.last_warning_us = f.T();
    s.last_warning_kind = r.B();
  }
  if (groups & kHasHorizon) {
    s.cutoff_xid = r.V();
    s.cutoff_runs = r.Narrow<int32_t>(r.V());
    s.cutoff_since_us = f.T();
    s.snapshot_horizon = r.V();
    s.autovacuum_interval_s = r.Narrow<int32_t>(r.V());
  }
  if (groups & kHasMeasured) {
    MeasuredBloatState* m = s.mutable_measured_bloat();
    m->at_us = f.T();
    m->table_bytes = r.V();
    m->dead_bytes = r.V();
    m->free_bytes = r.V();
    m->dead_tuples = r.V();
  }

  if (groups & kHasAlerts) {
    int alert_kinds = kVersion2AlertKinds;
    if (version != 2) {
      alert_kinds = r.B();
      if (version == 1 ? alert_kinds != kVersion2AlertKinds : alert_kinds > kNumAlertKinds) {
        return absl::DataLossError("table state: wrong alert count");
      }
    }
    for (int k = 0; k < alert_kinds; ++k) {
      AlertState a;
      uint8_t phase = r.B();
      int64_t since = f.T();
      int64_t clear = f.T();
      int64_t last = f.T();
      if (!a.Restore(phase, since, clear, last)) {
        return absl::DataLossError("table state: unknown alert phase");
      }
      a.cause = r.B();
      a.severity = r.B();
      if (!(a == AlertState())) s.mutable_alert(static_cast<AlertKind>(k)) = a;
    }
    const uint8_t mask = r.B();
    if (mask >> alert_kinds) return absl::DataLossError("table state: bad holder mask");
    for (int i = 0; i < alert_kinds && r.ok(); ++i) {
      if ((mask & (1u << i)) == 0) continue;
      HolderRecord h;
      uint8_t kind = r.B();
      if (kind >
          (version < 3 ? static_cast<uint8_t>(HolderKind::kAutovacuumWorker) : kMaxHolderKind)) {
        return absl::DataLossError("table state: unknown holder kind");
      }
      h.kind = static_cast<HolderKind>(kind);
      h.pid = r.Narrow<int32_t>(r.V());
      h.age_xids = r.V();
      h.since_us = f.T();
      h.cluster_wide = r.B() != 0;
      h.vacuuming_relid = r.V();
      h.database = r.S();
      h.application_name = r.S();
      h.state = r.S();
      h.backend_type = r.S();
      h.slot_name = r.S();
      h.gid = r.S();
      if (version >= 3) {
        h.horizon_xid = r.V();
        h.paying_tables = r.S();
      }
      s.set_holder(static_cast<AlertKind>(i), std::move(h));
    }
  }
  if (!r.ok()) return absl::DataLossError("table state: truncated or malformed value");
  if (!r.done()) return absl::DataLossError("table state: trailing bytes");
  return absl::OkStatus();
}

}  // namespace vacwatch::pipeline
