#ifndef VACWATCH_INGEST_SNAPSHOT_READER_H_
#define VACWATCH_INGEST_SNAPSHOT_READER_H_

// Reading stats snapshots from a byte stream of JSON lines (one document per line, as
// snapshot.sql prints them; docs/formats.md "Snapshots").
//
// SnapshotReader is the chunk-driven core, shaped like the log readers: input arrives in
// chunks of any size (a file read, a Kafka message) and snapshots come out by pull:
//
//   SnapshotReaderOptions options;
//   options.errors = &dead_letters;              // may be null
//   options.source_name = "snapshots.jsonl";
//   SnapshotReader reader(options);
//   reader.Feed(chunk);                         // as often as input arrives
//   Snapshot snapshot;                          // reused: vectors keep their capacity
//   while (reader.Next(&snapshot)) Use(snapshot);
//   reader.Finish();                            // a last line without '\n' is read too
//   while (reader.Next(&snapshot)) Use(snapshot);
//
// SnapshotFileSource drives one over a file or stdin ("-"), like LogFileSource:
//
//   VW_ASSIGN_OR_RETURN(auto source, SnapshotFileSource::Open(path, options));
//   while (true) {
//     VW_ASSIGN_OR_RETURN(bool more, source->Next(&snapshot));
//     if (!more) break;
//     Use(snapshot);
//   }
//
// A line that does not decode (wrong type, broken JSON, NUL, invalid UTF-8, a missing required
// field) or is longer than max_line_bytes becomes a ParseError (byte_offset = the line's start
// in the stream, line_no, field path, detail with the byte within the line) handed to `errors`
// and counted by kind; reading goes on with the next line. Blank lines are skipped silently.
// An oversized line is reported as soon as it passes the limit and dropped as it arrives, so
// memory stays bounded.
//
// Lifetime: a Snapshot's views point into the reader's decoder and are valid until the next
// call to Next (Feed and Finish do not invalidate them).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/input_buffer.h"
#include "ingest/input_file.h"
#include "ingest/line_splitter.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"

namespace vacwatch::ingest {

// True when the first bytes of an input look like a snapshot line rather than a jsonlog
// record: a JSON object naming "pg_stat_snapshot", or with both "collected_at" and "tables".
// Reads only the first line. The one test of "is this a snapshot file" (the parse command and
// MakeLogReader's auto-detection use it): a jsonlog record whose database or application is
// named "tables" is not one.
bool LooksLikeSnapshot(std::string_view first_bytes);

struct SnapshotReaderOptions {
  int64_t start_offset = 0;                    // stream offset of the first byte fed
  int64_t max_line_bytes = int64_t{64} << 20;  // longer lines are rejected as oversized
  ParseErrorSink* errors = nullptr;            // not owned; may be null (errors are still counted)
  std::string source_name;                     // names the input in dead letters
};

class SnapshotReader {
 public:
  explicit SnapshotReader(SnapshotReaderOptions options);

  // Appends input; `chunk` may end anywhere, even inside a UTF-8 sequence.
  void Feed(std::string_view chunk);
  // Declares the end of input: a final line without a newline is read.
  void Finish();
  // Fills `*out` with the next snapshot and returns true, or false when more input is needed
  // (or, after Finish, when everything is read).
  bool Next(Snapshot* out);

  // Stream offset from which a new reader (start_offset = this) yields exactly the snapshots
  // not yet returned: the start of the first line not yet fully read.
  int64_t resume_offset() const { return lines_.dropping() ? lines_.offset() : buffer_.offset(); }
  // entries = non-blank lines, snapshots = decoded ones, table_rows = their tables,
  // bytes = bytes fed, rejected = by kind.
  const IngestCounters& counters() const { return counters_; }

 private:
  // Decodes the line lines_ last returned (no newline); true for a snapshot.
  bool HandleLine(std::string_view line, Snapshot* out);
  // Counts `error`, of the line lines_ last returned, and hands it to the sink.
  void Reject(ParseError error);
  // Rejects `line` as oversized, detail_ saying by how much.
  void RejectOversized(std::string_view line);

  SnapshotReaderOptions options_;
  InputBuffer buffer_;
  SnapshotDecoder decoder_{SnapshotDecoder::Options{.salvage = true}};
  IngestCounters counters_;
  LineSplitter lines_;
  bool finished_ = false;
  std::string detail_;  // for errors the reader makes itself
};

struct SnapshotSourceOptions {
  int64_t start_offset = 0;                    // resume from this byte of the input
  int64_t max_line_bytes = int64_t{64} << 20;  // longer lines are rejected as oversized
  ParseErrorSink* errors = nullptr;            // not owned; receives every rejected line
  std::string source_name;                     // names the input in dead letters (default: path)
};

class SnapshotFileSource {
 public:
  static constexpr size_t kChunkBytes = 1 << 20;

  // Opens `path` ("-" = stdin) and moves to options.start_offset. A missing file is NotFound
  // with the path in the message.
  static absl::StatusOr<std::unique_ptr<SnapshotFileSource>> Open(const std::string& path,
                                                                  SnapshotSourceOptions options);
  // For a caller that already opened the file (at options.start_offset) and read its first
  // bytes to decide what it is: `head` is fed (copied) before anything else is read.
  static absl::StatusOr<std::unique_ptr<SnapshotFileSource>> FromOpenFile(
      InputFile file, std::string_view head, SnapshotSourceOptions options);

  // Fills `*out` with the next snapshot and returns true; false at the end of input; a read
  // error's status. Bad lines never end Next: they go to options.errors and the counters.
  absl::StatusOr<bool> Next(Snapshot* out);

  const std::string& path() const { return file_.path(); }
  const IngestCounters& counters() const { return reader_.counters(); }
  int64_t resume_offset() const { return reader_.resume_offset(); }

 private:
  SnapshotFileSource(InputFile file, SnapshotReaderOptions options);

  InputFile file_;
  SnapshotReader reader_;
  std::unique_ptr<char[]> chunk_;
  bool finished_ = false;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SNAPSHOT_READER_H_
