#include "sinks/kafka/dead_letter_topic.h"

#include <librdkafka/rdkafka.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "sinks/kafka/kafka_conf.h"

namespace vacwatch::sinks {
namespace {

constexpr size_t kMaxValueBytes = 4096;

}  // namespace

absl::StatusOr<std::unique_ptr<DeadLetterTopic>> DeadLetterTopic::Open(
    const DeadLetterTopicOptions& options) {
  std::unique_ptr<DeadLetterTopic> dlq(new DeadLetterTopic(options));
  auto made = MakeKafkaConf({}, options.librdkafka,
                            {{"bootstrap.servers", options.brokers},
                             {"enable.idempotence", "true"},
                             {"client.id", "vacwatch-dlq"}});
  if (!made.ok()) return made.status();
  rd_kafka_conf_t* conf = *made;
  char error[512];
  dlq->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (dlq->producer_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("dead-letter topic: ", error));
  }
  return dlq;
}

DeadLetterTopic::~DeadLetterTopic() {
  if (producer_ == nullptr) return;
  rd_kafka_flush(producer_, 5000);
  rd_kafka_destroy(producer_);
}

void DeadLetterTopic::OnError(std::string_view source, const ParseError& error) {
  // The readers name their source "TOPIC/PARTITION".
  const size_t slash = source.rfind('/');
  const std::string topic(source.substr(0, slash));
  const std::string partition(slash == std::string_view::npos ? "" : source.substr(slash + 1));
  const std::string offset = absl::StrCat(error.byte_offset);
  // Per call, not a member buffer: shards report from their own threads (dead letters are
  // rare enough for the allocation not to matter).
  std::string reason(ParseErrorKindName(error.kind));
  if (!error.field.empty()) absl::StrAppend(&reason, ": ", std::string(error.field));
  if (!error.detail.empty()) absl::StrAppend(&reason, ": ", std::string(error.detail));
  const std::string_view value = error.raw.substr(0, kMaxValueBytes);
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_, RD_KAFKA_V_TOPIC(options_.topic.c_str()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_HEADER("reason", reason.data(), static_cast<ssize_t>(reason.size())),
      RD_KAFKA_V_HEADER("source_topic", topic.data(), static_cast<ssize_t>(topic.size())),
      RD_KAFKA_V_HEADER("source_partition", partition.data(),
                        static_cast<ssize_t>(partition.size())),
      RD_KAFKA_V_HEADER("source_offset", offset.data(), static_cast<ssize_t>(offset.size())),
      RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++produced_;
  } else {
    ++failed_;
  }
  rd_kafka_poll(producer_, 0);
}

absl::Status DeadLetterTopic::Flush() {
  const rd_kafka_resp_err_t err =
      rd_kafka_flush(producer_, static_cast<int>(absl::ToInt64Milliseconds(options_.timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("dead-letter topic: not acknowledged: ", rd_kafka_err2str(err)));
  }
  if (const int64_t failed = failed_.load(std::memory_order_relaxed); failed > 0) {
    return absl::UnavailableError(
        absl::StrCat("dead-letter topic: ", failed, " dead letters could not be produced"));
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::sinks
