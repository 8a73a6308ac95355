#ifndef VACWATCH_PIPELINE_STORED_VALUE_READER_H_
#define VACWATCH_PIPELINE_STORED_VALUE_READER_H_

// StoredValueReader: the cursor the pipeline's stored values are decoded with (table states,
// table_state_codec.cc; database and cluster contexts, database_state_codec.cc). It remembers
// its first failure, so a decoder reads every field in grammar order and checks ok() once: a
// failed read returns 0 (or "") and leaves the cursor at the end.
//
//   StoredValueReader r(bytes);
//   const int64_t relid = r.V();               // zigzag varint
//   const std::string name = r.S();            // varint length, then the bytes
//   if (!r.ok()) return absl::DataLossError("...: truncated or malformed value");
//   if (!r.done()) return absl::DataLossError("...: trailing bytes");
//
// Reads from the view it was given, which must outlive it; S() copies. Not thread-safe.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace vacwatch::pipeline {

class StoredValueReader {
 public:
  explicit StoredValueReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  uint64_t Varint() {
    if (end_ - p_ >= kMaxVarintBytes) {
      // Room for the longest varint: no end check per byte (a state is about fifty varints,
      // decoded at every snapshot row).
      const auto* p = reinterpret_cast<const uint8_t*>(p_);
      uint64_t v = 0;
      for (int i = 0; i < kMaxVarintBytes; ++i) {
        const uint64_t byte = p[i];
        v |= (byte & 0x7F) << (7 * i);
        if (byte < 0x80) {
          p_ += i + 1;
          return v;
        }
      }
      return Fail();
    }
    uint64_t v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (p_ == end_) return Fail();
      const uint8_t byte = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t V() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  double F() { return std::bit_cast<double>(Fixed64()); }
  uint8_t B() {
    if (p_ == end_) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(*p_++);
  }
  uint64_t Fixed64() {
    if (end_ - p_ < 8) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    return v;
  }
  std::string S() {
    uint64_t n = Varint();
    if (!ok_ || n > static_cast<uint64_t>(end_ - p_)) {
      Fail();
      return {};
    }
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  // A count of elements that take at least a byte each: more than the bytes left is
  // corruption, so a damaged count cannot make a decoder reserve gigabytes.
  uint32_t Count() {
    const uint64_t n = Varint();
    if (n > remaining() || n > std::numeric_limits<uint32_t>::max())
      return static_cast<uint32_t>(Fail());
    return static_cast<uint32_t>(n);
  }
  // Range-checked narrowing: out-of-range values are corruption.
  template <typename T>
  T Narrow(int64_t v) {
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      Fail();
      return T{};
    }
    return static_cast<T>(v);
  }

 private:
  static constexpr int kMaxVarintBytes = 10;  // 64 bits, 7 a byte

  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_STORED_VALUE_READER_H_
