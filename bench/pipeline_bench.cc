// The pipeline with its RocksDB state, at fleet scale: table rows/s of snapshots and log
// events/s, and resident memory, with up to 1 million tables (1,000 clusters x 10 databases x
// 100 tables). The rows are the real dataset's rows (pg15-prod-eu-1, decoded once up front),
// renamed and scaled per table, with counters that advance between rounds: healthy tables in a
// saw-tooth around their trigger, a tenth of them over it with no run, and in one database of
// every cluster tables pinned by a long transaction that the snapshots list as xmin holder.
// Each snapshot (one database, 100 rows) is followed by Checkpoint + Commit, as `vacwatch
// replay` does by default; log events are checkpointed every 4096. Decoding is not measured
// (snapshot_decoder_bench does that): rows are filled into a reused Snapshot, which costs
// about 1% of a row's processing (BM_FillOnly). Figures go to docs/performance.md.
//
//   build-x/bench/pipeline_bench --benchmark_filter=BM_SnapshotRounds/clusters:1000/cache:0/
//
// `cache` is PipelineConfig::max_cached_tables; 0 = its default (1,000,000: every table of the
// largest fleet here). BM_ReplayVsReport compares the same rounds with and without what
// `vacwatch report` adds (the recorder, the advice and the page; VACWATCH_BENCH_REPORT=FILE
// keeps the page).
//
// Run one benchmark per process for the memory figures (peak RSS is reset at the start of each
// benchmark, but freed memory of an earlier one may stay mapped). Rates are per CPU-second of
// the whole process (RocksDB's flush and compaction threads included); `wall_rows_per_s` and
// `thread_rows_per_s` give the same per wall second and per CPU-second of the pipeline's thread.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_util.h"
#include "ingest/log_event.h"
#include "ingest/log_source.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "pipeline/alert.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include "report/advisor.h"
#include "report/html_report.h"
#include "report/recording.h"
#include "state/state_store.h"

namespace vacwatch::pipeline {
namespace {

constexpr int kDatabases = 10;
constexpr int kTablesPerDatabase = 100;
constexpr int kHeldDatabase = 3;  // the database whose tables a long transaction pins
constexpr int64_t kEventsPerCheckpoint = 4096;

std::string DatasetDir() { return bench::DatasetsDir() + "/pg15-prod-eu-1"; }

// ---- memory and time --------------------------------------------------------------------------

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
double StatusMiB(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  double kib = -1;
  const size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') {
      kib = std::strtod(line + n + 1, nullptr);
      break;
    }
  }
  std::fclose(f);
  return kib / 1024;
}

// Returns freed memory to the system and restarts the peak (VmHWM) at the current RSS.
void ResetPeakRss() {
  malloc_trim(0);
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double DirMiB(const std::string& dir) {
  std::error_code ec;
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return static_cast<double>(bytes) / (1 << 20);
}

// A state store in a fresh temporary directory, removed afterwards.
class BenchStore {
 public:
  BenchStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vacwatch-pipeline-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto store = state::StateStore::Open(dir_ + "/state", state::StateStoreOptions());
    if (!store.ok()) std::abort();
    store_ = *std::move(store);
  }
  ~BenchStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  state::StateStore* get() { return store_.get(); }
  double SizeMiB() const { return DirMiB(dir_); }

 private:
  std::string dir_;
  std::unique_ptr<state::StateStore> store_;
};

// ---- the dataset's rows, owned -----------------------------------------------------------------

struct Templates {
  ingest::AutovacuumSettings settings;
  std::optional<int64_t> server_version_num;
  std::vector<ingest::TableStats> rows;      // one per distinct table of the dataset
  std::vector<ingest::VacuumStats> vacuums;  // the numbers of the dataset's vacuum entries
  std::deque<std::string> strings;           // what the rows' views point to
};

std::string_view Own(Templates* t, std::string_view s) { return t->strings.emplace_back(s); }

