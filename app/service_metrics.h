#ifndef VACWATCH_APP_SERVICE_METRICS_H_
#define VACWATCH_APP_SERVICE_METRICS_H_

// ServiceMetrics: what a vacwatch process (`run`, `replay --metrics-listen`) shows on /metrics,
// /healthz and /readyz (docs/metrics.md lists every metric; metrics_server.h serves them).
//
// Threading, the one rule: every number stays a plain integer owned by the thread that runs
// the pipeline (the readers' IngestCounters, DriverStats, the consumer's and sinks' counts).
// That thread gathers pointers to them into a MetricsSources at its progress tick and calls
// Publish(), which renders the whole page there and hands it to the HTTP thread through a
// MetricsPage (a string swapped under a mutex). So nothing is shared per event, nothing is
// rendered while the numbers move, and a scrape sees values at most one tick old (Due(): every
// `publish_interval`). Readiness is the exception: the HTTP thread reads it from atomics the
// owner sets (SetStateOpen, SetInputs, MarkConsuming), so /readyz turns false when the loop
// stops moving, without waiting for a tick.
//
//   ServiceMetrics metrics(options);
//   MetricsServer server = ...Start(address, &metrics);      // metrics_server.h
//   metrics.SetStateOpen(true);
//   while (...) {
//     metrics.MarkConsuming();
//     if (metrics.Due()) { MetricsSources s; s.driver = &driver.stats(); ...; metrics.Publish(s); }
//   }
//
// Publish keeps no reference to `sources` past the call. Thread-safe as described: Publish and
// the setters from the owner thread, Page() and Readiness() from any.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "app/driver.h"
#include "app/firing_set.h"
#include "app/metered_consumer.h"
#include "common/metrics/metrics_page.h"
#include "ingest/ingest_counters.h"
#include "sinks/sink_metrics.h"

namespace vacwatch::app {

struct ServiceMetricsOptions {
  std::string command = "run";  // the build_info label: run | replay
  // Per-table series (MeteredConsumer): at most this many tables; 0 = none (the default).
  int64_t table_series_limit = 0;
  absl::Duration publish_interval = absl::Seconds(1);
  // /readyz wants the loop to have consumed within this much wall time.
  absl::Duration consuming_timeout = absl::Seconds(30);
  std::function<absl::Time()> clock;  // wall time; default absl::Now (tests drive it)
};

// What the owner thread hands to Publish: pointers to its own numbers (null: not shown) and
// the few values it sums or asks for at the tick.
struct MetricsSources {
  struct Topic {
    std::string topic;
    int64_t messages = 0;
    int64_t bytes = 0;
  };
  struct PartitionLag {
    std::string topic;
    int32_t partition = 0;
    int64_t lag = 0;  // messages between the partition's end and its next unapplied message
  };
  struct Sink {
    std::string name;
    const sinks::SinkMetrics* metrics = nullptr;
  };

  std::vector<Topic> topics;             // run: Kafka messages consumed per topic
  std::vector<PartitionLag> partitions;  // run: consumer lag per assigned partition
  ingest::IngestCounters logs, stats;    // summed over inputs, gone ones included
  int64_t dead_letters = -1;             // produced / written; -1: not known
  int64_t dead_letter_failures = -1;     // could not be produced; -1: not known
  const DriverStats* driver = nullptr;   // `run`: its shards' summed (AddDriverStats)
  // Clusters, per-table series, tables tracked: one consumer per shard (`run`: per partition),
  // shown as one; empty: not shown.
  std::vector<const MeteredConsumer*> consumers;
  // Alerts firing in the state, by alert and severity (FiringSet::AddCounts over the
  // drivers); nullopt: not shown.
  std::optional<FiringCounts> firing;
  std::vector<Sink> sinks;   // one per name (`run`: each summed over the shards first)
  int64_t state_bytes = -1;  // StateStore::ApproximateSizeBytes; -1: not known
};

class ServiceMetrics {
 public:
  explicit ServiceMetrics(ServiceMetricsOptions options = {});
  ServiceMetrics(const ServiceMetrics&) = delete;
  ServiceMetrics& operator=(const ServiceMetrics&) = delete;

  const ServiceMetricsOptions& options() const { return options_; }

  // Owner thread. True once `publish_interval` has passed since the last Publish (and before
  // the first).
  bool Due() const;
  // Renders the page from `sources` and publishes it. Internal when the page breaks the text
  // format (a bug: tests catch it); the page is published all the same.
  absl::Status Publish(const MetricsSources& sources);
  // The page alone, for tests and for Publish.
  absl::Status Render(const MetricsSources& sources, std::string* out) const;

  // Readiness inputs (owner thread; atomics).
  void SetStateOpen(bool open) { state_open_.store(open, std::memory_order_relaxed); }
  void SetInputs(int assigned) { inputs_.store(assigned, std::memory_order_relaxed); }
  void MarkConsuming();

  // Any thread.
  std::string Page() const { return page_.Get(); }
  // Whether the process is ready, and why not ("state store not open", "no partitions
  // assigned", "not consuming for 42 s").
  std::pair<bool, std::string> Readiness() const;

 private:
  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }

  const ServiceMetricsOptions options_;
  const absl::Time start_;
  absl::Time last_publish_ = absl::InfinitePast();
  metrics::MetricsPage page_;
  std::atomic<bool> state_open_{false};
  std::atomic<int> inputs_{0};
  std::atomic<int64_t> consumed_at_ns_{0};  // Unix ns of the last MarkConsuming; 0 = never
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_SERVICE_METRICS_H_
