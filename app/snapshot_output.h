#ifndef VACWATCH_APP_SNAPSHOT_OUTPUT_H_
#define VACWATCH_APP_SNAPSHOT_OUTPUT_H_

// SnapshotOutput: where `vacwatch collect` puts its snapshots (`--to`), one JSON document per
// line or per message:
//
//   stdout       JSON Lines on the command's output
//   file:PATH    JSON Lines appended to PATH (created if missing)
//   kafka        one message per snapshot to the stats topic (default pg.stats), keyed by the
//                cluster name, so a cluster's snapshots stay in order on one partition; an
//                idempotent producer (a retry never duplicates), lz4-compressed
//
//   VW_ASSIGN_OR_RETURN(auto output, OpenSnapshotOutput(options));
//   VW_RETURN_IF_ERROR(output->Write("prod-eu-1", document));
//   VW_RETURN_IF_ERROR(output->EndRound());   // flushed (file) or acknowledged (kafka)
//
// Errors: InvalidArgument for a bad --to, Internal when the file cannot be opened or the
// producer made; Write fails only when the output is broken for good (a write error on the
// file); Kafka delivery that is late or refused is reported by EndRound as Unavailable, which
// the command logs and survives (librdkafka keeps retrying what is queued). Not thread-safe.

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vacwatch::app {

struct SnapshotOutputOptions {
  std::string to = "stdout";  // stdout | file:PATH | kafka
  std::FILE* stdout_file = stdout;
  std::string brokers;
  std::string topic = "pg.stats";
  std::map<std::string, std::string> librdkafka;  // the config's kafka.librdkafka
  absl::Duration delivery_timeout = absl::Seconds(10);
};

class SnapshotOutput {
 public:
  virtual ~SnapshotOutput() = default;
  virtual absl::Status Write(std::string_view cluster, std::string_view document) = 0;
  // At the end of each round: what was written is flushed or acknowledged.
  virtual absl::Status EndRound() = 0;
  // "stdout", "file /var/lib/vacwatch/snapshots.jsonl", "kafka topic pg.stats at B".
  virtual std::string Describe() const = 0;
};

absl::StatusOr<std::unique_ptr<SnapshotOutput>> OpenSnapshotOutput(
    const SnapshotOutputOptions& options);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_SNAPSHOT_OUTPUT_H_
