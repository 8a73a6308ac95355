#include "ingest/shipper_log_reader.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "absl/time/civil_time.h"
#include "ingest/csv_log_reader.h"
#include "ingest/json_log_reader.h"
#include "ingest/log_source.h"
#include "ingest/log_timestamp.h"
#include "ingest/stderr_log_reader.h"

namespace vacwatch::ingest {
namespace {

constexpr size_t kRawBytes = 4096;  // of a rejected record, kept for its dead letter

// Whether a payload line opens a record: it carries a PostgreSQL severity followed by ':' and a
// space, after the prefix (or at its start). Continuation lines Cloud SQL sends unindented
// ("pages: 0 removed, ...", "system usage: CPU: ...") carry none.
bool LooksLikeHeadLine(std::string_view line) {
  static constexpr std::array<std::string_view, 18> kSeverities = {
      "LOG",      "ERROR",     "WARNING", "FATAL",   "PANIC",  "INFO",
      "NOTICE",   "DETAIL",    "HINT",    "CONTEXT", "QUERY",  "STATEMENT",
      "LOCATION", "BACKTRACE", "DEBUG1",  "DEBUG2",  "DEBUG3", "DEBUG5"};
  if (line.empty() || line[0] == '\t' || line[0] == ' ') return false;
  const std::string_view head = line.substr(0, 1024);
  for (size_t colon = head.find(": "); colon != std::string_view::npos;
       colon = head.find(": ", colon + 1)) {
    size_t word = colon;
    while (word > 0 && head[word - 1] >= 'A' && head[word - 1] <= 'Z') --word;
    while (word > 0 && word < colon && head[word - 1] >= '0' && head[word - 1] <= '9') --word;
    const std::string_view token = head.substr(word, colon - word);
    if (word > 0 && head[word - 1] != ' ' && head[word - 1] != ']') continue;
    if (token == "DEBUG4" ||
        std::find(kSeverities.begin(), kSeverities.end(), token) != kSeverities.end()) {
      return true;
    }
  }
  return false;
}

bool StartsWithTimestamp(std::string_view line) {
  return ScanLogTimestamp(line, LogTimeFormat::kMillis) > 0 ||
         ScanLogTimestamp(line, LogTimeFormat::kSeconds) > 0 ||
         ScanLogTimestamp(line, LogTimeFormat::kEpoch) > 0;
}

// "2020-06-01 10:00:00.123 UTC " (%m in UTC) into `out`.
void FormatMillisUtc(absl::Time t, std::string* out) {
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int64_t millis = absl::ToInt64Milliseconds(t - absl::FromCivil(cs, absl::UTCTimeZone()));
  char text[48];
  const int n = std::snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC ",
                              static_cast<int>(cs.year()), cs.month(), cs.day(), cs.hour(),
                              cs.minute(), cs.second(), static_cast<int>(millis));
  out->assign(text, static_cast<size_t>(std::max(n, 0)));
}

}  // namespace

// Dead letters of a cluster's reader carry its own stream's positions: this puts the input's in.
class ShipperLogReader::ErrorMapper final : public ParseErrorSink {
 public:
  ErrorMapper(Cluster* cluster, ParseErrorSink* target) : cluster_(cluster), target_(target) {}
  void OnError(std::string_view source, const ParseError& error) override;

 private:
  Cluster* cluster_;
  ParseErrorSink* target_;
};

// One cluster's reader and where each record fed to it came from.
struct ShipperLogReader::Cluster {
  struct Span {
    int64_t inner_begin;  // offset in the reader's stream
    int64_t outer_begin;  // offset of the record in the input
    int64_t line_no;      // its line in the input
  };

