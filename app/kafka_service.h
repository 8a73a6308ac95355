#ifndef VACWATCH_APP_KAFKA_SERVICE_H_
#define VACWATCH_APP_KAFKA_SERVICE_H_

// KafkaService: `vacwatch run`. One consumer group over the log and stats topics
// (co-partitioned: both keyed by cluster, the same partition count, so one instance holds all
// of a cluster's data; checked at start), the pipeline through the Driver (driver.h), alert
// transitions to the alert topic exactly once (sinks/kafka/alert_topic_sink.h), unusable input
// to the dead-letter topic (sinks/kafka/dead_letter_topic.h).
//
// Each partition number is a shard: the log and stats partitions of that number, their state in
// the partition's own scope of the store (state_store.h: tables, outbox, offsets, detected
// prefixes), a pipeline and a driver of their own. A cluster's events are merged in event time
// within its shard; shards share nothing but the store's files and the producers (both
// thread-safe), so their pipelines run on a pool of `threads` (task_pool.h) and a revoked
// partition is checkpointed and closed as a unit (and can later move to another instance).
//
//   KafkaServiceOptions options;   // brokers, group, state_dir, topics, pipeline config
//   KafkaService service(options);
//   VW_RETURN_IF_ERROR(service.Run());   // until stop() returns true (SIGTERM)
//
// Positions live in the state store with the state (a partition resumes at the offset stored
// with its state, whatever Kafka's committed offset says; those are committed too, for lag
// monitoring only). A partition's messages are queued in its input; a partition whose queue is
// full is paused until the pipeline catches up, so memory stays bounded. When the state
// directory's disk is full, consumption stops (one error line; every partition paused, the
// consumer still polled so the group keeps the member) and the refused checkpoint is retried
// with backoff until it commits (one info line), then reading goes on: nothing read is lost or
// delivered twice. Errors: the store's (a full disk only when stopped while full), the alert
// topic's (Unavailable when the brokers stay away for longer than the timeout), and
// InvalidArgument for topics that are not co-partitioned.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/alert_sinks.h"
#include "app/driver.h"
#include "ingest/shipper_envelope.h"
#include "pipeline/config.h"
#include "sinks/alert_route.h"

namespace vacwatch::app {

class ServiceMetrics;

struct KafkaServiceOptions {
  std::string brokers;
  std::string group = "vacwatch";
  std::string state_dir;
  std::string logs_topic = "pg.logs";
  std::string stats_topic = "pg.stats";
  std::string alerts_topic = "vacwatch.alerts";
  std::string dlq_topic = "vacwatch.dlq";
  std::map<std::string, std::string> librdkafka;  // the config's kafka.librdkafka map
  pipeline::PipelineConfig pipeline;
  ingest::EnvelopeOptions envelope;  // of the log topic's messages
  // The header that names a log message's cluster; empty: the message key (the default), or
  // the envelope's cluster_field when the key is empty.
  std::string cluster_header;
  std::string log_line_prefix;
  absl::Duration max_input_skew = absl::Seconds(30);
  // The longest a shard goes between checkpoints while input keeps coming; once the input runs
  // dry (caught up) the service checkpoints at once.
  absl::Duration checkpoint_interval = absl::Seconds(5);
  // A partition is also checkpointed after this many log events or snapshots (bounds the
  // changes a pipeline holds between checkpoints).
  int64_t checkpoint_every_items = 65536;
  absl::Duration progress_interval = absl::Seconds(10);
  // Per partition, what its input takes from librdkafka's queue before its shard has run:
  // messages, and their payload bytes (kafka_partition_queues.h: the rest waits in librdkafka,
  // which stops fetching a partition whose queue is full).
  size_t max_queued_messages = 20000;
  size_t max_queued_bytes = 8 << 20;
  // Threads that run the shards' pipelines and commits (the polling thread is one of them):
  // shards share nothing but the store's database, so they scale with the cores.
  int threads = 2;
  std::FILE* log = stderr;     // one line per event, with a level
  std::function<bool()> stop;  // polled; true ends the run cleanly
  // Called after each periodic checkpoint with the number of partitions assigned (tests wait
  // on it instead of sleeping).
  std::function<void(int assigned_partitions)> after_checkpoint;
  // Which transitions the alert topic gets (sinks.kafka.route).
  sinks::AlertRoute alerts_topic_route;
  // The sinks fed after the alert topic, each from its own position (driver.h), made for each
  // partition's shard (app/alert_sinks.h: their workers stop when the shard closes); null: none.
  std::function<absl::StatusOr<std::unique_ptr<AlertSinks>>(int32_t partition)> make_sinks;
  // Where /metrics and /readyz get the service's numbers (service_metrics.h): published from
  // the poll loop every publish_interval. Not owned; must outlive Run(). Null: none.
  ServiceMetrics* metrics = nullptr;
};

class KafkaService {
 public:
  explicit KafkaService(KafkaServiceOptions options);
  ~KafkaService();
  KafkaService(const KafkaService&) = delete;
  KafkaService& operator=(const KafkaService&) = delete;

  absl::Status Run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_KAFKA_SERVICE_H_
