#include "app/snapshot_output.h"

#include <librdkafka/rdkafka.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sinks/kafka/kafka_conf.h"

namespace vacwatch::app {
namespace {

class FileOutput final : public SnapshotOutput {
 public:
  FileOutput(std::FILE* file, bool owned, std::string name)
      : file_(file), owned_(owned), name_(std::move(name)) {}
  ~FileOutput() override {
    if (owned_) std::fclose(file_);
  }

  absl::Status Write(std::string_view cluster, std::string_view document) override {
    if (std::fwrite(document.data(), 1, document.size(), file_) != document.size() ||
        std::fputc('\n', file_) == EOF) {
      return absl::InternalError(absl::StrCat("cannot write to ", name_));
    }
    return absl::OkStatus();
  }
  absl::Status EndRound() override {
    if (std::fflush(file_) != 0)
      return absl::InternalError(absl::StrCat("cannot write to ", name_));
    return absl::OkStatus();
  }
  std::string Describe() const override { return name_; }

 private:
  std::FILE* file_;
  bool owned_;
  std::string name_;
};

class KafkaOutput final : public SnapshotOutput {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaOutput>> Open(const SnapshotOutputOptions& options) {
    std::unique_ptr<KafkaOutput> out(new KafkaOutput(options));
    // A 10,000-table snapshot is megabytes of JSON that compresses well: lz4 and a message
    // limit above librdkafka's 1 MB default (the broker's max.message.bytes must allow the
    // compressed size; docs/collect.md).
    absl::StatusOr<rd_kafka_conf_t*> conf = sinks::MakeKafkaConf(
        {{"compression.codec", "lz4"}, {"message.max.bytes", "67108864"}, {"linger.ms", "50"}},
        options.librdkafka,
        {{"bootstrap.servers", options.brokers},
         {"enable.idempotence", "true"},
         {"client.id", "vacwatch-collect"}});
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_opaque(*conf, out.get());
    rd_kafka_conf_set_dr_msg_cb(*conf, &KafkaOutput::OnDelivery);
    char error[512];
    out->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof(error));
    if (out->producer_ == nullptr) {
      rd_kafka_conf_destroy(*conf);
      return absl::InternalError(absl::StrCat("kafka producer: ", error));
    }
    return out;
  }
  ~KafkaOutput() override {
    if (producer_ == nullptr) return;
    rd_kafka_flush(producer_, static_cast<int>(absl::ToInt64Milliseconds(timeout_)));
    rd_kafka_destroy(producer_);
  }

  absl::Status Write(std::string_view cluster, std::string_view document) override {
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic_.c_str()),
                          RD_KAFKA_V_KEY(const_cast<char*>(cluster.data()), cluster.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(document.data()), document.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++refused_;
      last_error_ = rd_kafka_err2str(err);
    }
    rd_kafka_poll(producer_, 0);
    return absl::OkStatus();
  }
  absl::Status EndRound() override {
    const rd_kafka_resp_err_t err =
        rd_kafka_flush(producer_, static_cast<int>(absl::ToInt64Milliseconds(timeout_)));
    std::string problem;
    if (refused_ > 0) {
      problem = absl::StrCat(refused_, " snapshot(s) refused by the producer (", last_error_, ")");
    } else if (failed_ > 0) {
      problem = absl::StrCat(failed_, " snapshot(s) not delivered (", last_error_, ")");
    } else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problem = absl::StrCat(rd_kafka_outq_len(producer_), " snapshot(s) not yet acknowledged (",
                             rd_kafka_err2str(err), "); still trying");
    }
    refused_ = failed_ = 0;
    if (!problem.empty()) return absl::UnavailableError(absl::StrCat("kafka: ", problem));
    return absl::OkStatus();
  }
  std::string Describe() const override {
    return absl::StrCat("kafka topic ", topic_, " at ", brokers_, " (keyed by cluster)");
  }

 private:
  explicit KafkaOutput(const SnapshotOutputOptions& options)
      : topic_(options.topic), brokers_(options.brokers), timeout_(options.delivery_timeout) {}

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<KafkaOutput*>(opaque);
    ++self->failed_;
    self->last_error_ = rd_kafka_err2str(message->err);
  }

  rd_kafka_t* producer_ = nullptr;
  std::string topic_, brokers_;
  absl::Duration timeout_;
  int refused_ = 0, failed_ = 0;
  std::string last_error_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SnapshotOutput>> OpenSnapshotOutput(
    const SnapshotOutputOptions& options) {
  if (options.to == "stdout" || options.to == "-") {
    return std::make_unique<FileOutput>(options.stdout_file, /*owned=*/false, "stdout");
  }
  if (absl::StartsWith(options.to, "file:")) {
    const std::string path = options.to.substr(5);
    if (path.empty()) return absl::InvalidArgumentError("--to file:PATH needs a path");
    std::FILE* file = std::fopen(path.c_str(), "a");
    if (file == nullptr) return absl::InternalError(absl::StrCat("cannot open ", path));
    return std::make_unique<FileOutput>(file, /*owned=*/true, absl::StrCat("file ", path));
  }
  if (options.to == "kafka") {
    if (options.brokers.empty()) {
      return absl::InvalidArgumentError(
          "--to kafka needs --brokers (or kafka.brokers in the config)");
    }
    absl::StatusOr<std::unique_ptr<KafkaOutput>> kafka = KafkaOutput::Open(options);
    if (!kafka.ok()) return kafka.status();
    return std::unique_ptr<SnapshotOutput>(*std::move(kafka));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--to ", options.to, ": expected stdout, file:PATH or kafka"));
}

}  // namespace vacwatch::app
