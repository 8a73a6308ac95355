#ifndef VACWATCH_INGEST_LINE_SPLITTER_H_
#define VACWATCH_INGEST_LINE_SPLITTER_H_

// LineSplitter: cuts an InputBuffer's bytes into physical lines for the readers whose records
// are one line each (jsonlog, stats snapshots). A line longer than the reader's limit whose end
// has not arrived is handed out once, as kOversized with the bytes seen so far, and the rest of
// it is dropped as it arrives, so the buffer never holds much more than the limit.
//
//   LineSplitter lines;  // one per stream, beside its InputBuffer
//   std::string_view line;
//   while (true) {
//     switch (lines.Next(&buffer, finished, max_bytes, &line)) {
//       case LineSplitter::Piece::kLine: Handle(line, lines.offset(), lines.line_no()); break;
//       case LineSplitter::Piece::kOversized: Report(line, lines.offset(), lines.line_no()); break;
//       case LineSplitter::Piece::kNeedMore: return false;
//     }
//   }
//
// A piece is consumed from the buffer before it is returned: `line` (and the padding after the
// buffer, buffer.padded_size(line.data())) stays readable until the buffer's next Append. A
// complete line is a kLine whatever its length (the reader checks it). Nothing allocates.

#include <cstdint>
#include <string_view>

#include "ingest/input_buffer.h"

namespace vacwatch::ingest {

class LineSplitter {
 public:
  enum class Piece : uint8_t {
    kLine,       // a line without its '\n'; once `finished`, also a last line without one
    kOversized,  // the start of a line over max_bytes whose end has not arrived
    kNeedMore,   // nothing complete in the buffer
  };

  // Takes the next piece from the front of `buffer`. `finished`: no more input will come.
  Piece Next(InputBuffer* buffer, bool finished, int64_t max_bytes, std::string_view* line);

  // Of the piece last returned: the stream offset of its first byte and its physical line
  // (1-based, counted from the first byte of the stream).
  int64_t offset() const { return offset_; }
  int64_t line_no() const { return line_no_; }
  // Whether the rest of an oversized line is being dropped (that line began at offset()).
  bool dropping() const { return dropping_; }

 private:
  int64_t offset_ = 0;
  int64_t line_no_ = 1;
  int64_t next_line_no_ = 1;  // of the buffer's first byte
  bool dropping_ = false;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LINE_SPLITTER_H_
