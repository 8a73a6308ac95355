#include "report/recording.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/fnv1a.h"
#include "pipeline/thresholds.h"
#include "report/markup.h"

namespace vacwatch::report {
namespace {

int64_t Millis(absl::Time t) { return absl::ToUnixMillis(t); }

// The index key of a table: the cluster's number, then each part and a NUL (names hold no NUL).
void MakeKey(int32_t cluster, std::initializer_list<std::string_view> parts, std::string* key) {
  key->clear();
  key->append(reinterpret_cast<const char*>(&cluster), sizeof cluster);
  for (std::string_view part : parts) {
    key->append(part);
    key->push_back('\0');
  }
}

// Halves a series in place: each pair becomes the sample with more dead tuples (peaks stay
// visible), an odd last sample stays as it is.
template <typename T, typename Less>
int64_t Halve(std::vector<T>* v, Less less) {
  const size_t n = v->size();
  size_t out = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    (*v)[out++] = less((*v)[i], (*v)[i + 1]) ? (*v)[i + 1] : (*v)[i];
  if (n % 2 == 1) (*v)[out++] = (*v)[n - 1];
  v->resize(out);
  return static_cast<int64_t>(n - out);
}

bool LessDead(const Sample& a, const Sample& b) { return a.dead < b.dead; }
bool LessAge(const HorizonPoint& a, const HorizonPoint& b) { return a.age_xids < b.age_xids; }

std::string RootName(const pipeline::HolderRecord& h) {
  std::string name(Av(pipeline::HolderKindName(h.kind)));
  switch (h.kind) {
    case pipeline::HolderKind::kReplicationSlot:
      absl::StrAppend(&name, ":", h.slot_name);
      break;
    case pipeline::HolderKind::kPreparedXact:
      absl::StrAppend(&name, ":", h.gid);
      break;
    case pipeline::HolderKind::kUnknown:
      if (h.horizon_xid >= 0) absl::StrAppend(&name, ":xid ", h.horizon_xid);
      break;
    default:
      absl::StrAppend(&name, ":", h.pid);
      if (!h.application_name.empty()) absl::StrAppend(&name, " (", h.application_name, ")");
      break;
  }
  return name;
}

}  // namespace

std::string_view RunKindName(RunKind kind) {
  switch (kind) {
    case RunKind::kVacuum:
      return "vacuum";
    case RunKind::kAggressive:
      return "aggressive";
    case RunKind::kWraparound:
      return "wraparound";
    case RunKind::kSkipped:
      return "skipped";
    case RunKind::kCancelled:
      return "cancelled";
  }
  return "vacuum";
}

std::string TableRecord::QualifiedName() const {
  return absl::StrCat(database, ".", schema, ".", table);
}

double TableRecord::dead_ratio() const {
  const int64_t all = dead + live;
  return all > 0 ? static_cast<double>(dead) / static_cast<double>(all) : 0;
}

Recorder::Recorder(RecorderOptions options) : options_(options), cap_(options.max_points) {}

int32_t Recorder::Cluster(std::string_view name) {
  auto [it, inserted] =
      cluster_index_.try_emplace(std::string(name), static_cast<int32_t>(rec_.clusters.size()));
  if (inserted) rec_.clusters.emplace_back().name = std::string(name);
  return it->second;
}

int32_t Recorder::Table(int32_t cluster, std::string_view database, std::string_view schema,
                        std::string_view table, bool create) {
  // Keyed by a 64-bit hash of the name (a fleet's million names as strings would cost more
  // than their series), checked against the record; the rare colliding name by its text.
  Fnv1a h;
  h.AddInt(cluster);
  h.AddPart(database);
  h.AddPart(schema);
  h.AddPart(table);
  auto it = table_index_.find(h.value());
  const bool collided = it != table_index_.end();
  if (collided) {
    const TableRecord& t = rec_.tables[it->second];
    if (t.cluster == cluster && t.database == database && t.schema == schema && t.table == table) {
      return it->second;
    }
    MakeKey(cluster, {database, schema, table}, &key_);
    if (auto c = collided_.find(key_); c != collided_.end()) return c->second;
  }
  if (!create) return -1;
  const auto index = static_cast<int32_t>(rec_.tables.size());
  if (collided) {
    collided_.emplace(key_, index);
  } else {
    table_index_.emplace(h.value(), index);
  }
  TableRecord& t = rec_.tables.emplace_back();
  t.cluster = cluster;
  t.database = std::string(database);
  t.schema = std::string(schema);
  t.table = std::string(table);
  previous_.emplace_back();
  if (unqualified_built_) IndexUnqualified(index);
  return index;
}

void Recorder::IndexUnqualified(int32_t index) {
  const TableRecord& t = rec_.tables[index];
  // Skip lines name the relation without its schema: the first schema seen with that name.
  MakeKey(t.cluster, {t.database, t.table}, &key_);
  unqualified_index_.try_emplace(key_, index);
  // Workers' skip lines often lack the database too (%q ends their prefix): the name within
  // the cluster, when only one table has it (-1 once a second one does).
  MakeKey(t.cluster, {std::string_view(), t.table}, &key_);
  auto [it, inserted] = unqualified_index_.try_emplace(key_, index);
  if (!inserted) it->second = -1;
}

void Recorder::AddSample(TableRecord* t, const Sample& s) {
  t->samples.push_back(s);
  if (t->alerted()) {
    if (static_cast<int64_t>(t->samples.size()) > options_.alerted_points) {
      rec_.samples_thinned += Halve(&t->samples, LessDead);
    }
    return;
  }
  ++unalerted_samples_;
  if (static_cast<int64_t>(t->samples.size()) > cap_) {
    const int64_t gone = Halve(&t->samples, LessDead);
    unalerted_samples_ -= gone;
    rec_.samples_thinned += gone;
  }
  if (unalerted_samples_ > options_.sample_budget && cap_ > options_.min_points) ThinAll();
}

void Recorder::ThinAll() {
  cap_ = std::max(options_.min_points, cap_ / 2);
  for (TableRecord& t : rec_.tables) {
    if (t.alerted()) continue;
    while (static_cast<int64_t>(t.samples.size()) > cap_) {
      const int64_t gone = Halve(&t.samples, LessDead);
      unalerted_samples_ -= gone;
      rec_.samples_thinned += gone;
    }
  }
}

void Recorder::OnSnapshot(const ingest::Snapshot& snapshot) {
  ++rec_.snapshots;
  rec_.first = std::min(rec_.first, snapshot.collected_at);
  rec_.last = std::max(rec_.last, snapshot.collected_at);
  const int32_t ci = Cluster(snapshot.cluster);
  const int64_t now_ms = Millis(snapshot.collected_at);
  // The server's parameters once per snapshot; a row's own only when it has reloptions.
  const pipeline::AutovacuumParams server =
      pipeline::ResolveParams(snapshot.settings, snapshot.server_version_num, {});
  {
    ClusterRecord& c = rec_.clusters[ci];
    const ingest::AutovacuumSettings& s = snapshot.settings;
    if (!s.log_timezone.empty()) c.log_timezone = std::string(s.log_timezone);
    if (snapshot.server_version_num) c.server_version_num = snapshot.server_version_num;
    if (s.autovacuum_naptime) c.naptime_s = *s.autovacuum_naptime;
    if (s.autovacuum_max_workers) c.max_workers = *s.autovacuum_max_workers;
    if (s.autovacuum_freeze_max_age) c.freeze_max_age = *s.autovacuum_freeze_max_age;
    if (s.log_autovacuum_min_duration) {
      c.log_min_duration_ms = *s.log_autovacuum_min_duration;
      c.log_min_duration_known = true;
    }
    c.cost_limit = server.cost_limit;
    c.cost_delay_ms = server.cost_delay_ms;

    pipeline::FindHorizon(snapshot, snapshot.database, &horizon_);
    HorizonSeries* series = nullptr;
    for (HorizonSeries& h : c.horizons) {
      if (h.database == snapshot.database) series = &h;
    }
    if (series == nullptr) {
      series = &c.horizons.emplace_back();
      series->database = std::string(snapshot.database);
    }
    HorizonPoint point;
    point.time_ms = now_ms;
    Root(&c, horizon_.Root(), &point);
    series->points.push_back(point);
    if (static_cast<int64_t>(series->points.size()) > options_.alerted_points) {
      Halve(&series->points, LessAge);
    }
  }

  for (const ingest::TableStats& row : snapshot.tables) {
    const int32_t ti = Table(ci, snapshot.database, row.schemaname, row.relname, true);
    TableRecord& t = rec_.tables[ti];
    if (snapshot.collected_at < t.last_seen) continue;  // out of order: the pipeline drops it too
    const pipeline::Thresholds th =
        row.reloptions.empty()
            ? pipeline::ComputeThresholds(server, snapshot.server_version_num, row)
            : pipeline::ComputeThresholds(snapshot.settings, snapshot.server_version_num, row);
    t.last_seen = snapshot.collected_at;
    t.dead = row.n_dead_tup.value_or(0);
    t.live = row.n_live_tup.value_or(0);
    t.size_bytes = row.relation_size_bytes.value_or(-1);
    t.freeze_age = row.relfrozenxid_age.value_or(-1);
    t.trigger = th.vacuum;
    t.reltuples = std::max(0.0, row.reltuples.value_or(0));
    if (row.last_autovacuum) t.last_autovacuum = row.last_autovacuum;
    t.params.vacuum_scale_factor = th.params.vacuum_scale_factor;
    t.params.vacuum_threshold = th.params.vacuum_threshold;
    t.params.insert_scale_factor = th.params.insert_scale_factor;
    t.params.insert_threshold = th.params.insert_threshold;
    t.params.cost_delay_ms = th.params.cost_delay_ms;
    t.params.cost_limit = th.params.cost_limit;
    t.params.freeze_max_age = th.params.freeze_max_age;
    t.params.has_insert_trigger = th.insert.has_value();
    ++t.rows;
    const double ratio = t.dead_ratio();
    if (ratio > t.peak_ratio) {
      t.peak_ratio = ratio;
      t.peak_ratio_at = snapshot.collected_at;
    }
    t.peak_dead = std::max(t.peak_dead, t.dead);

    Previous& prev = previous_[ti];
    const int64_t upd_del = row.n_tup_upd && row.n_tup_del ? *row.n_tup_upd + *row.n_tup_del : -1;
    const int64_t ins = row.n_tup_ins.value_or(-1);
    if (prev.time_ms != INT64_MIN && now_ms > prev.time_ms) {
      t.observed_s += static_cast<double>(now_ms - prev.time_ms) / 1000.0;
      if (upd_del >= 0 && prev.upd_del >= 0 && upd_del >= prev.upd_del) {
        t.updates_deletes += static_cast<double>(upd_del - prev.upd_del);
      }
      if (ins >= 0 && prev.ins >= 0 && ins >= prev.ins) {
        t.inserts += static_cast<double>(ins - prev.ins);
      }
    }
    prev.time_ms = now_ms;
    prev.upd_del = upd_del;
    prev.ins = ins;

    Sample s;
    s.time_ms = now_ms;
    s.dead = static_cast<float>(t.dead);
    s.live = static_cast<float>(t.live);
    s.trigger = static_cast<float>(t.trigger);
    s.size_bytes = static_cast<float>(t.size_bytes);
    s.freeze_age = static_cast<float>(t.freeze_age);
    AddSample(&t, s);
  }
}

void Recorder::Root(ClusterRecord* c, const pipeline::HolderRecord* root, HorizonPoint* point) {
  if (root == nullptr) return;
  point->age_xids = root->age_xids;
  std::string name = RootName(*root);
  // A cluster has few roots over a replay: a linear search over them costs less than a map.
  for (size_t i = 0; i < c->roots.size(); ++i) {
    if (c->roots[i] == name) {
      point->root = static_cast<int32_t>(i);
      return;
    }
  }
  point->root = static_cast<int32_t>(c->roots.size());
  c->roots.push_back(std::move(name));
}

void Recorder::OnLogEvent(const ingest::LogEvent& event) {
  RunKind kind;
  switch (event.type) {
    case ingest::LogEventType::kVacuum:
      switch (event.stats.mode) {
        case ingest::VacuumMode::kNormal:
          kind = RunKind::kVacuum;
          break;
        case ingest::VacuumMode::kAggressive:
          kind = RunKind::kAggressive;
          break;
        default:
          kind = RunKind::kWraparound;
          break;
      }
      break;
    case ingest::LogEventType::kVacuumSkipped:
      kind = RunKind::kSkipped;
      break;
    case ingest::LogEventType::kVacuumCancelled:
      kind = RunKind::kCancelled;
      break;
    default:
      return;  // analyze and server warnings draw nothing per table
  }
  ++rec_.log_events;
  rec_.first = std::min(rec_.first, event.time);
  rec_.last = std::max(rec_.last, event.time);
  const int32_t ci = Cluster(event.cluster);
  ClusterRecord& c = rec_.clusters[ci];
  if (!c.log_utc_offset_s && !event.time_text.empty()) c.log_utc_offset_s = event.utc_offset_s;
  int32_t ti = -1;
  if (!event.schema.empty()) {
    ti = Table(ci, event.database, event.schema, event.table, true);
  } else {
    if (!unqualified_built_) {
      // Built at the first line that needs it: most inputs have none, and at a fleet's size
      // the index would cost more memory than the tables' series.
      unqualified_built_ = true;
      for (size_t i = 0; i < rec_.tables.size(); ++i) IndexUnqualified(static_cast<int32_t>(i));
    }
    MakeKey(ci, {event.database, event.table}, &key_);
    if (auto it = unqualified_index_.find(key_); it != unqualified_index_.end()) ti = it->second;
  }
  if (ti < 0) return;  // a skip of a table no snapshot named: nothing to draw it against
  TableRecord& t = rec_.tables[ti];
  RunMark mark;
  mark.time_ms = Millis(event.time);
  mark.kind = kind;
  switch (kind) {
    case RunKind::kSkipped:
      ++t.skipped;
      break;
    case RunKind::kCancelled:
      ++t.cancelled;
      break;
    default: {
      ++t.runs;
      const ingest::VacuumStats& st = event.stats;
      if (st.tuples_removed) {
        mark.removed = static_cast<float>(*st.tuples_removed);
        t.removed += static_cast<double>(*st.tuples_removed);
      }
      if (st.tuples_not_yet_removable) {
        mark.not_removable = static_cast<float>(*st.tuples_not_yet_removable);
        t.not_removable += static_cast<double>(*st.tuples_not_yet_removable);
      }
      if (st.elapsed_s) {
        mark.elapsed_s = static_cast<float>(*st.elapsed_s);
        t.run_seconds += *st.elapsed_s;
        ++t.timed_runs;
      }
      // Effective: it removed something and at least as much as it had to leave behind.
      if (st.tuples_removed.value_or(0) > 0 &&
          *st.tuples_removed >= st.tuples_not_yet_removable.value_or(0)) {
        ++t.effective_runs;
      }
      break;
    }
  }
  t.run_marks.push_back(mark);
  if (static_cast<int64_t>(t.run_marks.size()) > options_.max_runs) {
    t.run_marks.erase(t.run_marks.begin(), t.run_marks.begin() + options_.max_runs / 2);
  }
}

void Recorder::OnTransition(const pipeline::AlertTransition& transition) {
  const pipeline::Alert& a = transition.alert;
  TransitionRecord& r = rec_.transitions.emplace_back();
  r.transition = transition;
  rec_.first = std::min(rec_.first, a.event_time);
  rec_.last = std::max(rec_.last, a.event_time);
  const int32_t ci = Cluster(a.cluster);
  r.table = a.table.empty() ? -1 : Table(ci, a.database, a.schema, a.table, false);
  if (r.table < 0 || a.status != pipeline::AlertStatus::kFiring) return;
  TableRecord& t = rec_.tables[r.table];
  if (!t.alerted()) unalerted_samples_ -= static_cast<int64_t>(t.samples.size());
  ++t.alerts;
  if (!t.worst || *t.worst < a.severity) t.worst = a.severity;
}

Recording Recorder::Finish() && { return std::move(rec_); }

}  // namespace vacwatch::report
