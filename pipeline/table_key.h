#ifndef VACWATCH_PIPELINE_TABLE_KEY_H_
#define VACWATCH_PIPELINE_TABLE_KEY_H_

// TableKey: which table, as (cluster, database, schema, table), and its byte encoding as the
// state store's key. The encoding orders keys by cluster, then database, then schema, then
// table (byte-wise), so one database's tables are contiguous in the store:
//
//   key := part(cluster) part(database) part(schema) part(table)
//   part(s) := s with 0x00 written as 0x00 0xFF, then the terminator 0x00 0x01
//
// (the escape keeps the order of the raw strings and lets names hold any byte). Database-level
// entries use an empty schema and table, which sorts before every table of the database.
//
//   TableKey k{"prod-eu-1", "shop", "public", "orders"};
//   std::string bytes = k.Encode();
//   TableKey back;
//   bool ok = TableKey::Decode(bytes, &back);   // false on malformed bytes
//
// TableKey owns its strings.

#include <string>
#include <string_view>

namespace vacwatch::pipeline {

struct TableKey {
  std::string cluster, database, schema, table;

  std::string Encode() const;
  void EncodeTo(std::string* out) const;  // appends
  static bool Decode(std::string_view bytes, TableKey* out);

  // "database.schema.table", as PostgreSQL's log names it.
  std::string QualifiedName() const;
  // "cluster/database.schema.table": what config overrides match.
  std::string GlobSubject() const;

  // clang-tidy 14 reads the defaulted <=> as a comparison with a literal 0.
  auto operator<=>(const TableKey&) const = default;  // NOLINT(modernize-use-nullptr)
  bool operator==(const TableKey&) const = default;
};

// Whether an encoded key names a database or cluster entry (no table): cheap, no decoding.
inline bool IsEntityKey(std::string_view encoded) {
  // A table part is never empty: an empty one is its terminator right after the schema's.
  return encoded.size() >= 4 &&
         encoded.substr(encoded.size() - 4) == std::string_view("\0\x01\0\x01", 4);
}

// Encodes a key from views without building a TableKey (hot path: reuses `*out`'s capacity).
void EncodeTableKey(std::string_view cluster, std::string_view database, std::string_view schema,
                    std::string_view table, std::string* out);

// The key range [*begin, *end) that holds exactly the keys of one database's entries (its
// tables and its database-level entry).
void EncodeDatabaseKeyRange(std::string_view cluster, std::string_view database, std::string* begin,
                            std::string* end);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_TABLE_KEY_H_
