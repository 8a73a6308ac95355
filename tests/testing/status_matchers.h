#ifndef VACWATCH_TESTS_TESTING_STATUS_MATCHERS_H_
#define VACWATCH_TESTS_TESTING_STATUS_MATCHERS_H_

// ASSERT_OK / EXPECT_OK that print the status on failure (absl 20220623 has no matchers).

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace vacwatch::testing {

inline const absl::Status& ToStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace vacwatch::testing

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    const auto& vw_s_ = (expr);                                                \
    ASSERT_TRUE(::vacwatch::testing::ToStatus(vw_s_).ok())                     \
        << #expr << " -> " << ::vacwatch::testing::ToStatus(vw_s_).ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    const auto& vw_s_ = (expr);                                                \
    EXPECT_TRUE(::vacwatch::testing::ToStatus(vw_s_).ok())                     \
        << #expr << " -> " << ::vacwatch::testing::ToStatus(vw_s_).ToString(); \
  } while (false)

#endif  // VACWATCH_TESTS_TESTING_STATUS_MATCHERS_H_
