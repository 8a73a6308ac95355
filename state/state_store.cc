#include "state/state_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "state/coding.h"
#include "state/info_log.h"
#include "state/rocksdb_status.h"

namespace vacwatch::state {
namespace {

// Debian's abseil is built with its own string_view type, which std::string_view does not
// convert to implicitly.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The store's on-disk format. Version 1:
//   tables   <pipeline key> -> <pipeline value, versioned by the pipeline itself>
//   outbox   fixed-width big-endian uint64 seq -> alert transition JSON
//   offsets  <source id> -> fixed64 (little-endian) offset, two's complement
//   meta     "format_version" -> fixed32 (this constant)
//            "last_outbox_seq" -> fixed64, the highest outbox seq ever committed
//            anything else the pipeline puts there
// A scope's keys (OpenScope) are the same, each behind the scope's prefix in every family:
//   scope prefix := 0x00 0x02 big-endian-uint32(id)
// No root key starts with those two bytes: a table key's 0x00 is always followed by 0xFF or
// 0x01 (table_key.h), an outbox key is 8 bytes, and offsets and meta keys are text. The root's
// scans skip the scoped range.
// A store of any other version is refused, never read with defaults.
constexpr uint32_t kFormatVersion = 1;
constexpr std::string_view kFormatVersionKey = "format_version";
constexpr std::string_view kLastOutboxSeqKey = "last_outbox_seq";
constexpr std::string_view kScopeMarker("\x00\x02", 2);
constexpr std::string_view kScopesEnd("\x00\x03", 2);  // after every scoped key
constexpr size_t kScopePrefixSize = 6;

bool IsScopedKey(std::string_view key) { return key.substr(0, 2) == kScopeMarker; }

std::string ScopePrefix(uint32_t id) {
  std::string prefix(kScopeMarker);
  for (int shift = 24; shift >= 0; shift -= 8) prefix.push_back(static_cast<char>(id >> shift));
  return prefix;
}

// The first key after every key that starts with `prefix` (a scope prefix: never all 0xFF).
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xFF) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

// Column family ids are fixed by the order in which Open creates them (RocksDB numbers new
// families one after another from 1, and vacwatch never drops one); Open checks them. Fixed
// ids let a Batch be filled without a store at hand and committed without copying: a
// rocksdb::WriteBatch records only the id of each operation's family.
enum Family : uint32_t { kDefault = 0, kTables = 1, kOutbox = 2, kOffsets = 3, kMeta = 4 };
constexpr std::array<std::string_view, 5> kFamilyNames = {"default", "tables", "outbox", "offsets",
                                                          "meta"};

// A stand-in handle that carries a family's fixed id into rocksdb::WriteBatch.
class FixedFamily final : public rocksdb::ColumnFamilyHandle {
 public:
  explicit FixedFamily(Family id) : id_(id), name_(kFamilyNames[id]) {}
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported("batch-only column family handle");
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  uint32_t id_;
  std::string name_;
};

rocksdb::ColumnFamilyHandle* BatchFamily(Family id) {
  // Immutable after construction and never destroyed (Google style for static objects).
  static const auto* const kHandles = new std::array<FixedFamily, 5>{
      FixedFamily(kDefault), FixedFamily(kTables), FixedFamily(kOutbox), FixedFamily(kOffsets),
      FixedFamily(kMeta)};
  return const_cast<FixedFamily*>(&(*kHandles)[id]);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// Groups table keys by their first two parts (the pipeline's cluster and database: parts end
// with 0x00 0x01, table_key.h) so that the memtable keeps an insert position per database. A
// checkpoint writes one database's states in key order, next to the versions the previous
// checkpoint of that database wrote: with the hint an insert is a few comparisons instead of
// a search from the top of the skip list. Only a hint: a key without two parts is inserted the
// ordinary way.
class DatabasePrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "vacwatch.DatabasePrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PrefixLength(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return PrefixLength(key) != 0; }

 private:
  static size_t PrefixLength(const rocksdb::Slice& key) {
    int parts = 0;
    const size_t start = IsScopedKey(ToView(key)) ? kScopePrefixSize : 0;
    for (size_t i = start; i + 1 < key.size(); ++i) {
      if (key[i] == '\0' && key[i + 1] == '\x01' && ++parts == 2) return i + 2;
      if (key[i] == '\0') ++i;  // an escape or a terminator: two bytes
    }
    return 0;
  }
};

// A full disk stops RocksDB's writes until it recovers. Its own recovery waits for a whole
// write buffer (32 MiB) of free space, polled every 5 s, and while it waits DB::Resume() is
// refused; this listener turns it off, and Commit resumes the store itself (so a retried
// Commit succeeds as soon as there is room for the memtables' flush).
class ResumeOnCommitAfterFullDisk final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "vacwatch.ResumeOnCommitAfterFullDisk"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status error,
                            bool* auto_recovery) override {
    if (error.IsNoSpace()) *auto_recovery = false;
  }
};

