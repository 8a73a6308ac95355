#include "app/dev_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"

namespace vacwatch::app {

absl::StatusOr<std::unique_ptr<DevBroker>> DevBroker::Start(const DevBrokerOptions& options) {
  if (options.partitions < 1 || options.brokers < 1) {
    return absl::InvalidArgumentError("dev broker: partitions and brokers must be at least 1");
  }
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the cluster; it never connects to anything.
  if (rd_kafka_conf_set(conf, "client.id", "vacwatch-dev-broker", error, sizeof(error)) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("dev broker: ", error));
  }
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  std::unique_ptr<DevBroker> broker(new DevBroker());
  broker->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (broker->handle_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("dev broker: ", error));
  }
  broker->cluster_ = rd_kafka_mock_cluster_new(broker->handle_, options.brokers);
  if (broker->cluster_ == nullptr) return absl::InternalError("dev broker: no mock cluster");
  broker->brokers_ = options.brokers;
  broker->bootstrap_ = rd_kafka_mock_cluster_bootstraps(broker->cluster_);
  for (const std::string& topic : options.topics) {
    const bool data_topic = topic == "pg.logs" || topic == "pg.stats";
    if (absl::Status s = broker->CreateTopic(topic, data_topic ? options.partitions : 1); !s.ok()) {
      return s;
    }
  }
  return broker;
}

DevBroker::~DevBroker() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

absl::Status DevBroker::CreateTopic(const std::string& name, int partitions) {
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, /*replication_factor=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("dev broker: creating topic ", name, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status DevBroker::SetBrokersDown(bool down) {
  for (int id = 1; id <= brokers_; ++id) {
    const rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(cluster_, id)
                                         : rd_kafka_mock_broker_set_up(cluster_, id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InternalError(
          absl::StrCat("dev broker: broker ", id, ": ", rd_kafka_err2str(err)));
    }
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::app
