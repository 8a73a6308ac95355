#include "pipeline/alert.h"

#include <cstdio>
#include <ostream>
#include <string_view>
#include <type_traits>

#include "common/fnv1a.h"
#include "common/json_writer.h"

namespace vacwatch::pipeline {

std::string_view AlertStatusName(AlertStatus s) {
  switch (s) {
    case AlertStatus::kFiring:
      return "firing";
    case AlertStatus::kResolved:
      return "resolved";
  }
  return "firing";
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

std::string_view CauseName(Cause c) {
  switch (c) {
    case Cause::kUnknown:
      return "unknown";
    case Cause::kXminHorizon:
      return "xmin_horizon";
    case Cause::kCostThrottled:
      return "cost_throttled";
    case Cause::kLockConflicts:
      return "lock_conflicts";
    case Cause::kWorkerStarvation:
      return "worker_starvation";
    case Cause::kInsufficientMaintenanceWorkMem:
      return "insufficient_maintenance_work_mem";
    case Cause::kScaleFactorTooLarge:
      return "scale_factor_too_large";
    case Cause::kAutovacuumDisabled:
      return "autovacuum_disabled";
    case Cause::kServerWarning:
      return "server_warning";
  }
  return "unknown";
}

namespace {

// The value among 0..last whose name is `name` (the Name functions are the one spelling).
template <typename Enum>
std::optional<Enum> ParseName(std::string_view name, Enum last, std::string_view (*name_of)(Enum)) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    if (name_of(static_cast<Enum>(i)) == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::optional<AlertStatus> ParseAlertStatus(std::string_view name) {
  return ParseName(name, AlertStatus::kResolved, &AlertStatusName);
}
std::optional<Severity> ParseSeverity(std::string_view name) {
  return ParseName(name, Severity::kCritical, &SeverityName);
}
std::optional<Cause> ParseCause(std::string_view name) {
  return ParseName(name, static_cast<Cause>(kMaxCause), &CauseName);
}

std::ostream& operator<<(std::ostream& os, AlertStatus s) { return os << AlertStatusName(s); }
std::ostream& operator<<(std::ostream& os, Severity s) { return os << SeverityName(s); }
std::ostream& operator<<(std::ostream& os, Cause c) { return os << CauseName(c); }

void WriteAlertJson(const Alert& alert, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("status", AlertStatusName(alert.status));
  w.Field("alert", alert.alert);
  w.Field("severity", SeverityName(alert.severity));
  w.Field("cause", CauseName(alert.cause));
  w.Field("cluster", alert.cluster);
  w.Field("database", alert.database);
  w.Field("schema", alert.schema);
  w.Field("table", alert.table);
  w.TimeField("event_time", alert.event_time);
  w.TimeField("starts_at", alert.starts_at);
  if (alert.ends_at.has_value()) w.TimeField("ends_at", *alert.ends_at);
  w.Field("fingerprint", alert.fingerprint);
  w.Field("summary", alert.summary);
  w.Key("evidence");
  w.BeginObject();
  for (const EvidenceItem& item : alert.evidence) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            w.Field(item.name, std::string_view(v));
          } else {
            w.Field(item.name, v);
          }
        },
        item.value);
  }
  w.EndObject();
  if (alert.holder.has_value()) {
    const AlertHolder& h = *alert.holder;
    w.Key("holder");
    w.BeginObject();
    w.Field("kind", h.kind);
    if (!h.id.empty()) w.Field("id", h.id);
    w.OptionalField("pid", h.pid);
    if (!h.application_name.empty()) w.Field("application_name", h.application_name);
    if (!h.state.empty()) w.Field("state", h.state);
    if (!h.backend_type.empty()) w.Field("backend_type", h.backend_type);
    if (!h.database.empty()) w.Field("database", h.database);
    if (!h.slot_name.empty()) w.Field("slot_name", h.slot_name);
    if (!h.gid.empty()) w.Field("gid", h.gid);
    w.OptionalField("age_xids", h.age_xids);
    w.OptionalField("horizon_xid", h.horizon_xid);
    w.OptionalField("age_s", h.age_s);
    w.Field("scope", h.scope);
    w.EndObject();
  }
  w.Field("recommendation", alert.recommendation);
  w.EndObject();
}

std::string AlertFingerprint(std::string_view cluster, std::string_view database,
                             std::string_view schema, std::string_view table,
                             std::string_view alert_name) {
  // FNV-1a 64: stable across builds and platforms (std::hash is not).
  Fnv1a hash;
  for (std::string_view part :
       {cluster, std::string_view("/"), database, std::string_view("/"), schema,
        std::string_view("/"), table, std::string_view("/"), alert_name}) {
    hash.Add(part);
  }
  const uint64_t h = hash.value();
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 16);
}

}  // namespace vacwatch::pipeline
