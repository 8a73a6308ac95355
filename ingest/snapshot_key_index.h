#ifndef VACWATCH_INGEST_SNAPSHOT_KEY_INDEX_H_
#define VACWATCH_INGEST_SNAPSHOT_KEY_INDEX_H_

// The snapshot key index: how the JSON keys of a snapshot document (docs/formats.md,
// "Snapshots") map to the fields of Snapshot and its rows. Each object type has a Schema: its
// known keys, each bound to a member and a field type, and an open-addressing index built at
// compile time that finds a key with one hash of its first and last eight bytes and one
// comparison, so the per-field cost stays flat as columns are added. The decoder
// (snapshot_decoder.cc) is its one user:
//
//   KeyOrder order;                                     // one per object type, per decoder
//   const FieldSpec<TableStats>* spec = order.Lookup(kTableSchema, position, key);
//   if (spec == nullptr) skip the value;                // a key we do not read
//   else store the value in spec->opt_int etc., as spec->type says
//
// A key looked up at run time must be followed by 8 readable bytes (Fingerprint reads whole
// words), which simdjson's padded document guarantees. The schemas are constant-initialized (no
// start-up code, safe from any thread); lookups keep no reference to `key`. A KeyOrder belongs to
// one decoder, so to one thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/time/time.h"
#include "ingest/snapshot.h"

namespace vacwatch::ingest::snapshot_keys {

enum class FieldType : uint8_t {
  kString,          // string; null -> empty
  kRequiredString,  // string; absent or null -> kMissingField
  kOptInt,          // integer; null -> nullopt
  kOptDouble,       // number; null -> nullopt
  kOptTime,         // RFC 3339 string; null -> nullopt
  kRequiredTime,    // RFC 3339 string; absent or null -> kMissingField
  kOptBool,         // true/false; null -> nullopt
  kOid,             // required oid: "16389" or 16389
  kOptOid,          // optional oid: "16389" or 16389; null -> nullopt
  kPid,             // required int32
  kStringArray,     // null or array of strings (reloptions)
  kSettingInt,      // pg_settings value: "-1"
  kSettingDouble,   // pg_settings value: "0.2"
  kSettingBool,     // pg_settings value: "on" / "off"
  // Top-level sections.
  kKind,
  kSettings,
  kTables,
  kXminHolders,
  kReplicationSlots,
  kPreparedXacts,
  kVacuumProgress,
  kWalsenders,
  kHorizon,
  kMeasuredBloat,
};

template <typename T>
struct FieldSpec {
  std::string_view name;
  FieldType type = FieldType::kString;
  uint32_t required_bit = 0;  // nonzero for required fields
  // The member the value goes to; which one is set follows from `type`.
  std::string_view T::*str = nullptr;
  std::optional<int64_t> T::*opt_int = nullptr;
  std::optional<double> T::*opt_double = nullptr;
  std::optional<absl::Time> T::*opt_time = nullptr;
  absl::Time T::*time = nullptr;
  std::optional<bool> T::*opt_bool = nullptr;
  int64_t T::*int64 = nullptr;
  int32_t T::*int32 = nullptr;
  std::vector<std::string_view> T::*strings = nullptr;
};

// A key's identity for lookup: its length and its first and last (up to) eight bytes, read
// as little-endian words. Keys of at most 16 bytes with equal prints are equal; longer ones
// compare their middles too. At run time a key must be followed by 8 readable bytes, which the
// padded document guarantees.
struct KeyPrint {
  uint64_t head = 0, tail = 0;
  size_t size = 0;
};

constexpr KeyPrint Fingerprint(std::string_view key) {
  KeyPrint k;
  k.size = key.size();
  if (std::is_constant_evaluated()) {
    const size_t n = key.size() < 8 ? key.size() : 8;
    for (size_t i = 0; i < n; ++i) {
      k.head |= uint64_t{static_cast<uint8_t>(key[i])} << (8 * i);
      k.tail |= uint64_t{static_cast<uint8_t>(key[key.size() - n + i])} << (8 * i);
    }
    return k;
  }
  // x86-64 and aarch64 are little-endian, as the constant-evaluated path assumes.
  std::memcpy(&k.head, key.data(), 8);
  if (key.size() >= 8) {
    std::memcpy(&k.tail, key.data() + key.size() - 8, 8);
  } else {
    k.head &= (uint64_t{1} << (8 * key.size())) - 1;
    k.tail = k.head;
  }
  return k;
}

inline constexpr size_t kSlots = 128;

constexpr size_t SlotOf(const KeyPrint& k) {
  const uint64_t h =
      (k.head * 0x9E3779B97F4A7C15ULL) ^ (k.tail * 0xC2B2AE3D27D4EB4FULL) ^ (k.size << 7);
  return static_cast<size_t>(h >> 57) & (kSlots - 1);
}

// The known keys of one object type T, N of them, and their index.
template <typename T, size_t N>
struct Schema {
  static_assert(N < kSlots / 2, "keep the index sparse");
  std::array<FieldSpec<T>, N> fields;
  std::array<KeyPrint, N> prints{};
  std::array<uint8_t, kSlots> slots{};
  uint32_t required_mask = 0;

