#include "app/dev_broker.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

// Topic -> partition count, as a client sees them over TCP.
std::map<std::string, int> TopicsSeenBy(const std::string& bootstrap) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  EXPECT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error)),
            RD_KAFKA_CONF_OK);
  rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  EXPECT_NE(client, nullptr) << error;
  std::map<std::string, int> topics;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(client, 1, nullptr, &metadata, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      topics[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_destroy(client);
  return topics;
}

TEST(DevBrokerTest, ServesTheDefaultTopicsOverTcp) {
  DevBrokerOptions options;
  options.partitions = 3;
  auto broker = DevBroker::Start(options);
  ASSERT_OK(broker);
  EXPECT_NE((*broker)->bootstrap().find("127.0.0.1:"), std::string::npos);
  const auto topics = TopicsSeenBy((*broker)->bootstrap());
  EXPECT_EQ(topics.at("pg.logs"), 3);
  EXPECT_EQ(topics.at("pg.stats"), 3);
  EXPECT_EQ(topics.at("vacwatch.alerts"), 1);
  EXPECT_EQ(topics.at("vacwatch.dlq"), 1);
}

}  // namespace
}  // namespace vacwatch::app