  std::string name;
  absl::Time last_time = absl::InfinitePast();  // of its last record with a time
  bool add_time = false;  // payloads lack a timestamp: the record's is written before heads
  std::unique_ptr<LogReader> reader;
  StderrLogReader* stderr_reader = nullptr;  // `reader`, when it reads stderr payloads
  std::unique_ptr<ErrorMapper> errors;
  int64_t fed = 0;          // bytes fed to the reader
  std::vector<Span> spans;  // of records whose entries may not have been returned yet
  size_t spans_head = 0;

  // The span holding reader offset `inner`.
  const Span& SpanAt(int64_t inner) const {
    auto it = std::upper_bound(spans.begin() + static_cast<ptrdiff_t>(spans_head), spans.end(),
                               inner, [](int64_t x, const Span& s) { return x < s.inner_begin; });
    if (it != spans.begin() + static_cast<ptrdiff_t>(spans_head)) --it;
    return *it;
  }
  bool pending() const { return reader->resume_offset() < fed; }
  // Forgets the spans before the reader's resume offset.
  void Prune() {
    const int64_t resume = reader->resume_offset();
    while (spans_head + 1 < spans.size() && spans[spans_head + 1].inner_begin <= resume) {
      ++spans_head;
    }
    if (spans_head > 1024 && spans_head * 2 > spans.size()) {
      spans.erase(spans.begin(), spans.begin() + static_cast<ptrdiff_t>(spans_head));
      spans_head = 0;
    }
  }
};

void ShipperLogReader::ErrorMapper::OnError(std::string_view source, const ParseError& error) {
  ParseError mapped = error;
  if (!cluster_->spans.empty()) {
    const Cluster::Span& span = cluster_->SpanAt(error.byte_offset);
    mapped.byte_offset = span.outer_begin;
    mapped.line_no = span.line_no;
  }
  if (target_ != nullptr) target_->OnError(source, mapped);
}

absl::StatusOr<std::unique_ptr<ShipperLogReader>> ShipperLogReader::Create(Options options) {
  auto decoder = ShipperEnvelopeDecoder::Create(options.envelope);
  if (!decoder.ok()) return decoder.status();
  if (!options.log_line_prefix.empty()) {
    if (auto p = LogLinePrefix::Compile(options.log_line_prefix); !p.ok()) return p.status();
  }
  if (options.max_entry_bytes < 256) options.max_entry_bytes = 256;
  return std::unique_ptr<ShipperLogReader>(
      new ShipperLogReader(std::move(options), *std::move(decoder)));
}

ShipperLogReader::ShipperLogReader(Options options, std::unique_ptr<ShipperEnvelopeDecoder> decoder)
    : options_(std::move(options)), decoder_(std::move(decoder)) {
  buffer_.Reset(options_.start_offset);
}

ShipperLogReader::~ShipperLogReader() = default;

void ShipperLogReader::Feed(std::string_view chunk) {
  if (finished_) return;
  own_.bytes += static_cast<int64_t>(chunk.size());
  buffer_.Append(chunk);
}

void ShipperLogReader::Finish() { finished_ = true; }

void ShipperLogReader::FinishCut(bool /*cut_line_continues*/) {
  finished_ = true;
  cut_ = true;
}

bool ShipperLogReader::Next(LogEvent* event) {
  while (true) {
    if (draining_ != nullptr) {
      if (draining_->reader->Next(event)) {
        const Cluster::Span& span = draining_->SpanAt(event->byte_offset);
        event->byte_offset = span.outer_begin;
        event->line_no = span.line_no;
        return true;
      }
      draining_->Prune();
      draining_ = nullptr;
    }
    if (!finish_order_.empty()) {
      draining_ = finish_order_.back();
      finish_order_.pop_back();
      continue;
    }
    if (RouteNextRecord()) continue;
    if (!finished_ || clusters_finished_) return false;
    FinishClusters(cut_);
  }
}