  constexpr explicit Schema(const std::array<FieldSpec<T>, N>& f) : fields(f) {
    for (auto& s : slots) s = 0xFF;
    for (size_t i = 0; i < N; ++i) {
      prints[i] = Fingerprint(fields[i].name);
      size_t slot = SlotOf(prints[i]);
      while (slots[slot] != 0xFF) slot = (slot + 1) & (kSlots - 1);
      slots[slot] = static_cast<uint8_t>(i);
      required_mask |= fields[i].required_bit;
    }
  }

  // Whether field `i` is `key` (whose print is `k`). The middle of a long key is compared in
  // 8-byte words that stay inside both strings.
  bool Matches(size_t i, const KeyPrint& k, std::string_view key) const {
    const KeyPrint& p = prints[i];
    if (p.head != k.head || p.tail != k.tail || p.size != k.size) return false;
    for (size_t at = 8; at + 8 < k.size; at += 8) {
      uint64_t a, b;
      std::memcpy(&a, fields[i].name.data() + at, 8);
      std::memcpy(&b, key.data() + at, 8);
      if (a != b) return false;
    }
    return true;
  }

  // The index of `key`'s field, or -1 for a key we do not read.
  int FindIndex(const KeyPrint& k, std::string_view key) const {
    size_t slot = SlotOf(k);
    while (slots[slot] != 0xFF) {
      if (Matches(slots[slot], k, key)) return slots[slot];
      slot = (slot + 1) & (kSlots - 1);
    }
    return -1;
  }
};

// The schemas of a snapshot document's objects (snapshot_key_index.cc), by their number of
// known keys. A key added to a schema changes its count here too (a mismatch does not compile).
extern const Schema<Snapshot, 14> kSnapshotSchema;  // the document itself
extern const Schema<TableStats, 38> kTableSchema;   // tables[]
extern const Schema<AutovacuumSettings, 25> kSettingsSchema;
extern const Schema<XminHolder, 11> kXminHolderSchema;
extern const Schema<ReplicationSlot, 9> kReplicationSlotSchema;
extern const Schema<PreparedXact, 6> kPreparedXactSchema;
extern const Schema<Walsender, 7> kWalsenderSchema;
extern const Schema<SnapshotHorizon, 2> kHorizonSchema;
extern const Schema<VacuumProgress, 19> kVacuumProgressSchema;
extern const Schema<MeasuredBloat, 8> kMeasuredBloatSchema;

// Per object type, the field index met at each position of the previous object: jsonb writes
// every row's keys in the same order, so one comparison usually replaces the lookup.
class KeyOrder {
 public:
  KeyOrder() { order_.fill(kUnknown); }

  // The field of `key`, the `position`th key of its object (from 0), or null for a key the
  // schema does not know.
  template <typename T, size_t N>
  const FieldSpec<T>* Lookup(const Schema<T, N>& schema, size_t position, std::string_view key) {
    const KeyPrint k = Fingerprint(key);
    if (position < kPredicted) {
      const uint8_t guess = order_[position];
      if (guess != kUnknown && schema.Matches(guess, k, key)) return &schema.fields[guess];
    }
    const int i = schema.FindIndex(k, key);
    if (i < 0) return nullptr;
    if (position < kPredicted) order_[position] = static_cast<uint8_t>(i);
    return &schema.fields[i];
  }

 private:
  static constexpr size_t kPredicted = 64;
  static constexpr uint8_t kUnknown = 0xFF;
  std::array<uint8_t, kPredicted> order_;
};

}  // namespace vacwatch::ingest::snapshot_keys

#endif  // VACWATCH_INGEST_SNAPSHOT_KEY_INDEX_H_