rocksdb::CompressionType PickCompression(rocksdb::CompressionType preferred) {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (rocksdb::CompressionType type :
       {preferred, rocksdb::kLZ4Compression, rocksdb::kZSTD, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), type) != supported.end()) return type;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions FamilyOptions(Family family, const StateStoreOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks live in (and are bounded by) the block cache, not beside it. They
  // are partitioned into block-sized pieces with a small pinned top level: a whole index or
  // filter of a 64 MiB table file is about a megabyte, larger than a cache shard can keep next
  // to the data blocks, and was read and decompressed again on nearly every lookup at 1 million
  // tables (docs/performance.md, "Pipeline with state").
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.pin_top_level_index_and_filter = true;
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.metadata_block_size = 4096;
  table.format_version = 5;
  // XXH3 block checksums instead of CRC32C: Debian's RocksDB is built without SSE4.2 and
  // computes CRC32C in software, 3.6% of the service's CPU at 1M tables; XXH3 is fast on any
  // x86-64. Each file records its own checksum type, so older stores are read as before.
  table.checksum = rocksdb::kXXH3;
  if (family == kTables) {
    // The pipeline loads table states by point lookups, mostly of keys that exist.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.partition_filters = true;
  }

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = PickCompression(rocksdb::kLZ4Compression);
  // LZ4 at the bottom too: every table state is rewritten at each snapshot, so compactions
  // run all the time, and ZSTD's compression was a quarter of the process's CPU at 1 million
  // tables (for about 10% less disk).
  cf.bottommost_compression = PickCompression(rocksdb::kLZ4Compression);
  cf.level_compaction_dynamic_level_bytes = true;
  cf.max_write_buffer_number = 2;
  if (family == kTables) {
    cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<DatabasePrefix>();
    // Flushes and the first compaction write uncompressed: every snapshot rewrites its tables'
    // states, so most bytes written to L0 and L1 are soon rewritten again, and compressing them
    // was LZ4's 9% of the service's CPU for nothing. With 1M tables the service went from 162k
    // to 227k snapshot rows/s (docs/performance.md); L0 and L1 hold a few write buffers only.
    cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression, cf.compression,
                                cf.compression,          cf.compression,          cf.compression,
                                cf.compression};
    // With dynamic level bytes nearly every compaction goes from L0 straight to the last level
    // and rewrites all of it (about 100 MB at 1M tables). Waiting for 12 write buffers instead of
    // 4 does that a third as often: compaction was 23% of the service's CPU at 1M tables and the
    // backlog drain went from about 345k to about 400k rows/s (docs/performance.md). Lookups check
    // up to 12 pinned L0 filters instead of 4; writes slow down at 20 files, as before.
    cf.level0_file_num_compaction_trigger = 12;
  }
  // Outbox, offsets and meta are a few small keys rewritten each batch: small memtables.
  const int64_t buffer = family == kTables || family == kDefault
                             ? options.write_buffer_bytes
                             : std::min<int64_t>(options.write_buffer_bytes, 4 << 20);
  cf.write_buffer_size = static_cast<size_t>(std::max<int64_t>(buffer, 64 << 10));
  return cf;
}

