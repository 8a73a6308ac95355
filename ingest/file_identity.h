#ifndef VACWATCH_INGEST_FILE_IDENTITY_H_
#define VACWATCH_INGEST_FILE_IDENTITY_H_

// FileIdentity: which file a path named, as (device, inode), so a follower can tell a log that
// grew from one that was rotated under the same name (renamed away and created again, or a new
// file of logging_collector's), and a restart can tell whether the file it stopped in is still
// the one it finds.
//
//   VW_ASSIGN_OR_RETURN(std::optional<FileStat> st, StatPath("/var/log/pg/postgresql.log"));
//   if (st.has_value() && st->identity != followed) { ... rotated ... }
//   batch.PutMeta(key, FormatFileIdentity(st->identity));     // "2049:1835011"
//   VW_ASSIGN_OR_RETURN(FileIdentity id, ParseFileIdentity(stored));
//
// An inode number is reused once its file is deleted, so an identity alone may name a later
// file; callers check the size against their offset too. Plain values, no state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vacwatch::ingest {

struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  friend constexpr bool operator==(const FileIdentity&, const FileIdentity&) = default;
  // An order for maps (by device, then inode); means nothing else.
  friend constexpr bool operator<(const FileIdentity& a, const FileIdentity& b) {
    return a.device != b.device ? a.device < b.device : a.inode < b.inode;
  }
};

// What a follower needs to know of a file: which one it is, how long, when last written.
struct FileStat {
  FileIdentity identity;
  int64_t size = 0;
  absl::Time modified = absl::InfinitePast();
  bool regular = false;  // a regular file (not a directory, a FIFO, a device)
};

// "DEVICE:INODE" in decimal, the form the state store keeps.
std::string FormatFileIdentity(const FileIdentity& identity);
// The inverse of FormatFileIdentity; InvalidArgument for anything else.
absl::StatusOr<FileIdentity> ParseFileIdentity(std::string_view text);

// stat(2) of `path` (symlinks followed): nullopt when it does not exist (ENOENT, ENOTDIR);
// other errors (EACCES...) are Unavailable / PermissionDenied naming the path.
absl::StatusOr<std::optional<FileStat>> StatPath(const std::string& path);
// fstat(2) of an open descriptor; `path` names it in errors.
absl::StatusOr<FileStat> StatDescriptor(int fd, const std::string& path);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_FILE_IDENTITY_H_
