#include "pipeline/active_alerts.h"

#include <string>

#include "pipeline/alert_text.h"
#include "pipeline/cause_classifier.h"
#include "pipeline/detector.h"
#include "pipeline/table_key.h"
#include "pipeline/table_state.h"

namespace vacwatch::pipeline {

absl::Status CollectFiringAlerts(const state::StateStore& store, absl::Time now,
                                 std::vector<Alert>* out) {
  absl::Status failure;
  TableState s;
  TableKey key;
  absl::Status scan = store.ForEachTable([&](std::string_view k, std::string_view value) {
    if (absl::Status st = TableState::Decode(value, &s); !st.ok()) {
      failure = st;
      return false;
    }
    if (!s.has_alerts() || !TableKey::Decode(k, &key)) return true;
    for (int i = 0; i < kNumAlertKinds; ++i) {
      const AlertKind kind = static_cast<AlertKind>(i);
      const AlertState& a = s.alert(kind);
      if (!a.active()) continue;
      Alert alert;
      FillAlertHeader(key, kind, a, s.holder(kind), /*firing=*/true, now, &alert);
      alert.event_time = absl::FromUnixMicros(s.last_seen_us);
      out->push_back(std::move(alert));
    }
    return true;
  });
  if (!scan.ok()) return scan;
  return failure;
}

}  // namespace vacwatch::pipeline