absl::StatusOr<bool> FamilyIsEmpty(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
  it->SeekToFirst();
  if (!it->status().ok()) return RocksDbToAbsl(it->status(), "scan column family");
  return !it->Valid();
}

}  // namespace

struct StateStore::Impl {
  std::string dir;
  StateStoreOptions options;
  std::shared_ptr<rocksdb::Cache> cache;
  std::unique_ptr<rocksdb::DB> db;
  // Indexed by Family; any further (newer-format) families after them.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  // A write failed on a full disk: resume before the next one. Atomic: handles of different
  // scopes commit from different threads (the service's shards).
  std::atomic<bool> out_of_space{false};

  ~Impl() {
    // Handles belong to the DB and must go before it.
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    handles.clear();
    if (db != nullptr) db->Close().PermitUncheckedError();
    db.reset();
  }

  rocksdb::ColumnFamilyHandle* family(Family id) const { return handles[id]; }
};

// ---- Batch ----------------------------------------------------------------------------------

StateStore::Batch::Batch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
StateStore::Batch::Batch(std::string_view scope_prefix)
    : batch_(std::make_unique<rocksdb::WriteBatch>()), scope_(scope_prefix) {}
StateStore::Batch::~Batch() = default;
StateStore::Batch::Batch(Batch&&) noexcept = default;
StateStore::Batch& StateStore::Batch::operator=(Batch&&) noexcept = default;

std::string_view StateStore::Batch::Scoped(std::string_view key) {
  if (scope_.empty()) return key;
  key_.assign(scope_);
  key_.append(key);
  return key_;
}

void StateStore::Batch::PutTable(std::string_view key, std::string_view value) {
  batch_->Put(BatchFamily(kTables), ToSlice(Scoped(key)), ToSlice(value)).PermitUncheckedError();
}

void StateStore::Batch::DeleteTable(std::string_view key) {
  batch_->Delete(BatchFamily(kTables), ToSlice(Scoped(key))).PermitUncheckedError();
}

void StateStore::Batch::PutOutbox(uint64_t seq, std::string_view value) {
  scratch_.assign(scope_);
  PutBigEndian64(&scratch_, seq);
  batch_->Put(BatchFamily(kOutbox), ToSlice(scratch_), ToSlice(value)).PermitUncheckedError();
  max_outbox_seq_ = std::max(max_outbox_seq_, seq);
}

void StateStore::Batch::DeleteOutbox(uint64_t seq) {
  scratch_.assign(scope_);
  PutBigEndian64(&scratch_, seq);
  batch_->Delete(BatchFamily(kOutbox), ToSlice(scratch_)).PermitUncheckedError();
}

void StateStore::Batch::PutOffset(std::string_view source, SourceOffset offset) {
  scratch_.clear();
  PutFixed64(&scratch_, static_cast<uint64_t>(offset.value()));
  batch_->Put(BatchFamily(kOffsets), ToSlice(Scoped(source)), ToSlice(scratch_))
      .PermitUncheckedError();
}

void StateStore::Batch::PutMeta(std::string_view key, std::string_view value) {
  batch_->Put(BatchFamily(kMeta), ToSlice(Scoped(key)), ToSlice(value)).PermitUncheckedError();
}

void StateStore::Batch::DeleteMeta(std::string_view key) {
  batch_->Delete(BatchFamily(kMeta), ToSlice(Scoped(key))).PermitUncheckedError();
}

int64_t StateStore::Batch::count() const { return batch_->Count(); }

int64_t StateStore::Batch::bytes() const { return static_cast<int64_t>(batch_->GetDataSize()); }

void StateStore::Batch::Clear() {
  // A batch keeps its buffer for the next one, but not a large one: the checkpoint after a
  // backlog is megabytes per partition, and the service's 64 partitions kept 200 MB that way.
  constexpr size_t kMaxKeptBytes = 1 << 20;
  if (batch_->GetDataSize() > kMaxKeptBytes) {
    batch_ = std::make_unique<rocksdb::WriteBatch>();
  } else {
    batch_->Clear();
  }
  max_outbox_seq_ = 0;
}

