#include "sinks/kafka/alert_topic_sink.h"

#include <librdkafka/rdkafka.h>

#include <charconv>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/alert.h"
#include "sinks/kafka/kafka_conf.h"

namespace vacwatch::sinks {
namespace {

constexpr char kSeqHeader[] = "vacwatch-seq";
constexpr char kInstanceHeader[] = "vacwatch-instance";
constexpr char kScopeHeader[] = "vacwatch-scope";

class ScopedAlertTopicSink final : public AlertSink {
 public:
  ScopedAlertTopicSink(AlertTopicSink* topic, std::string scope)
      : topic_(topic), scope_(std::move(scope)) {}
  absl::Status Deliver(const pipeline::AlertTransition& transition) override {
    return topic_->DeliverInScope(scope_, transition);
  }
  absl::Status Flush() override { return topic_->Flush(); }

 private:
  AlertTopicSink* const topic_;
  const std::string scope_;
};

int TimeoutMs(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

absl::StatusOr<rd_kafka_conf_t*> MakeConf(const std::map<std::string, std::string>& passthrough,
                                          const KafkaSettings& ours) {
  return MakeKafkaConf({}, passthrough, ours);
}

// Takes ownership of `error`.
absl::Status FromError(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return absl::OkStatus();
  const std::string message =
      absl::StrCat("alert topic: ", std::string(what), ": ", rd_kafka_error_string(error));
  const bool fatal = rd_kafka_error_is_fatal(error);
  rd_kafka_error_destroy(error);
  return fatal ? absl::InternalError(message) : absl::UnavailableError(message);
}

std::string_view HeaderValue(rd_kafka_headers_t* headers, const char* name) {
  const void* value = nullptr;
  size_t size = 0;
  if (headers == nullptr ||
      rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return {};
  }
  return std::string_view(static_cast<const char*>(value), size);
}

}  // namespace

AlertTopicSink::AlertTopicSink(AlertTopicOptions options)
    : options_(std::move(options)),
      instance_(options_.instance.empty() ? options_.transactional_id : options_.instance) {}

std::unique_ptr<AlertSink> AlertTopicSink::ForScope(std::string scope) {
  return std::make_unique<ScopedAlertTopicSink>(this, std::move(scope));
}

AlertTopicSink::~AlertTopicSink() {
  if (producer_ == nullptr) return;
  if (in_transaction_) {
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_, 5000)) {
      rd_kafka_error_destroy(e);
    }
  }
  rd_kafka_flush(producer_, 5000);
  rd_kafka_destroy(producer_);
}

absl::StatusOr<std::unique_ptr<AlertTopicSink>> AlertTopicSink::Open(
    const AlertTopicOptions& options) {
  if (options.brokers.empty() || options.transactional_id.empty()) {
    return absl::InvalidArgumentError("alert topic: brokers and transactional_id are required");
  }
  std::unique_ptr<AlertTopicSink> sink(new AlertTopicSink(options));
  auto conf = MakeConf(options.librdkafka, {{"bootstrap.servers", options.brokers},
                                            {"transactional.id", options.transactional_id},
                                            {"enable.idempotence", "true"},
                                            {"client.id", "vacwatch-alerts"}});
  if (!conf.ok()) return conf.status();
  char error[512];
  sink->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof(error));
  if (sink->producer_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InternalError(absl::StrCat("alert topic: ", error));
  }
  if (absl::Status s =
          FromError(rd_kafka_init_transactions(sink->producer_, TimeoutMs(options.timeout)),
                    "init_transactions");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = sink->ScanCommittedTail(); !s.ok()) return s;
  return sink;
}

