// csvlog and jsonlog reading speed: CsvLogReader and JsonLogReader (record scanning or simdjson
// decoding, then ParseLogEntry) over the real dataset's postgresql.csv / postgresql.json (read
// once into memory, fed in 1 MiB chunks), and over synthetic logs in which autovacuum entries
// are 1% of the records (the rest: statement durations of client backends). Reports bytes/s,
// events/s and heap allocations per MiB read.
//
//   build-x/bench/log_readers_bench [--benchmark_repetitions=5]

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/allocation_counter.h"  // counts every heap allocation of the process
#include "bench/bench_util.h"
#include "ingest/csv_log_reader.h"
#include "ingest/json_log_reader.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {
namespace {

constexpr size_t kChunk = 1 << 20;

std::string DatasetText(const char* file) {
  return bench::ReadDatasetFile(std::string("pg15-prod-eu-1/") + file);
}

// First record of `text` holding `marker`; records start with `record_start` on a new line.
std::string FirstRecordWith(const std::string& text, std::string_view marker,
                            std::string_view record_start) {
  std::string head = "\n";
  head.append(record_start);
  const size_t at = text.find(marker);
  const size_t begin = text.rfind(head, at) + 1;
  const size_t end = text.find(head, at);
  return text.substr(begin, end + 1 - begin);
}

// ~100 MB where every 100th record is an autovacuum entry, the rest statement durations.
std::string Synthetic(const std::string& vacuum, bool json) {
  std::string out;
  for (int i = 0; out.size() < (size_t{100} << 20); ++i) {
    if (i % 100 == 0) {
      out.append(vacuum);
      continue;
    }
    const std::string n = std::to_string(i);
    const std::string pid = std::to_string(10000 + i % 5000);
    if (json) {
      out.append("{\"timestamp\":\"2026-11-23 23:18:21.412 UTC\",\"user\":\"app\",")
          .append("\"dbname\":\"shop\",\"pid\":")
          .append(pid)
          .append(",\"remote_host\":\"127.0.0.1\",\"session_id\":\"6b04c9bd.3336\",")
          .append("\"line_num\":")
          .append(n)
          .append(",\"ps\":\"SELECT\",\"error_severity\":\"LOG\",\"message\":\"duration: ")
          .append("0.412 ms  statement: SELECT * FROM orders WHERE id = ")
          .append(n)
          .append(" AND status = 'open'\",\"application_name\":\"psql\",")
          .append("\"backend_type\":\"client backend\",\"query_id\":7}\n");
    } else {
      out.append("2026-11-23 23:18:21.412 UTC,\"app\",\"shop\",")
          .append(pid)
          .append(",\"127.0.0.1:51000\",6b04c9bd.3336,")
          .append(n)
          .append(",\"SELECT\",2026-11-23 23:18:21 UTC,4/5,0,LOG,00000,\"duration: 0.412 ms  ")
          .append("statement: SELECT * FROM orders WHERE id = ")
          .append(n)
          .append(" AND status = \"\"open\"\"\",,,,,,,,,\"psql\",\"client backend\",,7\n");
    }
  }
  return out;
}

std::string SyntheticCsv() {
  return Synthetic(
      FirstRecordWith(DatasetText("postgresql.csv"), "\"automatic vacuum", "2026-11-23 "), false);
}

std::string SyntheticJson() {
  return Synthetic(FirstRecordWith(DatasetText("postgresql.json"), "\"message\":\"automatic vacuum",
                                   "{\"timestamp\""),
                   true);
}

template <typename Reader>
void Run(benchmark::State& state, const std::string& text) {
  int64_t events = 0;
  int64_t allocations = 0;
  for (auto _ : state) {
    typename Reader::Options options;
    options.cluster = "prod-eu-1";
    Reader reader(options);
    LogEvent event;
    const int64_t before = bench::Allocations();
    for (size_t pos = 0; pos < text.size(); pos += kChunk) {
      reader.Feed(std::string_view(text).substr(pos, kChunk));
      while (reader.Next(&event)) ++events;
    }
    reader.Finish();
    while (reader.Next(&event)) ++events;
    allocations += bench::Allocations() - before;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["allocs/MiB"] =
      static_cast<double>(allocations) /
      (static_cast<double>(state.iterations()) * text.size() / (1 << 20));
}

void BM_CsvDataset(benchmark::State& state) {
  static const std::string text = DatasetText("postgresql.csv");
  Run<CsvLogReader>(state, text);
}
void BM_CsvOnePercentAutovacuum(benchmark::State& state) {
  static const std::string text = SyntheticCsv();
  Run<CsvLogReader>(state, text);
}
void BM_JsonDataset(benchmark::State& state) {
  static const std::string text = DatasetText("postgresql.json");
  Run<JsonLogReader>(state, text);
}
void BM_JsonOnePercentAutovacuum(benchmark::State& state) {
  static const std::string text = SyntheticJson();
  Run<JsonLogReader>(state, text);
}

BENCHMARK(BM_CsvDataset)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvOnePercentAutovacuum)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonDataset)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonOnePercentAutovacuum)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vacwatch::ingest

BENCHMARK_MAIN();
