#ifndef VACWATCH_APP_DEV_BROKER_H_
#define VACWATCH_APP_DEV_BROKER_H_

// DevBroker: a Kafka cluster for development and tests, librdkafka's mock cluster listening on
// localhost, with vacwatch's default topics created. It speaks the Kafka protocol over TCP, so
// kcat, vacwatch and any client use it like a real broker (consumer groups, idempotent and
// transactional producers included); it keeps everything in memory and forgets it at exit.
//
//   VW_ASSIGN_OR_RETURN(std::unique_ptr<DevBroker> broker, DevBroker::Start({.partitions = 4}));
//   std::string bootstrap = broker->bootstrap();   // "127.0.0.1:39123"
//   broker->SetBrokerDown(true);                    // a broker outage, for tests
//
// Errors: Internal when librdkafka cannot make the cluster. Thread-safe as librdkafka is; the
// cluster runs on librdkafka's own threads until the object is destroyed.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace vacwatch::app {

struct DevBrokerOptions {
  int partitions = 4;  // of the log and stats topics (co-partitioned: the same count)
  int brokers = 1;
  std::vector<std::string> topics = {"pg.logs", "pg.stats", "vacwatch.alerts", "vacwatch.dlq"};
};

class DevBroker {
 public:
  static absl::StatusOr<std::unique_ptr<DevBroker>> Start(const DevBrokerOptions& options);
  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;

  // "host:port[,host:port]": what clients give as bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }
  // Creates a topic (the default ones exist already). Internal on failure.
  absl::Status CreateTopic(const std::string& name, int partitions);
  // Takes every broker down (connections refused) or brings them back up.
  absl::Status SetBrokersDown(bool down);

 private:
  DevBroker() = default;

  rd_kafka_s* handle_ = nullptr;  // hosts the mock cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  int brokers_ = 1;
  std::string bootstrap_;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_DEV_BROKER_H_
