#include "app/kafka_partition_queues.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace vacwatch::app {
namespace {

constexpr char kWakeByte[] = "w";

}  // namespace

KafkaPartitionQueues::KafkaPartitionQueues(rd_kafka_t* consumer, rd_kafka_queue_t* consumer_queue)
    : consumer_(consumer), consumer_queue_(consumer_queue) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
    rd_kafka_queue_io_event_enable(consumer_queue_, wake_write_, kWakeByte, 1);
  }
}

KafkaPartitionQueues::~KafkaPartitionQueues() {
  for (int t = 0; t < kTopics; ++t) {
    for (size_t p = 0; p < queues_[t].size(); ++p) Close(t, static_cast<int32_t>(p));
  }
  if (wake_write_ >= 0) {
    rd_kafka_queue_io_event_enable(consumer_queue_, -1, nullptr, 0);
    ::close(wake_write_);
    ::close(wake_read_);
  }
}

bool KafkaPartitionQueues::Open(int topic_index, const std::string& topic, int32_t partition) {
  if (topic_index < 0 || topic_index >= kTopics || partition < 0) return false;
  std::vector<rd_kafka_queue_t*>& by_partition = queues_[topic_index];
  if (by_partition.size() <= static_cast<size_t>(partition)) {
    by_partition.resize(static_cast<size_t>(partition) + 1, nullptr);
  }
  if (by_partition[partition] != nullptr) return true;
  rd_kafka_queue_t* queue = rd_kafka_queue_get_partition(consumer_, topic.c_str(), partition);
  if (queue == nullptr) return false;
  // Set by the application, the forwarding (to none) is kept when the fetch starts.
  rd_kafka_queue_forward(queue, nullptr);
  if (wake_write_ >= 0) rd_kafka_queue_io_event_enable(queue, wake_write_, kWakeByte, 1);
  by_partition[partition] = queue;
  return true;
}

void KafkaPartitionQueues::Close(int topic_index, int32_t partition) {
  rd_kafka_queue_t* queue = Queue(topic_index, partition);
  if (queue == nullptr) return;
  if (wake_write_ >= 0) rd_kafka_queue_io_event_enable(queue, -1, nullptr, 0);
  rd_kafka_queue_destroy(queue);  // our reference; the partition's queue stays librdkafka's
  queues_[topic_index][partition] = nullptr;
}

ssize_t KafkaPartitionQueues::Take(int topic_index, int32_t partition, rd_kafka_message_t** out,
                                   size_t max) {
  rd_kafka_queue_t* queue = Queue(topic_index, partition);
  if (queue == nullptr || max == 0) return 0;
  return std::max<ssize_t>(0, rd_kafka_consume_batch_queue(queue, 0, out, max));
}

void KafkaPartitionQueues::Wait(absl::Duration timeout) {
  if (wake_read_ < 0) {
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(timeout));
    return;
  }
  pollfd fd = {wake_read_, POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) > 0) DrainPipe();
}

rd_kafka_queue_t* KafkaPartitionQueues::Queue(int topic_index, int32_t partition) const {
  if (topic_index < 0 || topic_index >= kTopics || partition < 0) return nullptr;
  const std::vector<rd_kafka_queue_t*>& by_partition = queues_[topic_index];
  return static_cast<size_t>(partition) < by_partition.size() ? by_partition[partition] : nullptr;
}

void KafkaPartitionQueues::DrainPipe() {
  char buffer[256];
  while (::read(wake_read_, buffer, sizeof(buffer)) > 0) {
  }
}

}  // namespace vacwatch::app
