#include "ingest/log_follower.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace vacwatch::ingest {
namespace {

absl::Status OpenError(int err, const std::string& path) {
  const std::string message = path + ": " + std::strerror(err);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

std::string DirName(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

// An open file of the follower. Reads go by pread at read_pos, so a descriptor shared with a
// truncation restart (dup) has no shared offset to disturb.
struct LogFollower::File {
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (fd >= 0) ::close(fd);
  }

  int fd = -1;
  std::string path;
  FileIdentity identity;
  int64_t start_offset = 0;           // where reading began: the reader's stream offset 0
  int64_t read_pos = 0;               // the next byte to read
  std::string tail;                   // read after the last '\n', not fed: a line being written
  std::unique_ptr<LogReader> reader;  // made with the first bytes fed
  absl::Time last_data = absl::InfinitePast();
  bool entry_open = false;  // bytes were fed since the last EndOpenEntry
  bool finished = false;    // reader->Finish() was called (or nothing will be read)
};

FollowTarget FollowTarget::File(std::string path) {
  FollowTarget t;
  t.kind = Kind::kFile;
  t.path = std::move(path);
  return t;
}

FollowTarget FollowTarget::Directory(std::string dir, std::string log_filename) {
  FollowTarget t;
  t.kind = Kind::kDirectory;
  t.path = std::move(dir);
  t.log_filename = std::move(log_filename);
  return t;
}

FollowTarget ParseFollowTarget(std::string_view arg) {
  const std::string path(arg);
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return FollowTarget::Directory(path);
  const std::filesystem::path p(path);
  const std::string name = p.filename().string();
  if (name.find('%') != std::string::npos) {
    return FollowTarget::Directory(DirName(path), name);
  }
  return FollowTarget::File(path);
}

LogFollower::LogFollower(FollowTarget target, LogFollowerOptions options,
                         std::optional<FollowPosition> resume)
    : target_(std::move(target)),
      options_(std::move(options)),
      resume_(resume),
      format_(options_.reader.format),
      chunk_(std::make_unique_for_overwrite<char[]>(options_.chunk_bytes)) {
  if (target_.kind == FollowTarget::Kind::kDirectory) {
    pattern_ = LogFilenameForFormat(target_.log_filename, options_.reader.format);
  }
}

LogFollower::~LogFollower() = default;

absl::StatusOr<std::unique_ptr<LogFollower>> LogFollower::Open(
    FollowTarget target, LogFollowerOptions options, std::optional<FollowPosition> resume) {
  if (target.path.empty()) return absl::InvalidArgumentError("follow: empty log path");
  if (options.chunk_bytes == 0) options.chunk_bytes = size_t{1} << 20;
  std::unique_ptr<LogFollower> follower(
      new LogFollower(std::move(target), std::move(options), resume));
  VW_RETURN_IF_ERROR(follower->OpenFirst().status());
  return follower;
}

void LogFollower::Notice(const std::string& line) const {
  if (options_.notice) options_.notice(line);
}

std::optional<FollowPosition> LogFollower::resume_position() const {
  if (current_ == nullptr) return std::nullopt;
  FollowPosition position;
  position.file = current_->identity;
  position.offset =
      current_->reader != nullptr ? current_->reader->resume_offset() : current_->start_offset;
  return position;
}

std::string_view LogFollower::current_path() const {
  return current_ == nullptr ? std::string_view() : std::string_view(current_->path);
}

const IngestCounters& LogFollower::counters() const {
  counters_ = done_counters_;
  if (current_ != nullptr && current_->reader != nullptr) counters_ += current_->reader->counters();
  return counters_;
}

std::string_view LogFollower::suggested_prefix() const {
  if (current_ != nullptr && current_->reader != nullptr) {
    return current_->reader->suggested_prefix();
  }
  return learned_prefix_;
}

absl::StatusOr<bool> LogFollower::Next(LogEvent* event) {
  while (true) {
    if (current_ != nullptr && current_->reader != nullptr && current_->reader->Next(event)) {
      return true;
    }
    if (current_ != nullptr && current_->finished) {
      // Every event of the finished file is out: on to the next one (or wait for it).
      SwitchToPending();
      continue;
    }
    VW_ASSIGN_OR_RETURN(const bool progressed, Poll());
    if (!progressed) return false;
  }
}

void LogFollower::SwitchToPending() {
  if (current_->reader != nullptr) {
    done_counters_ += current_->reader->counters();
    if (options_.reader.log_line_prefix.empty() && format_ == LogFormat::kStderr) {
      learned_prefix_ = std::string(current_->reader->suggested_prefix());
    }
  }
  if (pending_.empty()) {
    // A finished file with nothing after it: only a truncation restart does that, and it
    // queues the restart first, so this is not reached; keep the file, read nothing more.
    current_->finished = false;
    current_->reader.reset();
    return;
  }
  current_ = std::move(pending_.front());
  pending_.pop_front();
  switch_seen_ = absl::InfinitePast();
}

absl::StatusOr<bool> LogFollower::Poll() {
  if (current_ == nullptr) return OpenFirst();
  File* f = current_.get();
  const absl::Time now = Now();

  VW_ASSIGN_OR_RETURN(const size_t n, ReadChunk(f));
  if (n > 0) {
    f->last_data = now;
    return true;
  }
  // At the end of what is there. A file shorter than what was read was truncated.
  VW_ASSIGN_OR_RETURN(const FileStat st, StatDescriptor(f->fd, f->path));
  if (st.size < f->read_pos) {
    ++follow_counters_.truncations;
    Notice(absl::StrCat(f->path, " was truncated (", st.size, " bytes, ", f->read_pos,
                        " were read): reading it again from its start"));
    const int fd = ::dup(f->fd);
    if (fd < 0) return OpenError(errno, f->path);
    auto restart = std::make_unique<File>();
    restart->fd = fd;
    restart->path = f->path;
    restart->identity = f->identity;
    ++follow_counters_.files_opened;
    pending_.push_front(std::move(restart));
    // The line cut by the truncation lost its end with it: not fed.
    VW_RETURN_IF_ERROR(FinishFile(f, /*keep_tail=*/false));
    return true;
  }

  if (pending_.empty()) VW_RETURN_IF_ERROR(FindNext());
  if (!pending_.empty()) {
    if (switch_seen_ == absl::InfinitePast()) {
      switch_seen_ = now;
      ++follow_counters_.rotations;
      Notice(absl::StrCat(f->path, " was rotated: following ", pending_.front()->path,
                          " from its start once ", f->path, " is read to its end"));
    }
    // A writer may still flush its last lines into the old file just after it made the new
    // one (the syslogger closes the old file after opening the new): wait for it to be quiet.
    if (now - std::max(switch_seen_, f->last_data) < options_.quiet_period) return false;
    VW_RETURN_IF_ERROR(FinishFile(f, /*keep_tail=*/true));
    return true;
  }

  // Nothing new for a while: the entry open at the end is complete (whole lines only: a line
  // still being written may continue it).
  if (f->entry_open && f->tail.empty() && f->reader != nullptr &&
      now - f->last_data >= options_.quiet_period) {
    f->reader->EndOpenEntry();
    f->entry_open = false;
    return true;
  }
  return false;
}

absl::StatusOr<size_t> LogFollower::ReadChunk(File* file) {
  while (true) {
    const ssize_t n =
        ::pread(file->fd, chunk_.get(), options_.chunk_bytes, static_cast<off_t>(file->read_pos));
    if (n < 0) {
      if (errno == EINTR) continue;
      return OpenError(errno, file->path);
    }
    if (n == 0) return size_t{0};
    file->read_pos += n;
    VW_RETURN_IF_ERROR(FeedLines(file, std::string_view(chunk_.get(), static_cast<size_t>(n))));
    return static_cast<size_t>(n);
  }
}

absl::Status LogFollower::FeedLines(File* file, std::string_view data) {
  const size_t nl = data.rfind('\n');
  if (nl == std::string_view::npos) {
    file->tail.append(data);
    // A line longer than a chunk is the reader's to cut as oversized: hold only a bounded
    // tail (as LogFileSource does).
    if (file->tail.size() >= options_.chunk_bytes) {
      std::string tail = std::move(file->tail);
      file->tail.clear();
      VW_RETURN_IF_ERROR(FeedReader(file, tail));
    }
    return absl::OkStatus();
  }
  if (!file->tail.empty()) {
    std::string tail = std::move(file->tail);
    file->tail.clear();
    VW_RETURN_IF_ERROR(FeedReader(file, tail));
  }
  VW_RETURN_IF_ERROR(FeedReader(file, data.substr(0, nl + 1)));
  file->tail.assign(data.substr(nl + 1));
  return absl::OkStatus();
}

absl::Status LogFollower::FeedReader(File* file, std::string_view bytes) {
  if (bytes.empty()) return absl::OkStatus();
  if (file->reader == nullptr) {
    LogSourceOptions o = options_.reader;
    o.start_offset = file->start_offset;
    o.hold_cut_entry = false;
    if (o.source_name.empty()) o.source_name = file->path;
    o.format = format_;
    if (o.log_line_prefix.empty()) o.log_line_prefix = learned_prefix_;
    VW_ASSIGN_OR_RETURN(format_, ResolveLogFormat(o, bytes));
    o.format = format_;
    VW_ASSIGN_OR_RETURN(file->reader, MakeLogReader(o, bytes));
  }
  file->reader->Feed(bytes);
  file->entry_open = true;
  return absl::OkStatus();
}

absl::Status LogFollower::FinishFile(File* file, bool keep_tail) {
  if (keep_tail && !file->tail.empty()) {
    // The file is left for good: its last line is complete as it is.
    std::string tail = std::move(file->tail);
    VW_RETURN_IF_ERROR(FeedReader(file, tail));
  }
  file->tail.clear();
  if (file->reader != nullptr) file->reader->Finish();
  file->finished = true;
  auto it = known_.find(file->identity);
  if (it != known_.end()) {
    it->second.finished = true;
    it->second.size = file->read_pos;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LogFollower::File>> LogFollower::OpenAt(
    const std::string& path, int64_t offset, std::optional<FileIdentity> expected) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::unique_ptr<File>();
    return OpenError(errno, path);
  }
  auto file = std::make_unique<File>();
  file->fd = fd;
  file->path = path;
  VW_ASSIGN_OR_RETURN(const FileStat st, StatDescriptor(fd, path));
  // Renamed or replaced between the stat that chose it and the open: not the file meant.
  if (expected.has_value() && st.identity != *expected) return std::unique_ptr<File>();
  file->identity = st.identity;
  file->start_offset = std::min(offset, st.size);
  file->read_pos = file->start_offset;
  ++follow_counters_.files_opened;
  return file;
}

absl::StatusOr<int64_t> LogFollower::LastLineStart(const std::string& path, int64_t size) {
  // The bytes before `size`, back to the last '\n': a line being written is read whole later.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(errno, path);
  int64_t end = size;
  int64_t result = 0;
  std::vector<char> buf(size_t{1} << 16);
  while (end > 0) {
    const int64_t begin = std::max<int64_t>(0, end - static_cast<int64_t>(buf.size()));
    const ssize_t n = ::pread(fd, buf.data(), static_cast<size_t>(end - begin), begin);
    if (n <= 0) break;
    const std::string_view bytes(buf.data(), static_cast<size_t>(n));
    const size_t nl = bytes.rfind('\n');
    if (nl != std::string_view::npos) {
      result = begin + static_cast<int64_t>(nl) + 1;
      break;
    }
    end = begin;
  }
  ::close(fd);
  return result;
}

absl::StatusOr<bool> LogFollower::OpenFirst() {
  VW_ASSIGN_OR_RETURN(const bool opened, target_.kind == FollowTarget::Kind::kFile
                                             ? OpenFirstFile()
                                             : OpenFirstInDirectory());
  if (!opened) {
    if (!waiting_said_) {
      waiting_said_ = true;
      Notice(absl::StrCat(target_.path, target_.kind == FollowTarget::Kind::kFile
                                            ? " does not exist yet: waiting for it"
                                            : absl::StrCat(" holds no file named like ", pattern_,
                                                           " yet: waiting for one")));
    }
    return false;
  }
  resume_.reset();
  return true;
}

absl::StatusOr<bool> LogFollower::OpenFirstFile() {
  VW_ASSIGN_OR_RETURN(std::optional<FileStat> st, StatPath(target_.path));
  if (!st.has_value()) return false;
  int64_t offset = 0;
  if (resume_.has_value()) {
    if (st->identity == resume_->file) {
      if (resume_->offset <= st->size) {
        offset = resume_->offset;
        follow_counters_.resumed = 1;
      } else {
        Notice(absl::StrCat(target_.path, " is shorter (", st->size,
                            " bytes) than where the last run stopped (", resume_->offset,
                            "): reading it from its start"));
      }
    } else {
      // Rotated by rename while we were away: the old file may sit beside it
      // (postgresql.log.1); finish it first.
      const std::string dir = DirName(target_.path);
      std::error_code error;
      for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        VW_ASSIGN_OR_RETURN(std::optional<FileStat> other, StatPath(entry.path().string()));
        if (!other.has_value() || !other->regular || other->identity != resume_->file ||
            other->size < resume_->offset) {
          continue;
        }
        VW_ASSIGN_OR_RETURN(auto old_file,
                            OpenAt(entry.path().string(), resume_->offset, other->identity));
        if (old_file == nullptr) break;
        VW_ASSIGN_OR_RETURN(auto new_file, OpenAt(target_.path, 0, std::nullopt));
        Notice(absl::StrCat("continuing ", old_file->path, " (", target_.path,
                            " rotated since the last run) at byte ", resume_->offset, ", then ",
                            target_.path, " from its start"));
        follow_counters_.resumed = 1;
        current_ = std::move(old_file);
        if (new_file != nullptr) pending_.push_back(std::move(new_file));
        return true;
      }
      Notice(absl::StrCat(target_.path,
                          " is not the file the last run read (rotated or replaced): reading it "
                          "from its start"));
    }
  } else if (options_.fresh_start == LogFollowerOptions::FreshStart::kFromEnd) {
    VW_ASSIGN_OR_RETURN(offset, LastLineStart(target_.path, st->size));
  }
  VW_ASSIGN_OR_RETURN(current_, OpenAt(target_.path, offset, std::nullopt));
  return current_ != nullptr;
}

absl::StatusOr<bool> LogFollower::OpenFirstInDirectory() {
  absl::StatusOr<std::vector<LogDirectoryEntry>> listed = ListLogFiles(target_.path, pattern_);
  if (absl::IsNotFound(listed.status())) return false;
  VW_RETURN_IF_ERROR(listed.status());
  const std::vector<LogDirectoryEntry>& files = *listed;
  if (files.empty()) return false;
  // Which file to start in, at which byte; the files after it are read from their start.
  size_t first = files.size() - 1;
  int64_t offset = 0;
  bool found = false;
  if (resume_.has_value()) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].stat.identity == resume_->file && files[i].stat.size >= resume_->offset) {
        first = i;
        offset = resume_->offset;
        found = true;
        follow_counters_.resumed = 1;
        break;
      }
    }
    if (!found) {
      Notice(absl::StrCat("the file the last run read is no longer in ", target_.path, ": reading ",
                          files[first].path, " from its start"));
    } else if (first + 1 < files.size()) {
      Notice(absl::StrCat("continuing ", files[first].path, " at byte ", offset, ", then ",
                          files.size() - first - 1, " newer file(s) from their start"));
    }
  } else if (options_.fresh_start == LogFollowerOptions::FreshStart::kFromEnd) {
    VW_ASSIGN_OR_RETURN(offset, LastLineStart(files[first].path, files[first].stat.size));
  }
  for (size_t i = 0; i < files.size(); ++i) {
    Known& k = known_[files[i].stat.identity];
    k.size = files[i].stat.size;
    if (i < first) continue;
    VW_ASSIGN_OR_RETURN(auto file,
                        OpenAt(files[i].path, i == first ? offset : 0, files[i].stat.identity));
    if (file == nullptr) continue;  // gone since the listing
    k.read = true;
    if (current_ == nullptr) {
      current_ = std::move(file);
    } else {
      pending_.push_back(std::move(file));
    }
  }
  return current_ != nullptr;
}

