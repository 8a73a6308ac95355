// KafkaInput's queue (app/kafka_inputs.h) with real librdkafka messages from a DevBroker: a
// message at an offset already queued is dropped (after a pause and resume, or a seek, the
// client may deliver again what it had), and the queue counts its payload bytes, which the
// service bounds (an input takes from its partition's queue up to max_queued_bytes).

#include "app/kafka_inputs.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "app/dev_broker.h"
#include "gtest/gtest.h"
#include "ingest/snapshot_reader.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

// Every message of pg.stats/0 from `offset` to its end, by `consumer` (assigned, not a group
// member). The messages hold references into the client: destroy them before it.
std::vector<KafkaMessage> ReadFrom(rd_kafka_t* consumer, int64_t offset) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, "pg.stats", 0)->offset = offset;
  EXPECT_EQ(rd_kafka_assign(consumer, list), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<KafkaMessage> out;
  while (true) {
    KafkaMessage m(rd_kafka_consumer_poll(consumer, 10000));
    EXPECT_NE(m, nullptr) << "no end of partition";
    if (m == nullptr || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(std::move(m));
  }
  rd_kafka_assign(consumer, nullptr);
  return out;
}

TEST(KafkaInputTest, DropsWhatIsQueuedAlreadyAndCountsQueuedBytes) {
  auto broker = DevBroker::Start({.partitions = 1});
  ASSERT_OK(broker.status());
  const std::string bootstrap = (*broker)->bootstrap();
  const std::vector<std::string> values = {
      R"({"kind": "pg_stat_snapshot", "cluster": "c1", "database": "a", "tables": []})",
      R"({"kind": "pg_stat_snapshot", "cluster": "c1", "database": "b", "tables": []})",
      R"({"kind": "pg_stat_snapshot", "cluster": "c1", "database": "c", "tables": []})"};
  testing::Produce(bootstrap, "pg.stats", "c1", values, {}, 0);

  rd_kafka_t* consumer = testing::KafkaClient(bootstrap, RD_KAFKA_CONSUMER,
                                              {{"group.id", "kafka-inputs-test"},
                                               {"enable.partition.eof", "true"},
                                               {"enable.auto.commit", "false"}});
  auto input = std::make_unique<KafkaStatsInput>("pg.stats", 0, ingest::SnapshotReaderOptions());
  size_t bytes = 0;
  for (KafkaMessage& m : ReadFrom(consumer, 0)) {
    bytes += m->len;
    EXPECT_TRUE(input->Push(std::move(m)));
  }
  EXPECT_EQ(input->queued(), 3u);
  EXPECT_EQ(input->queued_bytes(), bytes);
  // Delivered again from offset 1 (a seek back): offsets 1 and 2 are queued already.
  for (KafkaMessage& m : ReadFrom(consumer, 1)) EXPECT_FALSE(input->Push(std::move(m)));
  EXPECT_EQ(input->duplicates_dropped(), 2);
  EXPECT_EQ(input->queued(), 3u);
  EXPECT_EQ(input->queued_bytes(), bytes);
  // Taking messages off the queue gives their bytes back.
  for (int i = 0; i < 10 && input->queued() > 0; ++i) ASSERT_OK(input->Advance().status());
  EXPECT_EQ(input->queued(), 0u);
  EXPECT_EQ(input->queued_bytes(), 0u);
  input.reset();  // its messages go before the client
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
}

}  // namespace
}  // namespace vacwatch::app
