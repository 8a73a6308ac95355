// Fuzzes SnapshotDecoder (ingest/snapshot_decoder.h) on one document, in both modes.
//
// Checked: Decode and TryDecode agree; a document the strict decoder accepts, the salvaging one
// accepts the same way with no row dropped, and one the salvaging decoder refuses, the strict
// one refuses too; decoding in place (with garbage after the document where simdjson's padding
// goes) gives what decoding a copy gives; a failure names a known kind, an offset within the
// document and the document as its raw text; a dropped row is a table's; a snapshot decoded into
// one that held a full snapshot comes out as into a fresh one; every snapshot renders (touching
// each view) to valid JSON.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "ingest/snapshot_json.h"

namespace vacwatch::fuzz {
namespace {

// Every array and most columns filled: decoded first into the reused Snapshot.
constexpr std::string_view kFull = R"json({"kind": "pg_stat_snapshot", "cluster": "c1",
 "database": "shop", "collected_at": "2026-11-23T23:18:23.945964+00:00",
 "server_version_num": 170002, "tables": [{"relid": "16389", "relname": "orders",
   "schemaname": "public", "n_dead_tup": 4, "n_live_tup": 300000, "reltuples": 300000,
   "relpages": 2500, "last_autovacuum": "2026-11-23T23:18:21.285994+00:00",
   "reloptions": ["fillfactor=70"], "relfrozenxid_age": 625, "n_ins_since_vacuum": 10}],
 "settings": {"autovacuum": "on", "autovacuum_naptime": "2", "log_timezone": "UTC",
   "autovacuum_vacuum_scale_factor": "0.2", "autovacuum_vacuum_threshold": "50"},
 "xmin_holders": [{"pid": 13159, "state": "active", "datname": "events", "usename": "u",
   "xmin_age": 429, "backend_xmin": "1000", "xact_start": "2026-11-23T23:18:23.196726+00:00",
   "backend_type": "client backend", "application_name": "app"}],
 "prepared_xacts": [{"gid": "tx1", "database": "shop", "owner": "o",
   "prepared": "2026-11-23T23:00:00+01:00", "transaction": "900", "xid_age": 12}],
 "replication_slots": [{"slot_name": "s1", "slot_type": "physical", "database": null,
   "active": false, "xmin": "800", "xmin_age": 77}],
 "walsenders": [{"pid": 5, "application_name": "standby", "client_addr": "10.0.0.1",
   "state": "streaming", "backend_xmin": "700", "xmin_age": 3}],
 "vacuum_progress": [{"pid": 13190, "datid": "16384", "phase": "scanning heap",
   "relid": "16461", "datname": "shop", "heap_blks_total": 100, "heap_blks_scanned": 40}],
 "oldest_running_xid": "600", "next_xid": "1200"})json";

std::string Render(const ingest::Snapshot& snapshot) {
  std::string json;
  ingest::WriteSnapshotJson(snapshot, &json);
  VW_FUZZ_CHECK(IsValidJson(json), json);
  return json;
}

void CheckFailure(const ingest::SnapshotDecoder& decoder, std::string_view document) {
  const ParseError& e = decoder.error();
  VW_FUZZ_CHECK(static_cast<int>(e.kind) < kNumParseErrorKinds, "error kind");
  VW_FUZZ_CHECK(e.raw.data() == document.data() && e.raw.size() == document.size(),
                "error().raw is not the document");
  VW_FUZZ_CHECK(e.byte_offset >= 0 && static_cast<size_t>(e.byte_offset) <= document.size(),
                Cat("error at byte ", e.byte_offset, " of a ", document.size(),
                    "-byte document: ", decoder.ErrorMessage()));
  VW_FUZZ_CHECK(!decoder.ErrorMessage().empty(), "an error without a message");
}

void FuzzSnapshotDecoder(std::string_view data) {
  const FuzzInput input(data);
  const std::string_view document = input.payload();

  ingest::SnapshotDecoder strict;
  ingest::Snapshot snapshot;
  const absl::Status status = strict.Decode(document, &snapshot);
  std::string strict_json;
  if (status.ok()) {
    strict_json = Render(snapshot);
  } else {
    CheckFailure(strict, document);
    VW_FUZZ_CHECK(status.message() == strict.ErrorMessage(), "status and ErrorMessage differ");
  }
  VW_FUZZ_CHECK(strict.TryDecode(document, &snapshot) == status.ok(),
                "TryDecode and Decode disagree");

  ingest::SnapshotDecoder salvage(ingest::SnapshotDecoder::Options{.salvage = true});
  ingest::Snapshot reused;
  VW_FUZZ_CHECK(salvage.TryDecode(kFull, &reused), salvage.ErrorMessage());
  Render(reused);
  const bool salvaged = salvage.TryDecode(document, &reused);
  std::string salvage_json;
  if (salvaged) {
    salvage_json = Render(reused);
    for (size_t i = 0; i < salvage.dropped_row_count(); ++i) {
      const ParseError row = salvage.dropped_row(i);
      VW_FUZZ_CHECK(row.field.starts_with("tables["),
                    Cat("dropped a row that is not a table's: ", row.field));
      VW_FUZZ_CHECK(static_cast<int>(row.kind) < kNumParseErrorKinds, "dropped row kind");
      VW_FUZZ_CHECK(row.byte_offset >= 0 && static_cast<size_t>(row.byte_offset) <= document.size(),
                    Cat("dropped row at byte ", row.byte_offset, " of a ", document.size(),
                        "-byte document"));
    }
    ingest::Snapshot fresh;
    ingest::SnapshotDecoder other(ingest::SnapshotDecoder::Options{.salvage = true});
    VW_FUZZ_CHECK(other.TryDecode(document, &fresh), "salvage succeeds only once");
    const std::string fresh_json = Render(fresh);
    VW_FUZZ_CHECK(fresh_json == salvage_json,
                  Cat("fresh snapshot:\n  ", fresh_json, "\nreused:\n  ", salvage_json));
  } else {
    CheckFailure(salvage, document);
    VW_FUZZ_CHECK(!status.ok(), "the strict decoder accepts what salvage refuses");
  }
  if (status.ok()) {
    VW_FUZZ_CHECK(salvaged && salvage.dropped_row_count() == 0 && salvage_json == strict_json,
                  Cat("strict:\n  ", strict_json, "\nsalvage:\n  ", salvage_json));
  }

  // In place, with garbage where the padding goes.
  std::string padded(document);
  padded.append(128, 'x');
  ingest::Snapshot in_place;
  ingest::SnapshotDecoder placed(ingest::SnapshotDecoder::Options{.salvage = true});
  const std::string_view view(padded.data(), document.size());
  const bool placed_ok = placed.TryDecodeInPlace(view, padded.size(), &in_place);
  VW_FUZZ_CHECK(placed_ok == salvaged, "TryDecodeInPlace and TryDecode disagree");
  if (placed_ok) {
    const std::string placed_json = Render(in_place);
    VW_FUZZ_CHECK(placed_json == salvage_json,
                  Cat("in place:\n  ", placed_json, "\ncopied:\n  ", salvage_json));
  } else {
    VW_FUZZ_CHECK(placed.error().kind == salvage.error().kind &&
                      placed.error().byte_offset == salvage.error().byte_offset,
                  Cat("in place: ", placed.ErrorMessage(), "; copied: ", salvage.ErrorMessage()));
  }
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(snapshot_decoder, vacwatch::fuzz::FuzzSnapshotDecoder);
