#ifndef VACWATCH_STATE_ROCKSDB_STATUS_H_
#define VACWATCH_STATE_ROCKSDB_STATUS_H_

// The one place where a rocksdb::Status becomes an absl::Status. Codes are chosen by what the
// caller should do about the failure (absl/status/status.h), not by RocksDB's own names:
//
//   Unavailable         retry the call (busy, timed out, try again, a transient I/O error,
//                       the state dir locked by another process)
//   DataLoss            the store is damaged (corruption, a file gone from under it)
//   ResourceExhausted   the disk is full: free space, then retry
//   FailedPrecondition  do not retry until an operator fixes something (unsupported options,
//                       a store left read-only by an unrecoverable background error)
//   NotFound / InvalidArgument / Aborted   as RocksDB says
//
//   rocksdb::Status s = db->Write(options, &batch);
//   if (!s.ok()) return RocksDbToAbsl(s, "commit");
//
// The message keeps RocksDB's text behind the caller's `context`, so logs show both.

#include <string_view>

#include "absl/status/status.h"

namespace rocksdb {
class Status;
}  // namespace rocksdb

namespace vacwatch::state {

// `context` says what was being done ("commit", "read offset log:/x"); it leads the message.
absl::Status RocksDbToAbsl(const rocksdb::Status& status, std::string_view context);

// For DB::Open on `dir`: as RocksDbToAbsl, and a lock held by another process (or another
// open store in this process) becomes Unavailable "state dir <dir> is in use by another
// vacwatch".
absl::Status RocksDbOpenToAbsl(const rocksdb::Status& status, std::string_view dir);

}  // namespace vacwatch::state

#endif  // VACWATCH_STATE_ROCKSDB_STATUS_H_
