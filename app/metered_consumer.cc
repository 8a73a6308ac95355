#include "app/metered_consumer.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/thresholds.h"

namespace vacwatch::app {
namespace {

// The oldest xmin horizon holder's age in `s` (sessions, slots, prepared transactions,
// walsenders), 0 when none holds one.
int64_t OldestHorizonAge(const ingest::Snapshot& s) {
  int64_t age = 0;
  auto take = [&age](const std::optional<int64_t>& a) {
    if (a.has_value()) age = std::max(age, *a);
  };
  for (const ingest::XminHolder& h : s.xmin_holders) {
    take(h.xmin_age);
    take(h.xid_age);
  }
  for (const ingest::ReplicationSlot& slot : s.replication_slots) {
    take(slot.xmin_age);
    take(slot.catalog_xmin_age);
  }
  for (const ingest::PreparedXact& p : s.prepared_xacts) take(p.xid_age);
  for (const ingest::Walsender& w : s.walsenders) take(w.xmin_age);
  return age;
}

void AppendKeyPart(std::string_view part, std::string* key) {
  key->append(part);
  key->push_back('\0');
}

}  // namespace

MeteredConsumer::MeteredConsumer(EventConsumer* inner, int64_t table_series_limit,
                                 std::function<absl::Time()> clock)
    : inner_(inner),
      own_budget_{std::max<int64_t>(table_series_limit, 0)},
      budget_(&own_budget_),
      clock_(clock ? std::move(clock) : [] { return absl::Now(); }) {}

MeteredConsumer::MeteredConsumer(EventConsumer* inner, TableSeriesBudget& budget,
                                 std::function<absl::Time()> clock)
    : inner_(inner),
      budget_(&budget),
      clock_(clock ? std::move(clock) : [] { return absl::Now(); }) {}

MeteredConsumer::~MeteredConsumer() {
  budget_->tables -= static_cast<int64_t>(tables_.size());
  budget_->databases -= static_cast<int64_t>(databases_.size());
}

absl::Status MeteredConsumer::OnSnapshot(const ingest::Snapshot& snapshot) {
  absl::Status s = inner_->OnSnapshot(snapshot);
  if (!s.ok()) return s;
  auto it = clusters_.find(snapshot.cluster);
  if (it == clusters_.end())
    it = clusters_.emplace(std::string(snapshot.cluster), ClusterFacts()).first;
  it->second.last_fed = clock_();
  it->second.last_collected = std::max(it->second.last_collected, snapshot.collected_at);
  ++it->second.snapshots;
  if (budget_->limit > 0) NoteTables(snapshot);
  return s;
}

void MeteredConsumer::NoteTables(const ingest::Snapshot& snapshot) {
  key_.clear();
  AppendKeyPart(snapshot.cluster, &key_);
  AppendKeyPart(snapshot.database, &key_);
  auto db = database_index_.find(key_);
  if (db == database_index_.end() && budget_->TryTake(budget_->databases)) {
    db = database_index_.emplace(key_, databases_.size()).first;
    databases_.push_back({std::string(snapshot.cluster), std::string(snapshot.database), 0});
  }
  if (db != database_index_.end()) {
    databases_[db->second].horizon_age_xids = static_cast<double>(OldestHorizonAge(snapshot));
  }
  const size_t prefix = key_.size();
  for (const ingest::TableStats& row : snapshot.tables) {
    key_.resize(prefix);
    AppendKeyPart(row.schemaname, &key_);
    AppendKeyPart(row.relname, &key_);
    auto it = table_index_.find(key_);
    if (it == table_index_.end()) {
      if (!budget_->TryTake(budget_->tables)) {
        budget_->rows_dropped.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      it = table_index_.emplace(key_, tables_.size()).first;
      TableSeries series;
      series.cluster = std::string(snapshot.cluster);
      series.database = std::string(snapshot.database);
      series.schema = std::string(row.schemaname);
      series.table = std::string(row.relname);
      tables_.push_back(std::move(series));
    }
    TableSeries& t = tables_[it->second];
    if (snapshot.collected_at <= t.collected) continue;  // out of order or a duplicate
    const pipeline::Thresholds thresholds =
        pipeline::ComputeThresholds(snapshot.settings, snapshot.server_version_num, row);
    if (row.n_dead_tup.has_value()) {
      const double dead = static_cast<double>(*row.n_dead_tup);
      if (t.collected != absl::InfinitePast()) {
        const double seconds = absl::ToDoubleSeconds(snapshot.collected_at - t.collected);
        t.bloat_velocity = (dead - t.dead_tuples) / seconds;
      }
      t.dead_tuples = dead;
      t.over_trigger_ratio = thresholds.vacuum > 0 ? dead / thresholds.vacuum : 0;
    }
    if (row.relfrozenxid_age.has_value() && thresholds.params.freeze_max_age > 0) {
      t.freeze_age_ratio = static_cast<double>(*row.relfrozenxid_age) /
                           static_cast<double>(thresholds.params.freeze_max_age);
    }
    t.collected = snapshot.collected_at;
  }
}

}  // namespace vacwatch::app
