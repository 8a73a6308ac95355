#include "sinks/dead_letter_sink.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/json_writer.h"

namespace vacwatch::sinks {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not one (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

void AppendValidUtf8(std::string_view text, size_t max_bytes, std::string* out) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  const size_t limit = std::min(text.size(), max_bytes);
  size_t i = 0;
  while (i < limit) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out->append(kReplacement);
      ++i;
    } else if (i + len > limit) {
      break;  // would split a code point at the cut
    } else {
      out->append(text.data() + i, len);
      i += len;
    }
  }
}

DeadLetterSink::DeadLetterSink(std::FILE* out) : DeadLetterSink(out, false, "") {}

DeadLetterSink::DeadLetterSink(std::FILE* out, bool owned, std::string path)
    : out_(out), owned_(owned), path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<DeadLetterSink>> DeadLetterSink::OpenFile(const std::string& path,
                                                                         bool append) {
  std::FILE* f = std::fopen(path.c_str(), append ? "ae" : "we");
  if (f == nullptr) {
    const int err = errno;
    std::string message = "cannot open dead-letter file " + path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(message);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  return std::unique_ptr<DeadLetterSink>(new DeadLetterSink(f, true, path));
}

DeadLetterSink::~DeadLetterSink() {
  if (owned_) {
    std::fclose(out_);
  } else {
    std::fflush(out_);
  }
}

int64_t DeadLetterSink::total() const {
  int64_t n = 0;
  for (int64_t c : counts_) n += c;
  return n;
}

void DeadLetterSink::OnError(std::string_view source, const ParseError& error) {
  ++counts_[static_cast<int>(error.kind)];
  raw_.clear();
  AppendValidUtf8(error.raw, kMaxRawBytes, &raw_);
  JsonWriter w(&line_);
  w.BeginObject();
  // Readers build source, field and detail from their input too: keep them JSON-safe.
  const auto safe = [this](std::string_view text) -> std::string_view {
    scratch_.clear();
    AppendValidUtf8(text, kMaxRawBytes, &scratch_);
    return scratch_;
  };
  w.Field("source", safe(source));
  w.Field("kind", ParseErrorKindName(error.kind));
  w.Field("field", safe(error.field));
  w.Field("detail", safe(error.detail));
  w.Field("byte_offset", error.byte_offset);
  w.Field("line_no", error.line_no);
  w.Field("raw", raw_);
  if (error.raw.size() > kMaxRawBytes) w.Field("raw_bytes", static_cast<int64_t>(error.raw.size()));
  w.EndObject();
  line_.push_back('\n');
  if (std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size()) write_failed_ = true;
}

absl::Status DeadLetterSink::Flush() {
  if (std::fflush(out_) != 0) write_failed_ = true;
  if (write_failed_) {
    return absl::UnavailableError("cannot write dead letters" +
                                  (path_.empty() ? std::string() : " to " + path_));
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::sinks
