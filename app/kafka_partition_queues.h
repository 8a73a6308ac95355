#ifndef VACWATCH_APP_KAFKA_PARTITION_QUEUES_H_
#define VACWATCH_APP_KAFKA_PARTITION_QUEUES_H_

// KafkaPartitionQueues: each assigned partition read from its own librdkafka fetch queue
// instead of the consumer's shared one, so that the service can leave one partition unread
// (its input is full) while the others go on, without pausing it. A pause purges what
// librdkafka had prefetched for the partition, and a backlog read with pauses was fetched and
// decompressed twice: at 16 partitions a snapshot backlog drained at half the rate, with twice
// the CPU per row (docs/performance.md). A partition left unread stops being fetched once its
// queue holds `queued.max.messages.kbytes` (librdkafka applies it per partition when
// partitions have queues of their own), so memory stays bounded without a pause.
//
//   KafkaPartitionQueues queues(consumer, consumer_queue);       // after rd_kafka_new
//   queues.Open(kStats, "pg.stats", 3);      // in the rebalance callback, before the assign
//   ssize_t n = queues.Take(kStats, 3, batch, 64);               // what is there, no wait
//   queues.Wait(absl::Milliseconds(100));    // until any queue (or the consumer's) gets data
//   queues.Close(kStats, 3);                                     // revoked
//
// Open must come before rd_kafka_incremental_assign: librdkafka forwards a partition's queue
// to the consumer's when it starts fetching, unless the application has set the forwarding
// itself. A partition that could not be opened keeps coming through the consumer queue.
// Topics are indexed (0, 1: the service's log and stats topics). Not thread-safe: the
// polling thread calls everything; the consumer and its queue must outlive this.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

struct rd_kafka_s;
struct rd_kafka_queue_s;
struct rd_kafka_message_s;

namespace vacwatch::app {

class KafkaPartitionQueues {
 public:
  static constexpr int kTopics = 2;

  // Enables the wake-up of `consumer_queue` (rebalances, errors). Without a pipe (the process
  // is out of descriptors) Wait only sleeps its timeout: slower to react, still correct.
  KafkaPartitionQueues(rd_kafka_s* consumer, rd_kafka_queue_s* consumer_queue);
  ~KafkaPartitionQueues();
  KafkaPartitionQueues(const KafkaPartitionQueues&) = delete;
  KafkaPartitionQueues& operator=(const KafkaPartitionQueues&) = delete;

  // Takes `partition` of `topic` (index `topic_index`) off the consumer queue; false when
  // librdkafka does not know it (its messages then come through the consumer queue).
  bool Open(int topic_index, const std::string& topic, int32_t partition);
  // Releases the partition's queue (revoked); what it still held is fetched again by the
  // partition's next owner.
  void Close(int topic_index, int32_t partition);
  bool IsOpen(int topic_index, int32_t partition) const { return Queue(topic_index, partition); }

  // Up to `max` messages the partition's queue holds now, into `out` (the caller owns them).
  // 0 when it holds none or is not open.
  ssize_t Take(int topic_index, int32_t partition, rd_kafka_message_s** out, size_t max);

  // Returns when a queue may have got data since the last Take or Wait, or after `timeout`.
  void Wait(absl::Duration timeout);

 private:
  rd_kafka_queue_s* Queue(int topic_index, int32_t partition) const;
  void DrainPipe();

  rd_kafka_s* const consumer_;
  rd_kafka_queue_s* const consumer_queue_;
  std::vector<rd_kafka_queue_s*> queues_[kTopics];  // by partition; null: not open
  int wake_read_ = -1;
  int wake_write_ = -1;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_KAFKA_PARTITION_QUEUES_H_
