#ifndef VACWATCH_TESTS_TESTING_SMALL_FILESYSTEM_H_
#define VACWATCH_TESTS_TESTING_SMALL_FILESYSTEM_H_

// A size-limited filesystem for disk-full tests: a tmpfs of `bytes` mounted on a fresh
// directory, unmounted and removed when the object goes. Mounting needs CAP_SYS_ADMIN (CI runs
// as root); without it Mount() says why, and the test skips:
//
//   auto fs = testing::SmallFilesystem::Mount(16 << 20);
//   if (!fs.ok()) GTEST_SKIP() << fs.status().message();
//   ... state dir at (*fs)->path() + "/state" ...
//   ASSERT_OK((*fs)->Fill());     // writes a filler file until ENOSPC: the disk is full
//   ASSERT_OK((*fs)->Unfill());   // removes it: space is back

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vacwatch::testing {

class SmallFilesystem {
 public:
  static absl::StatusOr<std::unique_ptr<SmallFilesystem>> Mount(int64_t bytes) {
    std::string pattern = ::testing::TempDir() + "vacwatch-tmpfs-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
    }
    const std::string options = absl::StrCat("size=", bytes, ",mode=0700");
    if (::mount("tmpfs", pattern.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      const int error = errno;
      ::rmdir(pattern.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot mount a size-limited tmpfs (", std::strerror(error),
                       "): the disk-full test needs CAP_SYS_ADMIN (root)"));
    }
    return std::unique_ptr<SmallFilesystem>(new SmallFilesystem(pattern));
  }

  ~SmallFilesystem() {
    ::umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  const std::string& path() const { return path_; }

  // Writes a filler file until the filesystem has no page left.
  absl::Status Fill() {
    const std::string filler = FillerPath();
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return absl::InternalError(absl::StrCat("open ", filler, ": ", errno));
    const std::vector<char> block(64 << 10, 'x');
    for (size_t size = block.size(); size > 0;) {
      if (::write(fd, block.data(), size) >= 0) continue;
      if (errno != ENOSPC) {
        const int error = errno;
        ::close(fd);
        return absl::InternalError(absl::StrCat("write ", filler, ": ", std::strerror(error)));
      }
      size /= 2;  // the last pages, in smaller writes
    }
    ::close(fd);
    return absl::OkStatus();
  }

  // Removes the filler: the space is back.
  absl::Status Unfill() {
    if (::unlink(FillerPath().c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat("unlink filler: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

 private:
  explicit SmallFilesystem(std::string path) : path_(std::move(path)) {}
  std::string FillerPath() const { return path_ + "/filler"; }

  std::string path_;
};

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_SMALL_FILESYSTEM_H_