const Templates& DatasetTemplates() {
  static const Templates* templates = [] {
    auto* t = new Templates;
    const std::string text = bench::ReadDatasetFile("pg15-prod-eu-1/snapshots.jsonl");
    ingest::SnapshotDecoder decoder;
    ingest::Snapshot snapshot;
    std::vector<std::string> seen;
    std::string_view rest = text;
    // The last row of each table: the most advanced counters of the dataset.
    std::vector<ingest::TableStats> latest;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (line.empty() || !decoder.TryDecode(line, &snapshot)) continue;
      t->settings = snapshot.settings;
      t->server_version_num = snapshot.server_version_num;
      for (const ingest::TableStats& row : snapshot.tables) {
        const std::string name = std::string(snapshot.database) + "." + std::string(row.relname);
        size_t i = 0;
        while (i < seen.size() && seen[i] != name) ++i;
        if (i == seen.size()) {
          seen.push_back(name);
          latest.emplace_back();
        }
        ingest::TableStats copy = row;
        copy.schemaname = Own(t, row.schemaname);
        copy.relname = Own(t, row.relname);
        copy.reloptions.clear();
        for (std::string_view o : row.reloptions) copy.reloptions.push_back(Own(t, o));
        latest[i] = std::move(copy);
      }
    }
    t->rows = std::move(latest);

    ingest::LogSourceOptions options;
    options.cluster = "bench";
    auto source = ingest::LogFileSource::Open(DatasetDir() + "/postgresql.log", options);
    if (source.ok()) {
      ingest::LogEvent event;
      while (true) {
        absl::StatusOr<bool> more = (*source)->Next(&event);
        if (!more.ok() || !*more) break;
        if (event.type != ingest::LogEventType::kVacuum) continue;
        ingest::VacuumStats stats = event.stats;
        stats.indexes.clear();  // views into the reader
        t->vacuums.push_back(std::move(stats));
      }
    }
    if (t->rows.empty() || t->vacuums.empty()) std::abort();
    return t;
  }();
  return *templates;
}

// ---- the synthetic fleet -----------------------------------------------------------------------

const absl::Time kStart = absl::FromUnixSeconds(1795475880);  // 2026-11-23T23:18:00Z
constexpr int64_t kRoundSeconds = 60;

class Fleet {
 public:
  explicit Fleet(int clusters) : templates_(DatasetTemplates()) {
    char buf[64];
    for (int c = 0; c < clusters; ++c) {
      std::snprintf(buf, sizeof buf, "pg-eu-%04d", c);
      clusters_.emplace_back(buf);
    }
    for (int d = 0; d < kDatabases; ++d) {
      std::snprintf(buf, sizeof buf, "app_%02d", d);
      databases_.emplace_back(buf);
    }
    for (int t = 0; t < kTablesPerDatabase; ++t) {
      const ingest::TableStats& tpl = Template(t);
      std::snprintf(buf, sizeof buf, "%.*s_%02d", static_cast<int>(tpl.relname.size()),
                    tpl.relname.data(), t / static_cast<int>(templates_.rows.size()));
      tables_.emplace_back(buf);
    }
  }

  int clusters() const { return static_cast<int>(clusters_.size()); }
  int64_t tables() const { return int64_t{clusters()} * kDatabases * kTablesPerDatabase; }
  const std::string& cluster(int c) const { return clusters_[c]; }
  const std::string& database(int d) const { return databases_[d]; }
  const std::string& table(int t) const { return tables_[t]; }
  const Templates& templates() const { return templates_; }

  static absl::Time SnapshotTime(int round, int d) {
    return kStart + absl::Seconds(round * kRoundSeconds) + absl::Milliseconds(100 * d);
  }

  // Snapshot of database `d` of cluster `c` at round `round` (fills `*s`, reusing its rows).
  void Fill(int c, int d, int round, ingest::Snapshot* s) const {
    s->cluster = clusters_[c];
    s->database = databases_[d];
    s->collected_at = SnapshotTime(round, d);
    s->server_version_num = templates_.server_version_num;
    s->settings = templates_.settings;
    s->tables.resize(kTablesPerDatabase);
    for (int t = 0; t < kTablesPerDatabase; ++t) FillRow(c, d, t, round, &s->tables[t]);
    // As in the dataset: pgbench sessions with young snapshots, an autovacuum worker busy on
    // one table, and in one database a report that has held its snapshot since round 0.
    s->xmin_holders.resize(3);
    const int64_t xids_per_round = 40'000;
    ingest::XminHolder& worker = s->xmin_holders[0];
    worker = ingest::XminHolder{};
    worker.pid = 20000 + (round * kDatabases + d) % 5000;
    worker.datname = databases_[d];
    worker.backend_type = "autovacuum worker";
    worker.state = "active";
    worker.xact_start = s->collected_at - absl::Seconds(5);
    worker.xmin_age = 1500;
    ingest::XminHolder& session = s->xmin_holders[1];
    session = ingest::XminHolder{};
    session.pid = 13174;
    session.datname = databases_[d];
    session.usename = "postgres";
    session.application_name = "pgbench";
    session.backend_type = "client backend";
    session.state = "active";
    session.xact_start = s->collected_at - absl::Milliseconds(300);
    session.xmin_age = 212;
    ingest::XminHolder& report = s->xmin_holders[2];
    report = ingest::XminHolder{};
    report.pid = 13956;
    report.datname = databases_[kHeldDatabase];
    report.usename = "postgres";
    report.application_name = "nightly_report";
    report.backend_type = "client backend";
    report.state = "active";
    report.xact_start = kStart - absl::Minutes(1);
    report.xmin_age = xids_per_round * (round + 1);
    s->vacuum_progress.resize(1);
    ingest::VacuumProgress& p = s->vacuum_progress[0];
    p = ingest::VacuumProgress{};
    p.pid = worker.pid;
    p.relid = Relid((round + d) % kTablesPerDatabase);
    p.datname = databases_[d];
    p.phase = "scanning heap";
    p.backend_type = "autovacuum worker";
    p.xact_start = worker.xact_start;
    p.heap_blks_total = 2560;
    p.heap_blks_scanned = 800;
    p.index_vacuum_count = 0;
    s->replication_slots.clear();
    s->prepared_xacts.clear();
  }

