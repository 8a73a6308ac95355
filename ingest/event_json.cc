#include "ingest/event_json.h"

#include "common/json_writer.h"

namespace vacwatch::ingest {
namespace {

// The numbers of a vacuum or analyze entry, in the order the log prints them.
void WriteStats(const VacuumStats& s, JsonWriter& w) {
  w.OptionalField("index_scans", s.index_scans);
  w.OptionalField("pages_removed", s.pages_removed);
  w.OptionalField("pages_remain", s.pages_remain);
  w.OptionalField("pages_skipped_pins", s.pages_skipped_pins);
  w.OptionalField("pages_skipped_frozen", s.pages_skipped_frozen);
  w.OptionalField("pages_scanned", s.pages_scanned);
  w.OptionalField("pages_scanned_pct", s.pages_scanned_pct);
  w.OptionalField("pages_eagerly_scanned", s.pages_eagerly_scanned);
  w.OptionalField("tuples_removed", s.tuples_removed);
  w.OptionalField("tuples_remain", s.tuples_remain);
  w.OptionalField("tuples_not_yet_removable", s.tuples_not_yet_removable);
  w.OptionalField("oldest_xmin", s.oldest_xmin);
  w.OptionalField("tuples_missed_dead", s.tuples_missed_dead);
  w.OptionalField("tuples_missed_pages", s.tuples_missed_pages);
  w.OptionalField("removable_cutoff", s.removable_cutoff);
  w.OptionalField("removable_cutoff_age", s.removable_cutoff_age);
  w.OptionalField("new_relfrozenxid", s.new_relfrozenxid);
  w.OptionalField("relfrozenxid_advance", s.relfrozenxid_advance);
  w.OptionalField("new_relminmxid", s.new_relminmxid);
  w.OptionalField("relminmxid_advance", s.relminmxid_advance);
  w.OptionalField("frozen_pages", s.frozen_pages);
  w.OptionalField("frozen_pages_pct", s.frozen_pages_pct);
  w.OptionalField("tuples_frozen", s.tuples_frozen);
  w.OptionalField("vm_all_visible", s.vm_all_visible);
  w.OptionalField("vm_all_frozen", s.vm_all_frozen);
  w.OptionalField("vm_all_frozen_were_visible", s.vm_all_frozen_were_visible);
  if (s.index_scan.has_value()) w.Field("index_scan", IndexScanDecisionName(*s.index_scan));
  w.OptionalField("index_scan_pages", s.index_scan_pages);
  w.OptionalField("index_scan_pages_pct", s.index_scan_pages_pct);
  w.OptionalField("dead_item_ids", s.dead_item_ids);
  if (!s.indexes.empty()) {
    w.Key("indexes");
    w.BeginArray();
    for (const IndexVacuumStats& index : s.indexes) {
      w.BeginObject();
      w.Field("name", index.name);
      w.Field("pages_total", index.pages_total);
      w.Field("pages_newly_deleted", index.pages_newly_deleted);
      w.Field("pages_currently_deleted", index.pages_currently_deleted);
      w.Field("pages_reusable", index.pages_reusable);
      w.EndObject();
    }
    w.EndArray();
  }
  w.OptionalField("delay_time_ms", s.delay_time_ms);
  w.OptionalField("io_read_ms", s.io_read_ms);
  w.OptionalField("io_write_ms", s.io_write_ms);
  w.OptionalField("read_rate_mbs", s.read_rate_mbs);
  w.OptionalField("write_rate_mbs", s.write_rate_mbs);
  w.OptionalField("buffer_hits", s.buffer_hits);
  w.OptionalField("buffer_misses", s.buffer_misses);
  w.OptionalField("buffer_dirtied", s.buffer_dirtied);
  w.OptionalField("wal_records", s.wal_records);
  w.OptionalField("wal_fpi", s.wal_fpi);
  w.OptionalField("wal_bytes", s.wal_bytes);
  w.OptionalField("wal_buffers_full", s.wal_buffers_full);
  w.OptionalField("cpu_user_s", s.cpu_user_s);
  w.OptionalField("cpu_system_s", s.cpu_system_s);
  w.OptionalField("elapsed_s", s.elapsed_s);
}

}  // namespace

void WriteLogEventJson(const LogEvent& event, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("type", LogEventTypeName(event.type));
  w.Field("cluster", event.cluster);
  w.Field("database", event.database);
  w.Field("schema", event.schema);
  w.Field("table", event.table);
  w.Field("pid", event.pid);
  if (event.time != absl::InfinitePast()) {
    w.TimeField("time", event.time);
    w.Field("utc_offset_s", event.utc_offset_s);
  }
  if (!event.time_text.empty()) w.Field("time_text", event.time_text);
  switch (event.type) {
    case LogEventType::kVacuum:
      w.Field("mode", VacuumModeName(event.stats.mode));
      WriteStats(event.stats, w);
      break;
    case LogEventType::kAnalyze:
      WriteStats(event.stats, w);
      break;
    case LogEventType::kVacuumCancelled:
    case LogEventType::kAnalyzeCancelled:
      if (!event.cancel_phase.empty()) w.Field("phase", event.cancel_phase);
      break;
    case LogEventType::kVacuumSkipped:
    case LogEventType::kAnalyzeSkipped:
      break;
    case LogEventType::kWraparoundWarning:
      w.Field("warning", WraparoundWarningKindName(event.wraparound.kind));
      w.OptionalField("remaining", event.wraparound.remaining);
      w.OptionalField("database_oid", event.wraparound.database_oid);
      break;
  }
  w.Field("byte_offset", event.byte_offset);
  w.Field("line_no", event.line_no);
  w.EndObject();
}

}  // namespace vacwatch::ingest
