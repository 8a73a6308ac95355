#ifndef VACWATCH_STATE_INFO_LOG_H_
#define VACWATCH_STATE_INFO_LOG_H_

// InfoLog: RocksDB's diagnostic log (the LOG file in the state directory) written so that it
// can never stop the store. RocksDB's own file logger keeps its write error: on a full disk
// every later line is refused, and the librocksdb Debian ships (assertions on) aborts the
// process at the next line. This one drops a line it cannot write and tries again with the
// next, so the store's real writes report the full disk (ResourceExhausted) and resume when
// space is back.
//
//   db_options.info_log = std::make_shared<InfoLog>(dir + "/LOG", 4 << 20);
//
// The file is opened at the first line (the directory may not exist before DB::Open creates
// it) and, past `max_bytes`, renamed to LOG.old and started again. Thread-safe: RocksDB logs
// from its background threads.

#include <cstdarg>
#include <cstdint>
#include <mutex>
#include <string>

#include "rocksdb/env.h"

namespace vacwatch::state {

class InfoLog final : public rocksdb::Logger {
 public:
  InfoLog(std::string path, int64_t max_bytes);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;

  // Lines dropped because they could not be written (a full disk).
  int64_t dropped() const;

 private:
  bool OpenLocked();

  const std::string path_;
  const int64_t max_bytes_;
  mutable std::mutex mu_;
  int fd_ = -1;
  int64_t size_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace vacwatch::state

#endif  // VACWATCH_STATE_INFO_LOG_H_
