#ifndef VACWATCH_PIPELINE_ALERT_H_
#define VACWATCH_PIPELINE_ALERT_H_

// Alert: one alert transition as vacwatch emits it (firing or resolved), with owned strings so
// it outlives the input that caused it. The JSON form (WriteAlertJson) is the public output of
// `vacwatch replay` and of every sink; its fields are documented in docs/alerts.md.
//
//   Alert a;
//   a.status = AlertStatus::kFiring; a.alert = "AutovacuumNotKeepingUp"; ...
//   std::string line;
//   WriteAlertJson(a, &line);   // one line, stable key order, no trailing newline
//
// Output is deterministic: the same Alert always gives byte-identical JSON. Status, severity and
// cause are enums, written by their names (AlertStatusName, SeverityName, CauseName: the JSON's
// values); Parse* read a name back.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace vacwatch::pipeline {

// Whether a transition opens an alert or closes it.
enum class AlertStatus : uint8_t { kFiring, kResolved };

// Severity and cause are stored in TableState as these numbers (table_state_codec.cc): never
// renumber them.
enum class Severity : uint8_t { kInfo = 0, kWarning = 1, kCritical = 2 };

// Why autovacuum does not keep up (cause_classifier.h decides it; docs/alerts.md, "Causes").
enum class Cause : uint8_t {
  kUnknown = 0,
  kXminHorizon = 1,
  kCostThrottled = 2,
  kLockConflicts = 3,
  kWorkerStarvation = 4,
  kInsufficientMaintenanceWorkMem = 5,
  kScaleFactorTooLarge = 6,  // AutovacuumThresholdTooLax
  kAutovacuumDisabled = 7,   // VacuumOverdueAutovacuumDisabled
  kServerWarning = 8,        // WraparoundRisk from a server WARNING
};
inline constexpr uint8_t kMaxCause = 8;

// The names the alert JSON uses. A value out of range (a byte from an unknown encoding) gives
// "firing", "warning" and "unknown".
std::string_view AlertStatusName(AlertStatus s);  // firing | resolved
std::string_view SeverityName(Severity s);        // info | warning | critical
std::string_view CauseName(Cause c);              // unknown | xmin_horizon | cost_throttled | ...
// The value a name stands for; nullopt for any other text (the caller names the field).
std::optional<AlertStatus> ParseAlertStatus(std::string_view name);
std::optional<Severity> ParseSeverity(std::string_view name);
std::optional<Cause> ParseCause(std::string_view name);
// The name, for test failures and logs.
std::ostream& operator<<(std::ostream& os, AlertStatus s);
std::ostream& operator<<(std::ostream& os, Severity s);
std::ostream& operator<<(std::ostream& os, Cause c);

// One number or string behind a decision, in the order the detector wrote it.
struct EvidenceItem {
  std::string name;
  std::variant<int64_t, double, std::string> value;

  bool operator==(const EvidenceItem&) const = default;
};

// Who holds the xmin horizon back (or otherwise blocks vacuum), when the cause has one.
struct AlertHolder {
  // session | replication_slot | prepared_xact | autovacuum_worker | walsender | unknown
  std::string kind;
  // A stable name of the root, the same in every alert it causes (a pager groups by it):
  // "prepared_xact:billing-1", "replication_slot:standby1", "session:4242", "walsender:4250",
  // "unknown:xid 7311".
  std::string id;
  std::optional<int32_t> pid;
  std::string application_name, state, backend_type;  // session / autovacuum_worker
  std::string database;                               // where the holder lives
  std::string slot_name;                              // replication_slot
  std::string gid;                                    // prepared_xact
  std::optional<int64_t> age_xids;
  std::optional<int64_t> horizon_xid;  // the raw xid / xmin it holds the horizon at
  std::optional<double> age_s;
  std::string scope;  // database (pins only its own database) | cluster (pins every one)

  bool operator==(const AlertHolder&) const = default;
};

struct Alert {
  AlertStatus status = AlertStatus::kFiring;
  std::string alert;  // AutovacuumNotKeepingUp, FreezingNotKeepingUp, ...
  Severity severity = Severity::kWarning;
  Cause cause = Cause::kUnknown;
  std::string cluster, database, schema, table;
  absl::Time event_time = absl::InfinitePast();  // when the detector decided (event time)
  absl::Time starts_at = absl::InfinitePast();   // when the condition began to hold
  std::optional<absl::Time> ends_at;             // resolved only: when it stopped holding
  std::string fingerprint;  // stable for one problem on one table (cluster/db/schema/table/alert)
  std::string summary;      // one line a human reads, with the numbers
  std::vector<EvidenceItem> evidence;
  std::optional<AlertHolder> holder;
  std::string recommendation;

  bool operator==(const Alert&) const = default;
};

// An alert transition with its outbox sequence number (increasing, continues across restarts).
struct AlertTransition {
  uint64_t seq = 0;
  Alert alert;

  bool operator==(const AlertTransition&) const = default;
};

// Writes `alert` as one JSON object (no newline) into `*out` (cleared first), keys in a fixed
// order: status, alert, severity, cause, cluster, database, schema, table, event_time,
// starts_at, ends_at, fingerprint, summary, evidence{...}, holder{...}, recommendation.
// Absent optional fields are omitted, never written as zero.
void WriteAlertJson(const Alert& alert, std::string* out);

// The fingerprint of one problem on one table: 16 lowercase hex digits of a stable 64-bit
// hash (FNV-1a) of "cluster/database/schema/table/alert". Independent of cause and numbers, so
// a changing cause or evidence never looks like a new problem.
std::string AlertFingerprint(std::string_view cluster, std::string_view database,
                             std::string_view schema, std::string_view table,
                             std::string_view alert_name);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_ALERT_H_
