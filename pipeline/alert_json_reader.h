#ifndef VACWATCH_PIPELINE_ALERT_JSON_READER_H_
#define VACWATCH_PIPELINE_ALERT_JSON_READER_H_

// ParseAlertJson: the inverse of pipeline::WriteAlertJson, for alert transitions read back from
// the state store's outbox (which keeps them as that JSON) to be delivered again after a
// restart. Parsing what WriteAlertJson wrote and writing it again gives the same bytes:
//
//   std::string json;
//   pipeline::WriteAlertJson(alert, &json);
//   VW_ASSIGN_OR_RETURN(pipeline::Alert back, ParseAlertJson(json));
//   // WriteAlertJson(back) == json
//
// Evidence numbers written without a fraction come back as int64, others as double, null (a
// non-finite double) as NaN. Unknown keys are skipped so an older binary can deliver a newer
// one's entries, but a status, severity or cause other than the names alert.h gives is an error
// (there is no value to deliver it as); a missing one keeps Alert's default. A malformed
// document or an unknown value is DataLoss naming the field. Keeps no reference to `json`.

#include <string_view>

#include "absl/status/statusor.h"
#include "pipeline/alert.h"

namespace vacwatch::pipeline {

absl::StatusOr<pipeline::Alert> ParseAlertJson(std::string_view json);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_ALERT_JSON_READER_H_
