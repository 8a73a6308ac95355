#ifndef VACWATCH_INGEST_LOG_ENTRY_PARSER_H_
#define VACWATCH_INGEST_LOG_ENTRY_PARSER_H_

// ParseLogEntry: classifies one LogEntry and, when it is about autovacuum, fills a typed
// LogEvent. Shared by every log destination, so the stderr, csvlog and jsonlog readers give
// identical events for the same record. Understands the message texts of PostgreSQL 9.6-18
// (see docs/formats.md and ../shared/pg-log-formats.md); the parts of a vacuum message are
// matched by keyword, independent of order, and unknown parts are ignored.
//
//   LogEvent event;
//   ParseError error;
//   switch (ParseLogEntry(entry, "prod-eu-1", &event, &error)) {
//     case EntryOutcome::kEvent:    ...use event...; break;
//     case EntryOutcome::kSkipped:  break;  // nothing for vacwatch (checkpoint, statement...)
//     case EntryOutcome::kRejected: dead_letters->OnError(source, error); break;
//   }
//
// Table names: PostgreSQL prints "db.schema.table" raw (dots and quotes unescaped), so the name is
// found by its anchors (`": index scans: ` for vacuum, the closing quote at the end of the line
// or before ` system usage: ` for analyze) and split at its first two dots: a table name with
// dots comes out right, a database or schema name with dots does not (nothing in the text can
// tell them apart). Skip lines name only the relation; their database is the entry's (%d).
//
// `event` views point into `entry` (and `cluster`): valid while those are. `error.raw` is the
// entry's message. Allocates nothing once `event->stats.indexes` has grown.

#include <string_view>

#include "common/parse_error.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {

enum class EntryOutcome { kEvent, kSkipped, kRejected };

EntryOutcome ParseLogEntry(const LogEntry& entry, std::string_view cluster, LogEvent* event,
                           ParseError* error);

// Cheap pre-checks for readers, on the severity and the first bytes of the message only:
// false means ParseLogEntry certainly returns kSkipped for this entry, whatever follows.
bool MayBeAutovacuumEntry(std::string_view severity, std::string_view message);
// True for an entry whose event needs its CONTEXT (the "canceling autovacuum task" ERROR, whose
// table is named only there): a stderr reader holds it until that pid's CONTEXT line arrives.
bool NeedsContext(std::string_view severity, std::string_view message);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_ENTRY_PARSER_H_
