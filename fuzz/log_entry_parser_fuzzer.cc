// Fuzzes ParseLogEntry (ingest/log_entry_parser.h), the one message parser behind every log
// reader, on entries built directly from the input, so that every byte is message text (no
// reader in front rejects it first).
//
// Payload: message, then optionally 0x1F and the CONTEXT, 0x1F and the database, 0x1F and the
// time text. Knob 2 picks the severity. Checked: an entry MayBeAutovacuumEntry rules out is
// skipped; an event's views all point into the entry or the cluster name (its documented
// lifetime), it keeps the entry's offset, line, pid and time, and renders to valid JSON; a
// rejection's raw text lies in the message; parsing into an event that held a full vacuum
// before gives what parsing into a fresh one gives (no stale fields).

#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/stream_checks.h"
#include "ingest/event_json.h"
#include "ingest/log_entry.h"
#include "ingest/log_entry_parser.h"
#include "ingest/log_event.h"
#include "simdjson.h"

namespace vacwatch::fuzz {
namespace {

constexpr std::string_view kSeverities[] = {"LOG",       "ERROR", "WARNING", "FATAL",
                                            "PANIC",     "DEBUG", "CONTEXT", "DETAIL",
                                            "STATEMENT", "",      "log",     "LOGX"};

// A PG17 vacuum with every part the parser knows, index lines included: parsed first into the
// reused event, so stale fields show.
constexpr std::string_view kFullVacuum =
    "automatic aggressive vacuum to prevent wraparound of table \"shop.public.orders\": "
    "index scans: 1\n"
    "\tpages: 3 removed, 2500 remain, 2500 scanned (100.00% of total)\n"
    "\ttuples: 7 removed, 300000 remain, 3 are dead but not yet removable\n"
    "\ttuples missed: 2 dead from 1 pages not removed due to cleanup lock contention\n"
    "\tremovable cutoff: 734, which was 1 XIDs old when operation ended\n"
    "\tnew relfrozenxid: 731, which is 3 XIDs ahead of previous value\n"
    "\tnew relminmxid: 5, which is 1 MXIDs ahead of previous value\n"
    "\tfrozen: 10 pages from table (0.40% of total) had 100 tuples frozen\n"
    "\tindex scan needed: 12 pages from table (0.48% of total) had 40 dead item identifiers "
    "removed\n"
    "\tindex \"orders_pkey\": pages: 823 in total, 2 newly deleted, 3 currently deleted, 1 "
    "reusable\n"
    "\tI/O timings: read: 0.353 ms, write: 0.000 ms\n"
    "\tavg read rate: 0.147 MB/s, avg write rate: 0.073 MB/s\n"
    "\tbuffer usage: 5082 hits, 2 misses, 1 dirtied\n"
    "\tWAL usage: 2501 records, 1 full page images, 155885 bytes\n"
    "\tsystem usage: CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s";

bool Inside(std::string_view view, std::string_view range) {
  if (view.empty()) return true;
  const char* begin = range.data();
  return begin != nullptr && view.data() >= begin &&
         view.data() + view.size() <= begin + range.size();
}

void FuzzLogEntryParser(std::string_view data) {
  const FuzzInput input(data);
  std::string_view parts[4];
  std::string_view rest = input.payload();
  for (size_t i = 0; i < std::size(parts) && !rest.empty(); ++i) {
    const size_t sep = i + 1 < std::size(parts) ? rest.find('\x1f') : std::string_view::npos;
    parts[i] = rest.substr(0, sep);
    rest.remove_prefix(sep == std::string_view::npos ? rest.size() : sep + 1);
  }
  ingest::LogEntry entry;
  entry.severity = kSeverities[input.knob(2) % std::size(kSeverities)];
  entry.message = parts[0];
  entry.context = parts[1];
  entry.database = parts[2];
  entry.time_text = parts[3];
  entry.time = absl::FromUnixSeconds(1700000000 + input.knob(3));
  entry.has_time = !entry.time_text.empty();
  entry.utc_offset_s = 3600;
  entry.pid = 4242;
  entry.byte_offset = (int64_t{1} << 32) + 3;
  entry.line_no = 7;
  const std::string cluster(kCluster);

  ingest::LogEvent event;
  ParseError error;
  const ingest::EntryOutcome outcome = ingest::ParseLogEntry(entry, cluster, &event, &error);
  if (!ingest::MayBeAutovacuumEntry(entry.severity, entry.message)) {
    VW_FUZZ_CHECK(outcome == ingest::EntryOutcome::kSkipped,
                  "MayBeAutovacuumEntry said no, ParseLogEntry did not skip");
  }
  std::string json;
  if (outcome == ingest::EntryOutcome::kEvent) {
    VW_FUZZ_CHECK(static_cast<int>(event.type) < ingest::kNumLogEventTypes, "event type");
    std::vector<std::string_view> views = {event.cluster, event.database,  event.schema,
                                           event.table,   event.time_text, event.cancel_phase};
    for (const ingest::IndexVacuumStats& index : event.stats.indexes) views.push_back(index.name);
    for (std::string_view view : views) {
      VW_FUZZ_CHECK(Inside(view, entry.message) || Inside(view, entry.context) ||
                        Inside(view, entry.database) || Inside(view, entry.time_text) ||
                        Inside(view, cluster),
                    Cat("a view outside the entry: ", view));
    }
    VW_FUZZ_CHECK(event.byte_offset == entry.byte_offset && event.line_no == entry.line_no,
                  "the event's position is not the entry's");
    VW_FUZZ_CHECK(event.pid == entry.pid, Cat("pid ", event.pid));
    VW_FUZZ_CHECK(event.time == entry.time && event.utc_offset_s == entry.utc_offset_s,
                  "the event's time is not the entry's");
    ingest::WriteLogEventJson(event, &json);
    const bool utf8 =
        simdjson::validate_utf8(entry.message) && simdjson::validate_utf8(entry.context) &&
        simdjson::validate_utf8(entry.database) && simdjson::validate_utf8(entry.time_text);
    if (utf8) VW_FUZZ_CHECK(IsValidJson(json), json);
  } else if (outcome == ingest::EntryOutcome::kRejected) {
    VW_FUZZ_CHECK(static_cast<int>(error.kind) < kNumParseErrorKinds, "error kind");
    VW_FUZZ_CHECK(Inside(error.raw, entry.message), "error.raw is not the message");
    VW_FUZZ_CHECK(error.byte_offset == entry.byte_offset && error.line_no == entry.line_no,
                  "the error's position is not the entry's");
  }

  // The same entry parsed into an event that held a full vacuum.
  ingest::LogEvent reused;
  ingest::LogEntry full;
  full.severity = "LOG";
  full.message = kFullVacuum;
  ParseError full_error;
  VW_FUZZ_CHECK(
      ingest::ParseLogEntry(full, cluster, &reused, &full_error) == ingest::EntryOutcome::kEvent,
      "the full vacuum does not parse");
  ParseError reused_error;
  VW_FUZZ_CHECK(ingest::ParseLogEntry(entry, cluster, &reused, &reused_error) == outcome,
                "a reused event changes the outcome");
  if (outcome == ingest::EntryOutcome::kEvent) {
    std::string reused_json;
    ingest::WriteLogEventJson(reused, &reused_json);
    VW_FUZZ_CHECK(reused_json == json,
                  Cat("fresh event:\n  ", json, "\nreused event:\n  ", reused_json));
  } else if (outcome == ingest::EntryOutcome::kRejected) {
    VW_FUZZ_CHECK(reused_error.kind == error.kind && reused_error.field == error.field,
                  "a reused event changes the rejection");
  }
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(log_entry_parser, vacwatch::fuzz::FuzzLogEntryParser);
