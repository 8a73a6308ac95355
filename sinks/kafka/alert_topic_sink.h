#ifndef VACWATCH_SINKS_KAFKA_ALERT_TOPIC_SINK_H_
#define VACWATCH_SINKS_KAFKA_ALERT_TOPIC_SINK_H_

// AlertTopicSink: alert transitions to a Kafka topic, each exactly once, even across kill -9.
// One message per transition: key = the alert's fingerprint (a problem's transitions stay in
// order on one partition), value = the alert JSON of docs/alerts.md, headers `vacwatch-seq`
// (the transition's outbox seq), `vacwatch-scope` (whose outbox numbering: for `vacwatch run`
// "<group>/<partition>", since each input partition's state keeps its own outbox) and
// `vacwatch-instance` (which state directory sent it, for people).
//
// How "exactly once" holds (docs/kafka.md): the driver commits each transition to the outbox
// in RocksDB before delivering it. Deliver() produces inside a Kafka transaction and Flush()
// commits it, so a batch is on the topic entirely or not at all; the outbox entries are deleted
// after that. A crash between the Kafka commit and the outbox delete leaves entries that are
// already on the topic: Open() reads the topic's committed tail (read_committed, the last
// `recovery_scan_messages` of each partition) and remembers each scope's seqs found there, and
// delivery skips those. Scopes do not depend on the instance, so a partition's state moved to
// another instance is still delivered once. The transactional id fences a zombie instance of
// the same id.
//
//   AlertTopicOptions o;
//   o.brokers = "127.0.0.1:9092"; o.transactional_id = "vacwatch-g1"; o.instance = "g1";
//   VW_ASSIGN_OR_RETURN(auto sink, AlertTopicSink::Open(o));
//   std::unique_ptr<AlertSink> p3 = sink->ForScope("g1/3");   // one per partition's driver
//   driver(..., p3.get());
//
// Errors: Unavailable when the brokers cannot be reached within `timeout` (the transitions stay
// in the outbox), Internal for a fatal producer error (fenced). Not thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sinks/alert_sink.h"

struct rd_kafka_s;

namespace vacwatch::sinks {

struct AlertTopicOptions {
  std::string brokers;
  std::string topic = "vacwatch.alerts";
  std::string transactional_id;  // stable for one state directory
  std::string instance;          // the vacwatch-instance header; default: transactional_id
  std::map<std::string, std::string> librdkafka;  // passed through (SASL, SSL, ...)
  int64_t recovery_scan_messages = 10000;
  absl::Duration timeout = absl::Seconds(30);
};

class AlertTopicSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<AlertTopicSink>> Open(const AlertTopicOptions& options);
  ~AlertTopicSink() override;
  AlertTopicSink(const AlertTopicSink&) = delete;
  AlertTopicSink& operator=(const AlertTopicSink&) = delete;

  // Delivers in the scope named by `instance` (a store without scopes).
  absl::Status Deliver(const pipeline::AlertTransition& transition) override;
  absl::Status Flush() override;

  // A sink for the outbox of `scope`, delivering through this one (which must outlive it):
  // Deliver adds the scope header, Flush commits this sink's transaction.
  std::unique_ptr<AlertSink> ForScope(std::string scope);
  absl::Status DeliverInScope(std::string_view scope, const pipeline::AlertTransition& transition);

  // Transitions Deliver() skipped because the topic had them already (a crash's leftovers).
  int64_t skipped_as_delivered() const { return skipped_; }
  int64_t produced() const { return produced_; }

 private:
  explicit AlertTopicSink(AlertTopicOptions options);
  absl::Status ScanCommittedTail();

  const AlertTopicOptions options_;
  rd_kafka_s* producer_ = nullptr;
  bool in_transaction_ = false;
  std::string instance_;
  // Seqs found on the topic at Open, per scope.
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint64_t>> already_delivered_;
  std::string json_;
  int64_t skipped_ = 0;
  int64_t produced_ = 0;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_KAFKA_ALERT_TOPIC_SINK_H_
