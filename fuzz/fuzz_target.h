#ifndef VACWATCH_FUZZ_FUZZ_TARGET_H_
#define VACWATCH_FUZZ_FUZZ_TARGET_H_

// A fuzz target is one file, fuzz/<name>_fuzzer.cc: a plain function that runs one input
// through a reader and aborts (VW_FUZZ_CHECK) when an invariant breaks, and one line naming it:
//
//   void FuzzCsvLogReader(std::string_view data) {
//     FuzzInput input(data);                    // knob bytes, then the stream
//     ...
//     VW_FUZZ_CHECK(resume <= fed, Cat("resume ", resume, " past ", fed));
//   }
//   VACWATCH_FUZZ_TARGET(csv_log_reader, vacwatch::fuzz::FuzzCsvLogReader);   // global scope
//
// The same file is compiled twice. With VACWATCH_LIBFUZZER defined (fuzz/CMakeLists.txt,
// VACWATCH_FUZZ=ON, clang) the line defines LLVMFuzzerTestOneInput and the file becomes the
// fuzzer `<name>_fuzzer`; in the unit tests (gcc, plain and ASan) the line registers the
// function under `name`, and tests/fuzz/fuzz_corpus_test.cc replays every file of
// tests/data/fuzz/<name>/ through it. So a crash the fuzzer found is replayed by exactly the
// code that found it, on every `scripts/test`.
//
// A body must be deterministic (no clocks, no randomness but what it derives from the input)
// and must not keep state between calls.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace vacwatch::fuzz {

using FuzzBody = void (*)(std::string_view data);

struct FuzzTarget {
  std::string_view name;  // "csv_log_reader": the fuzzer is csv_log_reader_fuzzer
  FuzzBody body;
};

// Every target linked into this binary, sorted by name (the unit tests link all of them).
std::vector<FuzzTarget> FuzzTargets();
// What VACWATCH_FUZZ_TARGET expands to outside libFuzzer builds; returns true.
bool RegisterFuzzTarget(std::string_view name, FuzzBody body);

// Prints "fuzz check failed: FILE:LINE: CONDITION: DETAIL" on stderr and aborts, which the
// fuzzer reports as a crash (and saves the input) and the corpus test as a failure.
[[noreturn]] void FuzzCheckFailed(const char* file, int line, const char* condition,
                                  std::string_view detail);

// The first kKnobBytes of every input are knobs (how to cut the stream, where to restart, which
// options), the rest is the payload: a log, a snapshot line, a message. Shorter inputs read as
// zero knobs and an empty payload. Seed files are real inputs with kKnobBytes in front
// (scripts/fuzz writes them), so the regression corpus stays readable.
class FuzzInput {
 public:
  static constexpr size_t kKnobBytes = 4;

  explicit FuzzInput(std::string_view data);

  uint8_t knob(size_t i) const { return knobs_[i]; }
  std::string_view payload() const { return payload_; }

 private:
  uint8_t knobs_[kKnobBytes] = {};
  std::string_view payload_;
};

// How a stream is cut into Feed calls, derived from one knob: 0 feeds it whole; otherwise a
// small PRNG seeded by the knob draws each piece's size, mixing single bytes, short pieces and
// long ones, so record boundaries, CRLFs, quotes and UTF-8 sequences land on cuts.
class FeedPlan {
 public:
  explicit FeedPlan(uint8_t seed);
  // The size of the next piece (>= 1) when `left` bytes remain (> 0).
  size_t Next(size_t left);

 private:
  bool whole_;
  uint64_t state_;
};

// The arguments streamed into one string, for failure details. (absl::StrCat would do, but
// Debian's Abseil is built with its own string_view, which std::string_view does not convert to.)
template <typename... Args>
std::string Cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// Whether `json` is one valid JSON document (simdjson's DOM parser): what `vacwatch parse` and
// the sinks print must be.
bool IsValidJson(std::string_view json);

}  // namespace vacwatch::fuzz

// Aborts with `detail` (anything convertible to std::string_view, evaluated only on failure)
// when `condition` is false.
#define VW_FUZZ_CHECK(condition, detail)                                                           \
  do {                                                                                             \
    if (!(condition)) ::vacwatch::fuzz::FuzzCheckFailed(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)

#ifdef VACWATCH_LIBFUZZER
#define VACWATCH_FUZZ_TARGET(name, body)                                    \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    body(std::string_view(reinterpret_cast<const char*>(data), size));      \
    return 0;                                                               \
  }                                                                         \
  static_assert(true, "")
#else
#define VACWATCH_FUZZ_TARGET(name, body)                      \
  namespace {                                                 \
  [[maybe_unused]] const bool name##_fuzz_target_registered = \
      ::vacwatch::fuzz::RegisterFuzzTarget(#name, body);      \
  }                                                           \
  static_assert(true, "")
#endif

#endif  // VACWATCH_FUZZ_FUZZ_TARGET_H_
