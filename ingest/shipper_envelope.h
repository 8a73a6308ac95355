#ifndef VACWATCH_INGEST_SHIPPER_ENVELOPE_H_
#define VACWATCH_INGEST_SHIPPER_ENVELOPE_H_

// ShipperEnvelope: what one record of a log shipper (a line of a file, later a Kafka message)
// holds. Log shippers rarely pass PostgreSQL's lines through bare; they wrap each in a JSON
// object of their own:
//
//   Fluent Bit        {"date": 1717000000.1, "log": "2024-05-29 16:26:40.100 UTC [12] LOG: ..."}
//   Vector            {"message": "...", "timestamp": "2024-...Z", "host": "db-1", ...}
//   Filebeat          {"@timestamp": "2024-...Z", "message": "...", "host": {"name": "db-1"}}
//   Cloud Logging     {"textPayload": "[24670]: [1-1] db=,user= LOG:  automatic vacuum ...",
//                      "timestamp": "2020-06-01T10:00:00.123456Z", "resource": {...}}
//   CloudNativePG     {"level": "info", "logger": "postgres", "record": {"log_time": ...}}
//
// and PostgreSQL's own jsonlog is one JSON object per line too. ShipperEnvelopeDecoder tells
// them apart per record and hands out the PostgreSQL log text inside:
//
//   ShipperEnvelopeDecoder decoder({.cluster_field = "kubernetes.labels.cluster"});
//   EnvelopeRecord record;
//   ParseError error;
//   switch (decoder.Decode(line, padded_capacity, &record, &error)) { ... }
//
// A record is classified as:
//   kPlainLine  not JSON: a raw stderr or csvlog line (payload = the line);
//   kJsonlog    a jsonlog object or a CloudNativePG one (it has `error_severity` or a `record`
//               object): the payload is the record itself, read by JsonLogReader;
//   kWrapped    a shipper's object whose payload field is a string: the configured
//               `payload_field`, else the first of `log`, `message`, `textPayload`;
//   kSnapshot   a stats snapshot (it has `collected_at`), which belongs to another input;
//   kNoPayload  a JSON object with none of those (a shipper's own status line);
//   kBroken     JSON that does not parse, or a payload field that is not a string
//               (`error` says which field and why).
// The wrapper's record time (the configured `time_field`, else `timestamp`, `@timestamp`,
// `time`, `date`; an RFC 3339 string or epoch seconds) and cluster (`cluster_field`, a dot
// path) come with it when present: a Cloud Logging textPayload has no timestamp of its own.
//
// Views in the record and the error point into the decoder or into `line`; they are valid until
// the next Decode. `line` must have `capacity` readable bytes from its start (at least
// line.size() + 64: simdjson's padding). One decoder per thread; Decode allocates nothing in
// steady state.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/parse_error.h"

namespace vacwatch::ingest {

// Where the wrapper keeps what vacwatch needs, as dot paths ("kubernetes.labels.cluster");
// empty = the defaults named above (none for the cluster).
struct EnvelopeOptions {
  std::string payload_field;
  std::string cluster_field;
  std::string time_field;
};

enum class RecordKind : uint8_t { kPlainLine, kJsonlog, kWrapped, kSnapshot, kNoPayload, kBroken };

struct EnvelopeRecord {
  RecordKind kind = RecordKind::kPlainLine;
  std::string_view payload;        // the log text (kWrapped: unescaped; may hold '\n')
  std::string_view payload_field;  // kWrapped: the field it came from
  std::string_view cluster;        // from cluster_field; empty when absent
  std::optional<absl::Time> time;  // the wrapper's record time, when it has one
};

class ShipperEnvelopeDecoder {
 public:
  // InvalidArgument for a field path with an empty component ("a..b").
  static absl::StatusOr<std::unique_ptr<ShipperEnvelopeDecoder>> Create(
      const EnvelopeOptions& options);
  ~ShipperEnvelopeDecoder();
  ShipperEnvelopeDecoder(const ShipperEnvelopeDecoder&) = delete;
  ShipperEnvelopeDecoder& operator=(const ShipperEnvelopeDecoder&) = delete;

  // Classifies `line` (no '\n'); fills `error` (field, detail) for kBroken.
  RecordKind Decode(std::string_view line, size_t capacity, EnvelopeRecord* record,
                    ParseError* error);

 private:
  class Impl;
  explicit ShipperEnvelopeDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether the first line of a JSON-lines input is a shipper's wrapper (kWrapped) rather than
// PostgreSQL's jsonlog: the first object decides (a copy is padded, nothing is kept).
bool LooksLikeShipperEnvelope(std::string_view first_bytes, const EnvelopeOptions& options);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SHIPPER_ENVELOPE_H_
