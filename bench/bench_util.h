#ifndef VACWATCH_BENCH_BENCH_UTIL_H_
#define VACWATCH_BENCH_BENCH_UTIL_H_

// The acceptance datasets for the benchmarks, read in place from the folder the tests use:
// $VACWATCH_DATASETS, else ../shared/datasets beside the checkout (VACWATCH_DEFAULT_DATASETS,
// which bench/CMakeLists.txt defines).
//
//   static const std::string* text =
//       new std::string(bench::ReadDatasetFile("pg15-prod-eu-1/postgresql.log"));
//
// ReadDatasetFile returns the whole file as it is on disk (binary, no newline translation), or
// the empty string when the file cannot be opened or read: there is no error, so a benchmark
// that must not run over nothing checks for empty text itself.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace vacwatch::bench {

// The datasets folder, without a trailing '/'.
inline std::string DatasetsDir() {
  const char* env = std::getenv("VACWATCH_DATASETS");
  return env != nullptr && *env != '\0' ? env : VACWATCH_DEFAULT_DATASETS;
}

// The contents of `path`, relative to DatasetsDir() ("pg15-prod-eu-1/snapshots.jsonl").
inline std::string ReadDatasetFile(std::string_view path) {
  std::ifstream in(DatasetsDir() + "/" + std::string(path), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vacwatch::bench

#endif  // VACWATCH_BENCH_BENCH_UTIL_H_
