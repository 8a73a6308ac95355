#ifndef VACWATCH_INGEST_ENTRY_DISPATCH_H_
#define VACWATCH_INGEST_ENTRY_DISPATCH_H_

// The last steps every log reader (stderr, csvlog, jsonlog) takes with a complete LogEntry,
// written once so that the three resolve times, count outcomes and report rejections alike:
//
//   std::string_view why;
//   if (!ResolveEntryTime(&entry, &why)) {
//     dispatch.Reject({.kind = ParseErrorKind::kBadTimestamp, .field = "log_time", ...});
//     return false;
//   }
//   EntryDispatch dispatch{options.cluster, options.source_name, options.errors, &counters};
//   if (dispatch.Parse(entry, event, &error)) return true;  // an event, counted by its type
//
// Nothing here counts IngestCounters::entries: each reader counts an entry where it knows it has
// one. EntryDispatch only points at the reader's options and counters (build one per call; it is
// four words). Nothing allocates, and nothing keeps a reference past the call.

#include <string_view>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_entry.h"
#include "ingest/log_event.h"

namespace vacwatch::ingest {

// Reads entry->time_text, when there is one, into time, utc_offset_s and has_time, reading zone
// abbreviations in `zone` (the server's log_timezone; null: unknown, and an ambiguous
// abbreviation is counted in `counters`). Returns false with `*why` (a static description)
// when it does not parse; an entry without a time is fine.
bool ResolveEntryTime(LogEntry* entry, const absl::TimeZone* zone, IngestCounters* counters,
                      std::string_view* why);

// Whether a message reads as a translation rather than PostgreSQL's English (a letter outside
// ASCII in its first words, or a known translated autovacuum phrase).
bool LooksTranslated(std::string_view message);

// Where one reader's verdicts on its entries go.
struct EntryDispatch {
  std::string_view cluster;          // stamped on every event
  std::string_view source_name;      // names the input in dead letters
  ParseErrorSink* errors = nullptr;  // may be null: rejections are still counted
  IngestCounters* counters = nullptr;

  // Counts `error` under its kind and hands it to `errors`.
  void Reject(const ParseError& error) const;
  // ParseLogEntry(entry), counted: an event by its type (returns true, `event` filled), a skip,
  // or a rejection (through Reject; `error` is the reader's scratch and holds it).
  bool Parse(const LogEntry& entry, LogEvent* event, ParseError* error) const;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_ENTRY_DISPATCH_H_
