#ifndef VACWATCH_INGEST_INPUT_FILE_H_
#define VACWATCH_INGEST_INPUT_FILE_H_

// InputFile: a log or snapshot file, or stdin ("-"), read front to back in large chunks with
// read(2), so a pipe delivers what it has without waiting for a full chunk.
//
//   VW_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));   // NotFound names the path
//   VW_RETURN_IF_ERROR(file.SkipTo(resume_offset));
//   std::string head;
//   VW_RETURN_IF_ERROR(file.ReadHead(4096, &head));               // for format detection
//   char chunk[1 << 16];
//   VW_ASSIGN_OR_RETURN(size_t n, file.Read(chunk, sizeof(chunk))); // 0 at end of input
//
// Owns its descriptor (never closes stdin). Move-only.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vacwatch::ingest {

class InputFile {
 public:
  // Opens `path` for reading; "-" is stdin. NotFound / PermissionDenied / InvalidArgument (a
  // directory) carry the path in their message.
  static absl::StatusOr<InputFile> Open(const std::string& path);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  // Moves to byte `offset` from the start: a seek for files, read-and-discard for pipes.
  // Only valid before the first read.
  absl::Status SkipTo(int64_t offset);
  // Reads up to `len` bytes; 0 means end of input.
  absl::StatusOr<size_t> Read(char* buf, size_t len);
  // Appends to `*out` until it holds a newline or `max_bytes` bytes, or input ends: enough to
  // recognise a format from the first line.
  absl::Status ReadHead(size_t max_bytes, std::string* out);

  const std::string& path() const { return path_; }
  bool is_stdin() const { return path_ == "-"; }
  // Bytes consumed so far, counted from offset 0 of the file (SkipTo included).
  int64_t position() const { return position_; }

 private:
  InputFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
  int64_t position_ = 0;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_INPUT_FILE_H_
