#include "ingest/file_identity.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "absl/status/status.h"

namespace vacwatch::ingest {
namespace {

FileStat FromStat(const struct stat& st) {
  FileStat out;
  out.identity = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  out.size = static_cast<int64_t>(st.st_size);
  out.modified = absl::TimeFromTimespec(st.st_mtim);
  out.regular = S_ISREG(st.st_mode);
  return out;
}

absl::Status StatError(int err, const std::string& path) {
  const std::string message = path + ": " + std::strerror(err);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

bool ParseDecimal(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string FormatFileIdentity(const FileIdentity& identity) {
  return std::to_string(identity.device) + ":" + std::to_string(identity.inode);
}

absl::StatusOr<FileIdentity> ParseFileIdentity(std::string_view text) {
  const size_t colon = text.find(':');
  FileIdentity identity;
  if (colon == std::string_view::npos || !ParseDecimal(text.substr(0, colon), &identity.device) ||
      !ParseDecimal(text.substr(colon + 1), &identity.inode)) {
    return absl::InvalidArgumentError("not a file identity (DEVICE:INODE): '" + std::string(text) +
                                      "'");
  }
  return identity;
}

absl::StatusOr<std::optional<FileStat>> StatPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    return StatError(errno, path);
  }
  return FromStat(st);
}

absl::StatusOr<FileStat> StatDescriptor(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return StatError(errno, path);
  return FromStat(st);
}

}  // namespace vacwatch::ingest
