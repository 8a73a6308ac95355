#include "tests/e2e/kafka_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"

namespace vacwatch::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));  // polling a condition, not a fixed wait
  }
  return true;
}

rd_kafka_t* KafkaClient(const std::string& bootstrap, rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> settings = {{"bootstrap.servers", bootstrap},
                                                               {"log_level", "3"}};
  settings.insert(settings.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : settings) {
    EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error, sizeof(error)), RD_KAFKA_CONF_OK)
        << k << ": " << error;
  }
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
  EXPECT_NE(client, nullptr) << error;
  return client;
}

Producer::Producer(const std::string& bootstrap,
                   const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> settings = {{"linger.ms", "50"}};
  settings.insert(settings.end(), extra.begin(), extra.end());
  producer_ = KafkaClient(bootstrap, RD_KAFKA_PRODUCER, settings);
}

Producer::~Producer() {
  if (producer_ != nullptr) rd_kafka_destroy(producer_);
}

void Producer::Send(const std::string& topic, const std::string& key,
                    const std::vector<std::string>& values, int32_t partition) {
  for (const std::string& value : values) {
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
                                    RD_KAFKA_V_PARTITION(partition),
                                    RD_KAFKA_V_KEY(key.data(), key.size()),
                                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_, 10);
    }
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  }
}

void Producer::Flush() { EXPECT_EQ(rd_kafka_flush(producer_, 60000), RD_KAFKA_RESP_ERR_NO_ERROR); }

void Produce(const std::string& bootstrap, const std::string& topic, const std::string& key,
             const std::vector<std::string>& values,
             const std::vector<std::pair<std::string, std::string>>& extra, int32_t partition) {
  Producer producer(bootstrap, extra);
  producer.Send(topic, key, values, partition);
  producer.Flush();
}

std::vector<KafkaRecord> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  rd_kafka_t* consumer = KafkaClient(bootstrap, RD_KAFKA_CONSUMER,
                                     {{"group.id", "test-reader"},
                                      {"isolation.level", "read_committed"},
                                      {"enable.partition.eof", "true"},
                                      {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<KafkaRecord> out;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaRecord record;
      record.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          record.headers[name].assign(static_cast<const char*>(value), size);
        }
      }
      out.push_back(std::move(record));
    }
    rd_kafka_message_destroy(m);
    if (eof) break;
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return out;
}

std::string Joined(const std::vector<KafkaRecord>& records) {
  std::string out;
  for (const KafkaRecord& r : records) out += r.value + "\n";
  return out;
}

GroupProbe::GroupProbe(const std::string& bootstrap, const std::string& group, int partitions)
    : client_(KafkaClient(bootstrap, RD_KAFKA_CONSUMER,
                          {{"group.id", group}, {"enable.auto.commit", "false"}})),
      partitions_(partitions) {}

GroupProbe::~GroupProbe() {
  if (client_ != nullptr) rd_kafka_destroy(client_);
}

int64_t GroupProbe::Committed(const std::string& topic) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
  for (int p = 0; p < partitions_; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  int64_t sum = -1;
  if (rd_kafka_committed(client_, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    sum = 0;
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].offset >= 0) sum += list->elems[i].offset;
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return sum;
}

int64_t GroupProbe::End(const std::string& topic) {
  int64_t sum = 0;
  for (int p = 0; p < partitions_; ++p) {
    const int64_t end = End(topic, p);
    if (end < 0) return -1;
    sum += end;
  }
  return sum;
}

int64_t GroupProbe::End(const std::string& topic, int32_t partition) {
  int64_t low = 0, high = 0;
  if (rd_kafka_query_watermark_offsets(client_, topic.c_str(), partition, &low, &high, 5000) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return -1;
  }
  return high;
}

TopicTail::TopicTail(const std::string& bootstrap, const std::string& topic)
    : consumer_(KafkaClient(bootstrap, RD_KAFKA_CONSUMER,
                            {{"group.id", "test-tail"},
                             {"isolation.level", "read_committed"},
                             {"enable.auto.commit", "false"}})) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer_, list);
  rd_kafka_topic_partition_list_destroy(list);
}

