#ifndef VACWATCH_SINKS_KAFKA_DEAD_LETTER_TOPIC_H_
#define VACWATCH_SINKS_KAFKA_DEAD_LETTER_TOPIC_H_

// DeadLetterTopic: input vacwatch could not use, on a Kafka topic (default vacwatch.dlq), one
// message per rejected entry or document: the value is its raw text (cut at 4 KiB), the
// headers say why and where it came from: `reason` ("bad_structure: tables[3].n_dead_tup:
// INCORRECT_TYPE"), `source_topic`, `source_partition`, `source_offset`. The readers name their
// source "TOPIC/PARTITION" and put the message offset in byte_offset (app/kafka_inputs.h).
//
//   VW_ASSIGN_OR_RETURN(auto dlq, DeadLetterTopic::Open({.brokers = b}));
//   reader_options.errors = dlq.get();
//   ...
//   VW_RETURN_IF_ERROR(dlq->Flush());   // at each checkpoint: produced and acknowledged
//
// OnError never fails (a rejected entry must not stop the service); a message that could not be
// produced is counted in failed() and reported by Flush(). Thread-safe: the service's shards
// call OnError and Flush from their own threads (librdkafka's producer is thread-safe).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/parse_error.h"

struct rd_kafka_s;

namespace vacwatch::sinks {

struct DeadLetterTopicOptions {
  std::string brokers;
  std::string topic = "vacwatch.dlq";
  std::map<std::string, std::string> librdkafka;
  absl::Duration timeout = absl::Seconds(30);
};

class DeadLetterTopic final : public ParseErrorSink {
 public:
  static absl::StatusOr<std::unique_ptr<DeadLetterTopic>> Open(
      const DeadLetterTopicOptions& options);
  ~DeadLetterTopic() override;
  DeadLetterTopic(const DeadLetterTopic&) = delete;
  DeadLetterTopic& operator=(const DeadLetterTopic&) = delete;

  void OnError(std::string_view source, const ParseError& error) override;
  // Waits until every dead letter so far is acknowledged; Unavailable if some were not.
  absl::Status Flush();

  int64_t produced() const { return produced_.load(std::memory_order_relaxed); }
  int64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  explicit DeadLetterTopic(DeadLetterTopicOptions options) : options_(std::move(options)) {}

  const DeadLetterTopicOptions options_;
  rd_kafka_s* producer_ = nullptr;
  std::atomic<int64_t> produced_{0};
  std::atomic<int64_t> failed_{0};
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_KAFKA_DEAD_LETTER_TOPIC_H_
