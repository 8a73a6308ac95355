#include "ingest/snapshot_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace vacwatch::ingest {

namespace {

// How much of an oversized line goes to the dead letter: enough to recognise it.
constexpr size_t kOversizedRawBytes = 1024;

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

bool LooksLikeSnapshot(std::string_view first_bytes) {
  if (const size_t nl = first_bytes.find('\n'); nl != std::string_view::npos) {
    first_bytes = first_bytes.substr(0, nl);
  }
  if (first_bytes.starts_with("\xEF\xBB\xBF")) first_bytes.remove_prefix(3);  // an editor's BOM
  const size_t start = first_bytes.find_first_not_of(" \t\r");
  if (start == std::string_view::npos || first_bytes[start] != '{') return false;
  if (first_bytes.find("\"pg_stat_snapshot\"") != std::string_view::npos) return true;
  return first_bytes.find("\"collected_at\"") != std::string_view::npos &&
         first_bytes.find("\"tables\"") != std::string_view::npos;
}

SnapshotReader::SnapshotReader(SnapshotReaderOptions options) : options_(std::move(options)) {
  buffer_.Reset(options_.start_offset);
}

void SnapshotReader::Feed(std::string_view chunk) {
  counters_.bytes += static_cast<int64_t>(chunk.size());
  buffer_.Append(chunk);
}

void SnapshotReader::Finish() { finished_ = true; }

void SnapshotReader::Reject(ParseError error) {
  error.byte_offset = lines_.offset();
  error.line_no = lines_.line_no();
  ++counters_.rejected[static_cast<int>(error.kind)];
  if (options_.errors != nullptr) options_.errors->OnError(options_.source_name, error);
}

void SnapshotReader::RejectOversized(std::string_view line) {
  ParseError error;
  error.kind = ParseErrorKind::kOversized;
  error.detail = detail_;
  error.raw = line.substr(0, kOversizedRawBytes);
  Reject(error);
}

bool SnapshotReader::HandleLine(std::string_view line, Snapshot* out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (IsBlank(line)) return false;
  ++counters_.entries;
  if (static_cast<int64_t>(line.size()) > options_.max_line_bytes) {
    detail_.clear();
    absl::StrAppend(&detail_, "line of ", line.size(), " bytes exceeds max_line_bytes ",
                    options_.max_line_bytes);
    RejectOversized(line);
    return false;
  }
  if (!decoder_.TryDecodeInPlace(line, buffer_.padded_size(line.data()), out)) {
    Reject(decoder_.error());
    return false;
  }
  // Rows the decoder had to leave out: each a dead letter of its own; the snapshot stands.
  for (size_t i = 0; i < decoder_.dropped_row_count(); ++i) {
    ParseError row = decoder_.dropped_row(i);
    row.raw = line.substr(0, kOversizedRawBytes);
    Reject(row);
  }
  ++counters_.snapshots;
  counters_.table_rows += static_cast<int64_t>(out->tables.size());
  return true;
}

bool SnapshotReader::Next(Snapshot* out) {
  std::string_view line;
  while (true) {
    switch (lines_.Next(&buffer_, finished_, options_.max_line_bytes, &line)) {
      case LineSplitter::Piece::kNeedMore:
        return false;
      case LineSplitter::Piece::kOversized: {
        // Reported now; until its end is seen, resuming starts at this line again (it is
        // rejected again; nothing after it is lost).
        ++counters_.entries;
        detail_.clear();
        absl::StrAppend(&detail_, "line longer than max_line_bytes ", options_.max_line_bytes);
        RejectOversized(line);
        break;
      }
      case LineSplitter::Piece::kLine:
        if (HandleLine(line, out)) return true;
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------

namespace {

SnapshotReaderOptions ReaderOptions(const InputFile& file, SnapshotSourceOptions options) {
  SnapshotReaderOptions r;
  r.start_offset = options.start_offset;
  r.max_line_bytes = options.max_line_bytes;
  r.errors = options.errors;
  r.source_name = !options.source_name.empty() ? std::move(options.source_name)
                  : file.is_stdin()            ? "stdin"
                                               : file.path();
  return r;
}

}  // namespace

SnapshotFileSource::SnapshotFileSource(InputFile file, SnapshotReaderOptions options)
    : file_(std::move(file)),
      reader_(std::move(options)),
      chunk_(std::make_unique_for_overwrite<char[]>(kChunkBytes)) {}

absl::StatusOr<std::unique_ptr<SnapshotFileSource>> SnapshotFileSource::Open(
    const std::string& path, SnapshotSourceOptions options) {
  VW_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  VW_RETURN_IF_ERROR(file.SkipTo(options.start_offset));
  return FromOpenFile(std::move(file), std::string_view(), std::move(options));
}

absl::StatusOr<std::unique_ptr<SnapshotFileSource>> SnapshotFileSource::FromOpenFile(
    InputFile file, std::string_view head, SnapshotSourceOptions options) {
  SnapshotReaderOptions reader_options = ReaderOptions(file, std::move(options));
  auto source = std::unique_ptr<SnapshotFileSource>(
      new SnapshotFileSource(std::move(file), std::move(reader_options)));
  source->reader_.Feed(head);  // copied into the reader's buffer
  return source;
}

absl::StatusOr<bool> SnapshotFileSource::Next(Snapshot* out) {
  while (true) {
    if (reader_.Next(out)) return true;
    if (finished_) return false;
    VW_ASSIGN_OR_RETURN(const size_t n, file_.Read(chunk_.get(), kChunkBytes));
    if (n == 0) {
      reader_.Finish();
      finished_ = true;
    } else {
      reader_.Feed(std::string_view(chunk_.get(), n));
    }
  }
}

}  // namespace vacwatch::ingest
