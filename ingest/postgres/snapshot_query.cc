#include "ingest/postgres/snapshot_query.h"

#include <array>
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "ingest/postgres/snapshot_query_sql.h"  // generated from ingest/snapshot_query.sql

namespace vacwatch::ingest {
namespace {

// A column and the versions that have it: [since, until) in server_version_num terms (until 0 =
// still there in the newest known release).
struct Column {
  std::string_view name;
  int since = kOldestSupportedVersionNum;
  int until = 0;
};

// pg_stat_user_tables (= pg_stat_all_tables), in the catalog's order.
constexpr Column kUserTables[] = {
    {"relid"},
    {"schemaname"},
    {"relname"},
    {"seq_scan"},
    {"last_seq_scan", 160000},
    {"seq_tup_read"},
    {"idx_scan"},
    {"last_idx_scan", 160000},
    {"idx_tup_fetch"},
    {"n_tup_ins"},
    {"n_tup_upd"},
    {"n_tup_del"},
    {"n_tup_hot_upd"},
    {"n_tup_newpage_upd", 160000},
    {"n_live_tup"},
    {"n_dead_tup"},
    {"n_mod_since_analyze"},
    {"n_ins_since_vacuum", 130000},
    {"last_vacuum"},
    {"last_autovacuum"},
    {"last_analyze"},
    {"last_autoanalyze"},
    {"vacuum_count"},
    {"autovacuum_count"},
    {"analyze_count"},
    {"autoanalyze_count"},
    {"total_vacuum_time", 180000},
    {"total_autovacuum_time", 180000},
    {"total_analyze_time", 180000},
    {"total_autoanalyze_time", 180000},
};

// pg_stat_progress_vacuum. PG17 replaced the dead-tuple counts by TID-store bytes.
constexpr Column kProgressVacuum[] = {
    {"pid"},
    {"datid"},
    {"datname"},
    {"relid"},
    {"phase"},
    {"heap_blks_total"},
    {"heap_blks_scanned"},
    {"heap_blks_vacuumed"},
    {"index_vacuum_count"},
    {"max_dead_tuples", kOldestSupportedVersionNum, 170000},
    {"num_dead_tuples", kOldestSupportedVersionNum, 170000},
    {"max_dead_tuple_bytes", 170000},
    {"dead_tuple_bytes", 170000},
    {"num_dead_item_ids", 170000},
    {"indexes_total", 170000},
    {"indexes_processed", 170000},
    {"delay_time", 180000},
};

// The pg_class columns read beside pg_stat_user_tables that not every version has.
constexpr Column kPgClass[] = {
    {"relallfrozen", 180000},
};

template <size_t N>
std::vector<std::string_view> Select(const Column (&columns)[N], int version) {
  std::vector<std::string_view> out;
  for (const Column& c : columns) {
    if (version >= c.since && (c.until == 0 || version < c.until)) out.push_back(c.name);
  }
  return out;
}

// jsonb_build_object('a', alias.a, ...), split into parts joined by || because a function
// takes at most 100 arguments (FUNC_MAX_ARGS).
std::string BuildObject(const std::vector<std::string_view>& columns, std::string_view alias) {
  constexpr size_t kPairsPerCall = 40;
  std::string out;
  for (size_t i = 0; i < columns.size(); i += kPairsPerCall) {
    if (i > 0) absl::StrAppend(&out, "\n        || ");
    absl::StrAppend(&out, "jsonb_build_object(");
    for (size_t j = i; j < columns.size() && j < i + kPairsPerCall; ++j) {
      if (j > i) absl::StrAppend(&out, ", ");
      absl::StrAppend(&out, "'", std::string(columns[j]), "', ", std::string(alias), ".",
                      std::string(columns[j]));
    }
    absl::StrAppend(&out, ")");
  }
  return out;
}

// Replaces the one `/*vacwatch:NAME*/original/*end*/` in `sql`; FailedPrecondition when the
// template does not have exactly one (a marker lost in an edit of the .sql file).
absl::Status ReplaceMarked(std::string* sql, std::string_view name, bool keep_original,
                           std::string_view replacement) {
  const std::string open = absl::StrCat("/*vacwatch:", std::string(name), "*/");
  constexpr std::string_view kClose = "/*end*/";
  const size_t start = sql->find(open);
  if (start == std::string::npos || sql->find(open, start + 1) != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("ingest/snapshot_query.sql must mark exactly one part ", open));
  }
  const size_t body = start + open.size();
  const size_t end = sql->find(kClose, body);
  if (end == std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat(open, " has no /*end*/"));
  }
  const std::string text = keep_original ? sql->substr(body, end - body) : std::string(replacement);
  sql->replace(start, end + kClose.size() - start, text);
  return absl::OkStatus();
}

}  // namespace

std::string_view SnapshotQueryTemplate() { return kSnapshotQuerySql; }

std::vector<std::string_view> ColumnsOf(StatsView view, int server_version_num) {
  switch (view) {
    case StatsView::kPgStatUserTables:
      return Select(kUserTables, server_version_num);
    case StatsView::kPgStatProgressVacuum:
      return Select(kProgressVacuum, server_version_num);
    case StatsView::kPgClass:
      return Select(kPgClass, server_version_num);
  }
  return {};
}

absl::StatusOr<std::string> BuildSnapshotQuery(int server_version_num) {
  if (server_version_num < kOldestSupportedVersionNum) {
    return absl::FailedPreconditionError(
        absl::StrCat("the snapshot query needs PostgreSQL 10 or later; the server is version_num ",
                     server_version_num));
  }
  // Comment lines go: they are most of the file's bytes and would travel with every query.
  std::string sql;
  for (absl::string_view line : absl::StrSplit(
           absl::string_view(kSnapshotQuerySql.data(), kSnapshotQuerySql.size()), '\n')) {
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "--")) continue;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::StrAppend(&sql, line, "\n");
  }
  constexpr std::string_view kClusterVariable = ":'cluster'";
  const size_t cluster = sql.find(kClusterVariable);
  if (cluster == std::string::npos) {
    return absl::FailedPreconditionError("ingest/snapshot_query.sql lost its :'cluster'");
  }
  sql.replace(cluster, kClusterVariable.size(), "$1::text");

  // A release newer than the lists above: the originals follow whatever columns it has.
  const bool newer = server_version_num > kNewestKnownVersionNum;
  const std::vector<std::string_view> pg_class = ColumnsOf(StatsView::kPgClass, server_version_num);
  const bool has_relallfrozen = !pg_class.empty();
  VW_RETURN_IF_ERROR(
      ReplaceMarked(&sql, "table_columns", newer,
                    BuildObject(ColumnsOf(StatsView::kPgStatUserTables, server_version_num), "s")));
  VW_RETURN_IF_ERROR(ReplaceMarked(
      &sql, "progress_columns", newer,
      BuildObject(ColumnsOf(StatsView::kPgStatProgressVacuum, server_version_num), "p")));
  // Null before PG18, as the contract says (the key is there, its value unknown).
  VW_RETURN_IF_ERROR(ReplaceMarked(&sql, "relallfrozen", newer,
                                   has_relallfrozen ? "c.relallfrozen::bigint" : "NULL::bigint"));
  return sql;
}

}  // namespace vacwatch::ingest
