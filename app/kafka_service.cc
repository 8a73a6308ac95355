#include "app/kafka_service.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/driver.h"
#include "app/event_consumer.h"
#include "app/kafka_inputs.h"
#include "app/metered_consumer.h"
#include "app/service_metrics.h"
#include "common/fnv1a.h"
#include "common/status_macros.h"
#include "pipeline/active_alerts.h"
#include "sinks/kafka/alert_topic_sink.h"
#include "sinks/kafka/dead_letter_topic.h"
#include "sinks/metered_sink.h"
#include "state/source_offset.h"
#include "state/state_store.h"

namespace vacwatch::app {
class KafkaService::Impl {
 public:
  explicit Impl(KafkaServiceOptions options) : options_(std::move(options)) {}

  ~Impl() {
    if (consumer_ != nullptr) {
      rd_kafka_consumer_close(consumer_);
      rd_kafka_destroy(consumer_);
    }
  }

  absl::Status Run() {
    VW_ASSIGN_OR_RETURN(store_, state::StateStore::Open(options_.state_dir, {}));
    VW_RETURN_IF_ERROR(OpenConsumer());
    VW_RETURN_IF_ERROR(CheckCoPartitioned());
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

    consumer_pipeline_ = std::make_unique<PipelineConsumer>(options_.pipeline, store_.get());
    VW_RETURN_IF_ERROR(StartMetering());
    DriverOptions driver_options;
    driver_options.max_input_skew = options_.max_input_skew;
    driver_options.before_commit = [this](state::StateStore::Batch* batch) {
      for (const auto& [key, input] : inputs_) {
        if (key.first == options_.logs_topic) {
          static_cast<KafkaLogInput*>(input.get())->CheckpointPrefixes(batch);
        }
      }
      // Dead letters land before the positions past them are stored (every checkpoint, the
      // driver's own after each snapshot too; immediate when none is outstanding).
      return dlq_->Flush();
    };
    driver_ = std::make_unique<Driver>(driver_options, metered_consumer_.get(), store_.get(),
                                       metered_alerts_.get());
    VW_RETURN_IF_ERROR(driver_->RedeliverOutbox());
    if (alerts_->skipped_as_delivered() > 0) {
      Log("info", absl::StrCat(alerts_->skipped_as_delivered(),
                               " transitions left in the outbox were on the alert topic already "
                               "(not sent again)"));
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
      if (s.ok()) s = driver_->Run().status();
      const absl::Time now = absl::Now();
      if (s.ok() && now - last_checkpoint >= options_.checkpoint_interval) {
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
    VW_RETURN_IF_ERROR(driver_->Run().status());
    VW_RETURN_IF_ERROR(driver_->Finish());
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

  absl::Status OpenConsumer() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    auto set = [&](const std::string& key, const std::string& value) -> absl::Status {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
          RD_KAFKA_CONF_OK) {
        return absl::InvalidArgumentError(absl::StrCat("kafka setting '", key, "': ", error));
      }
      return absl::OkStatus();
    };
    absl::Status s;
    for (const auto& [key, value] : options_.librdkafka) {
      if (s = set(key, value); !s.ok()) break;
    }
    const std::pair<const char*, std::string> ours[] = {
        {"bootstrap.servers", options_.brokers},
        {"group.id", options_.group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"isolation.level", "read_committed"},
        {"client.id", "vacwatch"},
    };
    for (const auto& [key, value] : ours) {
      if (!s.ok()) break;
      s = set(key, value);
    }
    if (!s.ok()) {
      rd_kafka_conf_destroy(conf);
      return s;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &Impl::RebalanceCallback);
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (consumer_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(absl::StrCat("kafka consumer: ", error));
    }
    rd_kafka_poll_set_consumer(consumer_);
    return absl::OkStatus();
  }

  absl::StatusOr<int> PartitionCount(const std::string& topic) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(consumer_, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(consumer_, 0, t, &metadata, 10000);
    rd_kafka_topic_destroy(t);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("topic ", topic, ": no metadata from ",
                                                 options_.brokers, ": ", rd_kafka_err2str(err)));
    }
    const rd_kafka_resp_err_t topic_err =
        metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN;
    const int count = metadata->topic_cnt == 1 ? metadata->topics[0].partition_cnt : 0;
    rd_kafka_metadata_destroy(metadata);
    if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || count == 0) {
      return absl::InvalidArgumentError(absl::StrCat("topic ", topic, " does not exist on ",
                                                     options_.brokers, " (",
                                                     rd_kafka_err2str(topic_err), ")"));
    }
    return count;
  }

  absl::Status CheckCoPartitioned() {
    VW_ASSIGN_OR_RETURN(const int logs, PartitionCount(options_.logs_topic));
    VW_ASSIGN_OR_RETURN(const int stats, PartitionCount(options_.stats_topic));
    if (logs != stats) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topics ", options_.logs_topic, " (", logs, " partitions) and ", options_.stats_topic,
          " (", stats,
          ") are not co-partitioned: a cluster's logs and snapshots must land on "
          "the same partition number, so both need the same partition count and both must be "
          "keyed by cluster"));
    }
    return absl::OkStatus();
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

  // Each partition resumes at the offset stored with its state (earliest when none).
  absl::Status Assign(rd_kafka_topic_partition_list_t* partitions) {
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& p = partitions->elems[i];
      const std::string topic = p.topic;
      const std::string id = state::MakeKafkaSourceId(topic, p.partition);
      VW_ASSIGN_OR_RETURN(std::optional<state::SourceOffset> stored, store_->GetOffset(id));
      const int64_t start = stored.has_value() ? stored->value() : 0;
      p.offset = stored.has_value() ? start : RD_KAFKA_OFFSET_BEGINNING;
      const std::string source_name = absl::StrCat(topic, "/", p.partition);
      std::unique_ptr<KafkaInput> input;
      if (topic == options_.logs_topic) {
        ingest::ShipperLogReader::Options o;
        o.cluster = "default";
        o.start_offset = start;
        o.errors = dlq_.get();
        o.source_name = source_name;
        o.envelope = options_.envelope;
        o.log_line_prefix = options_.log_line_prefix;
        VW_ASSIGN_OR_RETURN(o.known_prefixes, KafkaLogInput::StoredPrefixes(*store_, id));
        VW_ASSIGN_OR_RETURN(input, KafkaLogInput::Create(topic, p.partition, std::move(o)));
      } else {
        ingest::SnapshotReaderOptions o;
        o.start_offset = start;
        o.errors = dlq_.get();
        o.source_name = source_name;
        input = std::make_unique<KafkaStatsInput>(topic, p.partition, o);
      }
      VW_RETURN_IF_ERROR(driver_->AddInput(input.get()));
      Log("info", absl::StrCat("assigned ", source_name, " from offset ",
                               stored.has_value() ? absl::StrCat(start) : "earliest"));
      inputs_[{topic, p.partition}] = std::move(input);
    }
    if (rd_kafka_error_t* e = rd_kafka_incremental_assign(consumer_, partitions)) {
      const std::string message = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
      return absl::UnavailableError(absl::StrCat("assign: ", message));
    }
    return absl::OkStatus();
  }

  // A revoked partition's state and position are checkpointed before it goes. It goes even
  // when that fails: librdkafka waits for the unassign, and rd_kafka_consumer_close() (which
  // revokes everything) would wait forever, so a service ending on an error would hang. On a
  // full disk the failed batch keeps their positions, and the service waits for space
  // before reading on.
  absl::Status Revoke(rd_kafka_topic_partition_list_t* partitions) {
    absl::Status checkpointed = driver_->Checkpoint();
    if (absl::IsResourceExhausted(checkpointed)) {
      out_of_space_ = checkpointed;
      checkpointed = absl::OkStatus();
    }
    for (int i = 0; i < partitions->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = partitions->elems[i];
      auto it = inputs_.find({p.topic, p.partition});
      if (it == inputs_.end()) continue;
      driver_->RemoveInput(it->second.get());
      (p.topic == options_.logs_topic ? revoked_logs_ : revoked_stats_) += it->second->counters();
      inputs_.erase(it);
      Log("info", absl::StrCat("revoked ", p.topic, "/", p.partition));
    }
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(consumer_, partitions)) {
      rd_kafka_error_destroy(e);
    }
    return checkpointed;
  }

  // Takes what the consumer has (up to a batch) into the partitions' queues.
  absl::Status Poll() {
    int timeout_ms = 100;
    for (int n = 0; n < 10000; ++n) {
      rd_kafka_message_t* raw = rd_kafka_consumer_poll(consumer_, timeout_ms);
      if (raw == nullptr) break;
      timeout_ms = 0;
      KafkaMessage message(raw);
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          Log("warning", absl::StrCat("kafka: ", rd_kafka_message_errstr(message.get())));
        }
        continue;
      }
      const std::string topic = rd_kafka_topic_name(message->rkt);
      auto it = inputs_.find({topic, message->partition});
      if (it == inputs_.end()) continue;  // revoked meanwhile: read again by its next owner
      KafkaInput* input = it->second.get();
      ++messages_[topic];
      auto& [count, bytes] = consumed_[topic];  // for /metrics
      ++count;
      bytes += static_cast<int64_t>(message->len);
      input->Push(std::move(message));
      if (input->queued() >= options_.max_queued_messages) Pause(topic, input->partition());
    }
    return absl::OkStatus();
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
      if (input != inputs_.end() && input->second->queued() > options_.max_queued_messages / 2) {
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
    Log("error", absl::StrCat("state directory ", options_.state_dir,
                              " is full: consumption stopped until space is freed; the last "
                              "checkpoint is retried and nothing read is lost (",
                              full.message(), ")"));
    for (const auto& [key, input] : inputs_) Pause(key.first, key.second);
    const absl::Time since = absl::Now();
    absl::Duration backoff = absl::Milliseconds(100);
    while (true) {
      const absl::Time retry = absl::Now() + backoff;
      while (absl::Now() < retry) {
        if (Stopping()) return full;
        VW_RETURN_IF_ERROR(Poll());
        if (!pending_error_.ok()) return pending_error_;
      }
      // A revoke that failed meanwhile left its partitions' positions in the same batch.
      out_of_space_ = absl::OkStatus();
      absl::Status s = Checkpoint();
      if (s.ok()) break;
      if (!absl::IsResourceExhausted(s)) return s;
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
    Log("info", absl::StrCat(
                    "state directory has space again: checkpoint committed after ",
                    absl::FormatDuration(absl::Trunc(absl::Now() - since, absl::Milliseconds(100))),
                    ", consuming again"));
    return absl::OkStatus();
  }

  absl::Status Checkpoint() {
    VW_RETURN_IF_ERROR(driver_->Checkpoint());  // dead letters flushed before the commit
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
    for (auto& [topic, count] : messages_) {
      absl::StrAppend(&rates, rates.empty() ? "" : ", ", topic, " ",
                      static_cast<int64_t>(static_cast<double>(count) / seconds), " msg/s");
      count = 0;
    }
    const DriverStats& d = driver_->stats();
    const std::string lag =
        d.event_time == absl::InfinitePast()
            ? std::string("none yet")
            : absl::StrCat(absl::ToInt64Seconds(absl::Now() - d.event_time), " s");
    Log("info",
        absl::StrCat("progress: ", rates.empty() ? "no messages" : rates, "; event-time lag ", lag,
                     "; alerts fired ", d.alerts_fired, ", resolved ", d.alerts_resolved,
                     "; dead letters ", dlq_->produced()));
  }

  // The consumer and the alert sink behind the meters /metrics reads (without metrics: a
  // virtual call per item, no more), the alerts the state has firing, and readiness.
  absl::Status StartMetering() {
    ServiceMetrics* metrics = options_.metrics;
    metered_consumer_ = std::make_unique<MeteredConsumer>(
        consumer_pipeline_.get(), metrics ? metrics->options().table_series_limit : 0);
    metered_alerts_ = std::make_unique<sinks::MeteredSink>(alerts_.get());
    if (metrics == nullptr) return absl::OkStatus();
    std::vector<pipeline::Alert> firing;
    VW_RETURN_IF_ERROR(pipeline::CollectFiringAlerts(*store_, absl::Now(), &firing));
    metered_alerts_->Seed(firing);
    metrics->SetStateOpen(true);
    return absl::OkStatus();
  }

  // Readiness on every pass of the loop; the page every publish_interval (service_metrics.h).
  void PublishMetrics() {
    ServiceMetrics* metrics = options_.metrics;
    if (metrics == nullptr) return;
    metrics->MarkConsuming();
    metrics->SetInputs(static_cast<int>(inputs_.size()));
    if (!metrics->Due()) return;
    MetricsSources s;
    s.logs = revoked_logs_;
    s.stats = revoked_stats_;
    for (const std::string& topic : {options_.logs_topic, options_.stats_topic}) {
      auto it = consumed_.find(topic);
      s.topics.push_back({topic, it == consumed_.end() ? 0 : it->second.first,
                          it == consumed_.end() ? 0 : it->second.second});
    }
    for (const auto& [key, input] : inputs_) {
      (key.first == options_.logs_topic ? s.logs : s.stats) += input->counters();
      int64_t low = 0;
      int64_t high = 0;
      // The high watermark of the last fetch (cached; no request).
      if (rd_kafka_get_watermark_offsets(consumer_, key.first.c_str(), key.second, &low, &high) ==
              RD_KAFKA_RESP_ERR_NO_ERROR &&
          high >= 0) {
        s.partitions.push_back(
            {key.first, key.second, std::max<int64_t>(0, high - input->resume_position().value())});
      }
    }
    s.dead_letters = dlq_->produced();
    s.dead_letter_failures = dlq_->failed();
    s.driver = &driver_->stats();
    s.consumer = metered_consumer_.get();
    s.alerts = metered_alerts_.get();
    s.sinks.push_back({"kafka", &metered_alerts_->metrics()});
    s.state_bytes = store_->ApproximateSizeBytes();
    if (absl::Status st = metrics->Publish(s); !st.ok()) {
      Log("warning", absl::StrCat("metrics page: ", st.message()));
    }
  }

  void Log(std::string_view level, const std::string& message) {
    if (options_.log == nullptr) return;
    std::fprintf(options_.log, "%s %s vacwatch run: %s\n",
                 absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
                 std::string(level).c_str(), message.c_str());
    std::fflush(options_.log);
  }

  const KafkaServiceOptions options_;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<sinks::AlertTopicSink> alerts_;
  std::unique_ptr<sinks::DeadLetterTopic> dlq_;
  std::unique_ptr<PipelineConsumer> consumer_pipeline_;
  std::unique_ptr<MeteredConsumer> metered_consumer_;   // in front of consumer_pipeline_
  std::unique_ptr<sinks::MeteredSink> metered_alerts_;  // in front of alerts_
  std::unique_ptr<Driver> driver_;
  rd_kafka_t* consumer_ = nullptr;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<KafkaInput>> inputs_;
  std::set<std::pair<std::string, int32_t>> paused_;
  std::map<std::string, int64_t> messages_;  // per topic since the last progress line
  absl::Status pending_error_;               // from the rebalance callback
  absl::Status out_of_space_;  // a revoke's checkpoint found the disk full: WaitForSpace

  // For /metrics: per topic, messages and bytes consumed; the readers' counts of the partitions
  // revoked so far (the totals keep them).
  std::map<std::string, std::pair<int64_t, int64_t>> consumed_;
  ingest::IngestCounters revoked_logs_, revoked_stats_;
};

KafkaService::KafkaService(KafkaServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
KafkaService::~KafkaService() = default;
absl::Status KafkaService::Run() { return impl_->Run(); }

}  // namespace vacwatch::app