  // A log event for table `t` of database `d` of cluster `c` at `time`: vacuums (the dataset's
  // numbers) mostly, analyzes, skips (no schema, as the log prints them) and cancels.
  void FillEvent(int c, int d, int t, int kind, absl::Time time, int32_t pid,
                 ingest::LogEvent* e) const {
    e->cluster = clusters_[c];
    e->database = databases_[d];
    e->schema = "public";
    e->table = tables_[t];
    e->pid = pid;
    e->time = time;
    e->time_text = {};
    e->cancel_phase = {};
    if (kind < 70) {
      e->type = ingest::LogEventType::kVacuum;
      e->stats = templates_.vacuums[(c + t) % templates_.vacuums.size()];
    } else if (kind < 85) {
      e->type = ingest::LogEventType::kAnalyze;
      e->stats = ingest::VacuumStats{};
      e->stats.elapsed_s = 0.05;
    } else if (kind < 95) {
      e->type = ingest::LogEventType::kVacuumSkipped;
      e->schema = {};
      e->stats = ingest::VacuumStats{};
    } else {
      e->type = ingest::LogEventType::kVacuumCancelled;
      e->stats = ingest::VacuumStats{};
    }
  }

 private:
  const ingest::TableStats& Template(int t) const {
    return templates_.rows[t % templates_.rows.size()];
  }
  static int64_t Relid(int t) { return 16384 + 7 * t; }

  void FillRow(int c, int d, int t, int round, ingest::TableStats* row) const {
    const ingest::TableStats& tpl = Template(t);
    const int group = t / static_cast<int>(templates_.rows.size());
    const int64_t scale = 1 + (c * 7 + d * 3 + t) % 8;
    *row = tpl;
    row->relid = Relid(t);
    row->relname = tables_[t];
    const int64_t live = std::max<int64_t>(1000, tpl.n_live_tup.value_or(0)) * scale;
    const double trigger = 50 + 0.2 * static_cast<double>(live);
    row->n_live_tup = live;
    row->reltuples = static_cast<double>(live);
    row->relpages = std::max<int64_t>(1, tpl.relpages.value_or(1)) * scale;
    row->relation_size_bytes = *row->relpages * 8192;
    row->total_relation_size_bytes = *row->relation_size_bytes * 3 / 2;
    const int64_t write_step = static_cast<int64_t>(trigger * 0.45);
    int64_t dead = 0, avc = 0;
    absl::Time last_av = kStart - absl::Hours(1);
    if (d == kHeldDatabase && group < 2) {
      // Pinned by the report: every round a run, none removes anything, dead tuples pile up.
      dead = static_cast<int64_t>(trigger * 1.2) + write_step * round;
      avc = round;
      last_av = SnapshotTime(round, d) - absl::Seconds(20);
    } else if (group == 2) {
      // Over its trigger and no run at all (e.g. workers busy elsewhere).
      dead = static_cast<int64_t>(trigger * 1.1) + write_step / 4 * round;
      avc = 0;
    } else {
      // Healthy saw-tooth: dead tuples grow round by round, a run clears them.
      const int period = 3 + t % 3;
      dead = write_step * (round % period);
      avc = round / period;
      if (avc > 0) last_av = SnapshotTime(round - round % period, d) - absl::Seconds(10);
    }
    row->n_dead_tup = dead;
    row->n_tup_upd = tpl.n_tup_upd.value_or(0) + write_step * round;
    row->n_tup_hot_upd = 0;
    row->n_tup_del = tpl.n_tup_del.value_or(0);
    row->n_tup_ins = tpl.n_tup_ins.value_or(0) * scale + int64_t{100} * round;
    row->n_mod_since_analyze = write_step * (round % 4);
    row->n_ins_since_vacuum = 100 * (round % 4);
    row->autovacuum_count = avc;
    row->vacuum_count = 0;
    row->last_autovacuum = last_av;
    row->last_autoanalyze = last_av + absl::Seconds(1);
    row->relfrozenxid_age = 1000 + (t * 997) % 5000 + 40'000 * round;
    row->seq_scan = tpl.seq_scan.value_or(0) + round;
    row->idx_scan = tpl.idx_scan.value_or(0) + int64_t{1000} * round;
  }

