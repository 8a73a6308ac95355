#include "ingest/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace vacwatch::ingest {
namespace {

absl::Status ErrnoStatus(int err, const std::string& path) {
  std::string message = path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError("no such file: " + path);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EISDIR:
      return absl::InvalidArgumentError(path + " is a directory");
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

absl::StatusOr<InputFile> InputFile::Open(const std::string& path) {
  if (path == "-") return InputFile(path, STDIN_FILENO);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return ErrnoStatus(EISDIR, path);
  }
  return InputFile(path, fd);
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), position_(other.position_) {
  other.fd_ = -1;
}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ > STDIN_FILENO) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    position_ = other.position_;
    other.fd_ = -1;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

absl::Status InputFile::SkipTo(int64_t offset) {
  if (offset <= position_) return absl::OkStatus();
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) >= 0) {
    position_ = offset;
    return absl::OkStatus();
  }
  if (errno != ESPIPE) return ErrnoStatus(errno, path_);
  char discard[1 << 16];
  while (position_ < offset) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(offset - position_, sizeof(discard)));
    auto n = Read(discard, want);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      return absl::OutOfRangeError(path_ + ": input ends before resume offset " +
                                   std::to_string(offset));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> InputFile::Read(char* buf, size_t len) {
  while (true) {
    const ssize_t n = ::read(fd_, buf, len);
    if (n >= 0) {
      position_ += n;
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return ErrnoStatus(errno, path_);
  }
}

absl::Status InputFile::ReadHead(size_t max_bytes, std::string* out) {
  while (out->size() < max_bytes && out->find('\n') == std::string::npos) {
    const size_t old_size = out->size();
    out->resize(max_bytes);
    auto n = Read(out->data() + old_size, max_bytes - old_size);
    if (!n.ok()) {
      out->resize(old_size);
      return n.status();
    }
    out->resize(old_size + *n);
    if (*n == 0) break;
  }
  return absl::OkStatus();
}

}  // namespace vacwatch::ingest
