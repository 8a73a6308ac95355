#ifndef VACWATCH_TESTS_TESTING_TEMP_DIR_H_
#define VACWATCH_TESTS_TESTING_TEMP_DIR_H_

// A fresh directory for one test, removed with everything in it when the object goes:
//
//   vacwatch::testing::ScopedTempDir dir;
//   auto store = StateStore::Open(dir.path() + "/state", {});

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace vacwatch::testing {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string pattern = ::testing::TempDir() + "vacwatch-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    }
    path_ = pattern;
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_TEMP_DIR_H_
