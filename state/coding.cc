#include "state/coding.h"

#include <bit>
#include <cstring>

namespace vacwatch::state {
namespace {

// Byte-by-byte shifts rather than memcpy + byteswap: compilers fold these into one load or
// store on little-endian machines, and the code is endian-independent.
void EncodeFixed32(char* buf, uint32_t value) {
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(value >> (8 * i));
}

void EncodeFixed64(char* buf, uint64_t value) {
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(value >> (8 * i));
}

// Writes the varint for `value` into `buf` (at least kMaxVarint64Bytes) and returns its
// length.
int EncodeVarint64(char* buf, uint64_t value) {
  int n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  return n;
}

}  // namespace

uint32_t DecodeFixed32(const char* ptr) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(ptr[i])) << (8 * i);
  }
  return value;
}

uint64_t DecodeFixed64(const char* ptr) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(ptr[i])) << (8 * i);
  }
  return value;
}

uint64_t DecodeBigEndian64(const char* ptr) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(ptr[i]);
  }
  return value;
}

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  EncodeFixed32(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  EncodeFixed64(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutVarint32(std::string* dst, uint32_t value) { PutVarint64(dst, value); }

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[kMaxVarint64Bytes];
  dst->append(buf, static_cast<size_t>(EncodeVarint64(buf, value)));
}

void PutVarsignedint64(std::string* dst, int64_t value) {
  const uint64_t u = static_cast<uint64_t>(value);
  PutVarint64(dst, (u << 1) ^ static_cast<uint64_t>(value >> 63));
}

void PutDouble(std::string* dst, double value) { PutFixed64(dst, std::bit_cast<uint64_t>(value)); }

void PutLengthPrefixedString(std::string* dst, std::string_view value) {
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

void PutBigEndian64(std::string* dst, uint64_t value) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(value >> (8 * (7 - i)));
  dst->append(buf, sizeof(buf));
}

bool GetFixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool GetFixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool GetVarint64(std::string_view* input, uint64_t* value) {
  uint64_t result = 0;
  const size_t limit = input->size() < kMaxVarint64Bytes ? input->size() : kMaxVarint64Bytes;
  for (size_t i = 0; i < limit; ++i) {
    const uint64_t byte = static_cast<unsigned char>((*input)[i]);
    const int shift = static_cast<int>(7 * i);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (i == kMaxVarint64Bytes - 1 && byte > 1) return false;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      input->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool GetVarint32(std::string_view* input, uint32_t* value) {
  std::string_view cursor = *input;
  uint64_t wide;
  if (!GetVarint64(&cursor, &wide) || wide > UINT32_MAX ||
      input->size() - cursor.size() > kMaxVarint32Bytes) {
    return false;
  }
  *value = static_cast<uint32_t>(wide);
  *input = cursor;
  return true;
}

bool GetVarsignedint64(std::string_view* input, int64_t* value) {
  uint64_t u;
  if (!GetVarint64(input, &u)) return false;
  *value = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

bool GetDouble(std::string_view* input, double* value) {
  uint64_t bits;
  if (!GetFixed64(input, &bits)) return false;
  *value = std::bit_cast<double>(bits);
  return true;
}

bool GetLengthPrefixedString(std::string_view* input, std::string_view* value) {
  std::string_view cursor = *input;
  uint32_t length;
  if (!GetVarint32(&cursor, &length) || cursor.size() < length) return false;
  *value = cursor.substr(0, length);
  cursor.remove_prefix(length);
  *input = cursor;
  return true;
}

bool GetBigEndian64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeBigEndian64(input->data());
  input->remove_prefix(8);
  return true;
}

}  // namespace vacwatch::state
