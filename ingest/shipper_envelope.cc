#include "ingest/shipper_envelope.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/rfc3339_time.h"
#include "simdjson.h"

namespace vacwatch::ingest {

namespace ondemand = simdjson::ondemand;

namespace {

using FieldPath = std::vector<std::string>;

// The payload fields tried when none is configured, in order of preference: Fluent Bit's
// `log`, Vector's and Filebeat's `message`, Cloud Logging's `textPayload`.
constexpr std::array<std::string_view, 3> kDefaultPayloadFields = {"log", "message", "textPayload"};
// The record time fields tried when none is configured.
constexpr std::array<std::string_view, 4> kDefaultTimeFields = {"timestamp", "@timestamp", "time",
                                                                "date"};

absl::StatusOr<FieldPath> ParseFieldPath(std::string_view what, std::string_view text) {
  FieldPath path;
  if (text.empty()) return path;
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), '.')) {
    if (part.empty()) {
      return absl::InvalidArgumentError(std::string(what) + " '" + std::string(text) +
                                        "' has an empty component (write a.b.c)");
    }
    path.emplace_back(part);
  }
  return path;
}

int IndexOf(std::string_view key, const auto& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == key) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

class ShipperEnvelopeDecoder::Impl {
 public:
  Impl(FieldPath payload, FieldPath cluster, FieldPath time)
      : payload_path_(std::move(payload)),
        cluster_path_(std::move(cluster)),
        time_path_(std::move(time)) {}

  RecordKind Decode(std::string_view line, size_t capacity, EnvelopeRecord* record,
                    ParseError* error) {
    *record = EnvelopeRecord{};
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos || line[start] != '{') {
      record->kind = RecordKind::kPlainLine;
      record->payload = line;
      return record->kind;
    }
    error_field_ = {};
    auto doc_result = parser_.iterate(line.data(), line.size(), capacity);
    if (doc_result.error() != simdjson::SUCCESS) return Broken(doc_result.error(), "", error);
    ondemand::document& doc = doc_result.value_unsafe();
    ondemand::object object;
    if (auto e = doc.get_object().get(object); e != simdjson::SUCCESS) return Broken(e, "", error);

