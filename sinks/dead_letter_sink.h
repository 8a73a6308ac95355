#ifndef VACWATCH_SINKS_DEAD_LETTER_SINK_H_
#define VACWATCH_SINKS_DEAD_LETTER_SINK_H_

// DeadLetterSink: where rejected log entries and snapshot documents go, so that bad input is
// never silently lost. Each rejection becomes one JSON line:
//
//   {"source":"postgresql.csv","kind":"bad_structure","field":"csv",
//    "detail":"expected 23, 24 or 26 columns, found 22","byte_offset":8812,"line_no":41,
//    "raw":"2026-11-23 23:18:21.286 UTC,,,13110,..."}
//
// `raw` is cut to 4 KiB; bytes that are not valid UTF-8 become U+FFFD so the line stays JSON.
//
//   DeadLetterSink to_stderr;                                  // writes to stderr
//   VW_ASSIGN_OR_RETURN(auto to_file, DeadLetterSink::OpenFile("rejects.jsonl"));
//   reader_options.errors = to_file.get();
//   ...
//   to_file->count(ParseErrorKind::kTruncated);
//
// Writes go through stdio buffering; Flush() (and the destructor) push them out. Not
// thread-safe: one sink per reader thread, or a lock around it.

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/parse_error.h"

namespace vacwatch::sinks {

class DeadLetterSink final : public ParseErrorSink {
 public:
  static constexpr size_t kMaxRawBytes = 4096;

  // Writes to `out` (not owned, not closed); stderr by default.
  explicit DeadLetterSink(std::FILE* out = stderr);
  // Creates or truncates `path` (appends when `append`); the sink owns and closes the file.
  static absl::StatusOr<std::unique_ptr<DeadLetterSink>> OpenFile(const std::string& path,
                                                                  bool append = false);
  ~DeadLetterSink() override;
  DeadLetterSink(const DeadLetterSink&) = delete;
  DeadLetterSink& operator=(const DeadLetterSink&) = delete;

  void OnError(std::string_view source, const ParseError& error) override;

  // Pushes buffered lines to the file; reports the first write error seen.
  absl::Status Flush();

  int64_t count(ParseErrorKind kind) const { return counts_[static_cast<int>(kind)]; }
  int64_t total() const;

 private:
  DeadLetterSink(std::FILE* out, bool owned, std::string path);

  std::FILE* out_;
  bool owned_;
  std::string path_;
  bool write_failed_ = false;
  std::array<int64_t, kNumParseErrorKinds> counts_{};
  std::string line_;  // reused
  std::string raw_;   // reused: `raw` made valid UTF-8 and cut
  std::string scratch_;
};

// Appends `text` to `*out` with every byte sequence that is not valid UTF-8 replaced by
// U+FFFD, stopping before `max_bytes` of input; a code point is never split.
void AppendValidUtf8(std::string_view text, size_t max_bytes, std::string* out);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_DEAD_LETTER_SINK_H_
