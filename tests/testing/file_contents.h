#ifndef VACWATCH_TESTS_TESTING_FILE_CONTENTS_H_
#define VACWATCH_TESTS_TESTING_FILE_CONTENTS_H_

// What a test's sink or command wrote to a std::FILE (usually a std::tmpfile):
//
//   std::FILE* out = std::tmpfile();
//   ... code under test writes to out ...
//   EXPECT_EQ(FileContents(out), "...");
//   std::fclose(out);

#include <cstdio>
#include <string>

namespace vacwatch::testing {

// Everything written to `file` since it was opened, read from its start; leaves `file` open
// (the caller closes it).
inline std::string FileContents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file)) > 0) text.append(buf, n);
  return text;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_FILE_CONTENTS_H_
