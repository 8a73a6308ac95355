#include "app/kafka_inputs.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "state/coding.h"
#include "state/source_offset.h"

namespace vacwatch::app {

void KafkaMessageDeleter::operator()(rd_kafka_message_s* message) const {
  rd_kafka_message_destroy(message);
}

KafkaInput::KafkaInput(const std::string& topic, int32_t partition, int64_t start_offset)
    : resume_(start_offset),
      next_expected_(start_offset),
      partition_(partition),
      source_id_(state::MakeKafkaSourceId(topic, partition)) {}

namespace {

// The last value of header `name`; empty when the message has none.
std::string_view HeaderValue(rd_kafka_message_t* message, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return {};
  }
  return std::string_view(static_cast<const char*>(value), size);
}

}  // namespace

bool KafkaInput::Push(KafkaMessage message) {
  if (message->offset < next_expected_) {
    ++duplicates_;
    return false;
  }
  next_expected_ = message->offset + 1;
  queued_bytes_ += message->len;
  queue_.push_back(std::move(message));
  return true;
}

KafkaMessage KafkaInput::PopFront() {
  KafkaMessage message = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= message->len;
  return message;
}

absl::StatusOr<std::unique_ptr<KafkaLogInput>> KafkaLogInput::Create(
    const std::string& topic, int32_t partition, ingest::ShipperLogReader::Options options) {
  const int64_t start = options.start_offset;
  auto reader = ingest::ShipperLogReader::Create(std::move(options));
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<KafkaLogInput>(
      new KafkaLogInput(topic, partition, start, *std::move(reader)));
}

absl::StatusOr<DriverInput::State> KafkaLogInput::Advance() {
  while (true) {
    // Taken before Next: the reader has not returned the coming event yet.
    resume_ = reader_->resume_offset();
    if (reader_->Next(&event_)) {
      time_ = event_.time;
      return State::kReady;
    }
    if (queue_.empty()) {
      resume_ = reader_->resume_offset();
      return State::kIdle;
    }
    KafkaMessage message = PopFront();
    const std::string_view payload(static_cast<const char*>(message->payload), message->len);
    std::string_view cluster(static_cast<const char*>(message->key),
                             message->key == nullptr ? 0 : message->key_len);
    if (!cluster_header_.empty()) cluster = HeaderValue(message.get(), cluster_header_.c_str());
    reader_->FeedRecord(payload, cluster, message->offset);
  }
}

namespace {

// The prefixes of one log partition's clusters, in the meta column family under
// "prefixes:" + the partition's source id. Version 1:
//   value := version:u8=1 { cluster:length-prefixed-string prefix:length-prefixed-string }*
constexpr uint8_t kPrefixesVersion = 1;

std::string PrefixesKey(const std::string& source_id) { return "prefixes:" + source_id; }

}  // namespace

void KafkaLogInput::CheckpointPrefixes(state::StateStore::Batch* batch) {
  const std::map<std::string, std::string> prefixes = reader_->detected_prefixes();
  if (prefixes.empty()) return;
  std::string encoded(1, static_cast<char>(kPrefixesVersion));
  for (const auto& [cluster, prefix] : prefixes) {
    state::PutLengthPrefixedString(&encoded, cluster);
    state::PutLengthPrefixedString(&encoded, prefix);
  }
  if (encoded == checkpointed_prefixes_) return;
  batch->PutMeta(PrefixesKey(source_id()), encoded);
  checkpointed_prefixes_ = std::move(encoded);
}

absl::StatusOr<std::map<std::string, std::string>> KafkaLogInput::StoredPrefixes(
    const state::StateStore& store, const std::string& source_id) {
  std::map<std::string, std::string> prefixes;
  absl::StatusOr<std::optional<std::string>> stored = store.GetMeta(PrefixesKey(source_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return prefixes;
  std::string_view in = **stored;
  if (in.empty() || static_cast<uint8_t>(in[0]) != kPrefixesVersion) {
    return absl::DataLossError(
        absl::StrCat("state: ", PrefixesKey(source_id), ": unknown version"));
  }
  in.remove_prefix(1);
  while (!in.empty()) {
    std::string_view cluster, prefix;
    if (!state::GetLengthPrefixedString(&in, &cluster) ||
        !state::GetLengthPrefixedString(&in, &prefix)) {
      return absl::DataLossError(absl::StrCat("state: ", PrefixesKey(source_id), ": truncated"));
    }
    prefixes[std::string(cluster)] = std::string(prefix);
  }
  return prefixes;
}

class KafkaStatsInput::OffsetMapper final : public ParseErrorSink {
 public:
  OffsetMapper(const KafkaStatsInput* input, ParseErrorSink* target)
      : input_(input), target_(target) {}
  void OnError(std::string_view source, const ParseError& error) override {
    if (target_ == nullptr) return;
    ParseError mapped = error;
    mapped.byte_offset = input_->MessageAt(error.byte_offset);
    mapped.line_no = 1;
    target_->OnError(source, mapped);
  }

 private:
  const KafkaStatsInput* input_;
  ParseErrorSink* target_;
};

namespace {
ingest::SnapshotReaderOptions StreamOptions(const ingest::SnapshotReaderOptions& given,
                                            ParseErrorSink* errors) {
  ingest::SnapshotReaderOptions options = given;
  options.start_offset = 0;
  options.errors = errors;
  return options;
}
}  // namespace

KafkaStatsInput::KafkaStatsInput(const std::string& topic, int32_t partition,
                                 const ingest::SnapshotReaderOptions& options)
    : KafkaInput(topic, partition, options.start_offset),
      mapper_(std::make_unique<OffsetMapper>(this, options.errors)),
      reader_(StreamOptions(options, mapper_.get())),
      next_message_(options.start_offset) {}

KafkaStatsInput::~KafkaStatsInput() = default;

int64_t KafkaStatsInput::MessageAt(int64_t stream_offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), stream_offset,
                             [](int64_t x, const auto& s) { return x < s.first; });
  if (it == starts_.begin()) return next_message_;
  return std::prev(it)->second;
}

absl::StatusOr<DriverInput::State> KafkaStatsInput::Advance() {
  while (true) {
    const int64_t stream_resume = reader_.resume_offset();
    resume_ = stream_resume >= fed_ ? next_message_ : MessageAt(stream_resume);
    if (reader_.Next(&snapshot_)) {
      time_ = snapshot_.collected_at;
      // Messages before the one this snapshot came from are done with.
      while (starts_.size() > 1 && starts_[1].first <= stream_resume) starts_.pop_front();
      return State::kReady;
    }
    if (queue_.empty()) {
      const int64_t end = reader_.resume_offset();
      resume_ = end >= fed_ ? next_message_ : MessageAt(end);
      return State::kIdle;
    }
    KafkaMessage message = PopFront();
    starts_.emplace_back(fed_, message->offset);
    const std::string_view payload(static_cast<const char*>(message->payload), message->len);
    reader_.Feed(payload);
    reader_.Feed("\n");
    fed_ += static_cast<int64_t>(payload.size()) + 1;
    next_message_ = message->offset + 1;
  }
}

}  // namespace vacwatch::app