// ---- StateStore -----------------------------------------------------------------------------

StateStore::StateStore(std::shared_ptr<Impl> impl, std::optional<uint32_t> scope_id)
    : impl_(std::move(impl)),
      scope_id_(scope_id),
      scope_(scope_id.has_value() ? ScopePrefix(*scope_id) : std::string()) {}
StateStore::~StateStore() = default;

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir,
                                                             const StateStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  // Few shards: one thread reads, and a shard must be large enough to keep the index and
  // filter partitions of its share of the data (the default, 64 shards, makes 1 MiB ones).
  impl->cache = rocksdb::NewLRUCache(
      static_cast<size_t>(std::max<int64_t>(options.block_cache_bytes, 1 << 20)),
      /*num_shard_bits=*/2);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options.max_open_files;
  // All memtables together, and the WAL that keeps them, stay within a few write buffers.
  db_options.db_write_buffer_size = static_cast<size_t>(options.write_buffer_bytes) * 2;
  db_options.max_total_wal_size = static_cast<uint64_t>(options.write_buffer_bytes) * 4;
  db_options.max_background_jobs = 2;
  // RocksDB's LOG, written so that a full disk costs log lines, never the process.
  db_options.info_log = std::make_shared<InfoLog>(dir + "/LOG", 4 << 20);
  db_options.listeners.push_back(std::make_shared<ResumeOnCommitAfterFullDisk>());

  std::vector<std::string> existing;
  const rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
  const bool existed = listed.ok();
  if (!existed && !options.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("state dir ", dir, " holds no state store"));
  }
  if (!existed) {
    // Creating a store among someone else's files would mix them with RocksDB's and make the
    // directory impossible to clean up safely: only an empty (or new) directory is used.
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      return absl::FailedPreconditionError(
          absl::StrCat("state dir ", dir, " is not empty and holds no vacwatch state (it has ",
                       entry.path().filename().string(),
                       "): give a new or empty directory, or the one an earlier run used"));
    }
  }
  if (existed && std::find(existing.begin(), existing.end(), "meta") == existing.end()) {
    // Only a store whose creation was cut short lacks `meta`; anything with families of its
    // own is some other program's database, which must not be touched.
    for (const std::string& name : existing) {
      if (std::find(kFamilyNames.begin(), kFamilyNames.end(), name) == kFamilyNames.end()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "state dir ", dir, " holds a RocksDB database that is not a vacwatch state store"));
      }
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (uint32_t id = 0; id < kFamilyNames.size(); ++id) {
    descriptors.emplace_back(std::string(kFamilyNames[id]),
                             FamilyOptions(static_cast<Family>(id), options, impl->cache));
  }
  // A newer vacwatch may have added families; open them too so the version check below can
  // give the real reason for refusing.
  for (const std::string& name : existing) {
    if (std::find(kFamilyNames.begin(), kFamilyNames.end(), name) == kFamilyNames.end()) {
      descriptors.emplace_back(name, FamilyOptions(kDefault, options, impl->cache));
    }
  }

  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status opened =
      rocksdb::DB::Open(db_options, dir, descriptors, &impl->handles, &raw_db);
  impl->db.reset(raw_db);
  if (!opened.ok()) return RocksDbOpenToAbsl(opened, dir);

  for (uint32_t id = 0; id < kFamilyNames.size(); ++id) {
    if (impl->handles[id]->GetID() != id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "state dir ", dir, ": column family ", Sv(kFamilyNames[id]), " has id ",
          impl->handles[id]->GetID(), ", expected ", id, "; not a store this vacwatch wrote"));
    }
  }

  std::string value;
  rocksdb::Status got = impl->db->Get(rocksdb::ReadOptions(), impl->family(kMeta),
                                      ToSlice(kFormatVersionKey), &value);
  if (got.IsNotFound()) {
    // A new store, or one whose creation stopped before this key: both are empty.
    for (uint32_t id = 0; id < impl->handles.size(); ++id) {
      VW_ASSIGN_OR_RETURN(bool empty, FamilyIsEmpty(impl->db.get(), impl->handles[id]));
      if (!empty) {
        return absl::FailedPreconditionError(
            absl::StrCat("state dir ", dir, " holds data but no format version"));
      }
    }
    std::string encoded;
    PutFixed32(&encoded, kFormatVersion);
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    VW_RETURN_IF_ERROR(RocksDbToAbsl(impl->db->Put(write_options, impl->family(kMeta),
                                                   ToSlice(kFormatVersionKey), ToSlice(encoded)),
                                     "write format version"));
  } else if (!got.ok()) {
    return RocksDbToAbsl(got, absl::StrCat("read format version of ", dir));
  } else {
    std::string_view in = value;
    uint32_t version = 0;
    if (!GetFixed32(&in, &version) || !in.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("state dir ", dir, " has an unreadable format version"));
    }
    if (version != kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat("state dir ", dir, " has format version ",
                                                        version, "; this vacwatch reads version ",
                                                        kFormatVersion));
    }
  }

  std::unique_ptr<StateStore> store(new StateStore(std::move(impl), std::nullopt));
  VW_RETURN_IF_ERROR(store->ReadLastOutboxSeq());
  return store;
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::OpenScope(uint32_t id) const {
  if (scope_id_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("state: scope ", id, " opened from scope ", *scope_id_, ", not the root"));
  }
  std::unique_ptr<StateStore> store(new StateStore(impl_, id));
  VW_RETURN_IF_ERROR(store->ReadLastOutboxSeq());
  return store;
}

