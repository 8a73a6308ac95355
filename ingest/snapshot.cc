#include "ingest/snapshot.h"

#include <utility>

namespace vacwatch::ingest {

namespace {
template <typename T>
std::vector<T> Emptied(std::vector<T>& v) {
  std::vector<T> keep = std::move(v);
  keep.clear();
  return keep;
}
}  // namespace

void Snapshot::Clear() {
  auto tables_keep = Emptied(tables);
  auto holders_keep = Emptied(xmin_holders);
  auto slots_keep = Emptied(replication_slots);
  auto prepared_keep = Emptied(prepared_xacts);
  auto progress_keep = Emptied(vacuum_progress);
  auto walsenders_keep = Emptied(walsenders);
  auto bloat_keep = Emptied(measured_bloat);
  *this = Snapshot();
  tables = std::move(tables_keep);
  xmin_holders = std::move(holders_keep);
  replication_slots = std::move(slots_keep);
  prepared_xacts = std::move(prepared_keep);
  vacuum_progress = std::move(progress_keep);
  walsenders = std::move(walsenders_keep);
  measured_bloat = std::move(bloat_keep);
}

}  // namespace vacwatch::ingest
