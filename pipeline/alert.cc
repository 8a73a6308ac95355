#include "pipeline/alert.h"

#include <cstdio>
#include <string_view>
#include <type_traits>

#include "common/fnv1a.h"
#include "common/json_writer.h"

namespace vacwatch::pipeline {

void WriteAlertJson(const Alert& alert, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("status", alert.status);
  w.Field("alert", alert.alert);
  w.Field("severity", alert.severity);
  w.Field("cause", alert.cause);
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