absl::Status StateStore::ReadLastOutboxSeq() {
  VW_ASSIGN_OR_RETURN(std::optional<std::string> value, GetMeta(kLastOutboxSeqKey));
  last_outbox_seq_ = 0;
  if (!value.has_value()) return absl::OkStatus();
  std::string_view in = *value;
  if (!GetFixed64(&in, &last_outbox_seq_) || !in.empty()) {
    return absl::DataLossError(absl::StrCat("state dir ", impl_->dir, ": bad last_outbox_seq",
                                            scope_id_.has_value() ? " of scope " : "",
                                            scope_id_.has_value() ? absl::StrCat(*scope_id_) : ""));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> StateStore::GetTable(std::string_view key, std::string* value) const {
  std::string scoped;
  if (!scope_.empty()) {
    scoped.reserve(scope_.size() + key.size());
    scoped.append(scope_).append(key);
    key = scoped;
  }
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kTables), ToSlice(key), value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return RocksDbToAbsl(s, "read table state");
  return true;
}

absl::StatusOr<std::optional<SourceOffset>> StateStore::GetOffset(std::string_view source) const {
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kOffsets),
                                           ToSlice(absl::StrCat(scope_, Sv(source))), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return RocksDbToAbsl(s, absl::StrCat("read offset of ", Sv(source)));
  std::string_view in = value;
  uint64_t offset = 0;
  if (!GetFixed64(&in, &offset) || !in.empty()) {
    return absl::DataLossError(absl::StrCat("offset of ", Sv(source), ": not a fixed64"));
  }
  return SourceOffset(static_cast<int64_t>(offset));
}

absl::StatusOr<std::optional<std::string>> StateStore::GetMeta(std::string_view key) const {
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->family(kMeta),
                                           ToSlice(absl::StrCat(scope_, Sv(key))), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return RocksDbToAbsl(s, absl::StrCat("read meta ", Sv(key)));
  return value;
}

absl::Status StateStore::ForEachTable(
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // A full scan would otherwise push the hot working set out of the block cache.
  return Scan(kTables, {}, {}, /*fill_cache=*/false, visit);
}

absl::Status StateStore::ForEachTableInRange(
    std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  return Scan(kTables, begin, end, /*fill_cache=*/true, visit);
}

