#include "state/source_offset.h"

#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vacwatch::state {
namespace {

// Debian's abseil is built with its own string_view type, which std::string_view does not
// convert to implicitly.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::string_view SourceKindPrefix(SourceKind kind) {
  switch (kind) {
    case SourceKind::kLog:
      return "log";
    case SourceKind::kStats:
      return "stats";
    case SourceKind::kKafka:
      return "kafka";
  }
  return "unknown";
}

absl::StatusOr<std::string> MakeSourceId(SourceKind kind, std::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("source id: empty path");
  std::error_code error;
  const std::filesystem::path absolute =
      std::filesystem::absolute(std::filesystem::path(path), error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("source id: cannot make ", Sv(path), " absolute: ", error.message()));
  }
  return absl::StrCat(Sv(SourceKindPrefix(kind)), ":", absolute.lexically_normal().string());
}

std::string MakeKafkaSourceId(std::string_view topic, int32_t partition) {
  return absl::StrCat(Sv(SourceKindPrefix(SourceKind::kKafka)), ":", Sv(topic), "/", partition);
}

}  // namespace vacwatch::state
