#ifndef VACWATCH_TESTS_TESTING_PROMTOOL_H_
#define VACWATCH_TESTS_TESTING_PROMTOOL_H_

// `promtool check metrics` on a scraped page (Debian's prometheus package; scripts/setup
// installs it): the acceptance check that /metrics follows Prometheus's format and naming
// conventions.
//
//   EXPECT_EQ(PromtoolCheckMetrics(page), "");   // "" = clean; else promtool's complaints
//
// Writes the page to a temporary file and reads promtool's output back.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace vacwatch::testing {

inline constexpr char kPromtool[] = "/usr/bin/promtool";

inline std::string PromtoolCheckMetrics(const std::string& page) {
  // Unique per process and call: tests run side by side.
  static int calls = 0;
  const std::string base = ::testing::TempDir() + "vacwatch-promtool-" +
                           std::to_string(::getpid()) + "-" + std::to_string(++calls);
  {
    std::ofstream out(base + ".prom", std::ios::binary);
    out << page;
  }
  const std::string command =
      std::string(kPromtool) + " check metrics < " + base + ".prom > " + base + ".out 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream in(base + ".out");
  std::stringstream text;
  text << in.rdbuf();
  std::remove((base + ".prom").c_str());
  std::remove((base + ".out").c_str());
  if (rc != 0 || !text.str().empty())
    return "promtool: rc " + std::to_string(rc) + ": " + text.str();
  return "";
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_PROMTOOL_H_
