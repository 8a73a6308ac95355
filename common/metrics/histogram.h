#ifndef VACWATCH_COMMON_METRICS_HISTOGRAM_H_
#define VACWATCH_COMMON_METRICS_HISTOGRAM_H_

// Histogram: a Prometheus histogram's state with fixed bucket bounds, as plain numbers owned by
// one thread. Observe() never allocates: the bounds are a static array the histogram points
// to, the counts a fixed array inside it, so a histogram lives in a plain stats struct and is
// copied with it (the copy is what the exporter renders):
//
//   static constexpr double kBounds[] = {0.001, 0.01, 0.1, 1};   // seconds, ascending
//   Histogram h(kBounds);
//   h.Observe(0.004);   // counted in le=0.01, 0.1, 1 and +Inf (cumulative when rendered)
//   h.cumulative(1);    // 1: observations <= 0.01
//
// Keeps a pointer to `bounds` (static storage: a constexpr array). Not thread-safe: one owner
// thread observes; others see a copy taken by that thread.

#include <array>
#include <cstdint>
#include <span>

namespace vacwatch::metrics {

class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 24;

  // `bounds`: ascending upper bounds, at most kMaxBuckets, without +Inf (always added).
  explicit Histogram(std::span<const double> bounds);

  void Observe(double value);
  // Adds `other`'s observations (several shards' histograms into one). Both must have the same
  // bounds (the same static array, or equal values); false, and nothing added, otherwise.
  bool Merge(const Histogram& other);

  std::span<const double> bounds() const { return bounds_; }
  // Observations <= bounds()[i] (i < bounds().size()), the Prometheus `le` bucket.
  int64_t cumulative(size_t i) const;
  int64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::span<const double> bounds_;
  std::array<int64_t, kMaxBuckets> in_bucket_{};  // observations in (bounds[i-1], bounds[i]]
  int64_t count_ = 0;
  double sum_ = 0;
};

// Seconds, 1 ms to 60 s: batch and checkpoint durations.
inline constexpr double kDurationBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,      2.5,   5,    10,    30,   60};

}  // namespace vacwatch::metrics

#endif  // VACWATCH_COMMON_METRICS_HISTOGRAM_H_
