#include "state/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <utility>

namespace vacwatch::state {

InfoLog::InfoLog(std::string path, int64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {}

InfoLog::~InfoLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool InfoLog::OpenLocked() {
  if (fd_ >= 0) return true;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return false;
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
  return true;
}

void InfoLog::Logv(const char* format, va_list ap) {
  // "2026/12/07-00:16:47.818123 message\n", as RocksDB's own lines start.
  char line[4096];
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  ::gmtime_r(&now.tv_sec, &utc);
  int n = static_cast<int>(std::strftime(line, sizeof(line), "%Y/%m/%d-%H:%M:%S", &utc));
  n +=
      std::snprintf(line + n, sizeof(line) - static_cast<size_t>(n), ".%06ld ", now.tv_nsec / 1000);
  va_list copy;
  va_copy(copy, ap);
  const int body = std::vsnprintf(line + n, sizeof(line) - static_cast<size_t>(n), format, copy);
  va_end(copy);
  if (body > 0) n = std::min<int>(n + body, static_cast<int>(sizeof(line)) - 2);
  if (line[n - 1] != '\n') line[n++] = '\n';

  std::lock_guard<std::mutex> lock(mu_);
  if (size_ >= max_bytes_ && fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::rename(path_.c_str(), (path_ + ".old").c_str());
  }
  if (!OpenLocked()) {
    ++dropped_;
    return;
  }
  const ssize_t written = ::write(fd_, line, static_cast<size_t>(n));
  if (written != n) {
    ++dropped_;  // the disk is full: the line goes, the log stays usable
    // A partial line is ended so that the next one starts on a line of its own.
    if (written > 0 && ::write(fd_, "\n", 1) == 1) size_ += written + 1;
    return;
  }
  size_ += n;
}

int64_t InfoLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace vacwatch::state
