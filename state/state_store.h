#ifndef VACWATCH_STATE_STATE_STORE_H_
#define VACWATCH_STATE_STATE_STORE_H_

// StateStore: vacwatch's durable state in RocksDB. Four column families:
//   tables   key = the pipeline's table key        value = encoded per-table model + alerts
//   outbox   key = big-endian uint64 sequence      value = one alert transition (JSON), kept
//                                                  until a sink confirms delivery
//   offsets  key = input source id                 value = fixed64 resume offset
//   meta     key = name                            value = bytes (format version, counters)
// Everything one processed batch of input changes is written in one atomic Batch, so after a
// crash state, alerts and input positions always agree:
//
//   StateStore::Batch batch;
//   batch.PutTable(key, encoded_state);
//   batch.PutOutbox(seq, alert_json);
//   batch.PutOffset("log:/var/log/pg.log", SourceOffset(1048576));
//   VW_RETURN_IF_ERROR(store->Commit(&batch));   // all or nothing
//
// Errors come back as absl::Status with codes chosen for the caller (rocksdb_status.h):
// Unavailable = retry the call, DataLoss = corruption, FailedPrecondition = fix and restart.
// The store keeps no reference to arguments past a call. A handle is not thread-safe for
// writes: one pipeline thread owns it; handles of different scopes may read and commit from
// different threads at once (RocksDB serializes the writes).
//
// Scopes. `vacwatch run` keeps each input partition's state apart, so that a revoked partition
// is flushed and closed as a unit (and can later move to another instance): OpenScope(id)
// returns a handle with this same interface whose tables, outbox, offsets and meta live under
// the scope's own key prefix, with its own outbox numbering. Batches come from the handle that
// commits them (NewBatch()). The root handle (the one Open returns; `replay` uses it) never
// sees scoped keys. Handles share the database: the root must outlive its scopes.
//
//   VW_ASSIGN_OR_RETURN(auto partition3, store->OpenScope(3));
//   StateStore::Batch batch = partition3->NewBatch();
//   batch.PutTable(key, value);            // stored under partition 3's prefix
//   VW_RETURN_IF_ERROR(partition3->Commit(&batch));

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/source_offset.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace vacwatch::state {

struct StateStoreOptions {
  bool create_if_missing = true;
  // Block cache for table reads; the bound on the store's memory besides memtables.
  int64_t block_cache_bytes = 64 << 20;
  int64_t write_buffer_bytes = 32 << 20;
  // Table files kept open (each holds its index in the block cache, not beside it).
  int max_open_files = 256;
  // fsync the WAL on every Commit. Off by default: RocksDB's WAL survives a process crash
  // without it; turn it on to survive a machine crash too.
  bool sync_writes = false;
};

class StateStore {
 public:
  class Batch {
   public:
    Batch();  // a batch of the root scope; a scoped handle's come from its NewBatch()
    ~Batch();
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;

    void PutTable(std::string_view key, std::string_view value);
    void DeleteTable(std::string_view key);
    void PutOutbox(uint64_t seq, std::string_view value);
    void DeleteOutbox(uint64_t seq);
    void PutOffset(std::string_view source, SourceOffset offset);
    void PutMeta(std::string_view key, std::string_view value);
    void DeleteMeta(std::string_view key);
    int64_t count() const;  // operations so far
    int64_t bytes() const;  // the batch's encoded size so far (keys, values, framing)
    void Clear();

   private:
    friend class StateStore;
    explicit Batch(std::string_view scope_prefix);
    std::string_view Scoped(std::string_view key);  // key_ = scope_ + key (root: key itself)

    std::unique_ptr<rocksdb::WriteBatch> batch_;
    std::string scope_;  // the key prefix of the scope, empty for the root
    std::string key_;
    std::string scratch_;
    uint64_t max_outbox_seq_ = 0;  // so Commit can keep LastOutboxSeq in the same batch
  };

  // Opens (creating if allowed) the store in `dir`. FailedPrecondition if `dir` holds a store
  // of an unknown format version; Unavailable if another process holds its lock.
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(const std::string& dir,
                                                          const StateStoreOptions& options);
  ~StateStore();

  // A handle on scope `id` (see above). Only from the root handle (FailedPrecondition
  // otherwise); errors of reading the scope's outbox numbering.
  absl::StatusOr<std::unique_ptr<StateStore>> OpenScope(uint32_t id) const;
  // The scope this handle works in; nullopt for the root.
  std::optional<uint32_t> scope() const { return scope_id_; }
  // An empty batch for this handle's Commit.
  Batch NewBatch() const { return Batch(scope_); }

  // Reads a table entry into `*value`; returns false (and leaves `*value` unspecified) when
  // absent.
  absl::StatusOr<bool> GetTable(std::string_view key, std::string* value) const;
  absl::StatusOr<std::optional<SourceOffset>> GetOffset(std::string_view source) const;
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const;

  // Visits every table entry in key order until `visit` returns false.
  absl::Status ForEachTable(
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // Visits the table entries with begin <= key < end in key order until `visit` returns false
  // (the pipeline loads the states of one database's snapshot rows this way: a scan step costs
  // a fraction of a point lookup). Read blocks go to the block cache.
  absl::Status ForEachTableInRange(
      std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // Visits the meta entries whose key starts with `prefix`, in key order, until `visit` returns
  // false.
  absl::Status ForEachMeta(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // Visits undelivered alert transitions in sequence order.
  absl::Status ForEachOutbox(
      const std::function<bool(uint64_t seq, std::string_view value)>& visit) const;
  // The highest outbox sequence ever written (0 if none), so numbering survives restarts.
  absl::StatusOr<uint64_t> LastOutboxSeq() const;

  // The store's size on disk as RocksDB estimates it, summed over the column families: live
  // table files (SST) plus what the memtables hold (not yet flushed). For the state-size
  // gauge; cheap (RocksDB's in-memory properties, no I/O). The whole database's, whatever the
  // handle's scope (scopes are key prefixes in the same column families).
  int64_t ApproximateSizeBytes() const;

  // Applies the batch atomically and clears it. On failure the batch is kept, so the same
  // call can be retried: ResourceExhausted means the disk is full, and a Commit retried once
  // space is back succeeds (the store resumes from RocksDB's write stop by itself).
  // InvalidArgument for a batch of another scope.
  absl::Status Commit(Batch* batch);

 private:
  struct Impl;
  StateStore(std::shared_ptr<Impl> impl, std::optional<uint32_t> scope_id);
  absl::Status ReadLastOutboxSeq();
  // The scope's entries of column family `family` with begin <= key < end (an empty `end`:
  // to the scope's end), keys handed to `visit` without the scope's prefix.
  absl::Status Scan(
      uint32_t family, std::string_view begin, std::string_view end, bool fill_cache,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  std::shared_ptr<Impl> impl_;
  std::optional<uint32_t> scope_id_;
  std::string scope_;  // key prefix: empty for the root
  uint64_t last_outbox_seq_ = 0;
};

}  // namespace vacwatch::state

#endif  // VACWATCH_STATE_STATE_STORE_H_