absl::Status LogFollower::FindNext() {
  if (target_.kind == FollowTarget::Kind::kFile) {
    VW_ASSIGN_OR_RETURN(std::optional<FileStat> st, StatPath(target_.path));
    // Gone (renamed, the new one not created yet) or the same file: nothing to move to.
    if (!st.has_value() || st->identity == current_->identity) return absl::OkStatus();
    VW_ASSIGN_OR_RETURN(auto file, OpenAt(target_.path, 0, std::nullopt));
    if (file != nullptr && file->identity != current_->identity) {
      pending_.push_back(std::move(file));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<LogDirectoryEntry>> listed = ListLogFiles(target_.path, pattern_);
  if (absl::IsNotFound(listed.status())) return absl::OkStatus();  // removed: keep reading
  VW_RETURN_IF_ERROR(listed.status());
  std::map<FileIdentity, Known> seen;
  for (const LogDirectoryEntry& e : *listed) {
    const FileIdentity& id = e.stat.identity;
    auto it = known_.find(id);
    Known k = it != known_.end() ? it->second : Known{};
    bool read_it = false;
    if (id == current_->identity) {
      k.size = e.stat.size;
    } else if (it == known_.end()) {
      read_it = true;  // a new file: the server rotated
    } else if (!k.read && e.stat.size > k.size) {
      // Skipped at start as older, and yet written to: it is the live one (an older file's
      // last flush gave it the later mtime).
      read_it = true;
    } else if (k.finished && e.stat.size < k.size) {
      read_it = true;  // finished, then truncated and reused (log_truncate_on_rotation)
    } else if (k.finished && e.stat.size > k.size) {
      follow_counters_.bytes_after_finish += e.stat.size - k.size;
      Notice(absl::StrCat(e.path, " received ", e.stat.size - k.size,
                          " bytes after it was read to its end and left: they are not read"));
      k.size = e.stat.size;
    } else {
      k.size = std::max(k.size, e.stat.size);
    }
    if (read_it) {
      VW_ASSIGN_OR_RETURN(auto file, OpenAt(e.path, 0, id));
      if (file != nullptr) {
        pending_.push_back(std::move(file));
        k = Known{e.stat.size, /*read=*/true, /*finished=*/false};
      }
    }
    seen[id] = k;
  }
  // Files deleted from the directory are forgotten (their inode may come back as a new file);
  // the current one stays known even when deleted, as the follower still reads it.
  if (auto it = known_.find(current_->identity); it != known_.end()) {
    seen.try_emplace(current_->identity, it->second);
  }
  known_ = std::move(seen);
  return absl::OkStatus();
}

}  // namespace vacwatch::ingest
