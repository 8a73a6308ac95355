#include "pipeline/alert_json_reader.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/rfc3339_time.h"
#include "simdjson.h"

namespace vacwatch::pipeline {
namespace {

namespace ondemand = simdjson::ondemand;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status FieldError(std::string_view field, simdjson::error_code error) {
  return absl::DataLossError(
      absl::StrCat("alert json: ", Sv(field), ": ", simdjson::error_message(error)));
}

absl::Status ReadString(ondemand::value value, std::string_view field, std::string* out) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) return FieldError(field, error);
  out->assign(text);
  return absl::OkStatus();
}

absl::Status ReadTime(ondemand::value value, std::string_view field, absl::Time* out) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) return FieldError(field, error);
  // JsonWriter renders the two infinities as absl::FormatTime does.
  if (text == "infinite-past") {
    *out = absl::InfinitePast();
  } else if (text == "infinite-future") {
    *out = absl::InfiniteFuture();
  } else if (!ParseRfc3339(text, out)) {
    return absl::DataLossError(absl::StrCat("alert json: ", Sv(field), ": bad time ", Sv(text)));
  }
  return absl::OkStatus();
}

// One of an enum's names (AlertStatusName, SeverityName, CauseName); any other text is an error
// naming the field.
template <typename Enum>
absl::Status ReadEnum(ondemand::value value, std::string_view field,
                      std::optional<Enum> (*parse)(std::string_view), Enum* out) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) return FieldError(field, error);
  const std::optional<Enum> parsed = parse(text);
  if (!parsed.has_value()) {
    return absl::DataLossError(
        absl::StrCat("alert json: ", Sv(field), ": unknown value \"", Sv(text), "\""));
  }
  *out = *parsed;
  return absl::OkStatus();
}

template <typename Int>
absl::Status ReadInt(ondemand::value value, std::string_view field, Int* out) {
  int64_t n = 0;
  if (auto error = value.get_int64().get(n)) return FieldError(field, error);
  if (n < std::numeric_limits<Int>::min() || n > std::numeric_limits<Int>::max()) {
    return FieldError(field, simdjson::NUMBER_OUT_OF_RANGE);
  }
  *out = static_cast<Int>(n);
  return absl::OkStatus();
}

absl::Status ReadDouble(ondemand::value value, std::string_view field, double* out) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return FieldError(field, error);
  if (type == ondemand::json_type::null) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return absl::OkStatus();
  }
  if (auto error = value.get_double().get(*out)) return FieldError(field, error);
  return absl::OkStatus();
}

absl::Status ReadEvidenceValue(ondemand::value value, std::string_view field,
                               pipeline::EvidenceItem* item) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return FieldError(field, error);
  switch (type) {
    case ondemand::json_type::string: {
      std::string text;
      if (absl::Status s = ReadString(value, field, &text); !s.ok()) return s;
      item->value = std::move(text);
      return absl::OkStatus();
    }
    case ondemand::json_type::null:
      item->value = std::numeric_limits<double>::quiet_NaN();
      return absl::OkStatus();
    case ondemand::json_type::number: {
      ondemand::number_type number_type;
      if (auto error = value.get_number_type().get(number_type)) return FieldError(field, error);
      if (number_type == ondemand::number_type::signed_integer) {
        int64_t n = 0;
        if (auto error = value.get_int64().get(n)) return FieldError(field, error);
        item->value = n;
      } else {
        double d = 0;
        if (auto error = value.get_double().get(d)) return FieldError(field, error);
        item->value = d;
      }
      return absl::OkStatus();
    }
    default:
      return FieldError(field, simdjson::INCORRECT_TYPE);
  }
}

