#include "ingest/json_log_reader.h"

#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "ingest/log_entry_parser.h"
#include "simdjson.h"

namespace vacwatch::ingest {

namespace ondemand = simdjson::ondemand;

namespace {

// Whether a line that is not an object is still JSON: an array, a string, a number or a
// literal. Only looks at the first byte (and the whole of a literal).
bool IsJsonScalarOrArray(std::string_view line) {
  const size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return false;
  const size_t end = line.find_last_not_of(" \t\r");
  const std::string_view text = line.substr(start, end - start + 1);
  const char c = text.front();
  if (c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9')) return true;
  return text == "true" || text == "false" || text == "null";
}

bool HasNul(std::string_view text) {
  return !text.empty() && std::memchr(text.data(), '\0', text.size()) != nullptr;
}

}  // namespace

// Reads the keys vacwatch needs from one jsonlog line into a LogEntry. String views point into
// the parser's string buffer (or the line) and stay valid until the next Decode.
class JsonLogReader::Decoder {
 public:
  enum class Result { kEntry, kNotARecord, kError };

  Result Decode(std::string_view line, size_t capacity, LogEntry* entry) {
    line_ = line;
    has_message_ = false;
    auto doc_result = parser_.iterate(line.data(), line.size(), capacity);
    if (doc_result.error() != simdjson::SUCCESS) return Fail(doc_result.error(), "", nullptr);
    ondemand::document& doc = doc_result.value_unsafe();
    ondemand::object object;
    if (auto error = doc.get_object().get(object); error != simdjson::SUCCESS) {
      // On Demand reports "not json" as a root of the wrong type (it peeks at 'n' for null):
      // only valid JSON of another type is a type error, anything else is broken.
      if (error == simdjson::INCORRECT_TYPE && !IsJsonScalarOrArray(line)) {
        error = simdjson::TAPE_ERROR;
      }
      return Fail(error, "", &doc, false, "expected one JSON object per line");
    }
    if (!ReadObject(object, /*in_record=*/false, entry, &doc)) return Result::kError;
    // Anything after the closing brace is not one object per line.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return Fail(simdjson::TRAILING_CONTENT, "", &doc);
    }
    return has_message_ ? Result::kEntry : Result::kNotARecord;
  }

  ParseErrorKind error_kind() const { return error_kind_; }
  std::string_view error_field() const { return error_field_; }
  std::string_view error_detail() const { return error_detail_; }

 private:
  bool ReadObject(ondemand::object& object, bool in_record, LogEntry* entry,
                  ondemand::document* doc) {
    for (auto field : object) {
      std::string_view key;
      if (auto error = field.unescaped_key().get(key); error != simdjson::SUCCESS) {
        Fail(error, "", doc);
        return false;
      }
      ondemand::value value;
      if (auto error = field.value().get(value); error != simdjson::SUCCESS) {
        Fail(error, key, doc, in_record);
        return false;
      }
      bool ok = true;
      if (key == "message") {
        ok = ReadString(value, key, in_record, &entry->message, doc);
        has_message_ = has_message_ || ok;
      } else if (key == (in_record ? "log_time" : "timestamp")) {
        ok = ReadString(value, key, in_record, &entry->time_text, doc);
      } else if (key == "error_severity") {
        ok = ReadString(value, key, in_record, &entry->severity, doc);
      } else if (key == (in_record ? "database_name" : "dbname")) {
        ok = ReadString(value, key, in_record, &entry->database, doc);
      } else if (key == "context") {
        ok = ReadString(value, key, in_record, &entry->context, doc);
      } else if (key == (in_record ? "process_id" : "pid")) {
        ok = ReadPid(value, key, in_record, &entry->pid, doc);
      } else if (key == "record" && !in_record) {
        ondemand::json_type type;
        if (auto error = value.type().get(type); error != simdjson::SUCCESS) {
          Fail(error, key, doc);
          return false;
        }
        if (type != ondemand::json_type::object) continue;  // some other tool's "record"
        ondemand::object record;
        if (auto error = value.get_object().get(record); error != simdjson::SUCCESS) {
          Fail(error, key, doc);
          return false;
        }
        ok = ReadObject(record, /*in_record=*/true, entry, doc);
      }
      if (!ok) return false;
    }
    return true;
  }

  // A string value; null counts as absent.
  bool ReadString(ondemand::value& value, std::string_view key, bool in_record,
                  std::string_view* out, ondemand::document* doc) {
    ondemand::json_type type;
    if (auto error = value.type().get(type); error != simdjson::SUCCESS) {
      Fail(error, key, doc, in_record);
      return false;
    }
    if (type == ondemand::json_type::null) return true;
    if (type != ondemand::json_type::string) {
      Fail(simdjson::INCORRECT_TYPE, key, doc, in_record, "expected a string");
      return false;
    }
    if (auto error = value.get_string().get(*out); error != simdjson::SUCCESS) {
      Fail(error, key, doc, in_record);
      return false;
    }
    return true;
  }

