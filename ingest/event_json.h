#ifndef VACWATCH_INGEST_EVENT_JSON_H_
#define VACWATCH_INGEST_EVENT_JSON_H_

// The JSON form of a LogEvent: one flat object per event, as `vacwatch parse` prints it and
// the sinks ship it. Field names are snake_case after the log's own words; docs/formats.md
// ("Log events") lists every field.
//
//   std::string line;                       // reused across events
//   WriteLogEventJson(event, &line);        // line == {"type":"vacuum","cluster":...}
//
// `time` is RFC 3339 in UTC, `time_text` the timestamp as the log wrote it. Numbers the entry
// did not carry are left out, never written as 0. Replaces `*out`; keeps no reference to
// `event`; allocates nothing once `out` has grown.

#include <string>

#include "ingest/log_event.h"

namespace vacwatch::ingest {

void WriteLogEventJson(const LogEvent& event, std::string* out);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_EVENT_JSON_H_