bool ShipperLogReader::RouteNextRecord() {
  std::string_view line;
  switch (lines_.Next(&buffer_, finished_, options_.max_entry_bytes, &line)) {
    case LineSplitter::Piece::kNeedMore:
      return false;
    case LineSplitter::Piece::kOversized:
      ++own_.entries;
      Reject(ParseErrorKind::kOversized, "", "record longer than max_entry_bytes", line,
             lines_.offset(), lines_.line_no());
      return true;
    case LineSplitter::Piece::kLine:
      break;
  }
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
  if (static_cast<int64_t>(line.size()) > options_.max_entry_bytes) {
    ++own_.entries;
    Reject(ParseErrorKind::kOversized, "", "record longer than max_entry_bytes", line,
           lines_.offset(), lines_.line_no());
    return true;
  }
  RouteRecord(line, buffer_.padded_size(line.data()), options_.cluster, lines_.offset(),
              lines_.line_no());
  return true;
}

void ShipperLogReader::FeedRecord(std::string_view record, std::string_view cluster,
                                  int64_t position) {
  if (finished_) return;
  record_mode_ = true;
  own_.bytes += static_cast<int64_t>(record.size());
  next_position_ = position + 1;
  // The cluster whose events were not all taken yet is drained after this record's.
  if (draining_ != nullptr &&
      std::find(finish_order_.begin(), finish_order_.end(), draining_) == finish_order_.end()) {
    finish_order_.insert(finish_order_.begin(), draining_);
  }
  draining_ = nullptr;
  while (!record.empty() && (record.back() == '\n' || record.back() == '\r')) {
    record.remove_suffix(1);
  }
  if (record.find_first_not_of(" \t") == std::string_view::npos) return;
  if (static_cast<int64_t>(record.size()) > options_.max_entry_bytes) {
    ++own_.entries;
    Reject(ParseErrorKind::kOversized, "", "record longer than max_entry_bytes", record, position,
           1);
    return;
  }
  record_copy_.assign(record.data(), record.size());
  record_copy_.resize(record.size() + InputBuffer::kPadding, '\0');
  RouteRecord(std::string_view(record_copy_.data(), record.size()), record_copy_.size(), cluster,
              position, 1);
}

void ShipperLogReader::RouteRecord(std::string_view line, size_t capacity,
                                   std::string_view default_cluster, int64_t offset,
                                   int64_t line_no) {
  EnvelopeRecord record;
  ParseError error;
  switch (decoder_->Decode(line, capacity, &record, &error)) {
    case RecordKind::kBroken:
      ++own_.entries;
      Reject(error.kind, error.field, error.detail, line, offset, line_no);
      return;
    case RecordKind::kSnapshot:
      ++own_.entries;
      Reject(ParseErrorKind::kBadStructure, "collected_at",
             "a stats snapshot in a log input (give it as a snapshot input)", line, offset,
             line_no);
      return;
    case RecordKind::kNoPayload:
      ++own_.entries;
      ++own_.skipped;
      return;
    case RecordKind::kPlainLine:
    case RecordKind::kJsonlog:
    case RecordKind::kWrapped:
      break;
  }
  const bool jsonlog = record.kind == RecordKind::kJsonlog;
  std::string_view payload = record.payload;
  while (!payload.empty() && (payload.back() == '\n' || payload.back() == '\r')) {
    payload.remove_suffix(1);
  }
  if (!jsonlog && payload.find('\0') != std::string_view::npos) {
    // PostgreSQL writes C strings: a NUL byte means binary garbage, not a log line. Taken for
    // a continuation line, it would join the cluster's open entry and spoil it (a vacuum
    // report rejected for its encoding); so it is rejected on its own.
    ++own_.entries;
    Reject(ParseErrorKind::kInvalidEncoding, "", "a NUL byte: binary, not a log line", line, offset,
           line_no);
    return;
  }
  const std::string_view cluster_name = record.cluster.empty() ? default_cluster : record.cluster;
  Cluster* c = ClusterFor(cluster_name, jsonlog, payload, record.time);
  if (c == nullptr) return;
  if (c->spans.empty() || c->spans.back().inner_begin != c->fed) {
    c->spans.push_back({c->fed, offset, line_no});
  } else {
    c->spans.back() = {c->fed, offset, line_no};  // the last record fed nothing
  }
  FeedPayload(c, payload, record.time);
  draining_ = c;
  if (record.time.has_value()) {
    c->last_time = *record.time;
    if (*record.time > latest_time_) latest_time_ = *record.time;
    // At most one sweep per second of record time: it looks at every cluster.
    if (latest_time_ - last_sweep_ >= absl::Seconds(1)) CloseIdleEntries(latest_time_);
  }
}

