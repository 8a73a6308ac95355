#include "ingest/log_directory.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "common/status_macros.h"

namespace vacwatch::ingest {
namespace {

// How many characters of which class an escape prints; min_len == 0: any run of 1+ non-'/'.
struct EscapeClass {
  size_t len = 0;  // exact length, or 0 for "one or more"
  bool digits = false;
  bool letters = false;
};

EscapeClass ClassOf(char escape) {
  switch (escape) {
    case 'Y':
      return {4, true, false};
    case 'm':
    case 'd':
    case 'H':
    case 'M':
    case 'S':
    case 'y':
      return {2, true, false};
    case 'j':
      return {3, true, false};
    case 'a':
    case 'A':
    case 'b':
    case 'B':
    case 'h':
      return {0, false, true};
    default:
      return {0, false, false};
  }
}

bool InClass(const EscapeClass& c, char ch) {
  if (c.digits) return std::isdigit(static_cast<unsigned char>(ch)) != 0;
  if (c.letters) return std::isalpha(static_cast<unsigned char>(ch)) != 0;
  return ch != '/';
}

// Backtracking match; patterns are short and escapes few, so the cost is negligible.
bool Match(std::string_view name, std::string_view pattern) {
  while (!pattern.empty()) {
    if (pattern[0] != '%' || pattern.size() == 1) {
      if (name.empty() || name[0] != pattern[0]) return false;
      name.remove_prefix(1);
      pattern.remove_prefix(1);
      continue;
    }
    const char escape = pattern[1];
    pattern.remove_prefix(2);
    if (escape == '%') {
      if (name.empty() || name[0] != '%') return false;
      name.remove_prefix(1);
      continue;
    }
    const EscapeClass c = ClassOf(escape);
    size_t run = 0;
    while (run < name.size() && InClass(c, name[run])) ++run;
    if (c.len > 0) {
      if (run < c.len) return false;
      name.remove_prefix(c.len);
      continue;
    }
    for (size_t take = run; take >= 1; --take) {
      if (Match(name.substr(take), pattern)) return true;
    }
    return false;
  }
  return name.empty();
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

std::string LogFilenameForFormat(std::string_view log_filename, LogFormat format) {
  std::string_view suffix;
  if (format == LogFormat::kCsvlog) suffix = ".csv";
  if (format == LogFormat::kJsonlog) suffix = ".json";
  std::string out(log_filename);
  if (suffix.empty()) return out;
  constexpr std::string_view kLog = ".log";
  if (out.size() >= kLog.size() && std::string_view(out).substr(out.size() - kLog.size()) == kLog) {
    out.resize(out.size() - kLog.size());
  }
  out.append(suffix);
  return out;
}

bool MatchesLogFilename(std::string_view name, std::string_view log_filename) {
  return Match(name, log_filename);
}

absl::StatusOr<std::vector<LogDirectoryEntry>> ListLogFiles(const std::string& dir,
                                                            std::string_view log_filename) {
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (d == nullptr) {
    if (errno == ENOENT) return absl::NotFoundError("no such directory: " + dir);
    return absl::UnavailableError(dir + ": " + std::strerror(errno));
  }
  std::vector<LogDirectoryEntry> out;
  while (const struct dirent* e = ::readdir(d.get())) {
    const std::string_view name = e->d_name;
    if (name == "." || name == ".." || !MatchesLogFilename(name, log_filename)) continue;
    LogDirectoryEntry entry;
    entry.name = std::string(name);
    entry.path = dir + "/" + entry.name;
    VW_ASSIGN_OR_RETURN(std::optional<FileStat> st, StatPath(entry.path));
    if (!st.has_value() || !st->regular) continue;
    entry.stat = *st;
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(), [](const LogDirectoryEntry& a, const LogDirectoryEntry& b) {
    if (a.stat.modified != b.stat.modified) return a.stat.modified < b.stat.modified;
    return a.name < b.name;
  });
  return out;
}

}  // namespace vacwatch::ingest