absl::Status StateStore::Scan(
    uint32_t family, std::string_view begin, std::string_view end, bool fill_cache,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = fill_cache;
  const std::string lower = absl::StrCat(scope_, Sv(begin));
  const std::string upper_key = end.empty() ? (scope_.empty() ? std::string() : PrefixEnd(scope_))
                                            : absl::StrCat(scope_, Sv(end));
  const rocksdb::Slice upper = ToSlice(upper_key);
  if (!upper_key.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->family(static_cast<Family>(family))));
  for (it->Seek(ToSlice(lower)); it->Valid(); it->Next()) {
    std::string_view key = ToView(it->key());
    if (scope_.empty() && IsScopedKey(key)) {
      it->Seek(ToSlice(kScopesEnd));  // the root does not see the scopes' keys
      if (!it->Valid()) break;
      key = ToView(it->key());
    }
    key.remove_prefix(scope_.size());
    if (!visit(key, ToView(it->value()))) break;
  }
  return RocksDbToAbsl(it->status(), absl::StrCat("scan ", Sv(kFamilyNames[family])));
}

absl::Status StateStore::ForEachMeta(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // An empty prefix's end is empty too: the end of the scope.
  return Scan(kMeta, prefix, PrefixEnd(prefix), /*fill_cache=*/true, visit);
}

absl::Status StateStore::ForEachOutbox(
    const std::function<bool(uint64_t seq, std::string_view value)>& visit) const {
  const std::string upper_key = scope_.empty() ? std::string(kScopeMarker) : PrefixEnd(scope_);
  const rocksdb::Slice upper = ToSlice(upper_key);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->family(kOutbox)));
  // Root seqs are 8 bytes: those below 2^48 sort before the scopes' marker, and no outbox
  // numbering ever gets near 2^48.
  for (it->Seek(ToSlice(scope_)); it->Valid(); it->Next()) {
    std::string_view key = ToView(it->key());
    key.remove_prefix(scope_.size());
    uint64_t seq = 0;
    if (!GetBigEndian64(&key, &seq) || !key.empty()) {
      return absl::DataLossError("outbox: key is not a big-endian uint64");
    }
    if (!visit(seq, ToView(it->value()))) break;
  }
  return RocksDbToAbsl(it->status(), "scan outbox");
}

absl::StatusOr<uint64_t> StateStore::LastOutboxSeq() const { return last_outbox_seq_; }

int64_t StateStore::ApproximateSizeBytes() const {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* handle : impl_->handles) {
    for (const std::string* property : {&rocksdb::DB::Properties::kLiveSstFilesSize,
                                        &rocksdb::DB::Properties::kSizeAllMemTables}) {
      uint64_t value = 0;
      if (impl_->db->GetIntProperty(handle, *property, &value)) total += value;
    }
  }
  return static_cast<int64_t>(total);
}

absl::Status StateStore::Commit(Batch* batch) {
  if (batch->scope_ != scope_) {
    return absl::InvalidArgumentError(
        "state: a batch committed to a scope other than the one it was made for (NewBatch)");
  }
  if (batch->count() == 0) return absl::OkStatus();
  const uint64_t last_seq = std::max(last_outbox_seq_, batch->max_outbox_seq_);
  if (last_seq != last_outbox_seq_) {
    // In the same batch, so the numbering can never fall behind the outbox it describes.
    batch->scratch_.clear();
    PutFixed64(&batch->scratch_, last_seq);
    batch->PutMeta(kLastOutboxSeqKey, batch->scratch_);
  }
  if (impl_->out_of_space) {
    // Resume flushes the memtables into a new log: it fails (NoSpace) while the disk is full.
    VW_RETURN_IF_ERROR(RocksDbToAbsl(impl_->db->Resume(), "commit: resume after a full disk"));
    impl_->out_of_space = false;
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->options.sync_writes;
  const rocksdb::Status written = impl_->db->Write(write_options, batch->batch_.get());
  if (written.IsNoSpace()) impl_->out_of_space = true;
  VW_RETURN_IF_ERROR(RocksDbToAbsl(written, "commit"));
  last_outbox_seq_ = last_seq;
  batch->Clear();
  return absl::OkStatus();
}

}  // namespace vacwatch::state