void ShipperLogReader::CloseIdleEntries(absl::Time now) {
  last_sweep_ = now;
  for (auto& c : clusters_) {
    if (c.get() == draining_ || c->last_time == absl::InfinitePast()) continue;
    if (now - c->last_time < options_.entry_idle_close || !c->pending()) continue;
    c->reader->EndOpenEntry();
    if (std::find(finish_order_.begin(), finish_order_.end(), c.get()) == finish_order_.end()) {
      finish_order_.push_back(c.get());
    }
  }
}

ShipperLogReader::Cluster* ShipperLogReader::ClusterFor(
    std::string_view name, bool jsonlog, std::string_view first_payload,
    const std::optional<absl::Time>& record_time) {
  auto& index = by_name_[jsonlog ? 1 : 0];
  if (auto it = index.find(name); it != index.end()) return clusters_[it->second].get();

  auto c = std::make_unique<Cluster>();
  c->name = std::string(name);
  c->errors = std::make_unique<ErrorMapper>(c.get(), options_.errors);
  const LogFormat format = jsonlog ? LogFormat::kJsonlog : DetectLogFormat(first_payload);
  switch (format) {
    case LogFormat::kJsonlog: {
      JsonLogReader::Options o;
      o.cluster = c->name;
      o.max_entry_bytes = options_.max_entry_bytes;
      o.errors = c->errors.get();
      o.source_name = options_.source_name;
      o.log_timezone = options_.log_timezone;
      c->reader = std::make_unique<JsonLogReader>(std::move(o));
      break;
    }
    case LogFormat::kCsvlog: {
      CsvLogReader::Options o;
      o.cluster = c->name;
      o.max_entry_bytes = options_.max_entry_bytes;
      o.errors = c->errors.get();
      o.source_name = options_.source_name;
      o.log_timezone = options_.log_timezone;
      c->reader = std::make_unique<CsvLogReader>(std::move(o));
      break;
    }
    case LogFormat::kStderr:
    case LogFormat::kShipper:  // a wrapper inside a wrapper: read as text
    case LogFormat::kAuto: {
      c->add_time = record_time.has_value() && !StartsWithTimestamp(first_payload);
      StderrLogReader::Options o;
      o.cluster = c->name;
      o.max_entry_bytes = options_.max_entry_bytes;
      o.errors = c->errors.get();
      o.source_name = options_.source_name;
      o.log_timezone = options_.log_timezone;
      if (!options_.log_line_prefix.empty()) {
        o.log_line_prefix =
            c->add_time ? "%m " + options_.log_line_prefix : options_.log_line_prefix;
      } else if (auto known = options_.known_prefixes.find(c->name);
                 known != options_.known_prefixes.end()) {
        o.log_line_prefix = known->second;  // detected on this payload already ("%m " and all)
      }
      auto reader = StderrLogReader::Create(o);
      if (!reader.ok()) {
        // A known prefix that does not compile (a store written by another version): detect.
        o.log_line_prefix.clear();
        reader = StderrLogReader::Create(std::move(o));
      }
      if (!reader.ok()) return nullptr;  // Create checked the prefix
      c->stderr_reader = reader->get();
      c->reader = *std::move(reader);
      break;
    }
  }
  index.emplace(c->name, clusters_.size());
  clusters_.push_back(std::move(c));
  return clusters_.back().get();
}

