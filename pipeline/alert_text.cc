#include "pipeline/alert_text.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_writer.h"
#include "pipeline/cause_classifier.h"
#include "pipeline/detector.h"

namespace vacwatch::pipeline {

void AddEvidence(Alert* alert, std::string_view name, int64_t value) {
  alert->evidence.push_back({std::string(name), value});
}

void AddEvidence(Alert* alert, std::string_view name, double value) {
  // Four significant digits keep the JSON readable and stable across platforms.
  double rounded = value;
  if (std::isfinite(value) && value != 0) {
    const double mag = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(value))));
    rounded = std::round(value * mag) / mag;
  }
  alert->evidence.push_back({std::string(name), rounded});
}

void AddEvidence(Alert* alert, std::string_view name, std::string_view value) {
  alert->evidence.push_back({std::string(name), std::string(value)});
}

void AddTimeEvidence(Alert* alert, std::string_view name, int64_t unix_us) {
  if (unix_us == INT64_MIN) {
    AddEvidence(alert, name, std::string_view("never"));
    return;
  }
  std::string text;
  JsonWriter::AppendTime(absl::FromUnixMicros(unix_us), &text);
  AddEvidence(alert, name, std::string_view(text));
}

std::string HumanCount(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return absl::StrFormat("%.1fG", v / 1e9);
  if (a >= 1e6) return absl::StrFormat("%.1fM", v / 1e6);
  if (a >= 1e4) return absl::StrFormat("%.0fk", v / 1e3);
  if (a >= 1e3) return absl::StrFormat("%.1fk", v / 1e3);
  return absl::StrFormat("%.0f", v);
}

std::string HumanBytes(double v) {
  const double a = std::fabs(v);
  if (a >= 1024.0 * 1024 * 1024) return absl::StrFormat("%.1f GiB", v / (1024.0 * 1024 * 1024));
  if (a >= 1024.0 * 1024) return absl::StrFormat("%.1f MiB", v / (1024.0 * 1024));
  if (a >= 1024.0) return absl::StrFormat("%.0f KiB", v / 1024.0);
  return absl::StrFormat("%.0f B", v);
}

std::string HumanDuration(double seconds) {
  if (!std::isfinite(seconds)) return "forever";
  int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600)
    return s % 60 == 0 ? absl::StrCat(s / 60, "m") : absl::StrCat(s / 60, "m", s % 60, "s");
  if (s < 86400) {
    return (s % 3600) / 60 == 0 ? absl::StrCat(s / 3600, "h")
                                : absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
  }
  return (s % 86400) / 3600 == 0 ? absl::StrCat(s / 86400, "d")
                                 : absl::StrCat(s / 86400, "d", (s % 86400) / 3600, "h");
}

namespace {

std::string QuoteIdent(std::string_view id) {
  bool plain = !id.empty() && !(id[0] >= '0' && id[0] <= '9');
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
  }
  if (plain) return std::string(id);
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

std::string SqlTableName(const TableKey& key) {
  return absl::StrCat(QuoteIdent(key.schema), ".", QuoteIdent(key.table));
}

void FillAlertHeader(const TableKey& key, AlertKind kind, const AlertState& a,
                     const HolderRecord* holder, bool firing, absl::Time now, Alert* al) {
  al->status = firing ? AlertStatus::kFiring : AlertStatus::kResolved;
  al->alert = std::string(AlertKindName(kind));
  al->severity = static_cast<Severity>(a.severity);
  al->cause = static_cast<Cause>(a.cause);
  al->cluster = key.cluster;
  al->database = key.database;
  al->schema = key.schema;
  al->table = key.table;
  al->event_time = now;
  al->starts_at = a.starts_at();
  if (!firing) al->ends_at = a.clear_since();
  al->fingerprint = AlertFingerprint(key.cluster, key.database, key.schema, key.table, al->alert);
  if (holder != nullptr) al->holder = ToAlertHolder(*holder, now);
}

std::string HolderId(const HolderRecord& h) {
  const std::string kind(HolderKindName(h.kind));
  switch (h.kind) {
    case HolderKind::kReplicationSlot:
      return absl::StrCat(kind, ":", h.slot_name);
    case HolderKind::kPreparedXact:
      return absl::StrCat(kind, ":", h.gid);
    case HolderKind::kUnknown:
      return absl::StrCat(kind, ":xid ", h.horizon_xid);
    default:
      return absl::StrCat(kind, ":", h.pid);
  }
}

AlertHolder ToAlertHolder(const HolderRecord& h, absl::Time now) {
  AlertHolder a;
  a.kind = std::string(HolderKindName(h.kind));
  if (h.pid != 0) a.pid = h.pid;
  a.application_name = h.application_name;
  a.state = h.state;
  a.backend_type = h.backend_type;
  a.database = h.database;
  a.slot_name = h.slot_name;
  a.gid = h.gid;
  a.age_xids = h.age_xids;
  if (h.horizon_xid >= 0) a.horizon_xid = h.horizon_xid;
  a.id = HolderId(h);
  if (h.since_us != INT64_MIN) {
    a.age_s = std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixMicros(h.since_us)));
    a.age_s = std::round(*a.age_s * 1000) / 1000;
  }
  a.scope = h.cluster_wide ? "cluster" : "database";
  return a;
}

