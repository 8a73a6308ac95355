#ifndef VACWATCH_COMMON_FNV1A_H_
#define VACWATCH_COMMON_FNV1A_H_

// Fnv1a: the 64-bit FNV-1a hash, for values stored or compared across runs and builds (alert
// fingerprints, log events' de-duplication hashes, file and root identities), which std::hash
// does not promise. A plain value; no allocation.
//
//   Fnv1a h;
//   h.AddPart(cluster);     // bytes, then a 0xFF separator: parts never run together
//   h.AddInt(pid);          // 8 bytes, little-endian
//   uint64_t v = h.value();

#include <cstdint>
#include <string_view>

namespace vacwatch {

class Fnv1a {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) AddByte(c);
  }
  void AddPart(std::string_view part) {
    Add(part);
    AddByte(0xFF);
  }
  void AddInt(int64_t v) {
    for (int i = 0; i < 8; ++i) AddByte(static_cast<uint64_t>(v >> (8 * i)) & 0xFF);
  }
  uint64_t value() const { return h_; }

 private:
  void AddByte(uint64_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace vacwatch

#endif  // VACWATCH_COMMON_FNV1A_H_
