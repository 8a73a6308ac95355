#ifndef VACWATCH_TESTS_TESTING_GUNZIP_H_
#define VACWATCH_TESTS_TESTING_GUNZIP_H_

// Decompresses a recorded input stored gzip-compressed in tests/data (zlib), for the tests
// that replay it:
//
//   ScopedTempDir dir;
//   ASSERT_TRUE(Gunzip(path + "/postgresql.log.gz", dir.path() + "/postgresql.log"));

#include <zlib.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace vacwatch::testing {

// Decompresses `from` into `to`; false (and a test failure) if it cannot.
inline bool Gunzip(const std::string& from, const std::string& to) {
  gzFile in = gzopen(from.c_str(), "rb");
  if (in == nullptr) {
    ADD_FAILURE() << "cannot open " << from;
    return false;
  }
  std::FILE* out = std::fopen(to.c_str(), "wb");
  if (out == nullptr) {
    gzclose(in);
    ADD_FAILURE() << "cannot write " << to;
    return false;
  }
  char buf[1 << 16];
  int n = 0;
  bool ok = true;
  while ((n = gzread(in, buf, sizeof buf)) > 0) {
    ok = ok && std::fwrite(buf, 1, static_cast<size_t>(n), out) == static_cast<size_t>(n);
  }
  ok = ok && n == 0;
  gzclose(in);
  ok = std::fclose(out) == 0 && ok;
  if (!ok) ADD_FAILURE() << "cannot decompress " << from;
  return ok;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_GUNZIP_H_