absl::Status ReadHolder(ondemand::value value, pipeline::AlertHolder* holder) {
  ondemand::object object;
  if (auto error = value.get_object().get(object)) return FieldError("holder", error);
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return FieldError("holder", error);
    ondemand::value v;
    if (auto error = field.value().get(v)) return FieldError(key, error);
    const std::string path = absl::StrCat("holder.", Sv(key));
    absl::Status s;
    if (key == "kind") {
      s = ReadString(v, path, &holder->kind);
    } else if (key == "pid") {
      int32_t pid = 0;
      s = ReadInt(v, path, &pid);
      holder->pid = pid;
    } else if (key == "application_name") {
      s = ReadString(v, path, &holder->application_name);
    } else if (key == "state") {
      s = ReadString(v, path, &holder->state);
    } else if (key == "backend_type") {
      s = ReadString(v, path, &holder->backend_type);
    } else if (key == "database") {
      s = ReadString(v, path, &holder->database);
    } else if (key == "slot_name") {
      s = ReadString(v, path, &holder->slot_name);
    } else if (key == "gid") {
      s = ReadString(v, path, &holder->gid);
    } else if (key == "age_xids") {
      int64_t age = 0;
      s = ReadInt(v, path, &age);
      holder->age_xids = age;
    } else if (key == "age_s") {
      double age = 0;
      s = ReadDouble(v, path, &age);
      holder->age_s = age;
    } else if (key == "scope") {
      s = ReadString(v, path, &holder->scope);
    } else if (key == "id") {
      s = ReadString(v, path, &holder->id);
    } else if (key == "horizon_xid") {
      int64_t xid = 0;
      s = ReadInt(v, path, &xid);
      holder->horizon_xid = xid;
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<pipeline::Alert> ParseAlertJson(std::string_view json) {
  ondemand::parser parser;
  const simdjson::padded_string padded(json);
  ondemand::document doc;
  if (auto error = parser.iterate(padded).get(doc)) return FieldError("document", error);
  ondemand::object object;
  if (auto error = doc.get_object().get(object)) return FieldError("document", error);

  pipeline::Alert alert;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return FieldError("document", error);
    ondemand::value v;
    if (auto error = field.value().get(v)) return FieldError(key, error);
    absl::Status s;
    if (key == "status") {
      s = ReadEnum(v, key, &ParseAlertStatus, &alert.status);
    } else if (key == "alert") {
      s = ReadString(v, key, &alert.alert);
    } else if (key == "severity") {
      s = ReadEnum(v, key, &ParseSeverity, &alert.severity);
    } else if (key == "cause") {
      s = ReadEnum(v, key, &ParseCause, &alert.cause);
    } else if (key == "cluster") {
      s = ReadString(v, key, &alert.cluster);
    } else if (key == "database") {
      s = ReadString(v, key, &alert.database);
    } else if (key == "schema") {
      s = ReadString(v, key, &alert.schema);
    } else if (key == "table") {
      s = ReadString(v, key, &alert.table);
    } else if (key == "event_time") {
      s = ReadTime(v, key, &alert.event_time);
    } else if (key == "starts_at") {
      s = ReadTime(v, key, &alert.starts_at);
    } else if (key == "ends_at") {
      absl::Time ends_at;
      s = ReadTime(v, key, &ends_at);
      alert.ends_at = ends_at;
    } else if (key == "fingerprint") {
      s = ReadString(v, key, &alert.fingerprint);
    } else if (key == "summary") {
      s = ReadString(v, key, &alert.summary);
    } else if (key == "evidence") {
      ondemand::object evidence;
      if (auto error = v.get_object().get(evidence)) return FieldError(key, error);
      for (auto item : evidence) {
        pipeline::EvidenceItem entry;
        std::string_view name;
        if (auto error = item.unescaped_key().get(name)) return FieldError("evidence", error);
        entry.name.assign(name);
        ondemand::value item_value;
        const std::string path = absl::StrCat("evidence.", Sv(name));
        if (auto error = item.value().get(item_value)) return FieldError(path, error);
        if (absl::Status is = ReadEvidenceValue(item_value, path, &entry); !is.ok()) return is;
        alert.evidence.push_back(std::move(entry));
      }
    } else if (key == "holder") {
      alert.holder.emplace();
      s = ReadHolder(v, &*alert.holder);
    } else if (key == "recommendation") {
      s = ReadString(v, key, &alert.recommendation);
    }
    if (!s.ok()) return s;
  }
  return alert;
}

}  // namespace vacwatch::pipeline