  // jsonlog writes pid as a number, CloudNativePG's process_id as a string: accept both.
  bool ReadPid(ondemand::value& value, std::string_view key, bool in_record, int32_t* out,
               ondemand::document* doc) {
    ondemand::json_type type;
    if (auto error = value.type().get(type); error != simdjson::SUCCESS) {
      Fail(error, key, doc, in_record);
      return false;
    }
    if (type == ondemand::json_type::null) return true;
    int64_t pid = 0;
    if (type == ondemand::json_type::number) {
      if (auto error = value.get_int64().get(pid); error != simdjson::SUCCESS) {
        Fail(error, key, doc, in_record);
        return false;
      }
    } else if (type == ondemand::json_type::string) {
      std::string_view text;
      if (auto error = value.get_string().get(text); error != simdjson::SUCCESS) {
        Fail(error, key, doc, in_record);
        return false;
      }
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
      if (ec != std::errc() || end != text.data() + text.size()) {
        Fail(simdjson::NUMBER_ERROR, key, doc, in_record, "not a process id");
        return false;
      }
    } else {
      Fail(simdjson::INCORRECT_TYPE, key, doc, in_record, "expected a number");
      return false;
    }
    if (pid < 0 || pid > INT32_MAX) {
      Fail(simdjson::NUMBER_OUT_OF_RANGE, key, doc, in_record, "not a process id");
      return false;
    }
    *out = static_cast<int32_t>(pid);
    return true;
  }

  Result Fail(simdjson::error_code error, std::string_view key, ondemand::document* doc,
              bool in_record = false, std::string_view what = {}) {
    switch (error) {
      case simdjson::INCORRECT_TYPE:
        error_kind_ = ParseErrorKind::kWrongType;
        break;
      case simdjson::NUMBER_ERROR:
      case simdjson::NUMBER_OUT_OF_RANGE:
        error_kind_ = ParseErrorKind::kBadNumber;
        break;
      case simdjson::UTF8_ERROR:
        error_kind_ = ParseErrorKind::kInvalidEncoding;
        break;
      default:
        error_kind_ = ParseErrorKind::kBadStructure;
    }
    error_field_.clear();
    if (in_record) error_field_ = "record.";
    error_field_.append(key.empty() ? std::string_view("json") : key);
    // The byte within the line where the decoder stood: at the bad value for a type error.
    size_t column = line_.size();
    if (doc != nullptr) {
      auto location = doc->current_location();
      if (location.error() == simdjson::SUCCESS) {
        const char* at = location.value_unsafe();
        if (at >= line_.data() && at <= line_.data() + line_.size()) column = at - line_.data();
      }
    }
    error_detail_ = simdjson::error_message(error);
    if (!error_detail_.empty() && error_detail_.back() == '.') error_detail_.pop_back();
    if (!what.empty()) error_detail_.append(" (").append(what).append(")");
    error_detail_.append(", at byte ").append(std::to_string(column)).append(" of the line");
    return Result::kError;
  }

  ondemand::parser parser_;
  std::string_view line_;
  bool has_message_ = false;
  ParseErrorKind error_kind_ = ParseErrorKind::kBadStructure;
  std::string error_field_, error_detail_;
};

JsonLogReader::JsonLogReader(Options options)
    : options_(std::move(options)), decoder_(std::make_unique<Decoder>()) {
  buffer_.Reset(options_.start_offset);
}

JsonLogReader::~JsonLogReader() = default;

void JsonLogReader::Feed(std::string_view chunk) {
  counters_.bytes += static_cast<int64_t>(chunk.size());
  buffer_.Append(chunk);
}

void JsonLogReader::Finish() { finished_ = true; }

void JsonLogReader::Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
                           std::string_view raw) {
  ++counters_.entries;
  dispatch().Reject({.kind = kind,
                     .field = field,
                     .detail = detail,
                     .byte_offset = lines_.offset(),
                     .line_no = lines_.line_no(),
                     .raw = raw});
}

bool JsonLogReader::HandleLine(std::string_view line, LogEvent* event) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return false;  // blank line
  if (static_cast<int64_t>(line.size()) > options_.max_entry_bytes) {
    Reject(ParseErrorKind::kOversized, "json", "line longer than max_entry_bytes", line);
    return false;
  }
  if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
    Reject(ParseErrorKind::kInvalidEncoding, "json", "NUL byte in line", line);
    return false;
  }
  entry_ = LogEntry{};
  entry_.byte_offset = lines_.offset();
  entry_.line_no = lines_.line_no();
  switch (decoder_->Decode(line, buffer_.padded_size(line.data()), &entry_)) {
    case Decoder::Result::kError:
      Reject(decoder_->error_kind(), decoder_->error_field(), decoder_->error_detail(), line);
      return false;
    case Decoder::Result::kNotARecord:
      ++counters_.entries;
      ++counters_.skipped;
      return false;
    case Decoder::Result::kEntry:
      break;
  }
  if (!MayBeAutovacuumEntry(entry_.severity, entry_.message)) {
    ++counters_.entries;
    ++counters_.skipped;
    if (LooksTranslated(entry_.message)) ++counters_.translated_entries;
    return false;
  }
  // An escaped \u0000 decodes to a NUL, which no PostgreSQL message holds.
  if (HasNul(entry_.message) || HasNul(entry_.context) || HasNul(entry_.database)) {
    Reject(ParseErrorKind::kInvalidEncoding, "message", "NUL character in a string", line);
    return false;
  }
  if (std::string_view why; !ResolveEntryTime(
          &entry_, options_.log_timezone ? &*options_.log_timezone : nullptr, &counters_, &why)) {
    Reject(ParseErrorKind::kBadTimestamp, "timestamp", why, line);
    return false;
  }
  ++counters_.entries;
  return dispatch().Parse(entry_, event, &error_);
}

bool JsonLogReader::Next(LogEvent* event) {
  std::string_view line;
  while (true) {
    switch (lines_.Next(&buffer_, finished_, options_.max_entry_bytes, &line)) {
      case LineSplitter::Piece::kNeedMore:
        return false;
      case LineSplitter::Piece::kOversized:
        Reject(ParseErrorKind::kOversized, "json", "line longer than max_entry_bytes", line);
        break;
      case LineSplitter::Piece::kLine:
        if (HandleLine(line, event)) return true;
        break;
    }
  }
}

}  // namespace vacwatch::ingest
