#include "tests/ingest/log_test_util.h"

#include "absl/time/time.h"

namespace vacwatch::ingest::testing {

std::string TabJoin(const std::vector<std::string_view>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n\t";
    out += lines[i];
  }
  return out;
}

std::vector<std::string> PresentFields(const VacuumStats& s) {
  std::vector<std::string> out;
  auto add = [&](bool present, const char* name) {
    if (present) out.push_back(name);
  };
  add(s.index_scans.has_value(), "index_scans");
  add(s.pages_removed.has_value(), "pages_removed");
  add(s.pages_remain.has_value(), "pages_remain");
  add(s.pages_scanned.has_value(), "pages_scanned");
  add(s.pages_skipped_pins.has_value(), "pages_skipped_pins");
  add(s.pages_skipped_frozen.has_value(), "pages_skipped_frozen");
  add(s.pages_eagerly_scanned.has_value(), "pages_eagerly_scanned");
  add(s.pages_scanned_pct.has_value(), "pages_scanned_pct");
  add(s.tuples_removed.has_value(), "tuples_removed");
  add(s.tuples_remain.has_value(), "tuples_remain");
  add(s.tuples_not_yet_removable.has_value(), "tuples_not_yet_removable");
  add(s.oldest_xmin.has_value(), "oldest_xmin");
  add(s.tuples_missed_dead.has_value(), "tuples_missed_dead");
  add(s.tuples_missed_pages.has_value(), "tuples_missed_pages");
  add(s.removable_cutoff.has_value(), "removable_cutoff");
  add(s.removable_cutoff_age.has_value(), "removable_cutoff_age");
  add(s.new_relfrozenxid.has_value(), "new_relfrozenxid");
  add(s.relfrozenxid_advance.has_value(), "relfrozenxid_advance");
  add(s.new_relminmxid.has_value(), "new_relminmxid");
  add(s.relminmxid_advance.has_value(), "relminmxid_advance");
  add(s.frozen_pages.has_value(), "frozen_pages");
  add(s.tuples_frozen.has_value(), "tuples_frozen");
  add(s.frozen_pages_pct.has_value(), "frozen_pages_pct");
  add(s.vm_all_visible.has_value(), "vm_all_visible");
  add(s.vm_all_frozen.has_value(), "vm_all_frozen");
  add(s.vm_all_frozen_were_visible.has_value(), "vm_all_frozen_were_visible");
  add(s.index_scan.has_value(), "index_scan");
  add(s.index_scan_pages.has_value(), "index_scan_pages");
  add(s.dead_item_ids.has_value(), "dead_item_ids");
  add(s.index_scan_pages_pct.has_value(), "index_scan_pages_pct");
  add(s.delay_time_ms.has_value(), "delay_time_ms");
  add(s.io_read_ms.has_value(), "io_read_ms");
  add(s.io_write_ms.has_value(), "io_write_ms");
  add(s.read_rate_mbs.has_value(), "read_rate_mbs");
  add(s.write_rate_mbs.has_value(), "write_rate_mbs");
  add(s.buffer_hits.has_value(), "buffer_hits");
  add(s.buffer_misses.has_value(), "buffer_misses");
  add(s.buffer_dirtied.has_value(), "buffer_dirtied");
  add(s.wal_records.has_value(), "wal_records");
  add(s.wal_fpi.has_value(), "wal_fpi");
  add(s.wal_bytes.has_value(), "wal_bytes");
  add(s.wal_buffers_full.has_value(), "wal_buffers_full");
  add(s.cpu_user_s.has_value(), "cpu_user_s");
  add(s.cpu_system_s.has_value(), "cpu_system_s");
  add(s.elapsed_s.has_value(), "elapsed_s");
  add(!s.indexes.empty(), "indexes");
  return out;
}

EntryOutcome EntryHarness::Parse(std::string_view severity,
                                 const std::vector<std::string_view>& lines,
                                 const std::vector<std::string_view>& context,
                                 std::string_view database) {
  severity_ = std::string(severity);
  message_ = TabJoin(lines);
  context_ = TabJoin(context);
  database_ = std::string(database);
  entry = LogEntry();
  entry.time_text = "2024-05-01 12:00:00.000 UTC";
  entry.time = absl::FromUnixSeconds(1714564800);
  entry.has_time = true;
  entry.pid = 31337;
  entry.severity = severity_;
  entry.database = database_;
  entry.message = message_;
  entry.context = context_;
  entry.byte_offset = 100;
  entry.line_no = 7;
  event = LogEvent();
  error = ParseError();
  return ParseLogEntry(entry, "test-cluster", &event, &error);
}

}  // namespace vacwatch::ingest::testing
