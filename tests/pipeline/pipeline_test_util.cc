#include "tests/pipeline/pipeline_test_util.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::pipeline::testing {

absl::Time T(double seconds) {
  return absl::FromUnixSeconds(1'795'000'000) + absl::Seconds(seconds);
}

std::string_view SnapshotBuilder::Keep(std::string s) {
  strings_.push_back(std::move(s));
  return strings_.back();
}

ingest::Snapshot SnapshotBuilder::Build(absl::Time at, const std::string& database,
                                        const std::vector<TableSpec>& tables,
                                        const SnapshotExtras& extras) {
  ingest::Snapshot s;
  s.cluster = Keep(kCluster);
  s.database = Keep(database);
  s.collected_at = at;
  s.server_version_num = extras.server_version_num;
  s.measured_bloat = extras.measured_bloat;
  s.settings.autovacuum = extras.autovacuum;
  s.settings.autovacuum_vacuum_scale_factor = 0.2;
  s.settings.autovacuum_vacuum_threshold = 50;
  s.settings.autovacuum_vacuum_insert_scale_factor = 0.2;
  s.settings.autovacuum_vacuum_insert_threshold = 1000;
  s.settings.autovacuum_analyze_scale_factor = 0.1;
  s.settings.autovacuum_analyze_threshold = 50;
  s.settings.autovacuum_freeze_max_age = 200'000'000;
  s.settings.autovacuum_vacuum_cost_delay = 2;
  s.settings.autovacuum_vacuum_cost_limit = -1;
  s.settings.vacuum_cost_limit = 200;
  s.settings.autovacuum_max_workers = extras.max_workers;
  s.settings.autovacuum_naptime = extras.naptime_s;
  for (const TableSpec& t : tables) {
    ingest::TableStats r;
    r.relid = t.relid;
    r.schemaname = Keep(t.schema);
    r.relname = Keep(t.name);
    r.n_live_tup = t.live;
    r.n_dead_tup = t.dead;
    r.n_tup_upd = t.writes;
    r.n_tup_del = 0;
    r.n_tup_ins = t.inserts;
    r.n_tup_hot_upd = 0;
    r.n_mod_since_analyze = 0;
    r.n_ins_since_vacuum = 0;
    r.autovacuum_count = t.autovacuum_count;
    r.vacuum_count = t.vacuum_count;
    r.analyze_count = 0;
    r.autoanalyze_count = 0;
    r.last_autovacuum = t.last_autovacuum;
    r.reltuples = t.reltuples.value_or(static_cast<double>(t.live));
    r.relpages = t.size_bytes / 8192;
    r.relation_size_bytes = t.size_bytes;
    r.total_relation_size_bytes = t.size_bytes * 2;
    r.relfrozenxid_age = t.frozenxid_age;
    r.relminmxid_age = 0;
    for (const std::string& o : t.reloptions) r.reloptions.push_back(Keep(o));
    s.tables.push_back(r);
  }
  for (const HolderSpec& h : extras.holders) {
    ingest::XminHolder x;
    x.pid = h.pid;
    x.datname = Keep(h.database.empty() ? database : h.database);
    x.application_name = Keep(h.application_name);
    x.backend_type = Keep(h.backend_type);
    x.state = Keep(h.state);
    x.xact_start = h.xact_start;
    if (h.xmin_age != 0) x.xmin_age = h.xmin_age;
    x.xid_age = h.xid_age;
    x.backend_xid = h.backend_xid;
    x.backend_xmin = h.backend_xmin;
    s.xmin_holders.push_back(x);
  }
  for (const ProgressSpec& p : extras.progress) {
    ingest::VacuumProgress v;
    v.pid = p.pid;
    v.relid = p.relid;
    v.datname = Keep(p.database.empty() ? database : p.database);
    v.phase = Keep("scanning heap");
    v.backend_type = Keep("autovacuum worker");
    v.xact_start = p.start;
    v.heap_blks_total = p.heap_blks_total;
    v.heap_blks_scanned = p.heap_blks_scanned;
    v.index_vacuum_count = p.index_vacuum_count;
    s.vacuum_progress.push_back(v);
  }
  for (const SlotSpec& spec : extras.slots) {
    ingest::ReplicationSlot slot;
    slot.slot_name = Keep(spec.name);
    slot.slot_type = Keep("physical");
    slot.active = spec.active;
    slot.xmin_age = spec.xmin_age;
    slot.xmin = spec.xmin;
    s.replication_slots.push_back(slot);
  }
  for (const PreparedSpec& spec : extras.prepared) {
    ingest::PreparedXact px;
    px.gid = Keep(spec.gid);
    px.database = Keep(database);
    px.xid_age = spec.xid_age;
    px.transaction = spec.transaction;
    px.prepared = spec.prepared;
    s.prepared_xacts.push_back(px);
  }
  for (const WalsenderSpec& spec : extras.walsenders) {
    ingest::Walsender w;
    w.pid = spec.pid;
    w.application_name = Keep(spec.application_name);
    w.state = Keep("streaming");
    w.xmin_age = spec.xmin_age;
    w.backend_xmin = spec.backend_xmin;
    s.walsenders.push_back(w);
  }
  s.horizon.oldest_running_xid = extras.oldest_running_xid;
  s.horizon.next_xid = extras.next_xid;
  return s;
}

std::string_view EventBuilder::Keep(std::string s) {
  strings_.push_back(std::move(s));
  return strings_.back();
}

ingest::LogEvent EventBuilder::Vacuum(absl::Time at, const std::string& database,
                                      const std::string& table, const RunSpec& run,
                                      const std::string& schema) {
  ingest::LogEvent e;
  e.type = ingest::LogEventType::kVacuum;
  e.cluster = Keep(kCluster);
  e.database = Keep(database);
  e.schema = Keep(schema);
  e.table = Keep(table);
  e.pid = run.pid;
  e.time = at;
  e.stats.mode = run.mode;
  e.stats.index_scans = run.index_scans;
  e.stats.pages_removed = 0;
  e.stats.pages_remain = run.pages_scanned;
  e.stats.pages_scanned = run.pages_scanned;
  e.stats.tuples_removed = run.removed;
  e.stats.tuples_remain = run.remain;
  e.stats.tuples_not_yet_removable = run.not_yet_removable;
  e.stats.removable_cutoff_age = run.cutoff_age;
  e.stats.removable_cutoff = run.cutoff;
  e.stats.elapsed_s = run.elapsed_s;
  e.stats.read_rate_mbs = 10;
  e.stats.write_rate_mbs = 5;
  return e;
}

ingest::LogEvent EventBuilder::Skip(absl::Time at, const std::string& table, int32_t pid,
                                    const std::string& database) {
  ingest::LogEvent e;
  e.type = ingest::LogEventType::kVacuumSkipped;
  e.cluster = Keep(kCluster);
  e.database = Keep(database);
  e.table = Keep(table);
  e.pid = pid;
  e.time = at;
  return e;
}

ingest::LogEvent EventBuilder::Cancel(absl::Time at, const std::string& database,
                                      const std::string& table, int32_t pid) {
  ingest::LogEvent e;
  e.type = ingest::LogEventType::kVacuumCancelled;
  e.cluster = Keep(kCluster);
  e.database = Keep(database);
  e.schema = Keep("public");
  e.table = Keep(table);
  e.pid = pid;
  e.time = at;
  return e;
}

ingest::LogEvent EventBuilder::Warning(absl::Time at, const std::string& database,
                                       ingest::WraparoundWarningKind kind) {
  ingest::LogEvent e;
  e.type = ingest::LogEventType::kWraparoundWarning;
  e.cluster = Keep(kCluster);
  e.database = Keep(database);
  e.pid = 1;
  e.time = at;
  e.wraparound.kind = kind;
  e.wraparound.remaining = 10'000'000;
  return e;
}

PipelineHarness::PipelineHarness(const PipelineConfig& config, state::StateStore* store)
    : store_(store), pipeline_(std::make_unique<Pipeline>(config, store)) {}

void PipelineHarness::Snapshot(absl::Time at, const std::string& database,
                               const std::vector<TableSpec>& tables, const SnapshotExtras& extras) {
  ingest::Snapshot s = snapshots_.Build(at, database, tables, extras);
  EXPECT_OK(pipeline_->OnSnapshot(s));
  Checkpoint();
}

void PipelineHarness::Event(const ingest::LogEvent& e) {
  EXPECT_OK(pipeline_->OnLogEvent(e));
  Checkpoint();
}

void PipelineHarness::Vacuum(absl::Time at, const std::string& database, const std::string& table,
                             const RunSpec& run) {
  Event(events_.Vacuum(at, database, table, run));
}

void PipelineHarness::Skip(absl::Time at, const std::string& table, int32_t pid,
                           const std::string& database) {
  Event(events_.Skip(at, table, pid, database));
}

void PipelineHarness::Cancel(absl::Time at, const std::string& database, const std::string& table,
                             int32_t pid) {
  Event(events_.Cancel(at, database, table, pid));
}

void PipelineHarness::Warning(absl::Time at, const std::string& database,
                              ingest::WraparoundWarningKind kind) {
  Event(events_.Warning(at, database, kind));
}

void PipelineHarness::Checkpoint() {
  state::StateStore::Batch batch;
  EXPECT_OK(pipeline_->Checkpoint(&batch, &transitions_));
  if (store_ != nullptr) EXPECT_OK(store_->Commit(&batch));
}

std::vector<Alert> PipelineHarness::Find(const std::string& alert, const std::string& table,
                                         AlertStatus status) const {
  std::vector<Alert> out;
  for (const AlertTransition& t : transitions_) {
    if (t.alert.alert == alert && t.alert.table == table && t.alert.status == status) {
      out.push_back(t.alert);
    }
  }
  return out;
}

std::string PipelineHarness::Dump() const {
  std::string out;
  for (const AlertTransition& t : transitions_) {
    std::string line;
    WriteAlertJson(t.alert, &line);
    absl::StrAppend(&out, t.seq, " ", line, "\n");
  }
  return out.empty() ? "(no transitions)" : out;
}

}  // namespace vacwatch::pipeline::testing
