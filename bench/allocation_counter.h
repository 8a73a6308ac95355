#ifndef VACWATCH_BENCH_ALLOCATION_COUNTER_H_
#define VACWATCH_BENCH_ALLOCATION_COUNTER_H_

// Counts every heap allocation of the process, for benchmarks that report allocations per unit
// of work:
//
//   const int64_t before = bench::Allocations();
//   ...  // the work measured
//   state.counters["allocs"] = static_cast<double>(bench::Allocations() - before);
//
// Including this header replaces the global operator new and delete (malloc/free underneath),
// which a program may do only once: include it from exactly one .cc of a benchmark binary (each
// bench/*_bench.cc is a binary of its own), never from another header.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace vacwatch::bench {

inline std::atomic<int64_t> allocation_count{0};

// Allocations made so far by the process.
inline int64_t Allocations() { return allocation_count.load(std::memory_order_relaxed); }

}  // namespace vacwatch::bench

// Not inlined so that GCC does not pair a visible malloc with a delete expression
// (-Wmismatched-new-delete); the standard forbids declaring them inline anyway.
[[gnu::noinline]] void* operator new(size_t size) {
  vacwatch::bench::allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

#endif  // VACWATCH_BENCH_ALLOCATION_COUNTER_H_
