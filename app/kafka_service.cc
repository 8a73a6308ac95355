#include "app/kafka_service.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "app/alert_sinks.h"
#include "app/driver.h"
#include "app/event_consumer.h"
#include "app/full_state_dir.h"
#include "app/kafka_inputs.h"
#include "app/kafka_partition_queues.h"
#include "app/metered_consumer.h"
#include "app/service_log.h"
#include "app/service_metrics.h"
#include "app/task_pool.h"
#include "common/fnv1a.h"
#include "common/status_macros.h"
#include "sinks/kafka/alert_topic_sink.h"
#include "sinks/kafka/dead_letter_topic.h"
#include "sinks/kafka/kafka_conf.h"
#include "sinks/metered_sink.h"
#include "sinks/sink_metrics.h"
#include "state/source_offset.h"
#include "state/state_store.h"

namespace vacwatch::app {
namespace {

// One input partition's share of the service: the pair of partitions with that number (logs
// and stats: co-partitioned, so all of a cluster's data), its state in its own scope of the
// store, its own pipeline and driver (its clusters' events merged in event time), and its
// outbox delivered in its own scope of the alert topic. Created when the first of the pair is
// assigned, checkpointed and closed as a unit when the last is revoked. With /metrics its
// pipeline and alert-topic sink are metered, and its sinks' counts listed by metric name.
struct Shard {
  int32_t partition = 0;
  std::unique_ptr<state::StateStore> store;  // the partition's scope
  std::unique_ptr<PipelineConsumer> pipeline;
  std::unique_ptr<MeteredConsumer> metered;            // in front of pipeline (with metrics)
  std::unique_ptr<sinks::AlertSink> alerts;            // the alert topic, in the partition's scope
  std::unique_ptr<sinks::MeteredSink> metered_alerts;  // in front of alerts (with metrics)
  std::unique_ptr<AlertSinks> http_sinks;  // Alertmanager, PagerDuty, webhook (may be null)
  std::unique_ptr<Driver> driver;
  std::unique_ptr<KafkaLogInput> logs;
  std::unique_ptr<KafkaStatsInput> stats;
  std::vector<MetricsSources::Sink> sink_metrics;  // "kafka", then the HTTP sinks' names
};

}  // namespace

class KafkaService::Impl {
 public:
  explicit Impl(KafkaServiceOptions options) : options_(std::move(options)) {}

  ~Impl() {
    if (consumer_ != nullptr) rd_kafka_consumer_close(consumer_);  // revokes: queues closed
    partition_queues_.reset();
    if (consumer_queue_ != nullptr) rd_kafka_queue_destroy(consumer_queue_);
    if (consumer_ != nullptr) rd_kafka_destroy(consumer_);
  }

  absl::Status Run() {
    VW_ASSIGN_OR_RETURN(store_, state::StateStore::Open(options_.state_dir, {}));
    VW_ASSIGN_OR_RETURN(const int partitions, CoPartitionedCount());
    VW_RETURN_IF_ERROR(OpenConsumer(partitions));
    VW_ASSIGN_OR_RETURN(std::string instance, InstanceId());
    sinks::AlertTopicOptions alert_options;
    alert_options.brokers = options_.brokers;
    alert_options.topic = options_.alerts_topic;
    alert_options.transactional_id = absl::StrCat("vacwatch-", options_.group, "-", instance);
    alert_options.instance = instance;
    alert_options.librdkafka = options_.librdkafka;
    VW_ASSIGN_OR_RETURN(alerts_, sinks::AlertTopicSink::Open(alert_options));
    sinks::DeadLetterTopicOptions dlq_options;
    dlq_options.brokers = options_.brokers;
    dlq_options.topic = options_.dlq_topic;
    dlq_options.librdkafka = options_.librdkafka;
    VW_ASSIGN_OR_RETURN(dlq_, sinks::DeadLetterTopic::Open(dlq_options));

    if (options_.metrics != nullptr) {
      series_budget_.limit = options_.metrics->options().table_series_limit;
      options_.metrics->SetStateOpen(true);  // readiness
    }
    VW_RETURN_IF_ERROR(Subscribe());
    Log("info", absl::StrCat("consuming ", options_.logs_topic, " and ", options_.stats_topic,
                             " as group ", options_.group, " from ", options_.brokers));
    absl::Time last_checkpoint = absl::Now();
    absl::Time last_progress = absl::Now();
    while (!Stopping()) {
      VW_RETURN_IF_ERROR(Poll());
      if (!pending_error_.ok()) return pending_error_;
      absl::Status s = out_of_space_;
      if (s.ok()) s = RunShards();
      const absl::Time now = absl::Now();
      // Caught up (a whole poll round, with its wait, brought nothing): what was applied is
      // committed now, so its alerts go out at once. While input keeps coming, commits wait for
      // the interval, and a table seen again meanwhile (a backlog) is written once.
      const bool caught_up =
          polled_messages_ == 0 && (read_since_checkpoint_ || ShardWithItemsSinceCheckpoint(1));
      if (s.ok() && (now - last_checkpoint >= options_.checkpoint_interval ||
                     ShardWithItemsSinceCheckpoint(options_.checkpoint_every_items) || caught_up)) {
        s = Checkpoint();
        last_checkpoint = now;
      }
      if (absl::IsResourceExhausted(s)) s = WaitForSpace(s);
      VW_RETURN_IF_ERROR(s);
      ResumeDrainedPartitions();
      PublishMetrics();
      if (now - last_progress >= options_.progress_interval) {
        ReportProgress(now - last_progress);
        last_progress = now;
      }
    }
    Log("info", "stopping: delivering and checkpointing what was read");
    VW_RETURN_IF_ERROR(RunShards());
    for (auto& [partition, shard] : shards_) VW_RETURN_IF_ERROR(shard->driver->Finish());
    VW_RETURN_IF_ERROR(dlq_->Flush());
    CommitKafkaOffsets();
    return absl::OkStatus();
  }

