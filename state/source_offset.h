#ifndef VACWATCH_STATE_SOURCE_OFFSET_H_
#define VACWATCH_STATE_SOURCE_OFFSET_H_

// Input positions as the state store keeps them (the `offsets` column family): a source id
// naming one input, and a SourceOffset to resume it from. What the number counts follows from
// the id's kind: for a file ("log:", "stats:") the byte from which a fresh reader reproduces
// exactly the events not yet processed (LogReader's resume_offset); for a Kafka partition
// ("kafka:") the offset of the first message not yet processed, where an entry whose lines
// span several messages counts from its first message.
//
//   VW_ASSIGN_OR_RETURN(std::string id, MakeSourceId(SourceKind::kLog, "pg/postgresql.log"));
//   // id == "log:/home/me/pg/postgresql.log"
//   batch.PutOffset(id, SourceOffset(reader.resume_offset()));
//
// A strong type (Redpanda's named_type<int64_t, kafka_offset_type>) so an offset is never
// mixed up with a line number, a count or a sequence number.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vacwatch::state {

class SourceOffset {
 public:
  constexpr SourceOffset() = default;
  constexpr explicit SourceOffset(int64_t value) : value_(value) {}
  constexpr int64_t value() const { return value_; }
  friend constexpr auto operator<=>(SourceOffset, SourceOffset) = default;

 private:
  int64_t value_ = 0;
};

enum class SourceKind : uint8_t {
  kLog,    // a server log file, any destination: "log:<absolute path>"
  kStats,  // a snapshots JSON-lines file: "stats:<absolute path>"
  kKafka,  // a Kafka partition: "kafka:<topic>/<partition>"
};

// "log" / "stats".
std::string_view SourceKindPrefix(SourceKind kind);

// The source id of a file: "<prefix>:<absolute, lexically normal path>". The path is made
// absolute against the current directory but symlinks are not resolved, so naming the same
// file the same way in a later run finds its stored offset. Fails only when the current
// directory cannot be read.
absl::StatusOr<std::string> MakeSourceId(SourceKind kind, std::string_view path);

// The source id of a Kafka partition: "kafka:<topic>/<partition>".
std::string MakeKafkaSourceId(std::string_view topic, int32_t partition);

}  // namespace vacwatch::state

#endif  // VACWATCH_STATE_SOURCE_OFFSET_H_
