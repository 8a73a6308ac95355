#ifndef VACWATCH_COMMON_STATUS_MACROS_H_
#define VACWATCH_COMMON_STATUS_MACROS_H_

// The two macros that absl 20220623 (Debian 12) lacks. Usage:
//
//   absl::Status Load(const std::string& path) {
//     VW_RETURN_IF_ERROR(CheckReadable(path));
//     VW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     ...
//   }

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define VW_STATUS_CONCAT_INNER_(a, b) a##b
#define VW_STATUS_CONCAT_(a, b) VW_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define VW_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status vw_status_ = (expr);      \
    if (!vw_status_.ok()) return vw_status_; \
  } while (false)

// Evaluates `rexpr` (a StatusOr<T>); on error returns its status, otherwise moves the value into
// `lhs`, which may be a declaration.
#define VW_ASSIGN_OR_RETURN(lhs, rexpr) \
  VW_ASSIGN_OR_RETURN_IMPL_(VW_STATUS_CONCAT_(vw_statusor_, __LINE__), lhs, rexpr)

// `statusor` is a name and `lhs` may be a declaration: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define VW_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // VACWATCH_COMMON_STATUS_MACROS_H_
