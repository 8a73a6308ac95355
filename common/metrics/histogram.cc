#include "common/metrics/histogram.h"

#include <algorithm>
#include <cassert>

namespace vacwatch::metrics {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.first(std::min(bounds.size(), kMaxBuckets))) {
  assert(bounds.size() <= kMaxBuckets);
  assert(std::is_sorted(bounds.begin(), bounds.end()));
}

void Histogram::Observe(double value) {
  ++count_;
  sum_ += value;
  // Few buckets: a linear scan beats a binary search and keeps the order obvious.
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++in_bucket_[i];
      return;
    }
  }
  // Above every bound: only in +Inf (count_).
}

bool Histogram::Merge(const Histogram& other) {
  if (!std::equal(bounds_.begin(), bounds_.end(), other.bounds_.begin(), other.bounds_.end())) {
    return false;
  }
  for (size_t i = 0; i < bounds_.size(); ++i) in_bucket_[i] += other.in_bucket_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  return true;
}

int64_t Histogram::cumulative(size_t i) const {
  int64_t total = 0;
  for (size_t j = 0; j <= i && j < bounds_.size(); ++j) total += in_bucket_[j];
  return total;
}

}  // namespace vacwatch::metrics
