#include "app/firing_set.h"

#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "pipeline/alert_json_reader.h"

namespace vacwatch::app {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kVersion = "v1\n";

std::string Key(size_t bucket) { return absl::StrCat("firing:", std::string(1, kHex[bucket])); }

}  // namespace

size_t FiringSet::Bucket(const std::string& fingerprint) {
  if (!fingerprint.empty()) {
    const size_t digit = std::string_view(kHex).find(fingerprint[0]);
    if (digit != std::string_view::npos) return digit;
  }
  size_t h = 0;
  for (const char c : fingerprint) h = h * 31 + static_cast<unsigned char>(c);
  return h % 16;
}

absl::Status FiringSet::Load(const state::StateStore& store) {
  for (size_t b = 0; b < buckets_.size(); ++b) {
    buckets_[b].clear();
    VW_ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta(Key(b)));
    if (!value.has_value()) continue;
    std::string_view rest = *value;
    if (!rest.starts_with(kVersion)) {
      return absl::DataLossError(absl::StrCat("meta ", Key(b), ": unknown format (expected v1)"));
    }
    rest.remove_prefix(kVersion.size());
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      auto alert = pipeline::ParseAlertJson(line);
      if (!alert.ok()) {
        return absl::DataLossError(absl::StrCat("meta ", Key(b), ": ", alert.status().message()));
      }
      std::string fingerprint = alert->fingerprint;
      buckets_[b][fingerprint] = *std::move(alert);
    }
  }
  return absl::OkStatus();
}

void FiringSet::Apply(const std::vector<pipeline::AlertTransition>& transitions,
                      state::StateStore::Batch* batch) {
  std::array<bool, 16> changed{};
  for (const pipeline::AlertTransition& t : transitions) {
    const size_t b = Bucket(t.alert.fingerprint);
    if (t.alert.status == pipeline::AlertStatus::kFiring) {
      buckets_[b][t.alert.fingerprint] = t.alert;
    } else {
      buckets_[b].erase(t.alert.fingerprint);
    }
    changed[b] = true;
  }
  std::string value, line;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    if (!changed[b]) continue;
    value.assign(kVersion);
    for (const auto& [fingerprint, alert] : buckets_[b]) {
      pipeline::WriteAlertJson(alert, &line);
      absl::StrAppend(&value, line, "\n");
    }
    batch->PutMeta(Key(b), value);
  }
}

std::vector<pipeline::Alert> FiringSet::alerts() const {
  std::vector<pipeline::Alert> all;
  for (const auto& bucket : buckets_) {
    for (const auto& [fingerprint, alert] : bucket) all.push_back(alert);
  }
  return all;
}

size_t FiringSet::size() const {
  size_t n = 0;
  for (const auto& bucket : buckets_) n += bucket.size();
  return n;
}

void FiringSet::AddCounts(FiringCounts* counts) const {
  for (const auto& bucket : buckets_) {
    for (const auto& [fingerprint, alert] : bucket) {
      ++(*counts)[{alert.alert, std::string(pipeline::SeverityName(alert.severity))}];
    }
  }
}

}  // namespace vacwatch::app
