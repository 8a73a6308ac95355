#include "ingest/entry_dispatch.h"

#include "ingest/log_entry_parser.h"
#include "ingest/log_timestamp.h"

namespace vacwatch::ingest {

bool LooksTranslated(std::string_view message) {
  // PostgreSQL's English messages start with ASCII words; a translation's first words are in
  // its language (user text, quoted or later in the message, does not count).
  int words = 0;
  for (size_t i = 0; i < message.size() && i < 64 && words < 3; ++i) {
    const char c = message[i];
    if (c == '"' || c == '\'' || c == ':') break;
    if (c == ' ') ++words;
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  // Translations that keep to ASCII, for the messages vacwatch reads.
  for (std::string_view phrase :
       {"automatisches Vacuum", "automatisches Analyze", "VACUUM automatique", "vacuum automatique",
        "ANALYZE automatique", "VACUUM autom"}) {
    if (message.find(phrase) != std::string_view::npos) return true;
  }
  return false;
}

bool ResolveEntryTime(LogEntry* entry, const absl::TimeZone* zone, IngestCounters* counters,
                      std::string_view* why) {
  if (entry->time_text.empty()) return true;
  LogTimestamp ts;
  if (!ParseLogTimestampIn(entry->time_text, zone, &ts, why)) return false;
  if (!ts.ambiguous_zone.empty()) {
    ++counters->ambiguous_zone_entries;
    if (counters->ambiguous_zone.empty()) counters->ambiguous_zone = ts.ambiguous_zone;
  }
  entry->time = ts.time;
  entry->utc_offset_s = ts.utc_offset_s;
  entry->has_time = true;
  return true;
}

void EntryDispatch::Reject(const ParseError& error) const {
  ++counters->rejected[static_cast<int>(error.kind)];
  if (errors != nullptr) errors->OnError(source_name, error);
}

bool EntryDispatch::Parse(const LogEntry& entry, LogEvent* event, ParseError* error) const {
  switch (ParseLogEntry(entry, cluster, event, error)) {
    case EntryOutcome::kEvent:
      ++counters->events[static_cast<int>(event->type)];
      return true;
    case EntryOutcome::kSkipped:
      ++counters->skipped;
      if (LooksTranslated(entry.message)) ++counters->translated_entries;
      return false;
    case EntryOutcome::kRejected:
      Reject(*error);  // ParseLogEntry set its byte offset and line from the entry
      return false;
  }
  return false;
}

}  // namespace vacwatch::ingest