std::string HolderPhrase(const HolderRecord& h, absl::Time now, std::string_view vacuuming) {
  std::string age = absl::StrCat(HumanCount(static_cast<double>(h.age_xids)), " XIDs");
  if (h.since_us != INT64_MIN) {
    absl::StrAppend(&age, " / ",
                    HumanDuration(absl::ToDoubleSeconds(now - absl::FromUnixMicros(h.since_us))));
  }
  switch (h.kind) {
    case HolderKind::kSession: {
      std::string who = absl::StrCat("session pid ", h.pid);
      std::string detail = h.application_name.empty() ? "" : h.application_name;
      if (!h.state.empty()) absl::StrAppend(&detail, detail.empty() ? "" : ", ", h.state);
      if (!detail.empty()) absl::StrAppend(&who, " (", detail, ")");
      return absl::StrCat(who, " in ", h.database, ", ", age, " old");
    }
    case HolderKind::kAutovacuumWorker:
      return absl::StrCat(
          "autovacuum worker pid ", h.pid,
          vacuuming.empty() ? "" : absl::StrCat(" (vacuuming ", std::string(vacuuming), ")"),
          " in ", h.database, ", ", age, " old");
    case HolderKind::kReplicationSlot:
      return absl::StrCat("replication slot ", h.slot_name,
                          h.state.empty() ? "" : absl::StrCat(" (", h.state, ")"),
                          ", cluster-wide, ", age, " old");
    case HolderKind::kPreparedXact:
      return absl::StrCat("prepared transaction '", h.gid, "' in ", h.database, ", ", age, " old");
    case HolderKind::kWalsender:
      return absl::StrCat(
          "walsender pid ", h.pid,
          h.application_name.empty() ? "" : absl::StrCat(" (", h.application_name, ")"),
          ", a standby's hot_standby_feedback without a slot, cluster-wide, ", age, " old");
    case HolderKind::kUnknown:
      return absl::StrCat("a transaction the snapshot does not list (the horizon stays at xid ",
                          h.horizon_xid, "), ", age, " old");
  }
  return "";
}

