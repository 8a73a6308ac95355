#include "state/rocksdb_status.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/status.h"

namespace vacwatch::state {
namespace {

// Debian's abseil is built with its own string_view type, which std::string_view does not
// convert to implicitly.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::StatusCode CodeFor(const rocksdb::Status& status) {
  using Code = rocksdb::Status::Code;
  using SubCode = rocksdb::Status::SubCode;
  // A full disk is worth retrying once space is freed (RocksDB resumes by itself then).
  if (status.IsNoSpace()) return absl::StatusCode::kResourceExhausted;
  // After a fatal background error the DB refuses writes until it is reopened (or repaired):
  // retrying the call cannot help.
  if (status.severity() >= rocksdb::Status::Severity::kFatalError) {
    return status.IsCorruption() ? absl::StatusCode::kDataLoss
                                 : absl::StatusCode::kFailedPrecondition;
  }
  switch (status.code()) {
    case Code::kOk:
      return absl::StatusCode::kOk;
    case Code::kNotFound:
      return absl::StatusCode::kNotFound;
    case Code::kCorruption:
      return absl::StatusCode::kDataLoss;
    case Code::kInvalidArgument:
      return absl::StatusCode::kInvalidArgument;
    case Code::kNotSupported:
      return absl::StatusCode::kFailedPrecondition;
    case Code::kIOError:
      switch (status.subcode()) {
        case SubCode::kPathNotFound:
          return absl::StatusCode::kNotFound;
        case SubCode::kStaleFile:
          // A file the store needs was removed from under it.
          return absl::StatusCode::kDataLoss;
        default:
          return absl::StatusCode::kUnavailable;
      }
    case Code::kBusy:
    case Code::kTimedOut:
    case Code::kTryAgain:
    case Code::kIncomplete:
      return absl::StatusCode::kUnavailable;
    case Code::kAborted:
      return absl::StatusCode::kAborted;
    case Code::kShutdownInProgress:
      return absl::StatusCode::kCancelled;
    case Code::kExpired:
      return absl::StatusCode::kDeadlineExceeded;
    case Code::kCompactionTooLarge:
      return absl::StatusCode::kResourceExhausted;
    case Code::kColumnFamilyDropped:
      return absl::StatusCode::kFailedPrecondition;
    case Code::kMergeInProgress:
    default:
      return absl::StatusCode::kInternal;
  }
}

// RocksDB's POSIX file system reports a held LOCK file as an IOError: "While lock file:
// <dir>/LOCK: Resource temporarily unavailable" from another process, "lock hold by current
// process" from this one.
bool IsLockHeld(const rocksdb::Status& status) {
  if (!status.IsIOError()) return false;
  const std::string text = status.ToString();
  return absl::StrContains(text, "lock hold by current process") ||
         (absl::StrContains(text, "While lock file") &&
          (absl::StrContains(text, "Resource temporarily unavailable") ||
           absl::StrContains(text, "No locks available")));
}

}  // namespace

absl::Status RocksDbToAbsl(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(CodeFor(status), absl::StrCat(Sv(context), ": ", status.ToString()));
}

absl::Status RocksDbOpenToAbsl(const rocksdb::Status& status, std::string_view dir) {
  if (status.ok()) return absl::OkStatus();
  if (IsLockHeld(status)) {
    return absl::UnavailableError(absl::StrCat(
        "state dir ", Sv(dir), " is in use by another vacwatch (", status.ToString(), ")"));
  }
  return RocksDbToAbsl(status, absl::StrCat("open state dir ", Sv(dir)));
}

}  // namespace vacwatch::state
