// Snapshot decoding speed: the real dataset's 400 snapshots (read once into memory), a
// synthetic snapshot of 10,000 tables made from a real row, and the line reader over the whole
// file. Reports table rows/s and bytes/s, and heap allocations per decoded snapshot (which must
// be 0 in steady state). Figures go to docs/performance.md ("Snapshot decoder").
//
//   build-x/bench/snapshot_decoder_bench [--benchmark_repetitions=5]

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Counts every heap allocation of the process: steady-state decoding must make none.
#include "bench/allocation_counter.h"
#include "bench/bench_util.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "ingest/snapshot_reader.h"

namespace vacwatch::ingest {
namespace {

const std::string& DatasetText() {
  static const std::string* text =
      new std::string(bench::ReadDatasetFile("pg15-prod-eu-1/snapshots.jsonl"));
  return *text;
}

const std::vector<std::string_view>& DatasetLines() {
  static const auto* lines = [] {
    auto* out = new std::vector<std::string_view>;
    std::string_view rest = DatasetText();
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      if (!line.empty()) out->push_back(line);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    return out;
  }();
  return *lines;
}

// The first snapshot with its tables array replaced by `n` copies of real rows (alternating a
// row without and one with reloptions), each with its own relid.
std::string SyntheticSnapshot(int n) {
  std::string with_options_row, plain_row, head, tail;
  for (std::string_view line : DatasetLines()) {
    const size_t open = line.find("\"tables\": [");
    if (open == std::string_view::npos) continue;
    // Rows are flat objects (reloptions is an array of strings): split on depth.
    size_t i = open + 11;
    int depth = 0;
    size_t row_start = 0;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '{' && depth++ == 0) row_start = i;
      if (c == '}' && --depth == 0) {
        const std::string_view row = line.substr(row_start, i + 1 - row_start);
        if (row.find("\"reloptions\": [") != std::string_view::npos) {
          if (with_options_row.empty()) with_options_row = row;
        } else if (plain_row.empty()) {
          plain_row = row;
        }
      }
      if (c == ']' && depth == 0) break;
    }
    if (head.empty()) {
      head = line.substr(0, open + 11);
      tail = line.substr(i);
    }
    if (!with_options_row.empty() && !plain_row.empty()) break;
  }
  std::string doc = head;
  for (int k = 0; k < n; ++k) {
    if (k > 0) doc += ", ";
    std::string row = k % 2 == 0 ? plain_row : with_options_row;
    const size_t relid = row.find("\"relid\": \"");
    const size_t end = row.find('"', relid + 10);
    row.replace(relid + 10, end - (relid + 10), std::to_string(100000 + k));
    doc += row;
  }
  doc += tail;
  return doc;
}

void ReportRates(benchmark::State& state, int64_t rows, int64_t bytes, int64_t snapshots,
                 int64_t allocations) {
  state.SetBytesProcessed(bytes);
  state.counters["rows"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["snapshots"] =
      benchmark::Counter(static_cast<double>(snapshots), benchmark::Counter::kIsRate);
  state.counters["allocs_per_snapshot"] =
      snapshots == 0 ? 0.0 : static_cast<double>(allocations) / static_cast<double>(snapshots);
}

void BM_DecodeDatasetSnapshots(benchmark::State& state) {
  const auto& lines = DatasetLines();
  SnapshotDecoder decoder;
  Snapshot snapshot;
  for (std::string_view line : lines) {  // warm up: buffers reach their steady size
    if (!decoder.TryDecode(line, &snapshot)) {
      state.SkipWithError(decoder.ErrorMessage().c_str());
      return;
    }
  }
  int64_t rows = 0, bytes = 0, snapshots = 0;
  const int64_t allocations_before = bench::Allocations();
  for (auto _ : state) {
    for (std::string_view line : lines) {
      decoder.TryDecode(line, &snapshot);
      rows += static_cast<int64_t>(snapshot.tables.size());
      bytes += static_cast<int64_t>(line.size());
      ++snapshots;
    }
    benchmark::DoNotOptimize(snapshot.tables.data());
  }
  ReportRates(state, rows, bytes, snapshots, bench::Allocations() - allocations_before);
}
BENCHMARK(BM_DecodeDatasetSnapshots);

void BM_DecodeSynthetic10kTables(benchmark::State& state) {
  const std::string doc = SyntheticSnapshot(10000);
  SnapshotDecoder decoder;
  Snapshot snapshot;
  // Twice: the second decode recycles the first one's rows, the last buffer to reach its size.
  for (int warm_up = 0; warm_up < 2; ++warm_up) {
    if (!decoder.TryDecode(doc, &snapshot) || snapshot.tables.size() != 10000) {
      state.SkipWithError(decoder.ErrorMessage().c_str());
      return;
    }
  }
  int64_t rows = 0, bytes = 0, snapshots = 0;
  const int64_t allocations_before = bench::Allocations();
  for (auto _ : state) {
    decoder.TryDecode(doc, &snapshot);
    rows += static_cast<int64_t>(snapshot.tables.size());
    bytes += static_cast<int64_t>(doc.size());
    ++snapshots;
    benchmark::DoNotOptimize(snapshot.tables.data());
  }
  ReportRates(state, rows, bytes, snapshots, bench::Allocations() - allocations_before);
}
BENCHMARK(BM_DecodeSynthetic10kTables);

// The whole reading path: 1 MiB chunks, line splitting, in-place decoding, counters.
void BM_ReadDatasetFile(benchmark::State& state) {
  const std::string& text = DatasetText();
  constexpr size_t kChunk = 1 << 20;
  Snapshot snapshot;
  int64_t rows = 0, bytes = 0, snapshots = 0;
  for (auto _ : state) {
    SnapshotReader reader({});
    for (size_t i = 0; i < text.size(); i += kChunk) {
      reader.Feed(std::string_view(text).substr(i, kChunk));
      while (reader.Next(&snapshot)) {
      }
    }
    reader.Finish();
    while (reader.Next(&snapshot)) {
    }
    rows += reader.counters().table_rows;
    snapshots += reader.counters().snapshots;
    bytes += static_cast<int64_t>(text.size());
  }
  ReportRates(state, rows, bytes, snapshots, 0);
  state.counters.erase("allocs_per_snapshot");  // a new reader per iteration allocates
}
BENCHMARK(BM_ReadDatasetFile);

}  // namespace
}  // namespace vacwatch::ingest

BENCHMARK_MAIN();