    bool jsonlog = false;
    bool snapshot = false;
    int payload_rank = 1 << 10;  // default fields: lower index wins
    int time_rank = 1 << 10;
    for (auto field : object) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS) {
        return Broken(e, "", error);
      }
      ondemand::value value;
      if (auto e = field.value().get(value); e != simdjson::SUCCESS) return Broken(e, key, error);

      if (key == "error_severity") {
        jsonlog = true;
        continue;
      }
      if (key == "collected_at") {
        snapshot = true;
        continue;
      }
      if (key == "record") {
        ondemand::json_type type;
        if (value.type().get(type) == simdjson::SUCCESS && type == ondemand::json_type::object) {
          jsonlog = true;
          continue;
        }
      }
      // The payload.
      if (!payload_path_.empty() ? key == payload_path_[0] : false) {
        if (auto e = ReadString(value, payload_path_, 1, &record->payload);
            e != simdjson::SUCCESS) {
          if (e != simdjson::NO_SUCH_FIELD) return Broken(e, payload_field_text_, error);
        } else {
          record->payload_field = payload_field_text_;
          payload_rank = 0;
        }
        continue;
      }
      if (payload_path_.empty()) {
        const int rank = IndexOf(key, kDefaultPayloadFields);
        if (rank >= 0 && rank < payload_rank) {
          ondemand::json_type type;
          // Filebeat's `log` is an object ({"file": ..., "offset": ...}): not the payload.
          if (value.type().get(type) == simdjson::SUCCESS && type == ondemand::json_type::string) {
            std::string_view text;
            if (auto e = value.get_string().get(text); e != simdjson::SUCCESS) {
              return Broken(e, key, error);
            }
            record->payload = text;
            record->payload_field = kDefaultPayloadFields[static_cast<size_t>(rank)];
            payload_rank = rank;
          }
          continue;
        }
      }
      // The cluster.
      if (!cluster_path_.empty() && key == cluster_path_[0]) {
        std::string_view text;
        if (ReadString(value, cluster_path_, 1, &text) == simdjson::SUCCESS) record->cluster = text;
        continue;
      }
      // The record time.
      if (!time_path_.empty() ? key == time_path_[0] : false) {
        ReadTime(value, time_path_, 1, &record->time);
        time_rank = 0;
        continue;
      }
      if (time_path_.empty()) {
        const int rank = IndexOf(key, kDefaultTimeFields);
        if (rank >= 0 && rank < time_rank) {
          std::optional<absl::Time> t;
          ReadTime(value, time_path_, 0, &t);
          if (t.has_value()) {
            record->time = t;
            time_rank = rank;
          }
        }
      }
    }
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return Broken(simdjson::TRAILING_CONTENT, "", error);
    }
    if (jsonlog) {
      record->kind = RecordKind::kJsonlog;
      record->payload = line;
      record->payload_field = {};
    } else if (!record->payload_field.empty()) {
      record->kind = RecordKind::kWrapped;
    } else if (snapshot) {
      record->kind = RecordKind::kSnapshot;
    } else {
      record->kind = RecordKind::kNoPayload;
    }
    return record->kind;
  }

  std::string payload_field_text_;

 private:
  // Reads the string at path[from..] below `value` (path[from-1] named `value`).
  simdjson::error_code ReadString(ondemand::value& value, const FieldPath& path, size_t from,
                                  std::string_view* out) {
    if (from == path.size()) return value.get_string().get(*out);
    ondemand::object object;
    if (auto e = value.get_object().get(object); e != simdjson::SUCCESS) return e;
    ondemand::value child;
    if (auto e = object.find_field_unordered(path[from]).get(child); e != simdjson::SUCCESS) {
      return e;
    }
    return ReadString(child, path, from + 1, out);
  }

  // Reads an RFC 3339 string or epoch seconds at path[from..]; leaves `out` unset otherwise.
  void ReadTime(ondemand::value& value, const FieldPath& path, size_t from,
                std::optional<absl::Time>* out) {
    if (from < path.size()) {
      ondemand::object object;
      if (value.get_object().get(object) != simdjson::SUCCESS) return;
      ondemand::value child;
      if (object.find_field_unordered(path[from]).get(child) != simdjson::SUCCESS) return;
      ReadTime(child, path, from + 1, out);
      return;
    }
    ondemand::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return;
    if (type == ondemand::json_type::string) {
      std::string_view text;
      absl::Time t;
      if (value.get_string().get(text) == simdjson::SUCCESS && ParseRfc3339(text, &t)) *out = t;
    } else if (type == ondemand::json_type::number) {
      double seconds = 0;
      if (value.get_double().get(seconds) == simdjson::SUCCESS && std::isfinite(seconds) &&
          seconds > 0 && seconds < 1e11) {
        *out = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
      }
    }
  }

  RecordKind Broken(simdjson::error_code code, std::string_view field, ParseError* error) {
    error_field_.assign(field.data(), field.size());
    error->kind = code == simdjson::INCORRECT_TYPE ? ParseErrorKind::kWrongType
                  : code == simdjson::UTF8_ERROR   ? ParseErrorKind::kInvalidEncoding
                                                   : ParseErrorKind::kBadStructure;
    error->field = error_field_;
    error->detail = simdjson::error_message(code);
    return RecordKind::kBroken;
  }

  const FieldPath payload_path_;
  const FieldPath cluster_path_;
  const FieldPath time_path_;
  ondemand::parser parser_;
  std::string error_field_;
};

absl::StatusOr<std::unique_ptr<ShipperEnvelopeDecoder>> ShipperEnvelopeDecoder::Create(
    const EnvelopeOptions& options) {
  auto payload = ParseFieldPath("payload field", options.payload_field);
  if (!payload.ok()) return payload.status();
  auto cluster = ParseFieldPath("cluster field", options.cluster_field);
  if (!cluster.ok()) return cluster.status();
  auto time = ParseFieldPath("time field", options.time_field);
  if (!time.ok()) return time.status();
  auto impl = std::make_unique<Impl>(*std::move(payload), *std::move(cluster), *std::move(time));
  impl->payload_field_text_ = options.payload_field;
  return std::unique_ptr<ShipperEnvelopeDecoder>(new ShipperEnvelopeDecoder(std::move(impl)));
}

ShipperEnvelopeDecoder::ShipperEnvelopeDecoder(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
ShipperEnvelopeDecoder::~ShipperEnvelopeDecoder() = default;

RecordKind ShipperEnvelopeDecoder::Decode(std::string_view line, size_t capacity,
                                          EnvelopeRecord* record, ParseError* error) {
  return impl_->Decode(line, capacity, record, error);
}

bool LooksLikeShipperEnvelope(std::string_view first_bytes, const EnvelopeOptions& options) {
  std::string_view line = first_bytes.substr(0, first_bytes.find('\n'));
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto decoder = ShipperEnvelopeDecoder::Create(options);
  if (!decoder.ok()) return false;
  std::string padded(line);
  padded.resize(line.size() + simdjson::SIMDJSON_PADDING, '\0');
  EnvelopeRecord record;
  ParseError error;
  return (*decoder)->Decode(std::string_view(padded.data(), line.size()), padded.size(), &record,
                            &error) == RecordKind::kWrapped;
}

}  // namespace vacwatch::ingest