  const Templates& templates_;
  std::vector<std::string> clusters_, databases_, tables_;
};

// ---- driving the pipeline ----------------------------------------------------------------------

struct Driver {
  // `cache_tables`: max_cached_tables, 0 = the default.
  Driver(int clusters, int64_t cache_tables) : fleet(clusters) {
    if (cache_tables > 0) config.max_cached_tables = cache_tables;
    pipeline = std::make_unique<Pipeline>(config, store.get());
    // To compare two builds' output on the synthetic fleet: every transition, one JSON line.
    if (const char* path = std::getenv("VACWATCH_BENCH_TRANSITIONS")) {
      transitions_out = std::fopen(path, "w");
    }
  }
  ~Driver() {
    if (transitions_out == nullptr) return;
    const PipelineCounters& c = pipeline->counters();
    std::fprintf(transitions_out,
                 "counters: snapshots %lld rows %lld events %lld unresolved %lld duplicates %lld "
                 "out_of_order %lld resets %lld hits %lld misses %lld evictions %lld "
                 "transitions %lld\n",
                 static_cast<long long>(c.snapshots), static_cast<long long>(c.table_rows),
                 static_cast<long long>(c.log_events), static_cast<long long>(c.unresolved_skips),
                 static_cast<long long>(c.duplicates_ignored),
                 static_cast<long long>(c.out_of_order_ignored),
                 static_cast<long long>(c.counter_resets), static_cast<long long>(c.cache_hits),
                 static_cast<long long>(c.cache_misses), static_cast<long long>(c.cache_evictions),
                 static_cast<long long>(c.transitions));
    std::fclose(transitions_out);
  }

  // One snapshot of every database of every cluster, each checkpointed and committed.
  bool Round(int round, std::string* error) {
    for (int c = 0; c < fleet.clusters(); ++c) {
      for (int d = 0; d < kDatabases; ++d) {
        fleet.Fill(c, d, round, &snapshot);
        absl::Status s = pipeline->OnSnapshot(snapshot);
        if (s.ok() && recorder != nullptr) recorder->OnSnapshot(snapshot);
        if (s.ok()) {
          s = Commit((int64_t{round} * fleet.clusters() + c) * kDatabases + d);
        }
        if (!s.ok()) {
          *error = std::string(s.message());
          return false;
        }
      }
    }
    return true;
  }

  absl::Status Commit(int64_t offset) {
    emitted.clear();
    absl::Status s = pipeline->Checkpoint(&batch, &emitted);
    if (!s.ok()) return s;
    if (recorder != nullptr) {
      for (const AlertTransition& t : emitted) recorder->OnTransition(t);
    }
    batch.PutOffset("stats:/var/lib/vacwatch/snapshots.jsonl", state::SourceOffset(offset));
    committed_bytes += batch.bytes();
    if (transitions_out != nullptr) {
      for (const AlertTransition& t : emitted) {
        json.clear();
        WriteAlertJson(t.alert, &json);
        std::fprintf(transitions_out, "%llu %s\n", static_cast<unsigned long long>(t.seq),
                     json.c_str());
      }
    }
    return store.get()->Commit(&batch);
  }

  BenchStore store;
  Fleet fleet;
  PipelineConfig config;
  std::unique_ptr<Pipeline> pipeline;
  ingest::Snapshot snapshot;
  state::StateStore::Batch batch;
  std::vector<AlertTransition> emitted;
  int64_t committed_bytes = 0;  // what the batches carried
  std::FILE* transitions_out = nullptr;
  std::string json;
  report::Recorder* recorder = nullptr;  // `vacwatch report`: fed beside the pipeline
};