TopicTail::~TopicTail() {
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
}

size_t TopicTail::Count() {
  while (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 0)) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++count_;
    rd_kafka_message_destroy(m);
  }
  return count_;
}

namespace {

// "2026-11-23T23:18:23.945" from a snapshot's collected_at or a log line's %m prefix; empty
// for a continuation line.
std::string TimeKey(const std::string& line, bool snapshot) {
  if (snapshot) {
    const size_t at = line.find("\"collected_at\": \"");
    return at == std::string::npos ? "" : line.substr(at + 17, 23);
  }
  if (line.size() < 23 || line[4] != '-' || line[10] != ' ') return "";
  std::string key = line.substr(0, 23);
  key[10] = 'T';
  return key;
}

}  // namespace

std::vector<DatasetChunk> ChunkDataset(const std::string& dataset_dir, int n) {
  const std::vector<std::string> logs = Lines(ReadFile(dataset_dir + "/postgresql.log"));
  const std::vector<std::string> stats = Lines(ReadFile(dataset_dir + "/snapshots.jsonl"));
  std::vector<DatasetChunk> chunks(n);
  std::vector<std::string> ends;  // chunk k holds what comes before ends[k]
  for (int k = 0; k < n; ++k) {
    const size_t first = stats.size() * k / n;
    const size_t last = stats.size() * (k + 1) / n;
    for (size_t i = first; i < last; ++i) chunks[k].stats.push_back(stats[i]);
    ends.push_back(k + 1 < n ? TimeKey(stats[last], true) : "~");
  }
  int chunk = 0;
  for (const std::string& line : logs) {
    const std::string key = TimeKey(line, false);
    while (!key.empty() && chunk + 1 < n && key >= ends[chunk]) ++chunk;
    chunks[chunk].logs.push_back(line);
  }
  // A log entry is complete only when the next head line arrives, so the last one of a chunk
  // would wait for the next chunk while the chunk's later snapshots went ahead of it (after
  // max_input_skew): an order replay never sees. The next chunk's first head line goes with
  // this chunk instead: the entry it leaves open starts after every snapshot of this chunk.
  for (int k = 0; k + 1 < n; ++k) {
    if (chunks[k + 1].logs.empty()) continue;
    chunks[k].logs.push_back(chunks[k + 1].logs.front());
    chunks[k + 1].logs.erase(chunks[k + 1].logs.begin());
  }
  return chunks;
}

ServiceProcess::ServiceProcess(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  EXPECT_GE(log, 0) << log_path;
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec (the parent has threads).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  EXPECT_GT(pid_, 0) << "fork";
  ::close(log);
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Kill();
}

void ServiceProcess::Reap(int status) {
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool ServiceProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    Reap(status);
    return false;
  }
  return true;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  Reap(status);
}

int ServiceProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  if (!WaitFor([this] { return !Running(); }, timeout)) {
    ADD_FAILURE() << "still running " << timeout << " after SIGTERM";
    Kill();
    return -1;
  }
  return exit_code_;
}

std::vector<std::string> RunCommand(const std::string& bootstrap, const std::string& group,
                                    const std::string& state_dir, const std::string& config,
                                    const std::string& max_input_skew) {
  return {BinaryDir() + "/vacwatch", "run", "--brokers", bootstrap, "--group", group, "--state-dir",
          state_dir, "--config", config, "--max-input-skew", max_input_skew,
          // A port of its own: tests run side by side, and the default 9187 may be taken.
          "--metrics-listen", "127.0.0.1:0"};
}

void WriteServiceConfig(const std::string& path) {
  std::ofstream out(path);
  out << "kafka:\n  librdkafka:\n    session.timeout.ms: \"6000\"\n";
}

}  // namespace vacwatch::testing
