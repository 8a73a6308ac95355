#ifndef VACWATCH_INGEST_SNAPSHOT_JSON_H_
#define VACWATCH_INGEST_SNAPSHOT_JSON_H_

// The JSON form of a decoded Snapshot, as `vacwatch parse --format snapshot` prints it: one
// object per snapshot, typed (settings are numbers and booleans, not pg_settings' strings;
// relid is a number; times are RFC 3339 in UTC):
//
//   std::string line;                     // reused across snapshots
//   WriteSnapshotJson(snapshot, &line);
//   // {"type":"snapshot","cluster":"prod-eu-1","database":"shop",
//   //  "collected_at":"2026-11-23T23:18:23.945964Z","server_version_num":150020,
//   //  "settings":{"autovacuum":true,...},"tables":[{"relid":16389,...}],"xmin_holders":[...],
//   //  "replication_slots":[],"prepared_xacts":[],"vacuum_progress":[]}
//
// Field names are the snapshot's own (docs/formats.md "Snapshots"). What the snapshot did not
// carry is left out, never written as 0: an absent number or time, an empty optional string
// (a null usename), an empty reloptions. Replaces `*out`; keeps no reference to `snapshot`.

#include <string>

#include "ingest/snapshot.h"

namespace vacwatch::ingest {

void WriteSnapshotJson(const Snapshot& snapshot, std::string* out);

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_SNAPSHOT_JSON_H_
