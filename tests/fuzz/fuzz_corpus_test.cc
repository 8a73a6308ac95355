// Replays the fuzz regression corpus on every test run: each file of tests/data/fuzz/<target>/
// (seeds, and every crash or hang a fuzzer ever found, fixed since) goes through the target's
// body, the very function the libFuzzer binary runs (fuzz/fuzz_target.h). A body aborts when an
// invariant breaks; ASan and UBSan (the build-asan run of scripts/test) report the rest.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"

namespace vacwatch::fuzz {
namespace {

namespace fs = std::filesystem;

std::string CorpusDir() { return vacwatch::testing::SourceDir() + "/tests/data/fuzz"; }

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const FuzzTarget& t : FuzzTargets()) names.emplace_back(t.name);
  return names;
}

std::vector<fs::path> CorpusFiles(const std::string& target) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(CorpusDir() + "/" + target, ec)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FuzzCorpusTest, EveryTargetHasACorpusAndEveryCorpusATarget) {
  const std::vector<std::string> names = TargetNames();
  ASSERT_FALSE(names.empty()) << "no fuzz target linked in (fuzz/CMakeLists.txt)";
  for (const std::string& name : names) {
    EXPECT_FALSE(CorpusFiles(name).empty())
        << "fuzz target " << name << " has no regression corpus in " << CorpusDir() << "/" << name;
  }
  const std::set<std::string> known(names.begin(), names.end());
  for (const fs::directory_entry& e : fs::directory_iterator(CorpusDir())) {
    EXPECT_TRUE(known.contains(e.path().filename().string()))
        << e.path() << " is the corpus of no fuzz target (fuzz/<name>_fuzzer.cc)";
  }
}

TEST(FuzzCorpusTest, FailedCheckAbortsWithItsDetail) {
  EXPECT_DEATH(VW_FUZZ_CHECK(1 + 1 == 3, "arithmetic"),
               "fuzz check failed: .*fuzz_corpus_test.cc:[0-9]+: 1 \\+ 1 == 3: arithmetic");
}

class FuzzCorpusReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzCorpusReplayTest, ReplaysEveryFile) {
  FuzzBody body = nullptr;
  for (const FuzzTarget& t : FuzzTargets()) {
    if (t.name == GetParam()) body = t.body;
  }
  ASSERT_NE(body, nullptr);
  for (const fs::path& file : CorpusFiles(GetParam())) {
    // A crash ends the process before gtest can name the input: name it first.
    std::fprintf(stderr, "replaying %s\n", file.c_str());
    body(ReadFile(file));
  }
}

// Instantiated from the registry when the tests are listed, so a new target is replayed with
// no edit here; its files are listed when the test runs, so a new file needs no rebuild.
INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpusReplayTest, ::testing::ValuesIn(TargetNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace vacwatch::fuzz