absl::Status AlertTopicSink::ScanCommittedTail() {
  auto conf = MakeConf(options_.librdkafka, {{"bootstrap.servers", options_.brokers},
                                             {"group.id", "vacwatch-alert-recovery"},
                                             {"enable.auto.commit", "false"},
                                             {"isolation.level", "read_committed"},
                                             {"enable.partition.eof", "true"},
                                             {"client.id", "vacwatch-alert-recovery"}});
  if (!conf.ok()) return conf.status();
  char error[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, error, sizeof(error));
  if (consumer == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InternalError(absl::StrCat("alert topic recovery: ", error));
  }
  absl::Status status = absl::OkStatus();
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer, options_.topic.c_str(), nullptr);
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(consumer, 0, topic, &metadata, TimeoutMs(options_.timeout));
  rd_kafka_topic_destroy(topic);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(8);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || metadata->topic_cnt != 1 ||
      metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(absl::StrCat(
        "alert topic ", options_.topic, ": cannot read its metadata: ",
        rd_kafka_err2str(err != RD_KAFKA_RESP_ERR_NO_ERROR
                             ? err
                             : (metadata->topic_cnt == 1 ? metadata->topics[0].err : err)),
        " (does the topic exist?)"));
  } else {
    for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
      const int32_t partition = metadata->topics[0].partitions[i].id;
      int64_t low = 0, high = 0;
      err = rd_kafka_query_watermark_offsets(consumer, options_.topic.c_str(), partition, &low,
                                             &high, TimeoutMs(options_.timeout));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status =
            absl::UnavailableError(absl::StrCat("alert topic watermarks: ", rd_kafka_err2str(err)));
        break;
      }
      if (high <= low) continue;
      rd_kafka_topic_partition_list_add(assignment, options_.topic.c_str(), partition)->offset =
          std::max(low, high - options_.recovery_scan_messages);
    }
  }
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  if (status.ok() && assignment->cnt > 0) {
    int remaining = assignment->cnt;
    rd_kafka_assign(consumer, assignment);
    const absl::Time deadline = absl::Now() + options_.timeout;
    while (remaining > 0) {
      if (absl::Now() > deadline) {
        status = absl::UnavailableError("alert topic recovery: the topic's tail did not arrive");
        break;
      }
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        --remaining;
      } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_t* headers = nullptr;
        rd_kafka_message_headers(m, &headers);
        std::string_view scope = HeaderValue(headers, kScopeHeader);
        if (scope.empty()) scope = HeaderValue(headers, kInstanceHeader);
        const std::string_view seq_text = HeaderValue(headers, kSeqHeader);
        uint64_t seq = 0;
        if (!scope.empty() &&
            std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq).ec ==
                std::errc()) {
          already_delivered_[std::string(scope)].insert(seq);
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return status;
}

absl::Status AlertTopicSink::Deliver(const pipeline::AlertTransition& transition) {
  return DeliverInScope(instance_, transition);
}

absl::Status AlertTopicSink::DeliverInScope(std::string_view scope,
                                            const pipeline::AlertTransition& transition) {
  if (!already_delivered_.empty()) {
    auto found = already_delivered_.find(absl::string_view(scope.data(), scope.size()));
    if (found != already_delivered_.end() && found->second.contains(transition.seq)) {
      ++skipped_;
      return absl::OkStatus();
    }
  }
  if (!in_transaction_) {
    if (absl::Status s = FromError(rd_kafka_begin_transaction(producer_), "begin_transaction");
        !s.ok()) {
      return s;
    }
    in_transaction_ = true;
  }
  pipeline::WriteAlertJson(transition.alert, &json_);
  const std::string seq = absl::StrCat(transition.seq);
  while (true) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(options_.topic.c_str()),
        RD_KAFKA_V_KEY(transition.alert.fingerprint.data(), transition.alert.fingerprint.size()),
        RD_KAFKA_V_VALUE(json_.data(), json_.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER(kSeqHeader, seq.data(), static_cast<ssize_t>(seq.size())),
        RD_KAFKA_V_HEADER(kScopeHeader, scope.data(), static_cast<ssize_t>(scope.size())),
        RD_KAFKA_V_HEADER(kInstanceHeader, instance_.data(),
                          static_cast<ssize_t>(instance_.size())),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return absl::UnavailableError(absl::StrCat("alert topic: produce: ", rd_kafka_err2str(err)));
    }
    rd_kafka_poll(producer_, 100);  // the queue drains as the brokers acknowledge
  }
  ++produced_;
  rd_kafka_poll(producer_, 0);
  return absl::OkStatus();
}

absl::Status AlertTopicSink::Flush() {
  if (!in_transaction_) return absl::OkStatus();
  rd_kafka_error_t* error = rd_kafka_commit_transaction(producer_, TimeoutMs(options_.timeout));
  if (error != nullptr && rd_kafka_error_txn_requires_abort(error)) {
    rd_kafka_error_destroy(error);
    in_transaction_ = false;
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_, TimeoutMs(options_.timeout))) {
      return FromError(e, "abort_transaction");
    }
    return absl::UnavailableError("alert topic: the transaction was aborted; retried later");
  }
  in_transaction_ = error != nullptr && !rd_kafka_error_is_fatal(error);
  return FromError(error, "commit_transaction");
}

}  // namespace vacwatch::sinks
