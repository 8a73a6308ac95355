#ifndef VACWATCH_TESTS_TESTING_DATASETS_H_
#define VACWATCH_TESTS_TESTING_DATASETS_H_

// Paths of the acceptance datasets, read in place from ../shared/datasets (never copied).

#include <cstdlib>
#include <string>

namespace vacwatch::testing {

// The datasets folder: $VACWATCH_DATASETS, else ../shared/datasets beside the checkout.
inline std::string DatasetsDir() {
  if (const char* env = std::getenv("VACWATCH_DATASETS"); env != nullptr && *env != '\0') {
    return env;
  }
  return VACWATCH_DEFAULT_DATASETS;
}

// One dataset's folder, e.g. DatasetPath("pg15-prod-eu-1") + "/postgresql.log".
inline std::string DatasetPath(const std::string& name) { return DatasetsDir() + "/" + name; }

inline std::string SourceDir() { return VACWATCH_SOURCE_DIR; }
inline std::string BinaryDir() { return VACWATCH_BINARY_DIR; }

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_DATASETS_H_
