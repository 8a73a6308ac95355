// The state store's share of the pipeline's budget: committing batches of table states (as a
// checkpoint does) and reading them back by key (as a cache miss does). Run by hand:
//   build/bench/state_store_bench --benchmark_min_time=2
// Figures go to docs/performance.md.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "state/coding.h"
#include "state/state_store.h"

namespace vacwatch::state {
namespace {

// A store in a fresh temporary directory, removed afterwards.
class BenchStore {
 public:
  BenchStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vacwatch-bench-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto store = StateStore::Open(dir_ + "/state", StateStoreOptions());
    if (!store.ok()) std::abort();
    store_ = *std::move(store);
  }
  ~BenchStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  StateStore* get() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<StateStore> store_;
};

// Keys shaped like the pipeline's ("cluster/database/schema/table"), spread over a few
// databases.
void MakeKey(int64_t i, std::string* key) {
  key->assign("prod-eu-1/db");
  key->append(std::to_string(i % 16));
  key->append("/public/table_");
  key->append(std::to_string(i));
}

// A value the size of an encoded table state.
std::string MakeValue(int64_t i, size_t size) {
  std::string value;
  PutVarint32(&value, 1);
  PutVarsignedint64(&value, i);
  value.resize(size, static_cast<char>('a' + i % 26));
  return value;
}

// One checkpoint of state.range(0) changed tables, 256-byte states, plus an offset.
void BM_CommitTableStates(benchmark::State& state) {
  BenchStore store;
  const int64_t rows = state.range(0);
  StateStore::Batch batch;
  std::string key;
  int64_t next = 0;
  for (auto _ : state) {
    for (int64_t r = 0; r < rows; ++r, ++next) {
      MakeKey(next % 1'000'000, &key);
      batch.PutTable(key, MakeValue(next, 256));
    }
    batch.PutOffset("log:/var/log/postgresql/postgresql.csv", state::SourceOffset(next));
    if (!store.get()->Commit(&batch).ok()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * rows * 256);
}
BENCHMARK(BM_CommitTableStates)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);

// Point reads of existing table states, 100k tables (a warm block cache).
void BM_GetTableState(benchmark::State& state) {
  BenchStore store;
  constexpr int64_t kTables = 100'000;
  StateStore::Batch batch;
  std::string key;
  for (int64_t i = 0; i < kTables; ++i) {
    MakeKey(i, &key);
    batch.PutTable(key, MakeValue(i, 256));
    if (batch.count() >= 10'000 && !store.get()->Commit(&batch).ok()) std::abort();
  }
  if (!store.get()->Commit(&batch).ok()) std::abort();
  std::string value;
  uint64_t x = 88172645463325252ull;
  for (auto _ : state) {
    x ^= x << 13;  // xorshift: no allocation, reproducible
    x ^= x >> 7;
    x ^= x << 17;
    MakeKey(static_cast<int64_t>(x % kTables), &key);
    auto found = store.get()->GetTable(key, &value);
    if (!found.ok() || !*found) state.SkipWithError("missing table");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetTableState);

}  // namespace
}  // namespace vacwatch::state

BENCHMARK_MAIN();
