#ifndef VACWATCH_INGEST_LOG_READER_H_
#define VACWATCH_INGEST_LOG_READER_H_

// LogReader: turns a byte stream of one log destination (stderr, csvlog, jsonlog) into typed
// LogEvents. Input arrives in chunks of any size (a file read, a Kafka message); events come
// out by pull, so a consumer can merge several readers by event time without copying:
//
//   auto reader = MakeLogReader(options);          // log_source.h
//   reader->Feed(chunk);                           // as often as input arrives
//   LogEvent event;
//   while (reader->Next(&event)) Use(event);       // event valid until the next call
//   reader->Finish();                              // end of input: pending entries complete
//   while (reader->Next(&event)) Use(event);
//
// Entries that are not about autovacuum are counted as skipped; broken entries are counted
// by kind and handed to the ParseErrorSink (if any) with their raw text. Nothing throws and
// no input crashes the reader.

#include <cstdint>
#include <string_view>

#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {

class LogReader {
 public:
  virtual ~LogReader() = default;

  // Appends input. The reader copies what it still needs; `chunk` may end mid-line.
  virtual void Feed(std::string_view chunk) = 0;
  // Declares the end of input: a final unterminated line and pending entries complete.
  virtual void Finish() = 0;
  // Declares the end of what is here while the input goes on (a log still being written,
  // cut in the middle of a line that was not fed): complete entries are returned, the entry
  // the cut line belongs to is not, and resume_offset stays at its start, so a later reader
  // reads it whole. `cut_line_continues`: the cut line starts with a TAB, so the entry before
  // it is not complete either; without one it may still be incomplete (the stderr reader takes
  // unindented lines as continuations too, and waits for a cancel's CONTEXT), and a reader
  // that cannot be sure holds it all the same. The default finishes as usual.
  virtual void FinishCut(bool cut_line_continues) { Finish(); }
  // The input paused (no line of this stream for a while, while others went on): the entry
  // being read is complete, and entries waiting for a CONTEXT line stop waiting. The stream
  // goes on; a continuation line that still arrives is not attached. Readers whose records
  // end by themselves (jsonlog) need nothing.
  virtual void EndOpenEntry() {}
  // Fills `event` with the next complete event and returns true, or returns false when more
  // input is needed (or, after Finish, when all is read). Views in `event` are valid until
  // the next call to Feed, Finish or Next.
  virtual bool Next(LogEvent* event) = 0;
  // Byte offset (counted from the start of the stream, plus the `start_offset` the reader was
  // made with) from which a new reader reproduces exactly the events not yet returned.
  virtual int64_t resume_offset() const = 0;
  virtual const IngestCounters& counters() const = 0;
  // stderr logs: the log_line_prefix the log's own lines suggest (detected when none was
  // given; when the given one matched no line of the first ones, what detection would pick),
  // or empty.
  virtual std::string_view suggested_prefix() const { return {}; }
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_READER_H_
