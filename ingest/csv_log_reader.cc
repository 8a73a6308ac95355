#include "ingest/csv_log_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/log_entry_parser.h"
#include "simdjson.h"

namespace vacwatch::ingest {
namespace {

// csvlog column indexes (config.sgml, CREATE TABLE postgres_log); stable across 9.6-18.
constexpr int kLogTime = 0;
constexpr int kDatabaseName = 2;
constexpr int kProcessId = 3;
constexpr int kErrorSeverity = 11;
constexpr int kMessage = 13;
constexpr int kContext = 18;
// Fields kept per record; a row with more is rejected anyway, so the rest are only counted.
constexpr int kMaxStoredFields = 32;

bool IsValidColumnCount(int n) { return n == 23 || n == 24 || n == 26; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether `text` starts like a csvlog record: "YYYY-MM-DD HH:MM:SS". Returns 1 (yes),
// 0 (no) or -1 (too few bytes to tell).
int StartsLikeRecord(std::string_view text) {
  static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (i >= text.size()) return -1;
    const bool ok = kShape[i] == 'd' ? IsDigit(text[i]) : text[i] == kShape[i];
    if (!ok) return 0;
  }
  return 1;
}

// memchr that accepts an empty view (whose data() may be null).
const char* Find(std::string_view text, char c) {
  if (text.empty()) return nullptr;
  return static_cast<const char*>(std::memchr(text.data(), c, text.size()));
}

bool ParsePid(std::string_view text, int32_t* pid) {
  if (text.empty()) {
    *pid = 0;
    return true;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *pid);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

CsvLogReader::CsvLogReader(Options options) : options_(std::move(options)) {
  buffer_.Reset(options_.start_offset);
  fields_.resize(kMaxStoredFields);
}

void CsvLogReader::Feed(std::string_view chunk) {
  counters_.bytes += static_cast<int64_t>(chunk.size());
  buffer_.Append(chunk);
}

void CsvLogReader::Finish() { finished_ = true; }

void CsvLogReader::ResetScan() {
  state_ = ScanState::kFieldStart;
  scan_pos_ = 0;
  field_begin_ = 0;
  field_escaped_ = false;
  field_count_ = 0;
  record_len_ = 0;
}

void CsvLogReader::ConsumeLines(size_t n) {
  const std::string_view data = buffer_.data().substr(0, n);
  line_no_ += std::count(data.begin(), data.end(), '\n');
  buffer_.Consume(n);
}

void CsvLogReader::AddField(size_t begin, size_t end, bool escaped) {
  if (field_count_ < kMaxStoredFields) {
    fields_[field_count_] = {static_cast<uint32_t>(begin), static_cast<uint32_t>(end), escaped};
  }
  ++field_count_;
}

CsvLogReader::Scan CsvLogReader::ScanRecord() {
  const std::string_view data = buffer_.data();
  const char* d = data.data();
  const size_t n = data.size();
  size_t p = scan_pos_;
  while (true) {
    switch (state_) {
      case ScanState::kFieldStart:
        if (p == n) goto need_more;
        if (d[p] == '"') {
          field_begin_ = ++p;
          field_escaped_ = false;
          state_ = ScanState::kQuoted;
        } else {
          field_begin_ = p;
          state_ = ScanState::kUnquoted;
        }
        break;
      case ScanState::kUnquoted: {
        while (p < n && d[p] != ',' && d[p] != '\n' && d[p] != '"') ++p;
        if (p == n) goto need_more;
        if (d[p] == '"') {
          scan_pos_ = p;
          return RejectMalformed("quote inside an unquoted field");
        }
        size_t end = p;
        if (d[p] == '\n' && end > field_begin_ && d[end - 1] == '\r') --end;
        AddField(field_begin_, end, false);
        if (d[p] == ',') {
          ++p;
          state_ = ScanState::kFieldStart;
          break;
        }
        record_len_ = p + 1;
        goto complete;
      }
      case ScanState::kQuoted: {
        const void* quote = std::memchr(d + p, '"', n - p);
        if (quote == nullptr) {
          p = n;
          goto need_more;
        }
        p = static_cast<const char*>(quote) - d;
        if (p + 1 == n) goto need_more;  // a doubled quote or the closing one: need one more byte
        if (d[p + 1] == '"') {
          field_escaped_ = true;
          p += 2;
          break;
        }
        AddField(field_begin_, p, field_escaped_);
        ++p;
        state_ = ScanState::kAfterQuote;
        break;
      }
      case ScanState::kAfterQuote:
        if (p == n) goto need_more;
        if (d[p] == ',') {
          ++p;
          state_ = ScanState::kFieldStart;
          break;
        }
        if (d[p] == '\n') {
          record_len_ = p + 1;
          goto complete;
        }
        if (d[p] == '\r') {
          if (p + 1 == n) goto need_more;
          if (d[p + 1] == '\n') {
            record_len_ = p + 2;
            goto complete;
          }
        }
        scan_pos_ = p;
        return RejectMalformed("unexpected character after a closing quote");
    }
  }

need_more:
  scan_pos_ = p;
  if (static_cast<int64_t>(p) > options_.max_entry_bytes) return RejectOversized();
  if (!finished_) return Scan::kNeedMore;
  // End of input ends the last record, unless a quoted field is still open.
  switch (state_) {
    case ScanState::kFieldStart:
      AddField(p, p, false);
      break;
    case ScanState::kUnquoted:
      AddField(field_begin_, n, false);
      break;
    case ScanState::kQuoted:
      if (p + 1 == n && d[p] == '"') {
        AddField(field_begin_, p, field_escaped_);
        break;
      }
      RejectBroken(ParseErrorKind::kTruncated, "csv",
                   "quoted field still open at the end of input");
      return Scan::kBroken;
    case ScanState::kAfterQuote:
      break;
  }
  record_len_ = n;

complete:
  if (static_cast<int64_t>(record_len_) > options_.max_entry_bytes) {
    scan_pos_ = record_len_;
    return RejectOversized();
  }
  return Scan::kRecord;
}

CsvLogReader::Scan CsvLogReader::RejectOversized() {
  detail_scratch_.clear();
  absl::StrAppend(&detail_scratch_, "record longer than ", options_.max_entry_bytes, " bytes");
  RejectBroken(ParseErrorKind::kOversized, "csv", detail_scratch_);
  return Scan::kBroken;
}

CsvLogReader::Scan CsvLogReader::RejectMalformed(std::string_view detail) {
  // A fault past the limit: had the input arrived in pieces, one ending between the limit and
  // the fault would have found the record oversized first. It is oversized whatever the pieces.
  if (static_cast<int64_t>(scan_pos_) > options_.max_entry_bytes) return RejectOversized();
  RejectBroken(ParseErrorKind::kBadStructure, "csv", detail);
  return Scan::kBroken;
}

void CsvLogReader::Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
                          std::string_view raw, int64_t byte_offset, int64_t line_no) {
  ++counters_.entries;
  dispatch().Reject({.kind = kind,
                     .field = field,
                     .detail = detail,
                     .byte_offset = byte_offset,
                     .line_no = line_no,
                     .raw = raw});
}

void CsvLogReader::RejectBroken(ParseErrorKind kind, std::string_view field,
                                std::string_view detail) {
  const std::string_view data = buffer_.data();
  const char* nl = Find(data, '\n');
  // The raw text shows at least the whole first line, and everything scanned.
  const size_t first_line = nl != nullptr ? nl - data.data() : 0;
  const size_t seen = std::min(data.size(), std::max({scan_pos_, record_len_, first_line}));
  broken_offset_ = buffer_.offset();
  Reject(kind, field, detail, data.substr(0, seen), broken_offset_, line_no_);
  // Resynchronise after the broken record's first line: a record cut short is often followed
  // by intact ones that its open quote swallowed.
  if (nl != nullptr) {
    ConsumeLines(nl - data.data() + 1);
    mode_ = Mode::kResync;
  } else {
    buffer_.Consume(data.size());
    mode_ = Mode::kSkipLine;
  }
  ResetScan();
}

std::string_view CsvLogReader::FieldText(std::string_view record, int index,
                                         std::string* scratch) const {
  const Field& f = fields_[index];
  std::string_view text = record.substr(f.begin, f.end - f.begin);
  // Columns we read without a scratch (time, pid, severity) never hold quotes in csvlog; if
  // one does, it stays as written and fails its own parse.
  if (!f.escaped || scratch == nullptr) return text;
  scratch->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    scratch->push_back(text[i]);
    if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') ++i;
  }
  return *scratch;
}

bool CsvLogReader::HandleRecord(LogEvent* event) {
  const std::string_view record = buffer_.data().substr(0, record_len_);
  const bool is_event = ProcessRecord(record, event);
  ConsumeLines(record_len_);
  ResetScan();
  return is_event;
}

bool CsvLogReader::ProcessRecord(std::string_view record, LogEvent* event) {
  const int64_t byte_offset = buffer_.offset();
  const int64_t line_no = line_no_;
  if (!IsValidColumnCount(field_count_)) {
    detail_scratch_.clear();
    absl::StrAppend(&detail_scratch_, "expected 23, 24 or 26 columns, found ", field_count_);
    const bool cut_short =
        field_count_ < 23 && finished_ && record.size() == buffer_.size() && record.back() != '\n';
    Reject(cut_short ? ParseErrorKind::kTruncated : ParseErrorKind::kBadStructure, "csv",
           detail_scratch_, record, byte_offset, line_no);
    return false;
  }
  if (Find(record, '\0') != nullptr) {
    Reject(ParseErrorKind::kInvalidEncoding, "csv", "NUL byte in record", record, byte_offset,
           line_no);
    return false;
  }
  entry_ = LogEntry{};
  entry_.byte_offset = byte_offset;
  entry_.line_no = line_no;
  if (!ParsePid(FieldText(record, kProcessId, nullptr), &entry_.pid)) {
    Reject(ParseErrorKind::kBadNumber, "process_id", "not a process id", record, byte_offset,
           line_no);
    return false;
  }
  entry_.severity = FieldText(record, kErrorSeverity, nullptr);
  // The filter reads only the message's first words, which hold no quotes: the text as
  // written decides, so most entries are skipped before their message is unescaped.
  if (!MayBeAutovacuumEntry(entry_.severity, FieldText(record, kMessage, nullptr))) {
    ++counters_.entries;
    ++counters_.skipped;
    if (LooksTranslated(FieldText(record, kMessage, nullptr))) ++counters_.translated_entries;
    return false;
  }
  entry_.message = FieldText(record, kMessage, &message_scratch_);
  entry_.database = FieldText(record, kDatabaseName, &database_scratch_);
  entry_.context = FieldText(record, kContext, &context_scratch_);
  if (!simdjson::validate_utf8(entry_.message) || !simdjson::validate_utf8(entry_.context) ||
      !simdjson::validate_utf8(entry_.database)) {
    Reject(ParseErrorKind::kInvalidEncoding, "message", "invalid UTF-8", record, byte_offset,
           line_no);
    return false;
  }
  entry_.time_text = FieldText(record, kLogTime, nullptr);
  if (std::string_view why; !ResolveEntryTime(
          &entry_, options_.log_timezone ? &*options_.log_timezone : nullptr, &counters_, &why)) {
    Reject(ParseErrorKind::kBadTimestamp, "log_time", why, record, byte_offset, line_no);
    return false;
  }
  ++counters_.entries;
  return dispatch().Parse(entry_, event, &error_);
}

bool CsvLogReader::Next(LogEvent* event) {
  while (true) {
    const std::string_view data = buffer_.data();
    switch (mode_) {
      case Mode::kSkipLine: {
        const char* nl = Find(data, '\n');
        if (nl == nullptr) {
          buffer_.Consume(data.size());
          return false;
        }
        ConsumeLines(nl - data.data() + 1);
        mode_ = Mode::kResync;
        break;
      }
      case Mode::kResync: {
        if (data.empty()) return false;
        const int starts = StartsLikeRecord(data);
        if (starts < 0 && !finished_) return false;
        mode_ = starts > 0 ? Mode::kRecord : Mode::kSkipLine;
        break;
      }
      case Mode::kRecord: {
        if (data.empty()) return false;
        if (scan_pos_ == 0 && (data[0] == '\n' || data.substr(0, 2) == "\r\n")) {
          ConsumeLines(data[0] == '\n' ? 1 : 2);  // blank line between records
          break;
        }
        // A blank CRLF line cut after its '\r': only the next byte tells it from a record.
        if (scan_pos_ == 0 && data == "\r" && !finished_) return false;
        switch (ScanRecord()) {
          case Scan::kNeedMore:
            return false;
          case Scan::kBroken:
            break;
          case Scan::kRecord:
            if (HandleRecord(event)) return true;
            break;
        }
        break;
      }
    }
  }
}

}  // namespace vacwatch::ingest
