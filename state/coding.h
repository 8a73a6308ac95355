#ifndef VACWATCH_STATE_CODING_H_
#define VACWATCH_STATE_CODING_H_

// Byte coding for the values and keys vacwatch keeps in RocksDB, in the manner of RocksDB's
// util/coding.h. Writers append to a caller-owned std::string (reuse it across records and
// encoding allocates nothing once it has grown). Readers are cursors: each consumes its field
// from the front of a std::string_view and returns false, leaving the cursor unspecified, when
// the input is truncated or malformed. The layer above names the field in its error:
//
//   std::string value;
//   PutVarint32(&value, kTableStateVersion);
//   PutVarsignedint64(&value, dead_tuples_delta);
//   PutLengthPrefixedString(&value, relname);
//
//   std::string_view in = value;
//   uint32_t version;
//   std::string_view name;
//   if (!GetVarint32(&in, &version)) return absl::DataLossError("table state: version");
//   ...
//   if (!GetLengthPrefixedString(&in, &name)) return absl::DataLossError("table state: relname");
//
// Fixed-width values are little-endian (as RocksDB's), except the big-endian key helpers,
// whose bytes sort in numeric order under RocksDB's bytewise comparator. Views returned by
// GetLengthPrefixedString point into the input and are valid as long as it is.

#include <cstdint>
#include <string>
#include <string_view>

namespace vacwatch::state {

inline constexpr int kMaxVarint32Bytes = 5;
inline constexpr int kMaxVarint64Bytes = 10;

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// Zigzag, so that small negative numbers stay short: 0, -1, 1, -2 -> 0, 1, 2, 3.
void PutVarsignedint64(std::string* dst, int64_t value);
// The IEEE-754 bits as fixed64: exact round trip, NaN and infinities included.
void PutDouble(std::string* dst, double value);
// varint32 length, then the bytes. `value` must be shorter than 4 GiB.
void PutLengthPrefixedString(std::string* dst, std::string_view value);

bool GetFixed32(std::string_view* input, uint32_t* value);
bool GetFixed64(std::string_view* input, uint64_t* value);
bool GetVarint32(std::string_view* input, uint32_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);
bool GetVarsignedint64(std::string_view* input, int64_t* value);
bool GetDouble(std::string_view* input, double* value);
// `*value` points into `*input`'s underlying bytes.
bool GetLengthPrefixedString(std::string_view* input, std::string_view* value);

// Keys that sort numerically (the outbox sequence).
void PutBigEndian64(std::string* dst, uint64_t value);
bool GetBigEndian64(std::string_view* input, uint64_t* value);

// Decoding from a known-long-enough buffer.
uint32_t DecodeFixed32(const char* ptr);
uint64_t DecodeFixed64(const char* ptr);
uint64_t DecodeBigEndian64(const char* ptr);

}  // namespace vacwatch::state

#endif  // VACWATCH_STATE_CODING_H_
