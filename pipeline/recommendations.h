#ifndef VACWATCH_PIPELINE_RECOMMENDATIONS_H_
#define VACWATCH_PIPELINE_RECOMMENDATIONS_H_

// Recommendations: the concrete fix an alert carries, by cause: terminate the named session,
// drop the slot, COMMIT/ROLLBACK PREPARED, raise the table's cost limit (with the numbers),
// find the lock holder (with the query), add workers, raise maintenance_work_mem; and
// pg_repack for the bloat already there, which no vacuum gives back.
//
//   alert.recommendation = RecommendationFor(ctx, table, AlertKind::kAutovacuumNotKeepingUp,
//                                            cause, facts);

#include <string>

#include "pipeline/cause_classifier.h"
#include "pipeline/detector.h"

namespace vacwatch::pipeline {

std::string RecommendationFor(const EvalContext& ctx, const TableState& table, AlertKind kind,
                              Cause cause, const CauseFacts& facts);

// The cost settings that make a throttled run about `speedup` times faster, as an ALTER TABLE,
// from the table's current cost_limit and cost_delay_ms (0 = not known: a generous default).
std::string CostLimitFix(const TableKey& key, int64_t cost_limit, double cost_delay_ms,
                         double speedup);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_RECOMMENDATIONS_H_