std::string HolderFix(const HolderRecord& h, std::string_view vacuuming) {
  switch (h.kind) {
    case HolderKind::kSession:
      return absl::StrCat("End the session holding the horizon: SELECT pg_terminate_backend(",
                          h.pid, ");",
                          h.application_name.empty()
                              ? ""
                              : absl::StrCat(" -- ", h.application_name,
                                             "; make it commit sooner, or run it on a replica"),
                          " (idle_in_transaction_session_timeout / a statement_timeout keep it "
                          "from coming back).");
    case HolderKind::kAutovacuumWorker:
      return absl::StrCat(
          "The autovacuum worker pid ", h.pid,
          vacuuming.empty() ? "" : absl::StrCat(" vacuuming ", std::string(vacuuming)),
          " holds the horizon because its run takes so long: make that run finish (raise its "
          "autovacuum_vacuum_cost_limit / lower autovacuum_vacuum_cost_delay",
          vacuuming.empty() ? "" : absl::StrCat(" on ", std::string(vacuuming)),
          "), or SELECT pg_cancel_backend(", h.pid, "); and VACUUM that table by hand.");
    case HolderKind::kReplicationSlot:
      if (h.state == "inactive") {
        return absl::StrCat("The standby behind replication slot ", h.slot_name,
                            " is not connected, and the slot keeps the xmin its feedback last "
                            "sent. If that standby is gone: SELECT pg_drop_replication_slot(",
                            QuoteLiteral(h.slot_name),
                            "); (if it is coming back, it will need a new base backup once it "
                            "has fallen behind the WAL kept).");
      }
      return absl::StrCat(
          "The standby streaming through slot ", h.slot_name,
          " holds the horizon with hot_standby_feedback: end or shorten its long queries on the "
          "standby (SELECT pid, now() - xact_start, query FROM pg_stat_activity WHERE "
          "backend_xmin IS NOT NULL ORDER BY xact_start; there), or turn hot_standby_feedback "
          "off there and let max_standby_streaming_delay cancel such queries instead.");
    case HolderKind::kWalsender:
      return absl::StrCat(
          "The standby behind walsender pid ", h.pid,
          h.application_name.empty() ? "" : absl::StrCat(" (", h.application_name, ")"),
          " holds the horizon with hot_standby_feedback: end or shorten its long queries on the "
          "standby, or turn hot_standby_feedback off there and let max_standby_streaming_delay "
          "cancel such queries instead.");
    case HolderKind::kUnknown:
      return absl::StrCat(
          "Nothing in the snapshot holds xid ", h.horizon_xid,
          ": look for it where the collector cannot see: SELECT pid, backend_xid, backend_xmin, "
          "state, xact_start FROM pg_stat_activity WHERE backend_xid::text::bigint = ",
          h.horizon_xid, " OR backend_xmin::text::bigint = ", h.horizon_xid,
          "; SELECT * FROM pg_prepared_xacts; SELECT slot_name, xmin, active FROM "
          "pg_replication_slots; and pg_stat_replication.backend_xmin on the primary and on "
          "cascading standbys.");
    case HolderKind::kPreparedXact:
      return absl::StrCat("Finish the forgotten two-phase transaction: COMMIT PREPARED ",
                          QuoteLiteral(h.gid), "; or ROLLBACK PREPARED ", QuoteLiteral(h.gid),
                          "; (in database ", h.database, ").");
  }
  return "";
}

std::string RelationName(const DatabaseState* db, int64_t relid) {
  if (db == nullptr || relid == 0) return "";
  const std::string* key = db->KeyOfRelid(relid);
  TableKey k;
  if (key == nullptr || !TableKey::Decode(*key, &k)) return "";
  return k.QualifiedName();
}

void AddRateEvidence(Alert* a, const TableState& s, const TableRates& r, const TableTuning& t) {
  if (r.dead_growth_per_s.has_value()) AddEvidence(a, "dead_tuples_per_s", *r.dead_growth_per_s);
  if (r.writes_per_s.has_value()) AddEvidence(a, "updates_deletes_per_s", *r.writes_per_s);
  if (r.removal_per_s.has_value()) AddEvidence(a, "removed_per_s", *r.removal_per_s);
  if (r.dead_ratio_per_h.has_value()) AddEvidence(a, "dead_ratio_per_h", *r.dead_ratio_per_h);
  if (r.dead_bytes_per_h.has_value()) AddEvidence(a, "dead_bytes_per_h", *r.dead_bytes_per_h);
  if (r.bloat_bytes_per_h.has_value())
    AddEvidence(a, "heap_growth_bytes_per_h", *r.bloat_bytes_per_h);
  AddEvidence(a, "dead_bytes", s.dead_bytes());
  // n_dead_tup is an estimate; where pgstattuple_approx measured the table, its figures go
  // beside it (docs/alerts.md).
  if (const MeasuredBloatState* m = s.measured_bloat(); m != nullptr && m->at_us != kNever) {
    AddTimeEvidence(a, "measured_at", m->at_us);
    if (m->dead_bytes >= 0) AddEvidence(a, "measured_dead_bytes", m->dead_bytes);
    if (m->free_bytes >= 0) AddEvidence(a, "measured_free_bytes", m->free_bytes);
    if (m->table_bytes >= 0) AddEvidence(a, "measured_table_bytes", m->table_bytes);
    if (m->dead_tuples >= 0) AddEvidence(a, "measured_dead_tuples", m->dead_tuples);
  }
  const double ratio = s.dead_ratio();
  if (ratio >= t.bloat_dead_ratio_limit) {
    AddEvidence(a, "time_to_dead_ratio_limit_s", 0.0);
  } else if (r.dead_ratio_per_h.has_value() && *r.dead_ratio_per_h > 0) {
    AddEvidence(a, "time_to_dead_ratio_limit_s",
                std::round((t.bloat_dead_ratio_limit - ratio) / *r.dead_ratio_per_h * 3600));
  }
}

}  // namespace vacwatch::pipeline
