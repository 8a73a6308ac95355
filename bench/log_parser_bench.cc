// Stderr log parsing speed: the StderrLogReader (prefix matching, entry assembly, ParseLogEntry)
// over the real dataset's postgresql.log (read once into memory), with the prefix given and
// detected, and over a synthetic log in which autovacuum entries make up 1% of the lines (the
// rest typical client traffic: statement durations, connections, errors with their STATEMENT,
// multi-line statements). Reports bytes/s, events/s and entries/s, and heap allocations per
// MiB read. Figures go to docs/performance.md ("Log parser").
//
//   build-x/bench/log_parser_bench [--benchmark_repetitions=5]

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/allocation_counter.h"  // counts every heap allocation of the process
#include "bench/bench_util.h"
#include "ingest/log_event.h"
#include "ingest/stderr_log_reader.h"

namespace vacwatch::ingest {
namespace {

constexpr std::string_view kDatasetPrefix = "%m [%p] %q%u@%d ";
// Input arrives in chunks of this size, as from a file read.
constexpr size_t kChunk = 1 << 20;

const std::string& DatasetText() {
  static const std::string* text =
      new std::string(bench::ReadDatasetFile("pg15-prod-eu-1/postgresql.log"));
  return *text;
}

// The dataset's autovacuum entries (head line and its TAB continuations), each as one string.
std::vector<std::string> AutovacuumEntries() {
  std::vector<std::string> entries;
  bool in_entry = false;
  std::string_view rest = DatasetText();
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(line.size());
    if (line[0] == '\t') {
      if (in_entry) entries.back() += line;
      continue;
    }
    in_entry = line.find("LOG:  automatic ") != std::string_view::npos ||
               line.find("LOG:  skipping ") != std::string_view::npos;
    if (in_entry) entries.emplace_back(line);
  }
  return entries;
}

// About 64 MiB of log in which autovacuum entries are 1% of the lines: after each dataset
// entry of k lines come 99*k lines of client traffic.
const std::string& SyntheticText() {
  static const std::string* text = [] {
    const std::vector<std::string> entries = AutovacuumEntries();
    const char* statements[] = {
        "SELECT id, customer_id, total, status FROM orders WHERE id = 48213",
        "UPDATE inventory SET quantity = quantity - 1, updated_at = now() WHERE sku = 'A-1932'",
        "INSERT INTO audit_log (actor, action, payload) VALUES (17, 'login', '{\"ip\": "
        "\"10.0.3.7\"}')",
        "SELECT s.session_key, s.expire_date FROM django_session s WHERE s.session_key = "
        "'x8k2m1q9p0z7' AND s.expire_date > '2026-11-23 23:18:21'",
        "BEGIN",
        "COMMIT",
    };
    auto* out = new std::string;
    out->reserve(70 << 20);
    int n = 0;
    int pid = 20000;
    while (out->size() < (64u << 20)) {
      for (const std::string& entry : entries) {
        if (out->size() >= (64u << 20)) break;
        out->append(entry);
        size_t lines = 0;
        for (char c : entry) lines += c == '\n';
        for (size_t i = 0; i < 99 * lines; ++i, ++n) {
          const std::string ts =
              "2026-11-23 23:18:21.286 UTC [" + std::to_string(pid + n % 40) + "] app@shop ";
          switch (n % 20) {
            case 0:
              out->append(ts +
                          "LOG:  connection authorized: user=app database=shop "
                          "application_name=web\n");
              break;
            case 1:
              out->append(ts +
                          "ERROR:  duplicate key value violates unique constraint "
                          "\"orders_pkey\"\n");
              out->append(ts + "DETAIL:  Key (id)=(48213) already exists.\n");
              out->append(ts + "STATEMENT:  INSERT INTO orders (id, total) VALUES (48213, 9.5)\n");
              i += 2;
              break;
            case 2:
              out->append(ts +
                          "LOG:  duration: 12.345 ms  statement: SELECT o.id, o.total\n"
                          "\tFROM orders o\n"
                          "\tWHERE o.customer_id = 17\n");
              i += 2;
              break;
            default:
              out->append(ts + "LOG:  duration: 0." + std::to_string(100 + n % 900) +
                          " ms  statement: " + statements[n % 6] + "\n");
          }
        }
      }
    }
    return out;
  }();
  return *text;
}

void RunReader(benchmark::State& state, const std::string& text, std::string_view prefix) {
  int64_t events = 0;
  int64_t entries = 0;
  int64_t rejected = 0;
  const int64_t allocations_before = bench::Allocations();
  for (auto _ : state) {
    StderrLogReader::Options options;
    options.cluster = "prod-eu-1";
    options.log_line_prefix = std::string(prefix);
    auto reader = StderrLogReader::Create(std::move(options));
    if (!reader.ok()) {
      state.SkipWithError("reader");
      return;
    }
    LogEvent event;
    std::string_view rest = text;
    while (!rest.empty()) {
      const std::string_view chunk = rest.substr(0, kChunk);
      rest.remove_prefix(chunk.size());
      (*reader)->Feed(chunk);
      while ((*reader)->Next(&event)) benchmark::DoNotOptimize(event.stats.elapsed_s);
    }
    (*reader)->Finish();
    while ((*reader)->Next(&event)) benchmark::DoNotOptimize(event.stats.elapsed_s);
    events += (*reader)->counters().total_events();
    entries += (*reader)->counters().entries;
    rejected += (*reader)->counters().total_rejected();
  }
  const int64_t allocations = bench::Allocations() - allocations_before;
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["rejected"] =
      static_cast<double>(rejected) / static_cast<double>(state.iterations());
  state.counters["allocs/MiB"] =
      static_cast<double>(allocations) /
      (static_cast<double>(state.iterations()) * static_cast<double>(text.size()) / (1 << 20));
}

void BM_StderrDataset(benchmark::State& state) { RunReader(state, DatasetText(), kDatasetPrefix); }
BENCHMARK(BM_StderrDataset)->Unit(benchmark::kMillisecond);

void BM_StderrDatasetDetected(benchmark::State& state) { RunReader(state, DatasetText(), ""); }
BENCHMARK(BM_StderrDatasetDetected)->Unit(benchmark::kMillisecond);

void BM_StderrSynthetic1Percent(benchmark::State& state) {
  RunReader(state, SyntheticText(), kDatasetPrefix);
}
BENCHMARK(BM_StderrSynthetic1Percent)->Unit(benchmark::kMillisecond);

void BM_StderrSynthetic1PercentDetected(benchmark::State& state) {
  RunReader(state, SyntheticText(), "");
}
BENCHMARK(BM_StderrSynthetic1PercentDetected)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vacwatch::ingest

BENCHMARK_MAIN();
