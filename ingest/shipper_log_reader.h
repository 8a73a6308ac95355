#ifndef VACWATCH_INGEST_SHIPPER_LOG_READER_H_
#define VACWATCH_INGEST_SHIPPER_LOG_READER_H_

// ShipperLogReader: reads what log shippers send, one record per line (shipper_envelope.h says
// which records it tells apart), and rebuilds PostgreSQL's entries from it. Shippers send one
// record per log line: a vacuum report arrives as a head line and a dozen continuation records
// (Cloud Logging), and the records of several clusters, and of several backends of one, are
// interleaved. So each record's log text goes to the reader of its cluster (stderr, csvlog or
// jsonlog, chosen from that cluster's first payload; the log_line_prefix detected from that
// cluster's own first lines unless configured), which rebuilds entries per pid as it does for a
// file: an entry ends at the next head line of its cluster, its DETAIL / CONTEXT lines join it
// by pid, and the end of input ends them all.
//
//   auto reader = ShipperLogReader::Create({.cluster = "prod-eu-1", .errors = &dead_letters});
//   (*reader)->Feed(chunk);
//   LogEvent event;
//   while ((*reader)->Next(&event)) Use(event);  // views valid until the next Feed/Next/Finish
//
// A payload without a timestamp of its own (Cloud Logging's textPayload drops it) gets the
// record's time (`timestamp`), written as %m in UTC before its head lines, so the cluster's
// prefix is "%m " followed by what the payload carries.
//
// Positions are the input's: an event's byte_offset and line_no, a dead letter's, and
// resume_offset(), the start of the earliest record of an entry not yet returned (events of
// other clusters after it are read again by a reader started there; the pipeline ignores an
// event it has applied). Broken JSON, a payload field of the wrong type, a record too long and
// a stats snapshot in a log input are dead letters; a shipper's own records (no payload) are
// counted as skipped.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/input_buffer.h"
#include "ingest/line_splitter.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"
#include "ingest/shipper_envelope.h"

namespace vacwatch::ingest {

class ShipperLogReader final : public LogReader {
 public:
  struct Options {
    std::string cluster;  // of records without a cluster field
    // stderr payloads: PostgreSQL's log_line_prefix (of the payload as it arrives); empty =
    // detected per cluster.
    std::string log_line_prefix;
    // Per cluster, the prefix an earlier reader of this input detected (detected_prefixes()):
    // used as it is instead of detecting again from the lines where this reader starts, so
    // that a reader resumed mid-stream reads the lines as its predecessor did, and from the
    // first line (detection buffers up to 256 lines before it gives an event).
    std::map<std::string, std::string> known_prefixes;
    int64_t start_offset = 0;           // stream offset of the first byte fed
    int64_t max_entry_bytes = 1 << 20;  // longer records and entries are rejected as oversized
    ParseErrorSink* errors = nullptr;   // not owned; may be null (errors are still counted)
    std::string source_name;            // names the input in dead letters
    std::optional<absl::TimeZone> log_timezone;
    EnvelopeOptions envelope;
    // A cluster's entry ends when no record of that cluster came for this long of record time
    // while others did (shippers give no end-of-entry mark; the next head line of the cluster
    // ends it too). An entry's lines are written at once, so seconds are plenty.
    absl::Duration entry_idle_close = absl::Seconds(5);
  };

  // InvalidArgument for a bad field path or log_line_prefix.
  static absl::StatusOr<std::unique_ptr<ShipperLogReader>> Create(Options options);
  ~ShipperLogReader() override;

  void Feed(std::string_view chunk) override;
  // One record that arrived on its own (a Kafka message; not to be mixed with Feed): `cluster`
  // (the message key) is its cluster unless the record names one in its cluster field, and
  // `position` (the message offset) is what its events' byte_offset, its dead letters and
  // resume_offset() count in: resume_offset() is then the position of the first record of an
  // entry not yet returned, or the position after the last record fed. Keeps no reference.
  void FeedRecord(std::string_view record, std::string_view cluster, int64_t position);
  void Finish() override;
  // The last entry of every cluster is held (more of its records may follow).
  void FinishCut(bool cut_line_continues) override;
  bool Next(LogEvent* event) override;
  int64_t resume_offset() const override;
  const IngestCounters& counters() const override;
  std::string_view suggested_prefix() const override;
  // The log_line_prefix of each cluster whose stderr payloads had theirs detected (or given in
  // known_prefixes), once settled; empty when Options::log_line_prefix is set.
  std::map<std::string, std::string> detected_prefixes() const;
  // Ends the open entry of every cluster whose last record is older than
  // `now - entry_idle_close` (record time; records without one do not count). Called for each
  // record that has a time; a caller with a clock of its own (a Kafka partition's message
  // times) may call it too.
  void CloseIdleEntries(absl::Time now);

 private:
  struct Cluster;
  class ErrorMapper;

  explicit ShipperLogReader(Options options, std::unique_ptr<ShipperEnvelopeDecoder> decoder);
  // Takes the next record from the input and feeds its payload to its cluster's reader; false
  // when no complete record is left.
  bool RouteNextRecord();
  void RouteRecord(std::string_view line, size_t capacity, std::string_view default_cluster,
                   int64_t offset, int64_t line_no);
  Cluster* ClusterFor(std::string_view cluster, bool jsonlog, std::string_view first_payload,
                      const std::optional<absl::Time>& record_time);
  void FeedPayload(Cluster* c, std::string_view payload, const std::optional<absl::Time>& time);
  void Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
              std::string_view raw, int64_t offset, int64_t line_no);
  void FinishClusters(bool cut);

  Options options_;
  std::unique_ptr<ShipperEnvelopeDecoder> decoder_;
  InputBuffer buffer_;
  LineSplitter lines_;
  bool finished_ = false;
  bool cut_ = false;
  bool clusters_finished_ = false;
  IngestCounters own_;            // records this reader itself counted
  mutable IngestCounters total_;  // own_ plus every cluster's
  std::vector<std::unique_ptr<Cluster>> clusters_;
  // Cluster name -> index in clusters_: [0] for payloads, [1] for jsonlog records.
  std::map<std::string, size_t, std::less<>> by_name_[2];
  Cluster* draining_ = nullptr;                    // the reader whose events Next returns now
  std::vector<Cluster*> finish_order_;             // readers still to drain (popped from the back)
  absl::Time latest_time_ = absl::InfinitePast();  // of any record
  absl::Time last_sweep_ = absl::InfinitePast();   // of CloseIdleEntries
  std::string scratch_;                            // a head line's time prefix
  bool record_mode_ = false;                       // fed by FeedRecord
  int64_t next_position_ = 0;                      // FeedRecord: after the last record
  std::string record_copy_;                        // FeedRecord: the record, padded for simdjson
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SHIPPER_LOG_READER_H_
