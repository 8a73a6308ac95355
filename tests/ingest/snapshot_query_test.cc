// The snapshot query per server version (ingest/postgres/snapshot_query.h). Only PostgreSQL 15
// runs here, so the other versions are checked against the catalogs as each release's
// documentation lists them ("The Statistics Collector"/"Cumulative Statistics System" chapter:
// pg_stat_all_tables and pg_stat_progress_vacuum; "pg_class" in System Catalogs), written out
// below by hand, independently of the generator's own table.

#include "ingest/postgres/snapshot_query.h"

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::ingest {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// pg_stat_user_tables, per major release, in the documented order.
const std::vector<std::string> kTables10 = {"relid",         "schemaname",
                                            "relname",       "seq_scan",
                                            "seq_tup_read",  "idx_scan",
                                            "idx_tup_fetch", "n_tup_ins",
                                            "n_tup_upd",     "n_tup_del",
                                            "n_tup_hot_upd", "n_live_tup",
                                            "n_dead_tup",    "n_mod_since_analyze",
                                            "last_vacuum",   "last_autovacuum",
                                            "last_analyze",  "last_autoanalyze",
                                            "vacuum_count",  "autovacuum_count",
                                            "analyze_count", "autoanalyze_count"};
// PG13 added n_ins_since_vacuum after n_mod_since_analyze.
const std::vector<std::string> kTables13 = {"relid",
                                            "schemaname",
                                            "relname",
                                            "seq_scan",
                                            "seq_tup_read",
                                            "idx_scan",
                                            "idx_tup_fetch",
                                            "n_tup_ins",
                                            "n_tup_upd",
                                            "n_tup_del",
                                            "n_tup_hot_upd",
                                            "n_live_tup",
                                            "n_dead_tup",
                                            "n_mod_since_analyze",
                                            "n_ins_since_vacuum",
                                            "last_vacuum",
                                            "last_autovacuum",
                                            "last_analyze",
                                            "last_autoanalyze",
                                            "vacuum_count",
                                            "autovacuum_count",
                                            "analyze_count",
                                            "autoanalyze_count"};
// PG16 added last_seq_scan, last_idx_scan and n_tup_newpage_upd.
const std::vector<std::string> kTables16 = {"relid",
                                            "schemaname",
                                            "relname",
                                            "seq_scan",
                                            "last_seq_scan",
                                            "seq_tup_read",
                                            "idx_scan",
                                            "last_idx_scan",
                                            "idx_tup_fetch",
                                            "n_tup_ins",
                                            "n_tup_upd",
                                            "n_tup_del",
                                            "n_tup_hot_upd",
                                            "n_tup_newpage_upd",
                                            "n_live_tup",
                                            "n_dead_tup",
                                            "n_mod_since_analyze",
                                            "n_ins_since_vacuum",
                                            "last_vacuum",
                                            "last_autovacuum",
                                            "last_analyze",
                                            "last_autoanalyze",
                                            "vacuum_count",
                                            "autovacuum_count",
                                            "analyze_count",
                                            "autoanalyze_count"};
// PG18 added the total_*_time columns at the end.
std::vector<std::string> Tables18() {
  std::vector<std::string> columns = kTables16;
  for (const char* c : {"total_vacuum_time", "total_autovacuum_time", "total_analyze_time",
                        "total_autoanalyze_time"}) {
    columns.push_back(c);
  }
  return columns;
}

// pg_stat_progress_vacuum: the same from 10 to 16; PG17 counts dead items in bytes and adds
// the index counters; PG18 adds delay_time.
const std::vector<std::string> kProgress10 = {"pid",
                                              "datid",
                                              "datname",
                                              "relid",
                                              "phase",
                                              "heap_blks_total",
                                              "heap_blks_scanned",
                                              "heap_blks_vacuumed",
                                              "index_vacuum_count",
                                              "max_dead_tuples",
                                              "num_dead_tuples"};
const std::vector<std::string> kProgress17 = {"pid",
                                              "datid",
                                              "datname",
                                              "relid",
                                              "phase",
                                              "heap_blks_total",
                                              "heap_blks_scanned",
                                              "heap_blks_vacuumed",
                                              "index_vacuum_count",
                                              "max_dead_tuple_bytes",
                                              "dead_tuple_bytes",
                                              "num_dead_item_ids",
                                              "indexes_total",
                                              "indexes_processed"};
std::vector<std::string> Progress18() {
  std::vector<std::string> columns = kProgress17;
  columns.push_back("delay_time");
  return columns;
}

struct Documented {
  std::vector<std::string> tables, progress;
  bool relallfrozen = false;
};

// server_version_num of a minor release of each major -> what its documentation lists.
std::map<int, Documented> DocumentedColumns() {
  return {
      {100023, {kTables10, kProgress10, false}},  {110022, {kTables10, kProgress10, false}},
      {120022, {kTables10, kProgress10, false}},  {130021, {kTables13, kProgress10, false}},
      {140018, {kTables13, kProgress10, false}},  {150020, {kTables13, kProgress10, false}},
      {160010, {kTables16, kProgress10, false}},  {170006, {kTables16, kProgress17, false}},
      {180000, {Tables18(), Progress18(), true}},
  };
}

std::vector<std::string> Strings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

// The columns a generated query reads from `alias` ("s.x", "p.x"), in order of appearance.
std::vector<std::string> ColumnsRead(const std::string& sql, const std::string& alias) {
  std::vector<std::string> out;
  const std::regex pattern("'([a-z_]+)', " + alias + "\\.([a-z_]+)");
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ((*it)[1], (*it)[2]) << "a column is renamed in the document";
    out.push_back((*it)[2]);
  }
  return out;
}

