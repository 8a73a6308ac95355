#include "pipeline/table_key.h"

namespace vacwatch::pipeline {
namespace {

void AppendPart(std::string_view s, std::string* out) {
  // By runs up to each NUL (names hardly ever hold one): a key is encoded for every snapshot
  // row, and a push_back per byte was 1.5% of the service's CPU.
  while (true) {
    const size_t nul = s.find('\0');
    if (nul == std::string_view::npos) break;
    out->append(s.data(), nul + 1);
    out->push_back('\xFF');
    s.remove_prefix(nul + 1);
  }
  out->append(s.data(), s.size());
  out->append("\0\x01", 2);
}

// Reads one part; returns false when the terminator is missing or an escape is malformed.
bool ReadPart(std::string_view* in, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < in->size()) {
    char c = (*in)[i];
    if (c != '\0') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in->size()) return false;
    char next = (*in)[i + 1];
    if (next == '\xFF') {
      out->push_back('\0');
      i += 2;
    } else if (next == '\x01') {
      in->remove_prefix(i + 2);
      return true;
    } else {
      return false;
    }
  }
  return false;
}

}  // namespace

void EncodeTableKey(std::string_view cluster, std::string_view database, std::string_view schema,
                    std::string_view table, std::string* out) {
  out->clear();
  AppendPart(cluster, out);
  AppendPart(database, out);
  AppendPart(schema, out);
  AppendPart(table, out);
}

void EncodeDatabaseKeyRange(std::string_view cluster, std::string_view database, std::string* begin,
                            std::string* end) {
  begin->clear();
  AppendPart(cluster, begin);
  AppendPart(database, begin);
  // Every key of the database continues the prefix with a part, whose first byte is anything
  // but the escaped 0x00 0xFF, and whose terminator is 0x00 0x01: all sort before the prefix
  // with its last byte (0x01) raised to 0x02, and nothing else sorts between.
  end->assign(*begin);
  end->back() = '\x02';
}

std::string TableKey::Encode() const {
  std::string out;
  EncodeTo(&out);
  return out;
}

void TableKey::EncodeTo(std::string* out) const {
  AppendPart(cluster, out);
  AppendPart(database, out);
  AppendPart(schema, out);
  AppendPart(table, out);
}

bool TableKey::Decode(std::string_view bytes, TableKey* out) {
  return ReadPart(&bytes, &out->cluster) && ReadPart(&bytes, &out->database) &&
         ReadPart(&bytes, &out->schema) && ReadPart(&bytes, &out->table) && bytes.empty();
}

std::string TableKey::QualifiedName() const { return database + "." + schema + "." + table; }

std::string TableKey::GlobSubject() const { return cluster + "/" + QualifiedName(); }

}  // namespace vacwatch::pipeline