// `before`: the pipeline's counters when the timed part began.
void ReportCommon(benchmark::State& state, Driver& driver, double rss_before,
                  const PipelineCounters& before) {
  const PipelineCounters& pc = driver.pipeline->counters();
  state.counters["tables"] = static_cast<double>(driver.fleet.tables());
  state.counters["cached_max"] = static_cast<double>(driver.config.max_cached_tables);
  state.counters["rss_MiB"] = StatusMiB("VmRSS");
  state.counters["peak_rss_MiB"] = StatusMiB("VmHWM");
  state.counters["rss_before_MiB"] = rss_before;
  state.counters["store_MiB"] = driver.store.SizeMiB();
  const double hits = static_cast<double>(pc.cache_hits - before.cache_hits);
  const double lookups = hits + static_cast<double>(pc.cache_misses - before.cache_misses);
  state.counters["cache_hit_pct"] = lookups == 0 ? 0 : 100.0 * hits / lookups;
  state.counters["transitions"] = static_cast<double>(pc.transitions - before.transitions);
}

// Rounds of snapshots over clusters x 10 x 100 tables. Two untimed rounds first (creation,
// then the first update of every table), then one round per iteration.
void BM_SnapshotRounds(benchmark::State& state) {
  ResetPeakRss();
  const double rss_before = StatusMiB("VmRSS");
  Driver driver(static_cast<int>(state.range(0)), state.range(1));
  std::string error;
  int round = 0;
  for (; round < 2; ++round) {
    if (!driver.Round(round, &error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  int64_t rows = 0;
  const PipelineCounters before = driver.pipeline->counters();
  const int64_t bytes_before = driver.committed_bytes;
  const double thread0 = ThreadCpuSeconds(), wall0 = WallSeconds();
  for (auto _ : state) {
    if (!driver.Round(round++, &error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    rows += driver.fleet.tables();
  }
  const double thread_s = ThreadCpuSeconds() - thread0, wall_s = WallSeconds() - wall0;
  state.counters["rows"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["wall_rows_per_s"] = static_cast<double>(rows) / wall_s;
  state.counters["thread_rows_per_s"] = static_cast<double>(rows) / thread_s;
  state.counters["batch_bytes_per_row"] =
      static_cast<double>(driver.committed_bytes - bytes_before) / static_cast<double>(rows);
  ReportCommon(state, driver, rss_before, before);
}
BENCHMARK(BM_SnapshotRounds)
    ->ArgNames({"clusters", "cache"})
    ->Args({100, 0})         // 100k tables, all in the default cache
    ->Args({100, 10'000})    // 100k tables, a cache of 10% of them
    ->Args({1000, 0})        // 1M tables, the default cache: all of them cached
    ->Args({1000, 100'000})  // 1M tables, a cache of 10% of them
    ->Iterations(4)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kSecond);

// What `vacwatch report` adds to a replay of the fleet: the same rounds of snapshots (all
// timed, from the first, as a replay of the files would be), once without and once with the
// recorder beside the pipeline and, at the end, the advice and the HTML page. `report` 0/1.
void BM_ReplayVsReport(benchmark::State& state) {
  ResetPeakRss();
  const bool with_report = state.range(1) != 0;
  Driver driver(static_cast<int>(state.range(0)), 0);
  std::unique_ptr<report::Recorder> recorder;
  if (with_report) {
    recorder = std::make_unique<report::Recorder>(report::RecorderOptions{});
    driver.recorder = recorder.get();
  }
  std::string error, html;
  int64_t rows = 0;
  double finish_s = 0;
  const double thread0 = ThreadCpuSeconds(), wall0 = WallSeconds();
  for (auto _ : state) {
    for (int round = 0; round < 4; ++round) {
      if (!driver.Round(round, &error)) {
        state.SkipWithError(error.c_str());
        return;
      }
      rows += driver.fleet.tables();
    }
    if (with_report) {
      const double t0 = WallSeconds();
      const report::Recording recording = std::move(*recorder).Finish();
      const std::vector<int32_t> charted =
          report::ChartedTables(recording, report::ReportOptions{});
      report::AdvisorOptions advisor;
      advisor.only_tables = &charted;
      const report::Advice advice = report::Advise(recording, advisor);
      report::WriteHtmlReport(recording, advice, report::ReportOptions{}, &html);
      finish_s = WallSeconds() - t0;
      state.counters["advised_tables"] = static_cast<double>(advice.tables.size());
    }
  }
  const double thread_s = ThreadCpuSeconds() - thread0, wall_s = WallSeconds() - wall0;
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["thread_s"] = thread_s;
  state.counters["wall_s"] = wall_s;
  state.counters["finish_s"] = finish_s;  // recording -> advice -> HTML, after the last round
  state.counters["html_MiB"] = static_cast<double>(html.size()) / (1 << 20);
  state.counters["peak_rss_MiB"] = StatusMiB("VmHWM");
  state.counters["transitions"] = static_cast<double>(driver.pipeline->counters().transitions);
  if (const char* path = std::getenv("VACWATCH_BENCH_REPORT"); path != nullptr && with_report) {
    if (std::FILE* f = std::fopen(path, "w")) {
      std::fwrite(html.data(), 1, html.size(), f);
      std::fclose(f);
    }
  }
}
BENCHMARK(BM_ReplayVsReport)
    ->ArgNames({"clusters", "report"})
    ->Args({100, 0})
    ->Args({100, 1})
    ->Args({1000, 0})
    ->Args({1000, 1})
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kSecond);

// Log events for tables drawn at random from the whole fleet (after one round of snapshots
// created them all), checkpointed every 4096 events. One iteration = 4096 events + commit.
void BM_LogEvents(benchmark::State& state) {
  ResetPeakRss();
  const double rss_before = StatusMiB("VmRSS");
  Driver driver(static_cast<int>(state.range(0)), state.range(1));
  std::string error;
  if (!driver.Round(0, &error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  ingest::LogEvent event;
  uint64_t x = 88172645463325252ull;
  auto next = [&x] {
    x ^= x << 13;  // xorshift: reproducible, no allocation
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  absl::Time time = Fleet::SnapshotTime(1, 0);
  int64_t events = 0, offset = 0;
  const PipelineCounters before = driver.pipeline->counters();
  const double thread0 = ThreadCpuSeconds(), wall0 = WallSeconds();
  for (auto _ : state) {
    for (int64_t i = 0; i < kEventsPerCheckpoint; ++i) {
      const uint64_t r = next();
      const int64_t table = static_cast<int64_t>(r % static_cast<uint64_t>(driver.fleet.tables()));
      const int c = static_cast<int>(table / (int64_t{kDatabases} * kTablesPerDatabase));
      const int d = static_cast<int>(table / kTablesPerDatabase % kDatabases);
      const int t = static_cast<int>(table % kTablesPerDatabase);
      time += absl::Microseconds(50);
      driver.fleet.FillEvent(c, d, t, static_cast<int>((r >> 40) % 100), time,
                             static_cast<int32_t>(20000 + (r >> 20) % 5000), &event);
      absl::Status s = driver.pipeline->OnLogEvent(event);
      if (!s.ok()) {
        state.SkipWithError(std::string(s.message()).c_str());
        return;
      }
    }
    events += kEventsPerCheckpoint;
    offset += kEventsPerCheckpoint * 1000;
    absl::Status s = driver.Commit(offset);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  const double thread_s = ThreadCpuSeconds() - thread0, wall_s = WallSeconds() - wall0;
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["wall_events_per_s"] = static_cast<double>(events) / wall_s;
  state.counters["thread_events_per_s"] = static_cast<double>(events) / thread_s;
  ReportCommon(state, driver, rss_before, before);
}
BENCHMARK(BM_LogEvents)
    ->ArgNames({"clusters", "cache"})
    ->Args({100, 10'000})
    ->Args({1000, 100'000})
    ->Args({1000, 0})
    ->Iterations(200)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// The synthetic rows alone (what BM_SnapshotRounds spends outside the pipeline).
void BM_FillOnly(benchmark::State& state) {
  Fleet fleet(10);
  ingest::Snapshot snapshot;
  int64_t rows = 0;
  int round = 0;
  for (auto _ : state) {
    for (int c = 0; c < fleet.clusters(); ++c) {
      for (int d = 0; d < kDatabases; ++d) {
        fleet.Fill(c, d, round, &snapshot);
        benchmark::DoNotOptimize(snapshot.tables.data());
        rows += kTablesPerDatabase;
      }
    }
    ++round;
  }
  state.counters["rows"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FillOnly);

}  // namespace
}  // namespace vacwatch::pipeline

BENCHMARK_MAIN();
