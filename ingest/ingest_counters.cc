#include "ingest/ingest_counters.h"

namespace vacwatch::ingest {

int64_t IngestCounters::total_events() const {
  int64_t n = 0;
  for (int64_t v : events) n += v;
  return n;
}

int64_t IngestCounters::total_rejected() const {
  int64_t n = 0;
  for (int64_t v : rejected) n += v;
  return n;
}

IngestCounters& IngestCounters::operator+=(const IngestCounters& other) {
  entries += other.entries;
  bytes += other.bytes;
  for (size_t i = 0; i < events.size(); ++i) events[i] += other.events[i];
  snapshots += other.snapshots;
  table_rows += other.table_rows;
  skipped += other.skipped;
  for (size_t i = 0; i < rejected.size(); ++i) rejected[i] += other.rejected[i];
  ambiguous_zone_entries += other.ambiguous_zone_entries;
  head_candidates += other.head_candidates;
  head_lines += other.head_lines;
  translated_entries += other.translated_entries;
  if (ambiguous_zone.empty()) ambiguous_zone = other.ambiguous_zone;
  return *this;
}

}  // namespace vacwatch::ingest
