#ifndef VACWATCH_APP_KAFKA_INPUTS_H_
#define VACWATCH_APP_KAFKA_INPUTS_H_

// The driver's inputs over Kafka (driver_input.h): one per assigned partition of the log topic
// and of the stats topic. The service's consumer pushes each partition's messages into its
// input (Push); the driver pulls events and snapshots out. An input with nothing queued and
// nothing complete is idle, never ended: a partition goes on.
//
//   KafkaLogInput logs("pg.logs", 3, reader_options);    // reader_options.start_offset = seek
//   logs.Push(std::move(message));
//   driver.AddInput(&logs);
//
// Positions are message offsets: resume_position() is the offset of the first message of the
// entry (or snapshot) not yet fed to the pipeline, so a restart there loses nothing (an entry
// spanning messages is read whole again; what was applied already is ignored by the pipeline).
// The message key is the record's cluster (log topic; a snapshot names its own). Rejected input
// goes to `errors` with the message offset as byte_offset. Not thread-safe.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "app/driver_input.h"
#include "ingest/log_event.h"
#include "ingest/shipper_log_reader.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_reader.h"
#include "state/state_store.h"

struct rd_kafka_message_s;

namespace vacwatch::app {

struct KafkaMessageDeleter {
  void operator()(rd_kafka_message_s* message) const;
};
using KafkaMessage = std::unique_ptr<rd_kafka_message_s, KafkaMessageDeleter>;

// What both inputs share: the queue and the source id.
class KafkaInput : public DriverInput {
 public:
  // Queues a message; one at an offset already queued is dropped (after a pause and resume the
  // client may fetch again what it had delivered). Returns false for such a duplicate.
  bool Push(KafkaMessage message);
  int64_t duplicates_dropped() const { return duplicates_; }
  size_t queued() const { return queue_.size(); }
  // The payload bytes of the queued messages (snapshot messages run to megabytes: the
  // service bounds its queues by bytes as well as by count).
  size_t queued_bytes() const { return queued_bytes_; }
  const std::string& source_id() const override { return source_id_; }
  absl::Time time() const override { return time_; }
  state::SourceOffset resume_position() const override { return state::SourceOffset(resume_); }
  int32_t partition() const { return partition_; }

 protected:
  KafkaInput(const std::string& topic, int32_t partition, int64_t start_offset);
  // The next queued message, taken off the queue.
  KafkaMessage PopFront();

  std::deque<KafkaMessage> queue_;
  size_t queued_bytes_ = 0;
  absl::Time time_ = absl::InfinitePast();
  int64_t resume_;

 private:
  int64_t next_expected_;  // offset after the last message queued
  int64_t duplicates_ = 0;
  int32_t partition_;
  std::string source_id_;
};

class KafkaLogInput final : public KafkaInput {
 public:
  // `options.start_offset` is the partition's first message offset to be read.
  static absl::StatusOr<std::unique_ptr<KafkaLogInput>> Create(
      const std::string& topic, int32_t partition, ingest::ShipperLogReader::Options options);

  absl::StatusOr<State> Advance() override;
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnLogEvent(event_); }
  bool is_snapshot() const override { return false; }
  const ingest::IngestCounters& counters() const override { return reader_->counters(); }

  // Takes a message's cluster from header `name` instead of its key (empty: the key).
  void set_cluster_header(std::string name) { cluster_header_ = std::move(name); }

  // The log_line_prefix each cluster's lines are read with (detected), kept beside the
  // partition's position so that a restart reads the lines as this run did, from the first
  // one (ShipperLogReader::Options::known_prefixes): detecting again, the reader would buffer
  // up to 256 lines first, and the snapshots could go ahead of the log events meanwhile. Puts
  // them into `batch` (meta "prefixes:" + source id) when they changed since the last call.
  void CheckpointPrefixes(state::StateStore::Batch* batch);
  // The prefixes stored for the partition `source_id` (empty when none); DataLoss when the
  // stored value does not decode.
  static absl::StatusOr<std::map<std::string, std::string>> StoredPrefixes(
      const state::StateStore& store, const std::string& source_id);

 private:
  KafkaLogInput(const std::string& topic, int32_t partition, int64_t start_offset,
                std::unique_ptr<ingest::ShipperLogReader> reader)
      : KafkaInput(topic, partition, start_offset), reader_(std::move(reader)) {}

  std::unique_ptr<ingest::ShipperLogReader> reader_;
  ingest::LogEvent event_;
  std::string checkpointed_prefixes_;  // the encoding last put into a batch
  std::string cluster_header_;
};

class KafkaStatsInput final : public KafkaInput {
 public:
  // `options.start_offset` is the partition's first message offset to be read.
  KafkaStatsInput(const std::string& topic, int32_t partition,
                  const ingest::SnapshotReaderOptions& options);
  ~KafkaStatsInput() override;

  absl::StatusOr<State> Advance() override;
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnSnapshot(snapshot_); }
  bool is_snapshot() const override { return true; }
  const ingest::IngestCounters& counters() const override { return reader_.counters(); }

 private:
  // Dead letters of the reader carry stream offsets; the partition's are message offsets.
  class OffsetMapper;
  int64_t MessageAt(int64_t stream_offset) const;

  std::unique_ptr<OffsetMapper> mapper_;
  ingest::SnapshotReader reader_;
  ingest::Snapshot snapshot_;
  int64_t fed_ = 0;  // stream bytes fed
  // (stream offset, message offset) of each message fed whose snapshot may not be out yet.
  std::deque<std::pair<int64_t, int64_t>> starts_;
  int64_t next_message_;  // after the last message fed
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_KAFKA_INPUTS_H_
