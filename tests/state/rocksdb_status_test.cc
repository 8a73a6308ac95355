#include "state/rocksdb_status.h"

#include "gtest/gtest.h"
#include "rocksdb/status.h"

namespace vacwatch::state {
namespace {

absl::StatusCode CodeOf(const rocksdb::Status& status) {
  return RocksDbToAbsl(status, "op").code();
}

TEST(RocksDbStatusTest, OkStaysOk) {
  EXPECT_TRUE(RocksDbToAbsl(rocksdb::Status::OK(), "op").ok());
  EXPECT_TRUE(RocksDbOpenToAbsl(rocksdb::Status::OK(), "/d").ok());
}

TEST(RocksDbStatusTest, RetryableErrorsAreUnavailable) {
  EXPECT_EQ(CodeOf(rocksdb::Status::Busy()), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(rocksdb::Status::TimedOut()), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(rocksdb::Status::TryAgain()), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf(rocksdb::Status::IOError("read", "EIO")), absl::StatusCode::kUnavailable);
}

TEST(RocksDbStatusTest, DamageIsDataLoss) {
  EXPECT_EQ(CodeOf(rocksdb::Status::Corruption("block checksum mismatch")),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(rocksdb::Status::IOError(rocksdb::Status::kStaleFile)),
            absl::StatusCode::kDataLoss);
}

TEST(RocksDbStatusTest, CallerErrorsKeepTheirMeaning) {
  EXPECT_EQ(CodeOf(rocksdb::Status::NotFound()), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(rocksdb::Status::InvalidArgument("bad")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(rocksdb::Status::NotSupported("zstd")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(rocksdb::Status::Aborted()), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeOf(rocksdb::Status::IOError(rocksdb::Status::kPathNotFound)),
            absl::StatusCode::kNotFound);
}

TEST(RocksDbStatusTest, FullDiskIsResourceExhausted) {
  EXPECT_EQ(CodeOf(rocksdb::Status::NoSpace()), absl::StatusCode::kResourceExhausted);
}

TEST(RocksDbStatusTest, FatalBackgroundErrorNeedsAnOperator) {
  const rocksdb::Status fatal(rocksdb::Status::IOError("write sst"),
                              rocksdb::Status::Severity::kFatalError);
  EXPECT_EQ(CodeOf(fatal), absl::StatusCode::kFailedPrecondition);
  const rocksdb::Status corrupt(rocksdb::Status::Corruption("manifest"),
                                rocksdb::Status::Severity::kUnrecoverableError);
  EXPECT_EQ(CodeOf(corrupt), absl::StatusCode::kDataLoss);
}

TEST(RocksDbStatusTest, MessageLeadsWithContextAndKeepsRocksDbText) {
  const absl::Status status =
      RocksDbToAbsl(rocksdb::Status::Corruption("block checksum mismatch"), "read table state");
  EXPECT_EQ(status.message(), "read table state: Corruption: block checksum mismatch");
}

TEST(RocksDbStatusTest, LockHeldByAnotherProcessIsUnavailableWithAClearMessage) {
  const rocksdb::Status other_process = rocksdb::Status::IOError(
      "While lock file: /var/lib/vacwatch/LOCK", "Resource temporarily unavailable");
  const absl::Status status = RocksDbOpenToAbsl(other_process, "/var/lib/vacwatch");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message().substr(0, 56),
            "state dir /var/lib/vacwatch is in use by another vacwatc");

  const rocksdb::Status this_process = rocksdb::Status::IOError(
      "lock hold by current process, acquire time 1700000000 acquiring thread 1: "
      "/var/lib/vacwatch/LOCK",
      "No locks available");
  EXPECT_EQ(RocksDbOpenToAbsl(this_process, "/var/lib/vacwatch").code(),
            absl::StatusCode::kUnavailable);
}

TEST(RocksDbStatusTest, OtherOpenErrorsNameTheDir) {
  const absl::Status status =
      RocksDbOpenToAbsl(rocksdb::Status::Corruption("CURRENT file corrupted"), "/s");
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "open state dir /s: Corruption: CURRENT file corrupted");
}

}  // namespace
}  // namespace vacwatch::state
