#ifndef VACWATCH_SINKS_ALERT_DESCRIPTION_H_
#define VACWATCH_SINKS_ALERT_DESCRIPTION_H_

// The words every sink shows a human about one alert, written once: the text output
// (stdout_sink.h), Alertmanager's annotations, PagerDuty's summary and the webhook's readers
// all say the same thing.
//
//   DescribeHolder(alert)    "session pid 4242 (psql, idle in transaction, open 9 min,
//                            cluster-wide)"; empty when the alert names no holder
//   DescribeEvidence(alert)  "n_dead_tup 129165, vacuum_trigger 2050, ineffective_runs 3.
//                            Held by session pid 4242 (...)."; the numbers behind the decision
//   AlertHeadline(alert)     "FIRING    warning  AutovacuumNotKeepingUp  prod-eu-1/jobs.public.t
//                            cause=lock_conflicts" (the text line without time and summary;
//                            fields two spaces apart, RESOLVED as wide as "FIRING  ")
//   TableName(alert)         "prod-eu-1/jobs.public.locked_jobs"
//
// Pure functions of the alert; they keep no reference past the call.

#include <string>

#include "pipeline/alert.h"

namespace vacwatch::sinks {

std::string DescribeHolder(const pipeline::Alert& alert);
std::string DescribeEvidence(const pipeline::Alert& alert);
std::string AlertHeadline(const pipeline::Alert& alert);
std::string TableName(const pipeline::Alert& alert);

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_ALERT_DESCRIPTION_H_
