#include "sinks/alert_description.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"

namespace vacwatch::sinks {
namespace {

std::string FormatAge(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const int64_t s = static_cast<int64_t>(seconds);
  if (s < 120) return absl::StrCat(s, " s");
  if (s < 7200) return absl::StrCat(s / 60, " min");
  return absl::StrCat(s / 3600, " h");
}

std::string EvidenceValue(const pipeline::EvidenceItem& item) {
  if (const auto* i = std::get_if<int64_t>(&item.value)) return absl::StrCat(*i);
  if (const auto* d = std::get_if<double>(&item.value)) return absl::StrCat(*d);
  return std::get<std::string>(item.value);
}

}  // namespace

std::string TableName(const pipeline::Alert& alert) {
  return absl::StrCat(alert.cluster, "/", alert.database, ".", alert.schema, ".", alert.table);
}

std::string DescribeHolder(const pipeline::Alert& alert) {
  if (!alert.holder.has_value()) return "";
  const pipeline::AlertHolder& h = *alert.holder;
  std::string who;
  std::vector<std::string> details;
  if (h.kind == "replication_slot") {
    who = absl::StrCat("replication slot ", h.slot_name);
  } else if (h.kind == "prepared_xact") {
    who = absl::StrCat("prepared transaction '", h.gid, "'");
  } else {
    who = h.kind.empty() ? std::string("holder") : h.kind;
    std::replace(who.begin(), who.end(), '_', ' ');
    if (h.pid.has_value()) absl::StrAppend(&who, " pid ", *h.pid);
    if (!h.application_name.empty()) details.push_back(h.application_name);
    if (!h.state.empty()) details.push_back(h.state);
  }
  if (!h.database.empty()) details.push_back(absl::StrCat("in ", h.database));
  if (h.age_s.has_value()) details.push_back(absl::StrCat("open ", FormatAge(*h.age_s)));
  if (h.age_xids.has_value()) details.push_back(absl::StrCat(*h.age_xids, " xids old"));
  if (h.scope == "cluster") details.push_back("cluster-wide");
  if (h.scope == "database") details.push_back("this database");
  if (details.empty()) return who;
  absl::StrAppend(&who, " (");
  for (size_t i = 0; i < details.size(); ++i) {
    absl::StrAppend(&who, i == 0 ? "" : ", ", details[i]);
  }
  absl::StrAppend(&who, ")");
  return who;
}

std::string DescribeEvidence(const pipeline::Alert& alert) {
  std::string text;
  for (const pipeline::EvidenceItem& item : alert.evidence) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", item.name, " ", EvidenceValue(item));
  }
  if (!text.empty()) text.push_back('.');
  const std::string holder = DescribeHolder(alert);
  if (!holder.empty()) absl::StrAppend(&text, text.empty() ? "" : " ", "Held by ", holder, ".");
  return text;
}

std::string AlertHeadline(const pipeline::Alert& alert) {
  const bool firing = alert.status == pipeline::AlertStatus::kFiring;
  const std::string_view severity = pipeline::SeverityName(alert.severity);
  const std::string_view cause = pipeline::CauseName(alert.cause);
  return absl::StrCat(firing ? "FIRING  " : "RESOLVED", "  ",
                      absl::string_view(severity.data(), severity.size()), "  ", alert.alert, "  ",
                      TableName(alert), "  cause=", absl::string_view(cause.data(), cause.size()));
}

}  // namespace vacwatch::sinks
