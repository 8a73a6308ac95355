#include "fuzz/fuzz_target.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "simdjson.h"

namespace vacwatch::fuzz {
namespace {

// Function-local, so registration from other files' static initialisers finds it built.
std::vector<FuzzTarget>& Registry() {
  static auto* targets = new std::vector<FuzzTarget>();
  return *targets;
}

}  // namespace

std::vector<FuzzTarget> FuzzTargets() {
  std::vector<FuzzTarget> out = Registry();
  std::sort(out.begin(), out.end(),
            [](const FuzzTarget& a, const FuzzTarget& b) { return a.name < b.name; });
  return out;
}

bool RegisterFuzzTarget(std::string_view name, FuzzBody body) {
  Registry().push_back({name, body});
  return true;
}

void FuzzCheckFailed(const char* file, int line, const char* condition, std::string_view detail) {
  std::fprintf(stderr, "fuzz check failed: %s:%d: %s: %.*s\n", file, line, condition,
               static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

FuzzInput::FuzzInput(std::string_view data) {
  const size_t n = std::min(data.size(), kKnobBytes);
  std::memcpy(knobs_, data.data(), n);
  payload_ = data.substr(n);
}

FeedPlan::FeedPlan(uint8_t seed) : whole_(seed == 0), state_(0x9E3779B97F4A7C15ULL * seed) {}

size_t FeedPlan::Next(size_t left) {
  if (whole_) return left;
  // splitmix64: cheap, and every seed gives a different sequence.
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  static constexpr size_t kLimits[] = {1, 8, 64, 4096};
  const size_t limit = kLimits[z & 3];
  return std::min(left, 1 + static_cast<size_t>((z >> 2) % limit));
}

bool IsValidJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  return parser.parse(json.data(), json.size()).get(element) == simdjson::SUCCESS;
}

}  // namespace vacwatch::fuzz
