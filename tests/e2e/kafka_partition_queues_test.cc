// KafkaPartitionQueues (app/kafka_partition_queues.h) on a group consumer of a DevBroker over
// TCP: partitions opened in the rebalance callback deliver on their own queues and nothing on
// the consumer's, a partition left unread does not hold up the other, and Wait returns when
// data has come.

#include "app/kafka_partition_queues.h"

#include <librdkafka/rdkafka.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/dev_broker.h"
#include "app/kafka_inputs.h"
#include "gtest/gtest.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

constexpr int kStats = 1;  // the index the service gives its stats topic

struct Group {
  KafkaPartitionQueues* queues = nullptr;
  int assigned = 0;
};

void Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* list,
               void* opaque) {
  auto* group = static_cast<Group*>(opaque);
  for (int i = 0; i < list->cnt; ++i) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      EXPECT_TRUE(group->queues->Open(kStats, list->elems[i].topic, list->elems[i].partition));
      list->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    } else {
      group->queues->Close(kStats, list->elems[i].partition);
    }
  }
  rd_kafka_error_t* e = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
                            ? rd_kafka_incremental_assign(rk, list)
                            : rd_kafka_incremental_unassign(rk, list);
  EXPECT_EQ(e, nullptr);
  if (e != nullptr) rd_kafka_error_destroy(e);
  group->assigned += (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? 1 : -1) * list->cnt;
}

TEST(KafkaPartitionQueuesTest, EachPartitionDeliversOnItsOwnQueueAndAnUnreadOneHoldsUpNone) {
  auto broker = DevBroker::Start({.partitions = 2});
  ASSERT_OK(broker.status());
  const std::string bootstrap = (*broker)->bootstrap();
  std::vector<std::string> values;
  values.reserve(50);
  for (int i = 0; i < 50; ++i) values.push_back(absl::StrCat("message ", i));
  testing::Produce(bootstrap, "pg.stats", "c0", values, {}, 0);
  testing::Produce(bootstrap, "pg.stats", "c1", values, {}, 1);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"bootstrap.servers", bootstrap},
           {"group.id", "partition-queues-test"},
           {"partition.assignment.strategy", "cooperative-sticky"},
           {"enable.auto.commit", "false"},
           {"fetch.wait.max.ms", "10"}}) {
    ASSERT_EQ(rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)),
              RD_KAFKA_CONF_OK)
        << error;
  }
  Group group;
  rd_kafka_conf_set_opaque(conf, &group);
  rd_kafka_conf_set_rebalance_cb(conf, &Rebalance);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  ASSERT_NE(consumer, nullptr) << error;
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_queue_t* consumer_queue = rd_kafka_queue_get_consumer(consumer);
  {
    KafkaPartitionQueues queues(consumer, consumer_queue);
    group.queues = &queues;
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, "pg.stats", RD_KAFKA_PARTITION_UA);
    ASSERT_EQ(rd_kafka_subscribe(consumer, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);

    // Partition 1 only: partition 0's queue is left unread all along.
    std::vector<std::string> read;
    int on_consumer_queue = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (read.size() < values.size() && absl::Now() < deadline) {
      rd_kafka_message_t* batch[16];
      const ssize_t n = queues.Take(kStats, 1, batch, 16);
      for (ssize_t i = 0; i < n; ++i) {
        KafkaMessage m(batch[i]);
        EXPECT_EQ(m->partition, 1);
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          read.emplace_back(static_cast<const char*>(m->payload), m->len);
        }
      }
      if (n > 0) continue;
      queues.Wait(absl::Milliseconds(100));
      // Rebalances come here; messages should not.
      while (KafkaMessage m{rd_kafka_consumer_poll(consumer, 0)}) {
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++on_consumer_queue;
      }
    }
    EXPECT_EQ(read, values);
    EXPECT_EQ(on_consumer_queue, 0);
    EXPECT_EQ(group.assigned, 2);

    // Partition 0 kept its messages meanwhile, on its own queue.
    std::vector<std::string> first;
    while (first.size() < values.size() && absl::Now() < deadline) {
      rd_kafka_message_t* batch[16];
      const ssize_t n = queues.Take(kStats, 0, batch, 16);
      for (ssize_t i = 0; i < n; ++i) {
        KafkaMessage m(batch[i]);
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          first.emplace_back(static_cast<const char*>(m->payload), m->len);
        }
      }
      if (n == 0) queues.Wait(absl::Milliseconds(100));
    }
    EXPECT_EQ(first, values);
    EXPECT_TRUE(queues.IsOpen(kStats, 0));
    EXPECT_FALSE(queues.IsOpen(kStats, 2));
    EXPECT_EQ(queues.Take(kStats, 2, nullptr, 16), 0);

    rd_kafka_consumer_close(consumer);  // revokes: the callback closes both
    EXPECT_FALSE(queues.IsOpen(kStats, 0));
    EXPECT_FALSE(queues.IsOpen(kStats, 1));
  }
  rd_kafka_queue_destroy(consumer_queue);
  rd_kafka_destroy(consumer);
}

}  // namespace
}  // namespace vacwatch::app
