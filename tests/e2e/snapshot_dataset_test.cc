// Every snapshot of the real PostgreSQL 15 dataset decodes, through the same file source the
// service and `vacwatch parse` use, to the values the file holds.

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "ingest/snapshot_json.h"
#include "ingest/snapshot_reader.h"
#include "tests/testing/collecting_error_sink.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

std::string SnapshotsPath() {
  return vacwatch::testing::DatasetPath("pg15-prod-eu-1") + "/snapshots.jsonl";
}

TEST(SnapshotDatasetTest, FirstSnapshotHoldsTheRecordedValues) {
  std::ifstream in(SnapshotsPath());
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << SnapshotsPath();
  SnapshotDecoder decoder;
  Snapshot s;
  ASSERT_OK(decoder.Decode(line, &s));
  EXPECT_EQ(s.cluster, "prod-eu-1");
  EXPECT_EQ(s.database, "shop");
  EXPECT_EQ(s.server_version_num, 150020);
  EXPECT_EQ(s.collected_at,
            absl::FromCivil(absl::CivilSecond(2026, 11, 23, 23, 18, 23), absl::UTCTimeZone()) +
                absl::Microseconds(945964));
  EXPECT_EQ(s.settings.autovacuum_vacuum_scale_factor, 0.2);
  EXPECT_EQ(s.settings.autovacuum_naptime, 2);
  EXPECT_EQ(s.settings.autovacuum, true);
  EXPECT_EQ(s.settings.autovacuum_vacuum_cost_limit, -1);

  ASSERT_EQ(s.tables.size(), 4u);
  const TableStats& orders = s.tables[0];
  EXPECT_EQ(orders.relname, "orders");
  EXPECT_EQ(orders.schemaname, "public");
  EXPECT_EQ(orders.relid, 16389);
  EXPECT_EQ(orders.n_live_tup, 300000);
  EXPECT_EQ(orders.n_dead_tup, 0);
  EXPECT_EQ(orders.reltuples, 300000.0);
  EXPECT_EQ(orders.relation_size_bytes, 20496384);
  EXPECT_EQ(orders.last_vacuum, std::nullopt);
  EXPECT_TRUE(orders.last_autovacuum.has_value());
  EXPECT_TRUE(orders.reloptions.empty());
  ASSERT_EQ(s.tables[3].relname, "inventory");
  ASSERT_EQ(s.tables[3].reloptions.size(), 1u);
  EXPECT_EQ(s.tables[3].reloptions[0], "fillfactor=70");

  ASSERT_FALSE(s.xmin_holders.empty());
  EXPECT_EQ(s.xmin_holders[0].pid, 13159);
  EXPECT_EQ(s.xmin_holders[0].backend_type, "autovacuum worker");
  EXPECT_EQ(s.xmin_holders[0].xmin_age, 429);
  EXPECT_EQ(s.xmin_holders[0].xid_age, std::nullopt);
}

TEST(SnapshotDatasetTest, EveryLineDecodes) {
  vacwatch::testing::CollectingErrorSink sink;
  SnapshotSourceOptions options;
  options.errors = &sink;
  auto source = SnapshotFileSource::Open(SnapshotsPath(), options);
  ASSERT_OK(source);

  Snapshot s;
  std::map<std::string, int> per_database;
  int64_t dead_tuples = 0, autovacuumed_rows = 0, rows_with_reloptions = 0;
  int64_t xmin_holders = 0, vacuum_progress = 0, max_frozen_age = 0;
  absl::Time previous = absl::InfinitePast();
  bool in_order = true;
  std::string json;
  while (true) {
    auto more = (*source)->Next(&s);
    ASSERT_OK(more);
    if (!*more) break;
    ++per_database[std::string(s.database)];
    EXPECT_EQ(s.cluster, "prod-eu-1");
    in_order = in_order && s.collected_at >= previous;
    previous = s.collected_at;
    for (const TableStats& t : s.tables) {
      ASSERT_TRUE(t.n_dead_tup.has_value()) << t.relname;
      dead_tuples += *t.n_dead_tup;
      autovacuumed_rows += t.last_autovacuum.has_value();
      rows_with_reloptions += !t.reloptions.empty();
      max_frozen_age = std::max(max_frozen_age, t.relfrozenxid_age.value_or(0));
    }
    xmin_holders += static_cast<int64_t>(s.xmin_holders.size());
    vacuum_progress += static_cast<int64_t>(s.vacuum_progress.size());
    WriteSnapshotJson(s, &json);  // the `parse --format snapshot` path runs on every line too
    EXPECT_EQ(json.front(), '{');
  }
  EXPECT_TRUE(sink.errors.empty())
      << sink.errors.front().field << ": " << sink.errors.front().detail;
  const IngestCounters& c = (*source)->counters();
  EXPECT_EQ(c.entries, 400);
  EXPECT_EQ(c.snapshots, 400);
  EXPECT_EQ(c.table_rows, 1000);
  EXPECT_EQ(c.total_rejected(), 0);
  EXPECT_EQ((*source)->resume_offset(), c.bytes);
  EXPECT_EQ(per_database, (std::map<std::string, int>{
                              {"events", 100}, {"jobs", 100}, {"reporting", 100}, {"shop", 100}}));
  EXPECT_TRUE(in_order);
  // Totals over the whole file, computed independently with Python's json module.
  EXPECT_EQ(dead_tuples, 12377745);
  EXPECT_EQ(autovacuumed_rows, 841);
  EXPECT_EQ(rows_with_reloptions, 500);
  EXPECT_EQ(xmin_holders, 1998);
  EXPECT_EQ(vacuum_progress, 140);
  EXPECT_EQ(max_frozen_age, 1469100);
}

}  // namespace
}  // namespace vacwatch::ingest
