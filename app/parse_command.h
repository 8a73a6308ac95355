#ifndef VACWATCH_APP_PARSE_COMMAND_H_
#define VACWATCH_APP_PARSE_COMMAND_H_

// `vacwatch parse [--format auto|stderr|csvlog|jsonlog|snapshot] [--log-line-prefix P]
//                 [--cluster NAME] [--dead-letter FILE] FILE...`
//
// Reads each FILE ("-" = stdin) with the same readers the service runs and prints one JSON
// object per event on io.out (ingest/event_json.h; docs/formats.md) or, for a stats snapshot
// file (--format snapshot, or recognised by ingest::LooksLikeSnapshot), one per snapshot
// (ingest/snapshot_json.h), then one summary line
// per file on io.err: entries read, events by type, skipped, rejected by kind. Rejected
// entries go to the dead-letter file as JSON lines (default: io.err). Bad entries do not fail
// the command; a missing file fails it before anything is printed.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "app/command.h"
#include "ingest/ingest_counters.h"

namespace vacwatch::app {

absl::Status RunParse(const std::vector<std::string>& args, CommandIo& io);

// "postgresql.log (stderr): 120 entries, 7 events (vacuum 5, analyze 2), 113 skipped,
// 0 rejected"; for format "snapshot": "snapshots.jsonl (snapshot): 100 lines, 100 snapshots,
// 1200 table rows, 0 rejected".
std::string SummaryLine(std::string_view name, std::string_view format,
                        const ingest::IngestCounters& counters);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_PARSE_COMMAND_H_
