// RocksDB's LOG on a full disk (a size-limited tmpfs): InfoLog drops the lines it cannot
// write and goes on.

#include "state/info_log.h"

#include <cstdarg>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/small_filesystem.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vacwatch::state {
namespace {

void Log(InfoLog* log, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  log->Logv(format, ap);
  va_end(ap);
}

TEST(InfoLogTest, DropsWhatAFullDiskRefusesAndGoesOn) {
  auto fs = testing::SmallFilesystem::Mount(1 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status().message();
  const std::string path = (*fs)->path() + "/LOG";
  InfoLog log(path, 1 << 20);
  Log(&log, "first %d", 1);
  ASSERT_OK((*fs)->Fill());
  const std::string long_line(8192, 'x');  // more than the last page's room
  Log(&log, "%s", long_line.c_str());
  Log(&log, "%s", long_line.c_str());
  EXPECT_GE(log.dropped(), 1);
  ASSERT_OK((*fs)->Unfill());
  Log(&log, "after %s", "space is back");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(" first 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" after space is back\n"), std::string::npos);
}

TEST(InfoLogTest, StartsAgainPastItsSize) {
  testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/LOG";
  InfoLog log(path, 100);
  for (int i = 0; i < 10; ++i) Log(&log, "line %d of a log that outgrows its size", i);
  EXPECT_TRUE(std::filesystem::exists(path + ".old"));
  EXPECT_LT(std::filesystem::file_size(path), 200u);
  EXPECT_EQ(log.dropped(), 0);
}

}  // namespace
}  // namespace vacwatch::state
