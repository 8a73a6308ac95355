#ifndef VACWATCH_TESTS_E2E_KAFKA_TEST_UTIL_H_
#define VACWATCH_TESTS_E2E_KAFKA_TEST_UTIL_H_

// What the Kafka end-to-end tests share: clients of a DevBroker (app/dev_broker.h), producing
// and reading topics, the consumer group's progress, the shared dataset cut into chunks by
// event time, and `vacwatch run` as a child process.
//
//   auto broker = app::DevBroker::Start({.partitions = 2});
//   Produce((*broker)->bootstrap(), "pg.logs", "prod-eu-1", lines);
//   ServiceProcess service({BinaryDir() + "/vacwatch", "run", ...}, dir + "/service.log");
//   ASSERT_TRUE(WaitFor([&] { return ReadTopic(b, "vacwatch.alerts").size() == 7; }, ...));
//   EXPECT_EQ(service.Terminate(), 0);
//
// Nothing here sleeps for a fixed time: WaitFor polls a condition until a deadline.

#include <librdkafka/rdkafka.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace vacwatch::testing {

std::string ReadFile(const std::string& path);
std::vector<std::string> Lines(const std::string& text);

// Polls `condition` every 100 ms until it holds (true) or `timeout` passes (false).
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

// A librdkafka client of `bootstrap` with the extra settings; the test fails if one is refused.
rd_kafka_t* KafkaClient(const std::string& bootstrap, rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& extra = {});

// A producer whose messages, sent together and flushed once, go out in one request (linger
// 50 ms): the brokers take them all at once, so a consumer sees the log and stats messages of
// one chunk arrive together (the service waits only --max-input-skew for the other topic).
// `extra`: producer settings (message.max.bytes for big messages).
class Producer {
 public:
  explicit Producer(const std::string& bootstrap,
                    const std::vector<std::pair<std::string, std::string>>& extra = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  void Send(const std::string& topic, const std::string& key,
            const std::vector<std::string>& values, int32_t partition = RD_KAFKA_PARTITION_UA);
  // Waits until every message sent is acknowledged (the test fails if one is not).
  void Flush();

 private:
  rd_kafka_t* producer_;
};

// Produces `values` keyed by `key` and waits until every one is acknowledged.
void Produce(const std::string& bootstrap, const std::string& topic, const std::string& key,
             const std::vector<std::string>& values,
             const std::vector<std::pair<std::string, std::string>>& extra = {},
             int32_t partition = RD_KAFKA_PARTITION_UA);

struct KafkaRecord {
  std::string value;
  std::map<std::string, std::string> headers;
};

// Every committed message of partition 0 of `topic`, read from the start (read_committed).
std::vector<KafkaRecord> ReadTopic(const std::string& bootstrap, const std::string& topic);
// The values, one per line.
std::string Joined(const std::vector<KafkaRecord>& records);

// A consumer group's progress, without joining it: the group's committed offsets and the
// topics' high watermarks, each summed over the partitions.
class GroupProbe {
 public:
  GroupProbe(const std::string& bootstrap, const std::string& group, int partitions);
  ~GroupProbe();
  GroupProbe(const GroupProbe&) = delete;
  GroupProbe& operator=(const GroupProbe&) = delete;

  int64_t Committed(const std::string& topic);  // -1 when the broker does not answer
  int64_t End(const std::string& topic);        // -1 when the broker does not answer
  int64_t End(const std::string& topic, int32_t partition);

 private:
  rd_kafka_t* client_;
  int partitions_;
};

// Partition 0 of a topic, followed as it grows (read_committed).
class TopicTail {
 public:
  TopicTail(const std::string& bootstrap, const std::string& topic);
  ~TopicTail();
  TopicTail(const TopicTail&) = delete;
  TopicTail& operator=(const TopicTail&) = delete;

  // Messages committed so far (reads what has arrived, without waiting).
  size_t Count();

 private:
  rd_kafka_t* consumer_;
  size_t count_ = 0;
};

// The shared dataset's stderr log and snapshots cut by event time into `n` chunks of about as
// many snapshots each: chunk k holds the snapshots and the log lines (a report with its
// continuation lines) from the end of chunk k-1 to before the first snapshot of chunk k+1,
// and the head line after them, so that the log entry a chunk leaves open starts after its
// last snapshot. Sent one after another, with pauses, the chunks give the service the data in
// the order `vacwatch replay` reads it.
struct DatasetChunk {
  std::vector<std::string> logs;
  std::vector<std::string> stats;
};
std::vector<DatasetChunk> ChunkDataset(const std::string& dataset_dir, int n);

// `vacwatch run` (or any command) as a child process, its stdout and stderr appended to
// `log_path`; killed with SIGKILL when the object goes (or when the test process dies).
class ServiceProcess {
 public:
  ServiceProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  bool Running();
  void Kill();  // SIGKILL, and reaped
  // SIGTERM, then waits up to `timeout` for the exit: its exit code, or -1 (killed by a
  // signal, or still running at the deadline and then killed).
  int Terminate(absl::Duration timeout = absl::Seconds(60));
  // Its exit code once it has exited on its own (-1 while running or after a signal).
  int exit_code() const { return exit_code_; }

 private:
  void Reap(int status);
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// The `vacwatch run` command line for a test: the dev broker, a group, a state dir, the
// config file (session.timeout.ms 6000: a killed member's partitions come back quickly),
// --max-input-skew (seconds) and --metrics-listen 127.0.0.1:0 (a free port: tests run side by
// side).
std::vector<std::string> RunCommand(const std::string& bootstrap, const std::string& group,
                                    const std::string& state_dir, const std::string& config,
                                    const std::string& max_input_skew = "1");
// Writes the config RunCommand refers to.
void WriteServiceConfig(const std::string& path);

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_E2E_KAFKA_TEST_UTIL_H_
