#include "ingest/stderr_log_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "ingest/log_entry_parser.h"
#include "simdjson.h"

namespace vacwatch::ingest {
namespace {

// Detection reads this much of the start of a log (or this many lines) before choosing.
constexpr size_t kDetectBytes = size_t{64} * 1024;
constexpr int kDetectLines = 256;
// At most this many records wait for their CONTEXT at once; the oldest gives up first.
constexpr size_t kMaxWaiting = 64;
// The bytes of an oversized line kept for its dead letter, and of any raw text reported.
constexpr size_t kRawBytes = 4096;

// Severities that continue the previous record of the same pid (elog.c
// send_message_to_server_log prints each as its own prefixed line).
bool IsAuxiliary(std::string_view severity) {
  switch (severity.size()) {
    case 4:
      return severity == "HINT";
    case 5:
      return severity == "QUERY";
    case 6:
      return severity == "DETAIL";
    case 7:
      return severity == "CONTEXT";
    case 8:
      return severity == "LOCATION";
    case 9:
      return severity == "STATEMENT" || severity == "BACKTRACE";
    default:
      return false;
  }
}

bool ValidEncoding(std::string_view text) {
  return std::memchr(text.data(), '\0', text.size()) == nullptr &&
         simdjson::validate_utf8(text.data(), text.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<StderrLogReader>> StderrLogReader::Create(Options options) {
  const bool detect = options.log_line_prefix.empty();
  absl::StatusOr<LogLinePrefix> prefix =
      LogLinePrefix::Compile(detect ? "%m [%p] " : options.log_line_prefix);
  if (!prefix.ok()) return prefix.status();
  if (options.max_entry_bytes < 256) options.max_entry_bytes = 256;
  if (options.context_window_lines < 1) options.context_window_lines = 1;
  return std::unique_ptr<StderrLogReader>(
      new StderrLogReader(std::move(options), *std::move(prefix), detect));
}

StderrLogReader::StderrLogReader(Options options, LogLinePrefix prefix, bool detect)
    : options_(std::move(options)), prefix_(std::move(prefix)), detecting_(detect) {
  scan_stream_ = options_.start_offset;
  open_stream_begin_ = options_.start_offset;
}

int64_t StderrLogReader::resume_offset() const {
  if (queue_head_ < queue_.size()) return queue_[queue_head_].stream_begin;
  if (open_ != Open::kNone) return open_stream_begin_;
  return scan_stream_;
}

void StderrLogReader::Feed(std::string_view chunk) {
  if (finished_) return;
  counters_.bytes += static_cast<int64_t>(chunk.size());
  // Slices of at most max_entry_bytes: a long line is cut at the limit whether it arrives in
  // one chunk or many, so the buffer never holds much more than max_entry_bytes of it.
  const size_t slice = static_cast<size_t>(options_.max_entry_bytes);
  while (!chunk.empty()) {
    const size_t n = std::min(slice, chunk.size());
    FeedSlice(chunk.substr(0, n));
    chunk.remove_prefix(n);
  }
}

void StderrLogReader::FeedSlice(std::string_view chunk) {
  Compact();
  if (discarding_) {
    const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
    if (nl == nullptr) {
      discarded_bytes_ += static_cast<int64_t>(chunk.size());
      return;
    }
    const size_t n = static_cast<size_t>(static_cast<const char*>(nl) - chunk.data());
    discarded_bytes_ += static_cast<int64_t>(n);
    chunk.remove_prefix(n + 1);
    FinishOversizedLine();
  }
  buffer_.append(chunk.data(), chunk.size());
  if (detecting_) {
    // Lines are counted as they arrive, so tiny chunks do not rescan the sample.
    detect_lines_ += static_cast<int>(std::count(chunk.begin(), chunk.end(), '\n'));
    if (!ReadyToDetect()) return;
    DetectPrefix();
  }
  ProcessCompleteLines();
  // What is left is one unterminated line: past the limit, keep its start and drop the rest
  // as it arrives.
  const size_t partial = buffer_.size() - scan_;
  if (partial > static_cast<size_t>(options_.max_entry_bytes)) {
    const size_t keep = std::min(kRawBytes, static_cast<size_t>(options_.max_entry_bytes));
    discarded_bytes_ = static_cast<int64_t>(partial - keep);
    buffer_.resize(scan_ + keep);
    discarding_ = true;
  }
}

void StderrLogReader::CheckGivenPrefix() {
  // The given prefix has had its chance on the first lines: when it matched none, say what
  // the lines look like (the runner and `parse` report it).
  checked_given_prefix_ = true;
  if (counters_.head_lines == 0 && !first_lines_.empty()) {
    int matched = 0;
    LogLinePrefix detected = LogLinePrefix::Detect(first_lines_, &matched);
    if (matched > 0) suggested_prefix_ = detected.text();
  }
  first_lines_.clear();
  first_lines_.shrink_to_fit();
}

void StderrLogReader::FinishCut(bool cut_line_continues) {
  // Whatever its first byte, the cut line may continue the open record (continuation lines need
  // not be indented), and the lines after it may still bring a waiting cancel its CONTEXT: so,
  // unlike Finish, nothing is completed here. An oversized line being dropped ends as in Finish.
  if (discarding_) {
    Finish();
    return;
  }
  if (finished_) return;
  if (detecting_) DetectPrefix();
  ProcessCompleteLines();
  // The open record and the waiting ones stay unreturned, and resume_offset at the first of
  // them.
  if (!checked_given_prefix_ && suggested_prefix_.empty()) CheckGivenPrefix();
  finished_ = true;
}

void StderrLogReader::Finish() {
  if (finished_) return;
  if (detecting_) DetectPrefix();
  ProcessCompleteLines();
  if (discarding_) {
    FinishOversizedLine();
    scan_stream_ -= 1;  // that line had no '\n'
  } else if (scan_ < buffer_.size()) {
    const size_t end = buffer_.size();
    ++line_no_;
    ProcessLine(scan_, end, /*oversized=*/false);
    scan_stream_ += static_cast<int64_t>(end - scan_);
    scan_ = end;
  }
  CloseOpen();
  open_ = Open::kNone;
  while (!waiting_.empty()) StopWaiting(0);
  if (!checked_given_prefix_ && suggested_prefix_.empty()) CheckGivenPrefix();
  finished_ = true;
}

void StderrLogReader::EndOpenEntry() {
  if (finished_) return;
  if (detecting_) DetectPrefix();  // a quiet stream: decide on the lines there are
  ProcessCompleteLines();
  CloseOpen();
  while (!waiting_.empty()) StopWaiting(0);
}

bool StderrLogReader::Next(LogEvent* event) {
  while (queue_head_ < queue_.size()) {
    Record& record = queue_[queue_head_];
    if (!record.complete) return false;
    ++queue_head_;
    if (Emit(record, event)) return true;
  }
  return false;
}

bool StderrLogReader::ReadyToDetect() const {
  return buffer_.size() - scan_ >= kDetectBytes || detect_lines_ >= kDetectLines;
}

void StderrLogReader::DetectPrefix() {
  detecting_ = false;
  std::string_view sample = std::string_view(buffer_).substr(scan_, kDetectBytes);
  prefix_ = LogLinePrefix::Detect(sample);
  suggested_prefix_ = prefix_.text();
}

void StderrLogReader::ProcessCompleteLines() {
  const char* data = buffer_.data();
  const size_t size = buffer_.size();
  size_t pos = scan_;
  while (pos < size) {
    const void* nl = std::memchr(data + pos, '\n', size - pos);
    if (nl == nullptr) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - data);
    ++line_no_;
    if (end - pos > static_cast<size_t>(options_.max_entry_bytes)) {
      // Its end arrived in the same slice as its limit: treated as if cut while arriving.
      ProcessLine(pos, pos + std::min(kRawBytes, static_cast<size_t>(options_.max_entry_bytes)),
                  /*oversized=*/true);
    } else {
      ProcessLine(pos, end, /*oversized=*/false);
    }
    scan_stream_ += static_cast<int64_t>(end + 1 - pos);
    pos = end + 1;
  }
  scan_ = pos;
}

void StderrLogReader::FinishOversizedLine() {
  const size_t end = buffer_.size();
  ++line_no_;
  ProcessLine(scan_, end, /*oversized=*/true);
  scan_stream_ += static_cast<int64_t>(end - scan_) + discarded_bytes_ + 1;
  buffer_.resize(scan_);
  discarding_ = false;
  discarded_bytes_ = 0;
}

void StderrLogReader::ProcessLine(size_t begin, size_t end, bool oversized) {
  std::string_view line = Bytes(begin, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty() && line[0] != '\t') ++counters_.head_candidates;
  if (!checked_given_prefix_ && suggested_prefix_.empty()) {
    // A given prefix: keep the first lines, to say what they look like if it matches none.
    if (first_lines_.size() < kDetectBytes) {
      first_lines_.append(line.substr(0, kDetectBytes - first_lines_.size()));
      first_lines_.push_back('\n');
    }
    if (counters_.head_candidates >= kDetectLines) CheckGivenPrefix();
  }
  if (!line.empty() && line[0] != '\t' && prefix_.Match(line, &match_)) {
    ++counters_.head_lines;
    StartRecord(match_, begin, end, oversized);
  } else {
    ExtendOpen(end, oversized, line);
  }
}

void StderrLogReader::StartRecord(const PrefixMatch& m, size_t begin, size_t end, bool oversized) {
  CloseOpen();
  const int64_t stream_begin = scan_stream_;
  open_stream_begin_ = stream_begin;
  open_oversized_reported_ = false;
  // Records that waited too long complete without their CONTEXT.
  while (!waiting_.empty() && RecordAt(waiting_.front()).context_deadline < line_no_) {
    StopWaiting(0);
  }
  const std::string_view line = Bytes(begin, end);
  auto index_of = [&](std::string_view part) {
    return static_cast<size_t>(part.data() - buffer_.data());
  };

  if (IsAuxiliary(m.severity)) {
    open_ = Open::kIgnored;
    if (m.severity == "CONTEXT") {
      for (size_t i = 0; i < waiting_.size(); ++i) {
        Record& target = RecordAt(waiting_[i]);
        if (target.pid != m.pid) continue;
        if (oversized) {
          // An absurd CONTEXT, as in ExtendOpen: the record completes without it. (Its bytes may
          // not even stay in the buffer: the rest of a line cut at the limit is dropped.)
          StopWaiting(i);
          break;
        }
        target.context_begin = begin + m.message_offset;
        target.context_end = end;
        open_ = Open::kContext;
        open_seq_ = waiting_[i];
        break;
      }
    }
    if (oversized) {
      open_oversized_reported_ = true;
      Report(ParseErrorKind::kOversized, "line", "line longer than max_entry_bytes", stream_begin,
             line_no_, line);
    }
    return;
  }

  ++counters_.entries;
  // A new primary record of a pid ends the wait of its previous one.
  for (size_t i = 0; i < waiting_.size(); ++i) {
    if (RecordAt(waiting_[i]).pid == m.pid) {
      StopWaiting(i);
      break;
    }
  }
  const std::string_view message = line.substr(std::min(m.message_offset, line.size()));
  if (oversized) {
    open_ = Open::kIgnored;
    open_oversized_reported_ = true;
    Report(ParseErrorKind::kOversized, "entry", "entry longer than max_entry_bytes", stream_begin,
           line_no_, line);
    return;
  }
  if (!MayBeAutovacuumEntry(m.severity, message)) {
    ++counters_.skipped;
    if (LooksTranslated(message)) ++counters_.translated_entries;
    open_ = Open::kIgnored;
    return;
  }
  Record r;
  r.stream_begin = stream_begin;
  r.line_no = line_no_;
  r.begin = begin;
  r.message_begin = begin + std::min(m.message_offset, line.size());
  r.end = end;
  r.severity_begin = index_of(m.severity);
  r.severity_end = r.severity_begin + m.severity.size();
  if (!m.time_text.empty()) {
    r.time_begin = index_of(m.time_text);
    r.time_end = r.time_begin + m.time_text.size();
  }
  if (!m.database.empty()) {
    r.database_begin = index_of(m.database);
    r.database_end = r.database_begin + m.database.size();
  }
  r.pid = m.pid;
  r.time_format = m.time_format;
  const int64_t seq = popped_ + static_cast<int64_t>(queue_.size());
  if (NeedsContext(m.severity, message)) {
    r.waits_for_context = true;
    r.context_deadline = line_no_ + options_.context_window_lines;
    waiting_.push_back(seq);
    if (waiting_.size() > kMaxWaiting) StopWaiting(0);
  }
  queue_.push_back(r);
  open_ = Open::kQueued;
  open_seq_ = seq;
}

void StderrLogReader::ExtendOpen(size_t end, bool oversized, std::string_view line) {
  switch (open_) {
    case Open::kNone:
      Report(ParseErrorKind::kOrphanContinuation, "line", "continuation line with no entry above",
             scan_stream_, line_no_, line);
      if (oversized) {
        Report(ParseErrorKind::kOversized, "line", "line longer than max_entry_bytes", scan_stream_,
               line_no_, line);
      }
      return;
    case Open::kIgnored:
      if (oversized && !open_oversized_reported_) {
        open_oversized_reported_ = true;
        Report(ParseErrorKind::kOversized, "entry", "entry longer than max_entry_bytes",
               open_stream_begin_, line_no_, line);
      }
      return;
    case Open::kContext: {
      Record& target = RecordAt(open_seq_);
      if (oversized || end - target.context_begin > static_cast<size_t>(options_.max_entry_bytes)) {
        // An absurd CONTEXT: keep what there is, drop the rest.
        auto it = std::find(waiting_.begin(), waiting_.end(), open_seq_);
        if (it != waiting_.end()) StopWaiting(static_cast<size_t>(it - waiting_.begin()));
        open_ = Open::kIgnored;
        return;
      }
      target.context_end = end;
      return;
    }
    case Open::kQueued: {
      Record& r = RecordAt(open_seq_);
      if (oversized || end - r.begin > static_cast<size_t>(options_.max_entry_bytes)) {
        // Report now, while its start is at hand; its further lines are dropped.
        Report(ParseErrorKind::kOversized, "entry", "entry longer than max_entry_bytes",
               r.stream_begin, r.line_no, Bytes(r.begin, std::min(r.end, r.begin + kRawBytes)));
        r.dead = true;
        r.complete = true;
        if (r.waits_for_context) {
          auto it = std::find(waiting_.begin(), waiting_.end(), open_seq_);
          if (it != waiting_.end()) waiting_.erase(it);
        }
        open_ = Open::kIgnored;
        open_oversized_reported_ = true;
        return;
      }
      r.end = end;
      return;
    }
  }
}

void StderrLogReader::CloseOpen() {
  if (open_ == Open::kQueued) {
    Record& r = RecordAt(open_seq_);
    if (!r.waits_for_context) r.complete = true;
  } else if (open_ == Open::kContext) {
    auto it = std::find(waiting_.begin(), waiting_.end(), open_seq_);
    if (it != waiting_.end()) StopWaiting(static_cast<size_t>(it - waiting_.begin()));
  }
  open_ = Open::kIgnored;
}

void StderrLogReader::StopWaiting(size_t waiting_index) {
  const int64_t seq = waiting_[waiting_index];
  waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(waiting_index));
  Record& r = RecordAt(seq);
  r.waits_for_context = false;
  // Still receiving continuation lines? Then it completes when they end.
  if (!(open_ == Open::kQueued && open_seq_ == seq)) r.complete = true;
  if (open_ == Open::kContext && open_seq_ == seq) open_ = Open::kIgnored;
}

bool StderrLogReader::Emit(Record& r, LogEvent* event) {
  if (r.dead) return false;
  entry_ = LogEntry();
  entry_.pid = r.pid;
  entry_.severity = Bytes(r.severity_begin, r.severity_end);
  entry_.database = Bytes(r.database_begin, r.database_end);
  entry_.message = Bytes(r.message_begin, r.end);
  entry_.context = Bytes(r.context_begin, r.context_end);
  entry_.byte_offset = r.stream_begin;
  entry_.line_no = r.line_no;
  if (!ValidEncoding(Bytes(r.begin, r.end)) || !ValidEncoding(entry_.context)) {
    Report(ParseErrorKind::kInvalidEncoding, "message", "invalid UTF-8 or a NUL byte",
           r.stream_begin, r.line_no, Bytes(r.begin, std::min(r.end, r.begin + kRawBytes)));
    return false;
  }
  if (r.time_end > r.time_begin) entry_.time_text = Bytes(r.time_begin, r.time_end);
  if (std::string_view why; !ResolveEntryTime(
          &entry_, options_.log_timezone ? &*options_.log_timezone : nullptr, &counters_, &why)) {
    Report(ParseErrorKind::kBadTimestamp, "time", why, r.stream_begin, r.line_no,
           Bytes(r.begin, std::min(r.end, r.begin + kRawBytes)));
    return false;
  }
  return dispatch().Parse(entry_, event, &error_);
}

void StderrLogReader::Report(ParseErrorKind kind, std::string_view field, std::string_view detail,
                             int64_t stream_offset, int64_t line_no, std::string_view raw) {
  dispatch().Reject({.kind = kind,
                     .field = field,
                     .detail = detail,
                     .byte_offset = stream_offset,
                     .line_no = line_no,
                     .raw = raw.substr(0, kRawBytes)});
}

void StderrLogReader::Compact() {
  // Returned records go; the bytes before the first record still queued (or the first
  // unprocessed line) go once they are at least half the buffer.
  if (queue_head_ > 0 && (queue_head_ == queue_.size() || queue_head_ >= 1024)) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    popped_ += static_cast<int64_t>(queue_head_);
    queue_head_ = 0;
  }
  size_t keep = scan_;
  if (queue_head_ < queue_.size()) keep = std::min(keep, queue_[queue_head_].begin);
  if (keep == 0 || keep < buffer_.size() / 2) return;
  buffer_.erase(0, keep);
  scan_ -= keep;
  for (size_t i = queue_head_; i < queue_.size(); ++i) {
    Record& r = queue_[i];
    r.begin -= keep;
    r.message_begin -= keep;
    r.end -= keep;
    r.severity_begin -= keep;
    r.severity_end -= keep;
    if (r.time_end > 0) r.time_begin -= keep, r.time_end -= keep;
    if (r.database_end > 0) r.database_begin -= keep, r.database_end -= keep;
    if (r.context_end > 0) r.context_begin -= keep, r.context_end -= keep;
  }
}

}  // namespace vacwatch::ingest
