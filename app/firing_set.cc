#include "app/firing_set.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "pipeline/alert_json_reader.h"

namespace vacwatch::app {
namespace {

constexpr std::string_view kPrefix = "firing:";

}  // namespace

absl::Status FiringSet::Load(const state::StateStore& store, std::vector<pipeline::Alert>* out) {
  absl::Status parsed;
  absl::Status scanned =
      store.ForEachMeta(kPrefix, [&](std::string_view key, std::string_view value) {
        auto alert = pipeline::ParseAlertJson(value);
        if (!alert.ok()) {
          parsed = absl::DataLossError(
              absl::StrCat("meta ", std::string(key), ": ", alert.status().message()));
          return false;
        }
        out->push_back(*std::move(alert));
        return true;
      });
  return scanned.ok() ? parsed : scanned;
}

void FiringSet::Apply(const std::vector<pipeline::AlertTransition>& transitions,
                      state::StateStore::Batch* batch) {
  std::string key, json;
  for (const pipeline::AlertTransition& t : transitions) {
    key.assign(kPrefix);
    key.append(t.alert.fingerprint);
    if (t.alert.status == pipeline::AlertStatus::kFiring) {
      pipeline::WriteAlertJson(t.alert, &json);
      batch->PutMeta(key, json);
    } else {
      batch->DeleteMeta(key);
    }
  }
}

void FiringTally::Put(const pipeline::Alert& alert) {
  by_fingerprint_[alert.fingerprint] = {alert.alert,
                                        std::string(pipeline::SeverityName(alert.severity))};
}

void FiringTally::Seed(const std::vector<pipeline::Alert>& firing) {
  by_fingerprint_.clear();
  for (const pipeline::Alert& alert : firing) Put(alert);
}

void FiringTally::Apply(const std::vector<pipeline::AlertTransition>& transitions) {
  for (const pipeline::AlertTransition& t : transitions) {
    if (t.alert.status == pipeline::AlertStatus::kFiring) {
      Put(t.alert);
    } else {
      by_fingerprint_.erase(t.alert.fingerprint);
    }
  }
}

void FiringTally::AddCounts(FiringCounts* counts) const {
  for (const auto& [fingerprint, name_severity] : by_fingerprint_) ++(*counts)[name_severity];
}

}  // namespace vacwatch::app
