#ifndef VACWATCH_INGEST_SNAPSHOT_DECODER_H_
#define VACWATCH_INGEST_SNAPSHOT_DECODER_H_

// SnapshotDecoder: one stats snapshot document (a JSON object, docs/formats.md "Snapshots") to
// a typed Snapshot, with simdjson On Demand. One decoder per thread; it owns the parser and a
// growable padded copy of the input, so the caller's bytes (a Kafka payload, a file line) need
// no padding and need not outlive the call:
//
//   SnapshotDecoder decoder;
//   Snapshot snapshot;                       // reused: its vectors keep their capacity
//   if (!decoder.Decode(line, &snapshot).ok()) Reject(decoder.error());
//   Use(snapshot);                           // views valid until decoder's next Decode
//
// Rules: fields are read once, in document order; unknown fields are skipped; a missing or
// null optional field stays absent (std::nullopt, empty view or vector); a wrong type, a bad
// number or timestamp, a missing required field or a broken document fails with an error that
// names the field path and the byte where it was found, e.g.
// `tables[3].n_dead_tup: INCORRECT_TYPE at byte 812`. No input crashes the decoder.
//
// Lifetime: the string_views in the Snapshot and in error() point into the decoder and stay
// valid until its next Decode/TryDecode (error().raw is the caller's `document`). Decode resets
// `*out` itself (no Clear() needed); on failure `*out` holds whatever was read before the
// error. Steady-state decoding allocates nothing per table row.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/parse_error.h"
#include "ingest/snapshot.h"

namespace vacwatch::ingest {

class SnapshotDecoder {
 public:
  struct Options {
    // Keep what can be kept: a table row that does not decode (a wrong type, a missing name)
    // is left out (dropped_row) instead of failing the document, and bytes that are not UTF-8
    // are kept escaped as \xNN (a name in SQL_ASCII or LATIN1). What the readers use; off,
    // every error fails the document (exact error reporting, tests).
    bool salvage = false;
  };
  SnapshotDecoder();
  explicit SnapshotDecoder(Options options);
  ~SnapshotDecoder();
  SnapshotDecoder(const SnapshotDecoder&) = delete;
  SnapshotDecoder& operator=(const SnapshotDecoder&) = delete;

  // Decodes `document` into `*out`. On failure returns InvalidArgument with ErrorMessage().
  absl::Status Decode(std::string_view document, Snapshot* out);
  // As Decode, without building a Status (the readers' path): false on failure.
  bool TryDecode(std::string_view document, Snapshot* out);
  // As TryDecode, reading `document` in place when `readable` (the bytes that may be read from
  // document.data(), e.g. InputBuffer::padded_size) leaves simdjson's padding after it; copies
  // otherwise. The bytes past the document may hold anything. The Snapshot's views never point
  // into `document`; error().raw does.
  bool TryDecodeInPlace(std::string_view document, size_t readable, Snapshot* out);

  // The last failure: kind, field path ("tables[3].n_dead_tup"; "" for the whole document),
  // detail ("INCORRECT_TYPE at byte 812"), byte_offset (in the document), raw (the document).
  // line_no is 0: readers fill it in.
  const ParseError& error() const;
  // "tables[3].n_dead_tup: INCORRECT_TYPE at byte 812".
  std::string ErrorMessage() const;

  // A decoded snapshot may have lost table rows that did not decode (a wrong type, a missing
  // name): one bad row costs that row, never the snapshot. Their errors, as error() would have
  // given them; valid until the next decode. (Bytes that are not UTF-8 are kept, escaped as
  // \xNN, and cost nothing.)
  size_t dropped_row_count() const;
  ParseError dropped_row(size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SNAPSHOT_DECODER_H_