TEST(SnapshotQueryTest, ColumnListsMatchEachReleasesDocumentation) {
  for (const auto& [version, documented] : DocumentedColumns()) {
    SCOPED_TRACE(version);
    EXPECT_THAT(Strings(ColumnsOf(StatsView::kPgStatUserTables, version)),
                ElementsAreArray(documented.tables));
    EXPECT_THAT(Strings(ColumnsOf(StatsView::kPgStatProgressVacuum, version)),
                ElementsAreArray(documented.progress));
    EXPECT_EQ(!ColumnsOf(StatsView::kPgClass, version).empty(), documented.relallfrozen);
  }
}

TEST(SnapshotQueryTest, GeneratedQueryReadsExactlyTheVersionsColumns) {
  for (const auto& [version, documented] : DocumentedColumns()) {
    SCOPED_TRACE(version);
    absl::StatusOr<std::string> sql = BuildSnapshotQuery(version);
    ASSERT_OK(sql);
    EXPECT_THAT(ColumnsRead(*sql, "s"), ElementsAreArray(documented.tables));
    EXPECT_THAT(ColumnsRead(*sql, "p"), ElementsAreArray(documented.progress));
    // No view row goes whole into the document, and nothing is left for psql.
    EXPECT_THAT(*sql, Not(HasSubstr("to_jsonb(s)")));
    EXPECT_THAT(*sql, Not(HasSubstr("to_jsonb(p)")));
    EXPECT_THAT(*sql, Not(HasSubstr("to_jsonb(c) ->>")));
    EXPECT_THAT(*sql, Not(HasSubstr("/*vacwatch:")));
    EXPECT_THAT(*sql, Not(HasSubstr(":'cluster'")));
    EXPECT_THAT(*sql, HasSubstr("'cluster', $1::text"));
    EXPECT_THAT(*sql, HasSubstr(documented.relallfrozen ? "c.relallfrozen::bigint"
                                                        : "'relallfrozen', NULL::bigint"));
    // The collector's own backend is never a holder (both holder groups exclude it).
    const std::regex own("a\\.pid <> pg_backend_pid\\(\\)");
    EXPECT_EQ(
        std::distance(std::sregex_iterator(sql->begin(), sql->end(), own), std::sregex_iterator()),
        2);
  }
}

TEST(SnapshotQueryTest, ColumnsEveryVersionSharesAreReadUnchanged) {
  // What the holder and slot parts read exists from PG10 on (pg_stat_activity.backend_type
  // came in 10); the generator does not touch them, so they are the file's own text.
  absl::StatusOr<std::string> sql10 = BuildSnapshotQuery(100000);
  ASSERT_OK(sql10);
  EXPECT_THAT(*sql10, HasSubstr("a.backend_type"));
  EXPECT_THAT(*sql10, HasSubstr("FROM pg_replication_slots"));
  EXPECT_THAT(*sql10, HasSubstr("FROM pg_prepared_xacts"));
  EXPECT_THAT(*sql10, HasSubstr("FROM pg_stat_replication"));
  // Comment lines do not travel with every query.
  EXPECT_THAT(*sql10, Not(HasSubstr("-- ")));
  EXPECT_LT(sql10->size(), SnapshotQueryTemplate().size());
}

TEST(SnapshotQueryTest, OlderServersAreRefusedNewerOnesGetTheVersionFollowingForm) {
  absl::StatusOr<std::string> old = BuildSnapshotQuery(90624);
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(), HasSubstr("PostgreSQL 10"));
  absl::StatusOr<std::string> newer = BuildSnapshotQuery(190000);
  ASSERT_OK(newer);
  EXPECT_THAT(*newer, HasSubstr("to_jsonb(s)"));
  EXPECT_THAT(*newer, HasSubstr("to_jsonb(p)"));
  EXPECT_THAT(*newer, Not(HasSubstr("/*vacwatch:")));
}

TEST(SnapshotQueryTest, FunctionCallsStayUnderPostgresArgumentLimit) {
  // jsonb_build_object takes at most 100 arguments (FUNC_MAX_ARGS).
  absl::StatusOr<std::string> sql = BuildSnapshotQuery(180000);
  ASSERT_OK(sql);
  for (size_t at = sql->find("jsonb_build_object("); at != std::string::npos;
       at = sql->find("jsonb_build_object(", at + 1)) {
    int depth = 0, commas = 0;
    for (size_t i = at + 18; i < sql->size(); ++i) {
      const char c = (*sql)[i];
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) break;
      if (c == ',' && depth == 1) ++commas;
    }
    EXPECT_LT(commas + 1, 100) << sql->substr(at, 80);
  }
}

}  // namespace
}  // namespace vacwatch::ingest