void ShipperLogReader::FeedPayload(Cluster* c, std::string_view payload,
                                   const std::optional<absl::Time>& time) {
  if (!c->add_time) {
    c->reader->Feed(payload);
    c->reader->Feed("\n");
    c->fed += static_cast<int64_t>(payload.size()) + 1;
    return;
  }
  // Cloud Logging: each head line gets the record's time; continuation lines go as they are.
  while (true) {
    const size_t nl = payload.find('\n');
    const std::string_view line = payload.substr(0, nl);
    if (time.has_value() && LooksLikeHeadLine(line)) {
      FormatMillisUtc(*time, &scratch_);
      c->reader->Feed(scratch_);
      c->fed += static_cast<int64_t>(scratch_.size());
    }
    c->reader->Feed(line);
    c->reader->Feed("\n");
    c->fed += static_cast<int64_t>(line.size()) + 1;
    if (nl == std::string_view::npos) break;
    payload.remove_prefix(nl + 1);
  }
}

void ShipperLogReader::FinishClusters(bool cut) {
  clusters_finished_ = true;
  for (auto& c : clusters_) {
    if (cut) {
      c->reader->FinishCut(/*cut_line_continues=*/true);
    } else {
      c->reader->Finish();
    }
  }
  // Drained in the order of their first pending record (finish_order_ is popped from the back).
  finish_order_.clear();
  for (auto& c : clusters_) finish_order_.push_back(c.get());
  std::sort(finish_order_.begin(), finish_order_.end(), [](const Cluster* a, const Cluster* b) {
    const int64_t ra = a->spans.empty() ? 0 : a->SpanAt(a->reader->resume_offset()).outer_begin;
    const int64_t rb = b->spans.empty() ? 0 : b->SpanAt(b->reader->resume_offset()).outer_begin;
    return ra > rb;
  });
}

int64_t ShipperLogReader::resume_offset() const {
  int64_t resume = record_mode_        ? next_position_
                   : lines_.dropping() ? lines_.offset()
                                       : buffer_.offset();
  for (const auto& c : clusters_) {
    if (!c->spans.empty() && c->pending()) {
      resume = std::min(resume, c->SpanAt(c->reader->resume_offset()).outer_begin);
    }
  }
  return resume;
}

const IngestCounters& ShipperLogReader::counters() const {
  total_ = own_;
  for (const auto& c : clusters_) {
    const int64_t bytes = total_.bytes;
    total_ += c->reader->counters();
    total_.bytes = bytes;  // the input's bytes, not what was fed to the clusters' readers
  }
  return total_;
}

std::map<std::string, std::string> ShipperLogReader::detected_prefixes() const {
  std::map<std::string, std::string> prefixes;
  if (!options_.log_line_prefix.empty()) return prefixes;
  for (const auto& c : clusters_) {
    if (c->stderr_reader != nullptr && c->stderr_reader->prefix_settled()) {
      prefixes[c->name] = c->stderr_reader->prefix().text();
    }
  }
  return prefixes;
}

std::string_view ShipperLogReader::suggested_prefix() const {
  for (const auto& c : clusters_) {
    if (const std::string_view p = c->reader->suggested_prefix(); !p.empty()) return p;
  }
  return {};
}

void ShipperLogReader::Reject(ParseErrorKind kind, std::string_view field, std::string_view detail,
                              std::string_view raw, int64_t offset, int64_t line_no) {
  ++own_.rejected[static_cast<size_t>(kind)];
  if (options_.errors == nullptr) return;
  ParseError error;
  error.kind = kind;
  error.field = field;
  error.detail = detail;
  error.byte_offset = offset;
  error.line_no = line_no;
  error.raw = raw.substr(0, kRawBytes);
  options_.errors->OnError(options_.source_name, error);
}

}  // namespace vacwatch::ingest
