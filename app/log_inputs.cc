#include "app/log_inputs.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vacwatch::app {
namespace {

constexpr std::string_view kClusterToken = "{cluster}";

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The text `component` gives to {cluster} in `pattern_component` ("pre{cluster}post", pre and
// post globs), or empty when it does not match.
std::string ClusterIn(std::string_view pattern_component, std::string_view component) {
  const size_t at = pattern_component.find(kClusterToken);
  const std::string pre(pattern_component.substr(0, at));
  const std::string post(pattern_component.substr(at + kClusterToken.size()));
  // The shortest cluster name after the shortest matching start: names are tried in order.
  for (size_t begin = 0; begin <= component.size(); ++begin) {
    if (fnmatch(pre.c_str(), std::string(component.substr(0, begin)).c_str(), 0) != 0) continue;
    for (size_t end = begin + 1; end <= component.size(); ++end) {
      if (fnmatch(post.c_str(), std::string(component.substr(end)).c_str(), 0) == 0) {
        return std::string(component.substr(begin, end - begin));
      }
    }
  }
  return "";
}

absl::Status ExpandPattern(const std::string& pattern, std::vector<LogInputArg>* out) {
  std::vector<std::string> parts = absl::StrSplit(pattern, '/');
  int index = -1;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].find(kClusterToken) == std::string::npos) continue;
    if (index >= 0 ||
        parts[i].find(kClusterToken, parts[i].find(kClusterToken) + 1) != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--logs ", pattern, ": {cluster} may appear only once"));
    }
    index = static_cast<int>(i);
  }
  const size_t token = pattern.find(kClusterToken);
  const std::string glob_text =
      absl::StrCat(pattern.substr(0, token), "*", pattern.substr(token + kClusterToken.size()));
  glob_t matches{};
  const int rc = ::glob(glob_text.c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  if (rc == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  }
  ::globfree(&matches);
  std::sort(paths.begin(), paths.end());
  size_t added = 0;
  for (const std::string& path : paths) {
    std::vector<std::string> components = absl::StrSplit(path, '/');
    if (components.size() != parts.size()) continue;
    std::string cluster =
        ClusterIn(parts[static_cast<size_t>(index)], components[static_cast<size_t>(index)]);
    if (cluster.empty()) continue;
    out->push_back({path, std::move(cluster)});
    ++added;
  }
  if (added == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--logs ", pattern, ": no file matches (", glob_text, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

void AddEnvelopeFlags(ArgParser* parser, ingest::EnvelopeOptions* options) {
  parser->AddString("payload-field", "PATH",
                    "shipper JSON: the field holding the log line, as a dot path "
                    "(default: log, message or textPayload, whichever a record has)",
                    &options->payload_field);
  parser->AddString("cluster-field", "PATH",
                    "shipper JSON: the field naming the cluster (kubernetes.labels.cluster, "
                    "resource.labels.database_id); records without it belong to --cluster",
                    &options->cluster_field);
  parser->AddString("time-field", "PATH",
                    "shipper JSON: the record's time, for lines that carry none (Cloud "
                    "Logging's textPayload); default: timestamp, @timestamp, time or date",
                    &options->time_field);
}

absl::StatusOr<std::vector<LogInputArg>> ExpandLogArgs(const std::vector<std::string>& args) {
  std::vector<LogInputArg> out;
  for (const std::string& arg : args) {
    if (arg.find(kClusterToken) != std::string::npos) {
      if (absl::Status s = ExpandPattern(arg, &out); !s.ok()) return s;
      continue;
    }
    const size_t eq = arg.find('=');
    const size_t slash = arg.find('/');
    if (eq != std::string::npos && (slash == std::string::npos || eq < slash) && !Exists(arg)) {
      LogInputArg input{arg.substr(eq + 1), arg.substr(0, eq)};
      if (input.cluster.empty() || input.path.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--logs ", arg, ": expected CLUSTER=FILE with both parts"));
      }
      out.push_back(std::move(input));
      continue;
    }
    out.push_back({arg, ""});
  }
  return out;
}

}  // namespace vacwatch::app