 private:
  // One id per state directory, kept in it: the alert producer's transactional id (a restart
  // on the same state fences its predecessor) and the header that finds its transitions.
  absl::StatusOr<std::string> InstanceId() {
    VW_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta("instance"));
    if (stored.has_value()) return *stored;
    Fnv1a h;
    h.Add(absl::StrCat(absl::ToUnixNanos(absl::Now()), "/", options_.state_dir, "/",
                       static_cast<int64_t>(::getpid())));
    const std::string id = absl::StrCat(options_.group, "-", h.value() % 1000000007);
    state::StateStore::Batch batch;
    batch.PutMeta("instance", id);
    VW_RETURN_IF_ERROR(store_->Commit(&batch));
    return id;
  }

  // The consumer's librdkafka settings; `ours` on top of the service's own (group.id and the
  // like, which the user cannot change).
  absl::StatusOr<rd_kafka_t*> NewConsumer(const sinks::KafkaSettings& ours,
                                          const std::map<std::string, std::string>& passthrough) {
    // A fetch waits at most 10 ms for data (librdkafka's default is 500; the config's
    // kafka.librdkafka may change it): the mock broker of `vacwatch dev-broker` holds every
    // fetch for that long, which capped the service at 170k messages/s (docs/performance.md);
    // a real broker answers at once when it has data, and an idle one costs 100 small requests
    // per second.
    sinks::KafkaSettings forced = {
        {"bootstrap.servers", options_.brokers},
        {"group.id", options_.group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"isolation.level", "read_committed"},
        {"client.id", "vacwatch"},
    };
    forced.insert(forced.end(), ours.begin(), ours.end());
    VW_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                        sinks::MakeKafkaConf({{"fetch.wait.max.ms", "10"}}, passthrough, forced));
    char error[512];
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &Impl::RebalanceCallback);
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (consumer == nullptr) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(absl::StrCat("kafka consumer: ", error));
    }
    return consumer;
  }

  // Each partition has its own fetch queue (kafka_partition_queues.h), for which librdkafka
  // applies queued.max.messages.kbytes per partition: the prefetch budget, 256 MiB unless the
  // config's kafka.librdkafka sets that key (librdkafka's default is 64 MiB), is shared out
  // among the 2 x `partitions` the instance may be assigned, at least 1 MiB each (a fetch
  // brings up to 1 MiB per partition). With a budget of 64 MiB a snapshot backlog drained at
  // 140-185k rows/s instead of 320-410k (docs/performance.md): the fetcher must keep the
  // partitions filled while the shards run. The budget is most of the memory a backlog adds.
  absl::Status OpenConsumer(int partitions) {
    std::map<std::string, std::string> passthrough = options_.librdkafka;
    int64_t budget_kbytes = 262144;
    if (auto it = passthrough.find("queued.max.messages.kbytes"); it != passthrough.end()) {
      if (!absl::SimpleAtoi(it->second, &budget_kbytes) || budget_kbytes <= 0) {
        return absl::InvalidArgumentError(
            "kafka.librdkafka.queued.max.messages.kbytes: not a positive number of kilobytes");
      }
      passthrough.erase(it);
    }
    const int64_t per_partition =
        std::clamp<int64_t>(budget_kbytes / std::max(1, 2 * partitions), 1024, 2097151);
    VW_ASSIGN_OR_RETURN(
        consumer_,
        NewConsumer({{"queued.max.messages.kbytes", absl::StrCat(per_partition)}}, passthrough));
    rd_kafka_poll_set_consumer(consumer_);
    consumer_queue_ = rd_kafka_queue_get_consumer(consumer_);
    partition_queues_ = std::make_unique<KafkaPartitionQueues>(consumer_, consumer_queue_);
    return absl::OkStatus();
  }

  static absl::StatusOr<int> PartitionCount(rd_kafka_t* client, const std::string& topic,
                                            const std::string& brokers) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(client, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, t, &metadata, 10000);
    rd_kafka_topic_destroy(t);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("topic ", topic, ": no metadata from ", brokers,
                                                 ": ", rd_kafka_err2str(err)));
    }
    const rd_kafka_resp_err_t topic_err =
        metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN;
    const int count = metadata->topic_cnt == 1 ? metadata->topics[0].partition_cnt : 0;
    rd_kafka_metadata_destroy(metadata);
    if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || count == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topic ", topic, " does not exist on ", brokers, " (", rd_kafka_err2str(topic_err), ")"));
    }
    return count;
  }

  // The partition count both topics have (checked before the consumer is made, which is sized
  // by it), read with a client of the same settings that never joins the group.
  absl::StatusOr<int> CoPartitionedCount() {
    VW_ASSIGN_OR_RETURN(rd_kafka_t * client, NewConsumer({}, options_.librdkafka));
    absl::StatusOr<int> logs = PartitionCount(client, options_.logs_topic, options_.brokers);
    absl::StatusOr<int> stats = PartitionCount(client, options_.stats_topic, options_.brokers);
    rd_kafka_destroy(client);
    VW_RETURN_IF_ERROR(logs.status());
    VW_RETURN_IF_ERROR(stats.status());
    if (*logs != *stats) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topics ", options_.logs_topic, " (", *logs, " partitions) and ", options_.stats_topic,
          " (", *stats,
          ") are not co-partitioned: a cluster's logs and snapshots must land on "
          "the same partition number, so both need the same partition count and both must be "
          "keyed by cluster"));
    }
    return *logs;
  }

  absl::Status Subscribe() {
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(topics, options_.logs_topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(topics, options_.stats_topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("subscribe: ", rd_kafka_err2str(err)));
    }
    return absl::OkStatus();
  }

  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    absl::Status s = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? self->Assign(partitions)
                                                                 : self->Revoke(partitions);
    if (!s.ok() && self->pending_error_.ok()) self->pending_error_ = s;
    (void)rk;
  }

  // The shard of `partition`, opened (its scope, pipeline, driver; its outbox's leftovers
  // delivered) when it is not open yet.
  absl::StatusOr<Shard*> OpenShard(int32_t partition) {
    auto found = shards_.find(partition);
    if (found != shards_.end()) return found->second.get();
    auto shard = std::make_unique<Shard>();
    shard->partition = partition;
    VW_ASSIGN_OR_RETURN(shard->store, store_->OpenScope(static_cast<uint32_t>(partition)));
    shard->pipeline = std::make_unique<PipelineConsumer>(options_.pipeline, shard->store.get());
    shard->alerts = alerts_->ForScope(absl::StrCat(options_.group, "/", partition));
    EventConsumer* consumer = shard->pipeline.get();
    sinks::AlertSink* alerts = shard->alerts.get();
    if (options_.metrics != nullptr) {
      // Without metrics the pipeline and the topic are fed directly: no cost per item.
      shard->metered = std::make_unique<MeteredConsumer>(consumer, series_budget_);
      consumer = shard->metered.get();
      shard->metered_alerts = std::make_unique<sinks::MeteredSink>(alerts);
      alerts = shard->metered_alerts.get();
    }
    DriverOptions driver_options;
    driver_options.max_input_skew = options_.max_input_skew;
    // The service checkpoints on its timer (checkpoint_interval) or when a shard has
    // checkpoint_every_items (ShardWithItemsSinceCheckpoint): a commit per snapshot would cost a
    // RocksDB write and a Kafka transaction per snapshot message. Never in Run(), which runs on the
    // pool.
    driver_options.checkpoint_in_run = false;
    Shard* raw = shard.get();
    driver_options.before_commit = [this, raw](state::StateStore::Batch* batch) {
      if (raw->logs != nullptr) raw->logs->CheckpointPrefixes(batch);
      // Dead letters land before the positions past them are stored (immediate when none is
      // outstanding).
      return dlq_->Flush();
    };
    // The HTTP sinks are the shard's own: each delivers from the partition's outbox, whose
    // numbering is the partition's, and keeps its position in the partition's scope.
    std::vector<DriverSink> sinks = {{"alerts", alerts, &options_.alerts_topic_route}};
    if (options_.make_sinks) {
      VW_ASSIGN_OR_RETURN(shard->http_sinks, options_.make_sinks(partition));
      const std::vector<DriverSink> http = shard->http_sinks->driver_sinks();
      sinks.insert(sinks.end(), http.begin(), http.end());
    }
    if (options_.metrics != nullptr) {
      // The alert topic is "kafka" on /metrics (as in the config's sinks: section); its
      // position keeps its name "alerts". The HTTP sinks count for themselves.
      for (const DriverSink& d : sinks) {
        if (d.sink->sink_metrics() == nullptr) continue;
        shard->sink_metrics.push_back(
            {d.sink == alerts ? std::string("kafka") : d.name, d.sink->sink_metrics()});
      }
    }
    shard->driver =
        std::make_unique<Driver>(driver_options, consumer, shard->store.get(), std::move(sinks));
    const int64_t skipped_before = alerts_->skipped_as_delivered();
    VW_RETURN_IF_ERROR(shard->driver->RedeliverOutbox());
    if (alerts_->skipped_as_delivered() > skipped_before) {
      Log("info", absl::StrCat("partition ", partition, ": ",
                               alerts_->skipped_as_delivered() - skipped_before,
                               " transitions left in the outbox were on the alert topic already "
                               "(not sent again)"));
    }
    return shards_.emplace(partition, std::move(shard)).first->second.get();
  }

  // Each partition resumes at the offset stored with its state (earliest when none).
  absl::Status Assign(rd_kafka_topic_partition_list_t* partitions) {
    std::string assigned;  // one line for the whole assignment
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& p = partitions->elems[i];
      const std::string topic = p.topic;
      const bool is_logs = topic == options_.logs_topic;
      VW_ASSIGN_OR_RETURN(Shard * shard, OpenShard(p.partition));
      const std::string id = state::MakeKafkaSourceId(topic, p.partition);
      VW_ASSIGN_OR_RETURN(std::optional<state::SourceOffset> stored, shard->store->GetOffset(id));
      const int64_t start = stored.has_value() ? stored->value() : 0;
      p.offset = stored.has_value() ? start : RD_KAFKA_OFFSET_BEGINNING;
      const std::string source_name = absl::StrCat(topic, "/", p.partition);
      KafkaInput* input = nullptr;
      if (is_logs) {
        ingest::ShipperLogReader::Options o;
        o.cluster = "default";
        o.start_offset = start;
        o.errors = dlq_.get();
        o.source_name = source_name;
        o.envelope = options_.envelope;
        o.log_line_prefix = options_.log_line_prefix;
        VW_ASSIGN_OR_RETURN(o.known_prefixes, KafkaLogInput::StoredPrefixes(*shard->store, id));
        VW_ASSIGN_OR_RETURN(shard->logs, KafkaLogInput::Create(topic, p.partition, std::move(o)));
        shard->logs->set_cluster_header(options_.cluster_header);
        input = shard->logs.get();
      } else {
        ingest::SnapshotReaderOptions o;
        o.start_offset = start;
        o.errors = dlq_.get();
        o.source_name = source_name;
        shard->stats = std::make_unique<KafkaStatsInput>(topic, p.partition, o);
        input = shard->stats.get();
      }
      VW_RETURN_IF_ERROR(shard->driver->AddInput(input));
      absl::StrAppend(&assigned, assigned.empty() ? "" : ", ", source_name, " from ",
                      stored.has_value() ? absl::StrCat(start) : "earliest");
      inputs_[{topic, p.partition}] = input;
      std::vector<KafkaInput*>& by_partition = is_logs ? log_inputs_ : stats_inputs_;
      if (by_partition.size() <= static_cast<size_t>(p.partition)) {
        by_partition.resize(p.partition + 1, nullptr);
      }
      by_partition[p.partition] = input;
      // Before the assign: its fetch then fills the partition's own queue.
      partition_queues_->Open(is_logs ? 0 : 1, topic, p.partition);
    }
    if (!assigned.empty()) Log("info", absl::StrCat("assigned ", assigned));
    if (rd_kafka_error_t* e = rd_kafka_incremental_assign(consumer_, partitions)) {
      const std::string message = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
      return absl::UnavailableError(absl::StrCat("assign: ", message));
    }
    return absl::OkStatus();
  }

  // A revoked partition's state and position are checkpointed before it goes, and a shard
  // whose two partitions are both gone is closed (its outbox confirmed, its memory freed). It
  // goes even when that fails: librdkafka waits for the unassign, and
  // rd_kafka_consumer_close() (which revokes everything) would wait forever, so a service
  // ending on an error would hang. On a full disk the failed batch keeps their positions, and
  // the service waits for space before reading on.
  absl::Status Revoke(rd_kafka_topic_partition_list_t* partitions) {
    absl::Status checkpointed;
    std::string revoked;            // one line for the whole revocation
    std::set<int32_t> checkpoints;  // once per shard, whether one or both of its go
    for (int i = 0; i < partitions->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = partitions->elems[i];
      auto it = inputs_.find({p.topic, p.partition});
      if (it == inputs_.end()) continue;
      Shard* shard = shards_.at(p.partition).get();
      if (checkpoints.insert(p.partition).second) {
        absl::Status s = shard->driver->Checkpoint();
        if (absl::IsResourceExhausted(s)) {
          out_of_space_ = s;
        } else if (!s.ok() && checkpointed.ok()) {
          checkpointed = s;
        }
      }
      shard->driver->RemoveInput(it->second);
      const bool is_logs = p.topic == options_.logs_topic;
      // The totals on /metrics keep what its reader counted.
      (is_logs ? revoked_logs_ : revoked_stats_) += it->second->counters();
      (is_logs ? log_inputs_ : stats_inputs_)[p.partition] = nullptr;
      paused_.erase({p.topic, p.partition});
      partition_queues_->Close(is_logs ? 0 : 1, p.partition);
      inputs_.erase(it);
      if (is_logs) {
        shard->logs.reset();
      } else {
        shard->stats.reset();
      }
      absl::StrAppend(&revoked, revoked.empty() ? "" : ", ", p.topic, "/", p.partition);
    }
    if (!revoked.empty()) Log("info", absl::StrCat("revoked ", revoked));
    if (checkpointed.ok() && out_of_space_.ok()) checkpointed = CloseEmptyShards();
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(consumer_, partitions)) {
      rd_kafka_error_destroy(e);
    }
    return checkpointed;
  }

  // Shards with neither partition left: their last checkpoint was committed (Revoke, or the
  // retry after a full disk), so Finish confirms their outbox and they go.
  absl::Status CloseEmptyShards() {
    for (auto it = shards_.begin(); it != shards_.end();) {
      Shard& shard = *it->second;
      if (shard.logs != nullptr || shard.stats != nullptr) {
        ++it;
        continue;
      }
      VW_RETURN_IF_ERROR(shard.driver->Finish());
      AddDriverStats(shard.driver->stats(), &closed_totals_);
      for (const MetricsSources::Sink& sink : shard.sink_metrics) {
        SinkCounts& closed = closed_sinks_[sink.name];
        closed.delivered += sink.metrics->delivered.load(std::memory_order_relaxed);
        closed.failed += sink.metrics->failed.load(std::memory_order_relaxed);
        closed.retries += sink.metrics->retries.load(std::memory_order_relaxed);
      }
      it = shards_.erase(it);
    }
    return absl::OkStatus();
  }

  // Takes what the partitions' queues hold into their inputs, each up to its input's bound
  // (max_queued_messages, max_queued_bytes) and the round up to kMaxPolledBytesPerRound, so
  // that what waits in the shards' inputs between two runs stays bounded; what is left stays
  // in librdkafka's queues, which stop fetching when full. When nothing came, waits for data
  // (up to 100 ms: the loop's pace when idle). The consumer queue is served every time:
  // rebalances and errors come there, and the messages of a partition without a queue of its
  // own (kafka_partition_queues.h).
  absl::Status Poll() {
    polled_bytes_ = 0;
    polled_messages_ = 0;
    int64_t taken = TakeFromPartitionQueues();
    if (taken == 0) partition_queues_->Wait(absl::Milliseconds(100));
    for (int polled = 0; polled < kMaxPolledPerRound && polled_bytes_ < kMaxPolledBytesPerRound;
         ++polled) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, 0);
      if (message == nullptr) break;
      Dispatch(KafkaMessage(message));
    }
    if (taken == 0) TakeFromPartitionQueues();
    return absl::OkStatus();
  }

  // One pass over the assigned partitions, starting one further each round so that a round
  // cut short by its byte bound does not always leave the same partitions unread.
  int64_t TakeFromPartitionQueues() {
    const size_t partitions = log_inputs_.size() + stats_inputs_.size();
    if (partitions == 0) return 0;
    int64_t taken = 0;
    rd_kafka_message_t* batch[kPollBatch];
    const size_t start = next_take_++ % partitions;
    for (size_t k = 0; k < partitions && polled_bytes_ < kMaxPolledBytesPerRound; ++k) {
      const size_t i = (start + k) % partitions;
      const int index = i < log_inputs_.size() ? 0 : 1;
      const size_t partition = index == 0 ? i : i - log_inputs_.size();
      KafkaInput* input = (index == 0 ? log_inputs_ : stats_inputs_)[partition];
      while (input != nullptr && polled_bytes_ < kMaxPolledBytesPerRound &&
             input->queued() < options_.max_queued_messages &&
             input->queued_bytes() < options_.max_queued_bytes) {
        const size_t room =
            std::min<size_t>(kPollBatch, options_.max_queued_messages - input->queued());
        const ssize_t n =
            partition_queues_->Take(index, static_cast<int32_t>(partition), batch, room);
        if (n == 0) break;
        taken += n;
        for (ssize_t m = 0; m < n; ++m) Dispatch(KafkaMessage(batch[m]));
      }
    }
    return taken;
  }

  void Dispatch(KafkaMessage message) {
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Log("warning", absl::StrCat("kafka: ", rd_kafka_message_errstr(message.get())));
      }
      return;
    }
    const int index = TopicIndex(message->rkt);
    if (index < 0) return;
    std::vector<KafkaInput*>& by_partition = index == 0 ? log_inputs_ : stats_inputs_;
    const auto partition = static_cast<size_t>(message->partition);
    // Revoked meanwhile: read again by its next owner.
    if (partition >= by_partition.size() || by_partition[partition] == nullptr) return;
    KafkaInput* input = by_partition[partition];
    ++messages_[index];
    ++polled_messages_;
    read_since_checkpoint_ = true;
    bytes_[index] += static_cast<int64_t>(message->len);
    polled_bytes_ += message->len;
    input->Push(std::move(message));
    // A partition read from its own queue is simply not read while its input is full.
    if (!partition_queues_->IsOpen(index, input->partition()) &&
        (input->queued() >= options_.max_queued_messages ||
         input->queued_bytes() >= options_.max_queued_bytes)) {
      Pause(index == 0 ? options_.logs_topic : options_.stats_topic, input->partition());
    }
  }

  // 0 for the log topic, 1 for the stats topic, -1 for another; by handle, so that a message
  // costs no string comparison.
  int TopicIndex(rd_kafka_topic_t* rkt) {
    for (int i = 0; i < 2; ++i) {
      if (topic_handles_[i] == rkt) return i;
    }
    const char* name = rd_kafka_topic_name(rkt);
    const int index = name == options_.logs_topic ? 0 : name == options_.stats_topic ? 1 : -1;
    if (index >= 0) topic_handles_[index] = rkt;
    return index;
  }

  void Pause(const std::string& topic, int32_t partition) {
    if (!paused_.insert({topic, partition}).second) return;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
    rd_kafka_pause_partitions(consumer_, list);
    rd_kafka_topic_partition_list_destroy(list);
  }

  void ResumeDrainedPartitions() {
    for (auto it = paused_.begin(); it != paused_.end();) {
      auto input = inputs_.find(*it);
      if (input != inputs_.end() &&
          (input->second->queued() > options_.max_queued_messages / 2 ||
           input->second->queued_bytes() > options_.max_queued_bytes / 2)) {
        ++it;
        continue;
      }
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(list, it->first.c_str(), it->second);
      rd_kafka_resume_partitions(consumer_, list);
      rd_kafka_topic_partition_list_destroy(list);
      it = paused_.erase(it);
    }
  }

  bool Stopping() const { return options_.stop && options_.stop(); }

  // The state directory's disk is full (`full`: the store's ResourceExhausted). Nothing more is
  // read: every partition is paused, what was queued stays queued, and the checkpoint that
  // failed is retried with backoff, the consumer polled meanwhile so that the group keeps
  // this member. One error line when consumption stops, one info line when it goes on.
  // Returns once the checkpoint is committed; on a stop request the error (what was not
  // committed is read again at the next start).
  absl::Status WaitForSpace(const absl::Status& full) {
    FullStateDir state_dir(options_.state_dir, "consumption stopped", "consuming again");
    Log("error", state_dir.Begin(full, absl::Now()));
    for (const auto& [key, input] : inputs_) Pause(key.first, key.second);
    while (true) {
      while (!state_dir.RetryDue(absl::Now())) {
        if (Stopping()) return full;
        VW_RETURN_IF_ERROR(Poll());
        if (!pending_error_.ok()) return pending_error_;
      }
      // A revoke that failed meanwhile left its partitions' positions in the same batch.
      out_of_space_ = absl::OkStatus();
      absl::Status s = Checkpoint();
      if (s.ok()) break;
      if (!absl::IsResourceExhausted(s)) return s;
      state_dir.RetryFailed(absl::Now());
    }
    Log("info", state_dir.End(absl::Now()));
    return absl::OkStatus();
  }

  // Every shard's driver fed what its inputs hold, the shards on the pool's threads.
  absl::Status RunShards() {
    ShardList();
    pool_.Run(shard_list_.size(),
              [this](size_t i) { shard_status_[i] = shard_list_[i]->driver->Run().status(); });
    return FirstError();
  }

  // Some shard applied at least `items` log events or snapshots since its last checkpoint.
  bool ShardWithItemsSinceCheckpoint(int64_t items) const {
    for (const auto& [partition, shard] : shards_) {
      if (shard->driver->items_since_checkpoint() >= items) return true;
    }
    return false;
  }

  // Commits every shard on the pool's threads (state, outbox and positions: the store's
  // writes; dead letters flushed before), then delivers on this thread, shard by shard: the
  // alert topic's producer runs one transaction at a time. A shard whose commit failed
  // delivers nothing and is committed again at the retry; the others deliver what they
  // committed.
  absl::Status Checkpoint() {
    ShardList();
    pool_.Run(shard_list_.size(),
              [this](size_t i) { shard_status_[i] = shard_list_[i]->driver->Commit(); });
    absl::Status first;
    for (size_t i = 0; i < shard_list_.size(); ++i) {
      absl::Status s = shard_status_[i];
      if (s.ok()) s = shard_list_[i]->driver->Deliver();
      if (first.ok()) first = s;
    }
    VW_RETURN_IF_ERROR(first);
    read_since_checkpoint_ = false;
    VW_RETURN_IF_ERROR(CloseEmptyShards());
    CommitKafkaOffsets();
    if (options_.after_checkpoint) options_.after_checkpoint(static_cast<int>(inputs_.size()));
    return absl::OkStatus();
  }

  // Kafka's committed offsets, for lag monitoring only: the state store's decide where a
  // partition resumes.
  void CommitKafkaOffsets() {
    if (inputs_.empty()) return;
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(inputs_.size()));
    for (const auto& [key, input] : inputs_) {
      rd_kafka_topic_partition_list_add(list, key.first.c_str(), key.second)->offset =
          input->resume_position().value();
    }
    rd_kafka_commit(consumer_, list, /*async=*/1);
    rd_kafka_topic_partition_list_destroy(list);
  }

  void ReportProgress(absl::Duration elapsed) {
    const double seconds = absl::ToDoubleSeconds(elapsed);
    std::string rates;
    const std::string* names[2] = {&options_.logs_topic, &options_.stats_topic};
    for (int i = 0; i < 2; ++i) {
      if (messages_[i] == 0) continue;
      absl::StrAppend(&rates, rates.empty() ? "" : ", ", *names[i], " ",
                      static_cast<int64_t>(static_cast<double>(messages_[i]) / seconds), " msg/s");
      messages_reported_[i] += messages_[i];
      messages_[i] = 0;
    }
    DriverStats d = closed_totals_;
    for (const auto& [partition, shard] : shards_) {
      const DriverStats& s = shard->driver->stats();
      d.alerts_fired += s.alerts_fired;
      d.alerts_resolved += s.alerts_resolved;
      d.event_time = std::max(d.event_time, s.event_time);
    }
    const std::string lag =
        d.event_time == absl::InfinitePast()
            ? std::string("none yet")
            : absl::StrCat(absl::ToInt64Seconds(absl::Now() - d.event_time), " s");
    Log("info",
        absl::StrCat("progress: ", rates.empty() ? "no messages" : rates, "; partitions ",
                     shards_.size(), "; event-time lag ", lag, "; alerts fired ", d.alerts_fired,
                     ", resolved ", d.alerts_resolved, "; dead letters ", dlq_->produced()));
  }

  // Readiness on every pass of the loop; the page every publish_interval (service_metrics.h):
  // the shards' numbers summed, with what closed shards and revoked inputs had counted (a
  // counter never goes back), and the lag of each assigned partition.
  void PublishMetrics() {
    ServiceMetrics* metrics = options_.metrics;
    if (metrics == nullptr) return;
    metrics->MarkConsuming();
    metrics->SetInputs(static_cast<int>(inputs_.size()));
    if (!metrics->Due()) return;
    MetricsSources s;
    const std::string* names[2] = {&options_.logs_topic, &options_.stats_topic};
    for (int i = 0; i < 2; ++i) {
      s.topics.push_back({*names[i], messages_reported_[i] + messages_[i], bytes_[i]});
    }
    s.logs = revoked_logs_;
    s.stats = revoked_stats_;
    for (const auto& [key, input] : inputs_) {
      (key.first == options_.logs_topic ? s.logs : s.stats) += input->counters();
      int64_t low = 0;
      int64_t high = 0;
      // The high watermark of the last fetch (cached by librdkafka; no request).
      if (rd_kafka_get_watermark_offsets(consumer_, key.first.c_str(), key.second, &low, &high) ==
              RD_KAFKA_RESP_ERR_NO_ERROR &&
          high >= 0) {
        s.partitions.push_back(
            {key.first, key.second, std::max<int64_t>(0, high - input->resume_position().value())});
      }
    }
    s.dead_letters = dlq_->produced();
    s.dead_letter_failures = dlq_->failed();
    DriverStats driver = closed_totals_;
    s.firing.emplace();
    for (const auto& [partition, shard] : shards_) {
      AddDriverStats(shard->driver->stats(), &driver);
      shard->driver->firing().AddCounts(&*s.firing);
      s.consumers.push_back(shard->metered.get());
    }
    s.driver = &driver;
    SumSinkMetrics(&s.sinks);
    s.state_bytes = store_->ApproximateSizeBytes();  // the root's: every scope's keys
    if (absl::Status st = metrics->Publish(s); !st.ok()) {
      Log("warning", absl::StrCat("metrics page: ", st.message()));
    }
  }

  // Each sink name's counts over the open shards (every shard has its own sinks) plus the
  // closed ones', into summed_sinks_; one entry per name.
  void SumSinkMetrics(std::vector<MetricsSources::Sink>* out) {
    std::map<std::string, SinkCounts> sums = closed_sinks_;
    for (const auto& [partition, shard] : shards_) {
      for (const MetricsSources::Sink& sink : shard->sink_metrics) {
        SinkCounts& sum = sums[sink.name];
        sum.delivered += sink.metrics->delivered.load(std::memory_order_relaxed);
        sum.failed += sink.metrics->failed.load(std::memory_order_relaxed);
        sum.retries += sink.metrics->retries.load(std::memory_order_relaxed);
        sum.queued += sink.metrics->queued.load(std::memory_order_relaxed);
      }
    }
    for (const auto& [name, sum] : sums) {
      sinks::SinkMetrics& summed = summed_sinks_[name];  // a node of its own: never moves
      summed.delivered.store(sum.delivered, std::memory_order_relaxed);
      summed.failed.store(sum.failed, std::memory_order_relaxed);
      summed.retries.store(sum.retries, std::memory_order_relaxed);
      summed.queued.store(sum.queued, std::memory_order_relaxed);
      out->push_back({name, &summed});
    }
  }

  void Log(std::string_view level, const std::string& message) {
    WriteServiceLog(options_.log, level, message);
  }

  // The shards in partition order, for a batch on the pool (statuses reset).
  void ShardList() {
    shard_list_.clear();
    for (auto& [partition, shard] : shards_) shard_list_.push_back(shard.get());
    shard_status_.assign(shard_list_.size(), absl::OkStatus());
  }
  absl::Status FirstError() const {
    for (const absl::Status& s : shard_status_) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  static constexpr int kPollBatch = 1024;
  static constexpr int kMaxPolledPerRound = 20000;
  static constexpr int64_t kMaxPolledBytesPerRound = 64 << 20;
  int64_t polled_bytes_ = 0;     // in the current Poll round
  int64_t polled_messages_ = 0;  // in the current Poll round
  // A message was read since the last checkpoint (its position, at least, is to be stored).
  bool read_since_checkpoint_ = false;
  size_t next_take_ = 0;  // where TakeFromPartitionQueues starts its next pass

  const KafkaServiceOptions options_;
  TaskPool pool_{options_.threads};
  std::vector<Shard*> shard_list_;            // a batch's shards (ShardList)
  std::vector<absl::Status> shard_status_;    // each one's result in the batch
  std::unique_ptr<state::StateStore> store_;  // the root: scopes are the shards'
  TableSeriesBudget series_budget_;           // shared by the shards' MeteredConsumers
  std::unique_ptr<sinks::AlertTopicSink> alerts_;
  std::unique_ptr<sinks::DeadLetterTopic> dlq_;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_queue_t* consumer_queue_ = nullptr;
  std::unique_ptr<KafkaPartitionQueues> partition_queues_;  // after consumer_queue_
  std::map<int32_t, std::unique_ptr<Shard>> shards_;
  // Every assigned partition's input (owned by its shard), by (topic, partition) and, for the
  // per-message dispatch, by partition number per topic.
  std::map<std::pair<std::string, int32_t>, KafkaInput*> inputs_;
  std::vector<KafkaInput*> log_inputs_, stats_inputs_;
  rd_kafka_topic_t* topic_handles_[2] = {nullptr, nullptr};  // logs, stats
  std::set<std::pair<std::string, int32_t>> paused_;
  int64_t messages_[2] = {0, 0};  // per topic since the last progress line
  int64_t bytes_[2] = {0, 0};     // per topic, all along
  DriverStats closed_totals_;     // of shards closed since the start
  absl::Status pending_error_;    // from the rebalance callback
  absl::Status out_of_space_;     // a revoke's checkpoint found the disk full: WaitForSpace

  // For /metrics: messages counted in progress lines already (per topic, as messages_), what
  // revoked inputs' readers and closed shards' sinks had counted (by metric name), and the
  // per-name sums the page points to.
  struct SinkCounts {
    int64_t delivered = 0, failed = 0, retries = 0, queued = 0;
  };
  int64_t messages_reported_[2] = {0, 0};
  ingest::IngestCounters revoked_logs_, revoked_stats_;
  std::map<std::string, SinkCounts> closed_sinks_;
  std::map<std::string, sinks::SinkMetrics> summed_sinks_;
};

KafkaService::KafkaService(KafkaServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
KafkaService::~KafkaService() = default;
absl::Status KafkaService::Run() { return impl_->Run(); }

}  // namespace vacwatch::app
