#include "app/replay_runner.h"

#include <sys/stat.h>

#include <cinttypes>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "app/input_diagnoses.h"
#include "common/fnv1a.h"
#include "common/status_macros.h"
#include "ingest/log_event.h"
#include "ingest/log_timestamp.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_reader.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "pipeline/pipeline.h"
#include "state/source_offset.h"

namespace vacwatch::app {
namespace {

// One input of the merge with its lookahead: the event or snapshot it will hand over next.
// The lookahead lives in the input and stays valid until Advance().
class MergeInput {
 public:
  virtual ~MergeInput() = default;

  // Reads the next lookahead; has_next() says whether there was one.
  virtual absl::Status Advance() = 0;
  // Hands the lookahead to the pipeline.
  virtual absl::Status FeedTo(ReplayConsumer* consumer) = 0;
  virtual const ingest::IngestCounters& counters() const = 0;
  virtual bool is_snapshot() const = 0;

  bool has_next() const { return has_next_; }
  absl::Time time() const { return time_; }
  // The offset from which a new reader yields the lookahead and everything after it: what is
  // stored while the lookahead is not yet processed.
  int64_t resume_offset() const { return resume_offset_; }
  // Empty for stdin, which cannot be resumed.
  const std::string& source_id() const { return source_id_; }
  const std::string& path() const { return path_; }

 protected:
  MergeInput(std::string path, std::string source_id)
      : path_(std::move(path)), source_id_(std::move(source_id)) {}

  bool has_next_ = false;
  absl::Time time_ = absl::InfinitePast();
  int64_t resume_offset_ = 0;

 private:
  std::string path_;
  std::string source_id_;
};

class LogInput final : public MergeInput {
 public:
  std::string_view suggested_prefix() const { return source_->suggested_prefix(); }
  int64_t held_bytes() const { return source_->held_bytes(); }
  LogInput(std::string path, std::string source_id, std::unique_ptr<ingest::LogFileSource> source)
      : MergeInput(std::move(path), std::move(source_id)), source_(std::move(source)) {}

  absl::Status Advance() override {
    // Taken before Next: the reader has not returned the coming event yet.
    resume_offset_ = source_->resume_offset();
    VW_ASSIGN_OR_RETURN(has_next_, source_->Next(&event_));
    if (has_next_) {
      time_ = event_.time;
    } else {
      resume_offset_ = source_->resume_offset();
    }
    return absl::OkStatus();
  }
  absl::Status FeedTo(ReplayConsumer* consumer) override { return consumer->OnLogEvent(event_); }
  const ingest::IngestCounters& counters() const override { return source_->counters(); }
  bool is_snapshot() const override { return false; }

 private:
  std::unique_ptr<ingest::LogFileSource> source_;
  ingest::LogEvent event_;
};

class SnapshotInput final : public MergeInput {
 public:
  SnapshotInput(std::string path, std::string source_id,
                std::unique_ptr<ingest::SnapshotFileSource> source)
      : MergeInput(std::move(path), std::move(source_id)), source_(std::move(source)) {}

  absl::Status Advance() override {
    resume_offset_ = source_->resume_offset();
    VW_ASSIGN_OR_RETURN(has_next_, source_->Next(&snapshot_));
    if (has_next_) {
      time_ = snapshot_.collected_at;
    } else {
      resume_offset_ = source_->resume_offset();
    }
    return absl::OkStatus();
  }
  absl::Status FeedTo(ReplayConsumer* consumer) override { return consumer->OnSnapshot(snapshot_); }
  // The snapshot the input will hand over next, or null.
  const ingest::Snapshot* lookahead() const { return has_next_ ? &snapshot_ : nullptr; }
  const ingest::IngestCounters& counters() const override { return source_->counters(); }
  bool is_snapshot() const override { return true; }

 private:
  std::unique_ptr<ingest::SnapshotFileSource> source_;
  ingest::Snapshot snapshot_;
};

class PipelineConsumer final : public ReplayConsumer {
 public:
  PipelineConsumer(const pipeline::PipelineConfig& config, state::StateStore* store)
      : config_(config), pipeline_(config_, store) {}
  absl::Status OnSnapshot(const ingest::Snapshot& snapshot) override {
    return pipeline_.OnSnapshot(snapshot);
  }
  absl::Status OnLogEvent(const ingest::LogEvent& event) override {
    return pipeline_.OnLogEvent(event);
  }
  absl::Status Checkpoint(state::StateStore::Batch* batch,
                          std::vector<pipeline::AlertTransition>* emitted) override {
    return pipeline_.Checkpoint(batch, emitted);
  }
  const pipeline::PipelineCounters* pipeline_counters() const override {
    return &pipeline_.counters();
  }
  absl::StatusOr<pipeline::Explanation> Explain(std::string_view table) override {
    return pipeline_.Explain(table, absl::InfinitePast());
  }

 private:
  const pipeline::PipelineConfig config_;
  pipeline::Pipeline pipeline_;
};

// What identifies a file across runs: the length and FNV-1a hash of its first bytes (up to
// kHeadBytes), as "LEN:HASH". A log rotated (or replaced) under the same name starts with
// other bytes, whatever its size; a log that only grew starts with the same ones.
constexpr size_t kHeadBytes = 4096;

std::string HeadFingerprint(const std::string& path, size_t len) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string head(len, '\0');
  head.resize(std::fread(head.data(), 1, len, f));
  std::fclose(f);
  Fnv1a h;
  h.Add(head);
  return absl::StrCat(head.size(), ":", h.value());
}

// The size of a regular file, or -1 (a pipe, stdin, a file that cannot be read).
int64_t RegularFileSize(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return static_cast<int64_t>(st.st_size);
}

}  // namespace

class ReplayRunner::Impl {
 public:
  Impl(ReplayOptions options, std::unique_ptr<ReplayConsumer> owned, ReplayConsumer* consumer,
       state::StateStore* store, sinks::AlertSink* sink)
      : options_(std::move(options)),
        owned_consumer_(std::move(owned)),
        consumer_(owned_consumer_ != nullptr ? owned_consumer_.get() : consumer),
        store_(store),
        sink_(sink) {}

  absl::StatusOr<ReplayStats> Run() {
    VW_RETURN_IF_ERROR(CheckInputs());
    VW_RETURN_IF_ERROR(RedeliverOutbox());
    VW_RETURN_IF_ERROR(OpenInputs());
    last_progress_ = absl::Now();
    VW_RETURN_IF_ERROR(Merge());
    VW_RETURN_IF_ERROR(Checkpoint());
    VW_RETURN_IF_ERROR(CommitDeliveredDeletes());
    if (options_.show_progress && options_.progress_in_place && options_.diagnostics != nullptr) {
      std::fputc('\n', options_.diagnostics);
    }
    for (const auto& input : inputs_) {
      const ingest::IngestCounters& c = input->counters();
      stats_.inputs_read += c.entries;
      stats_.skipped += c.skipped;
      stats_.rejected += c.total_rejected();
      stats_.ambiguous_zone_entries += c.ambiguous_zone_entries;
      if (stats_.ambiguous_zone.empty()) stats_.ambiguous_zone = c.ambiguous_zone;
    }
    for (const auto& input : inputs_) {
      if (input->is_snapshot()) continue;
      if (const int64_t held = static_cast<const LogInput*>(input.get())->held_bytes(); held > 0) {
        Warn(absl::StrCat(input->path(), " ends in the middle of an entry (", held,
                          " bytes after the last complete line): it is left for the next run "
                          "with this --state-dir, which reads it whole"));
      }
      for (const std::string& w :
           DiagnoseLogInput(input->path(), input->counters(), options_.log_line_prefix,
                            static_cast<const LogInput*>(input.get())->suggested_prefix())) {
        Warn(w);
      }
    }
    if (const pipeline::PipelineCounters* c = consumer_->pipeline_counters()) {
      stats_.snapshots_applied = c->snapshots;
    }
    if (stats_.ambiguous_zone_entries > 0) {
      Warn(absl::StrCat(
          stats_.ambiguous_zone_entries, " log entries are stamped '",
          std::string(stats_.ambiguous_zone), "', which is ",
          std::string(ingest::AmbiguousZoneMeanings(stats_.ambiguous_zone)),
          ": their times, and the alerts that follow, may be hours off. Give the server's "
          "log_timezone (SHOW log_timezone): --log-timezone ZONE, or log_timezone: ZONE in the "
          "config"));
    }
    return stats_;
  }

  ReplayConsumer* consumer() { return consumer_; }

 private:
  absl::Status CheckInputs() {
    if (options_.log_paths.empty() && options_.stats_paths.empty()) {
      return absl::InvalidArgumentError("nothing to replay: give --logs and/or --stats files");
    }
    std::set<std::string> seen;
    int stdin_count = 0;
    for (const auto* paths : {&options_.log_paths, &options_.stats_paths}) {
      for (const std::string& path : *paths) {
        if (path == "-") {
          if (++stdin_count > 1) return absl::InvalidArgumentError("'-' (stdin) given twice");
          continue;
        }
        VW_ASSIGN_OR_RETURN(std::string id, state::MakeSourceId(state::SourceKind::kLog, path));
        if (!seen.insert(id).second) {
          return absl::InvalidArgumentError(absl::StrCat("input ", path, " given twice"));
        }
      }
    }
    return absl::OkStatus();
  }

  // Delivers what a previous run committed but never confirmed, before anything new.
  absl::Status RedeliverOutbox() {
    std::vector<std::pair<uint64_t, std::string>> entries;
    VW_RETURN_IF_ERROR(store_->ForEachOutbox([&](uint64_t seq, std::string_view value) {
      entries.emplace_back(seq, std::string(value));
      return true;
    }));
    if (entries.empty()) return absl::OkStatus();
    pipeline::AlertTransition transition;
    for (const auto& [seq, json] : entries) {
      auto alert = pipeline::ParseAlertJson(json);
      if (!alert.ok()) {
        return absl::DataLossError(
            absl::StrCat("outbox entry ", seq, ": ", alert.status().message()));
      }
      transition.seq = seq;
      transition.alert = *std::move(alert);
      VW_RETURN_IF_ERROR(Deliver(transition));
      ++stats_.redelivered;
      delivered_.push_back(seq);
    }
    VW_RETURN_IF_ERROR(sink_->Flush());
    return CommitDeliveredDeletes();
  }

  absl::Status CommitDeliveredDeletes() {
    if (delivered_.empty()) return absl::OkStatus();
    for (uint64_t seq : delivered_) batch_.DeleteOutbox(seq);
    delivered_.clear();
    VW_RETURN_IF_ERROR(store_->Commit(&batch_));
    ++stats_.checkpoints;
    return absl::OkStatus();
  }

  // The stored offset to resume `path` from, or 0. An offset past the end of the file means
  // the file was replaced (rotated, truncated): it is read from the start.
  absl::StatusOr<int64_t> StartOffset(const std::string& path, const std::string& id) {
    if (id.empty()) return 0;
    const int64_t size = RegularFileSize(path);
    if (size >= 0) {
      heads_.emplace_back(
          id, HeadFingerprint(path, std::min<size_t>(kHeadBytes, static_cast<size_t>(size))));
    }
    VW_ASSIGN_OR_RETURN(std::optional<state::SourceOffset> stored_offset, store_->GetOffset(id));
    std::optional<int64_t> stored;
    if (stored_offset.has_value()) stored = stored_offset->value();
    if (!stored.has_value()) return 0;
    VW_ASSIGN_OR_RETURN(std::optional<std::string> head, store_->GetMeta("head:" + id));
    if (size >= 0 && head.has_value()) {
      const size_t len = static_cast<size_t>(std::strtoull(head->c_str(), nullptr, 10));
      if (HeadFingerprint(path, len) != *head) {
        Warn(absl::StrCat(path,
                          " is not the file the last run read (it starts with other "
                          "bytes: rotated or replaced): reading it from the start"));
        return 0;
      }
    }
    if (size >= 0 && *stored > size) {
      Warn(absl::StrCat(path, " is shorter (", size, " bytes) than where the last run stopped (",
                        *stored, "): reading it from the start"));
      return 0;
    }
    ++stats_.resumed_inputs;
    return *stored;
  }

  absl::Status OpenInputs() {
    // Logs first, then snapshots: ties in event time go in this order.
    std::vector<std::unique_ptr<MergeInput>> snapshot_inputs;
    for (const std::string& path : options_.stats_paths) {
      std::string id;
      if (path != "-") {
        VW_ASSIGN_OR_RETURN(id, state::MakeSourceId(state::SourceKind::kStats, path));
      }
      ingest::SnapshotSourceOptions source_options;
      VW_ASSIGN_OR_RETURN(source_options.start_offset, StartOffset(path, id));
      source_options.errors = options_.errors;
      VW_ASSIGN_OR_RETURN(auto source, ingest::SnapshotFileSource::Open(path, source_options));
      snapshot_inputs.push_back(
          std::make_unique<SnapshotInput>(path, std::move(id), std::move(source)));
    }
    // The snapshots' lookaheads: the first snapshot of a pipe cannot be read twice, so the
    // cluster and zones it names are taken from there.
    for (auto& input : snapshot_inputs) VW_RETURN_IF_ERROR(input->Advance());
    std::map<std::string, std::string, std::less<>> snapshot_zones;
    for (const auto& input : snapshot_inputs) {
      const auto* snapshot = static_cast<const SnapshotInput*>(input.get())->lookahead();
      if (snapshot == nullptr || snapshot->settings.log_timezone.empty()) continue;
      snapshot_zones.emplace(std::string(snapshot->cluster),
                             std::string(snapshot->settings.log_timezone));
    }
    std::string cluster = options_.cluster;
    if (cluster.empty() && !options_.log_paths.empty()) {
      VW_ASSIGN_OR_RETURN(cluster, FirstSnapshotCluster(snapshot_inputs));
    }
    for (size_t i = 0; i < options_.log_paths.size(); ++i) {
      const std::string& path = options_.log_paths[i];
      std::string id;
      if (path != "-") {
        VW_ASSIGN_OR_RETURN(id, state::MakeSourceId(state::SourceKind::kLog, path));
      }
      ingest::LogSourceOptions source_options;
      source_options.format = options_.log_format;
      source_options.cluster = i < options_.log_clusters.size() && !options_.log_clusters[i].empty()
                                   ? options_.log_clusters[i]
                                   : cluster;
      VW_ASSIGN_OR_RETURN(source_options.log_timezone,
                          LogZoneFor(source_options.cluster, snapshot_zones));
      source_options.log_line_prefix = options_.log_line_prefix;
      source_options.envelope = options_.envelope;
      source_options.hold_cut_entry = options_.hold_cut_entries && !id.empty();
      VW_ASSIGN_OR_RETURN(source_options.start_offset, StartOffset(path, id));
      source_options.errors = options_.errors;
      VW_ASSIGN_OR_RETURN(auto source, ingest::LogFileSource::Open(path, source_options));
      inputs_.push_back(std::make_unique<LogInput>(path, std::move(id), std::move(source)));
    }
    for (auto& input : inputs_) VW_RETURN_IF_ERROR(input->Advance());
    for (auto& input : snapshot_inputs) inputs_.push_back(std::move(input));
    return absl::OkStatus();
  }

  // The cluster the first snapshot input names in its first snapshot: for a file read from
  // byte 0 (so every run of a resumed replay agrees), for a pipe (read once, never resumed)
  // its lookahead; empty when there is none.
  absl::StatusOr<std::string> FirstSnapshotCluster(
      const std::vector<std::unique_ptr<MergeInput>>& snapshot_inputs) {
    for (const auto& input : snapshot_inputs) {
      if (RegularFileSize(input->path()) < 0) {
        const auto* snapshot = static_cast<const SnapshotInput*>(input.get())->lookahead();
        if (snapshot != nullptr) return std::string(snapshot->cluster);
        continue;
      }
      ingest::SnapshotSourceOptions peek_options;  // errors are reported by the real pass
      VW_ASSIGN_OR_RETURN(auto source,
                          ingest::SnapshotFileSource::Open(input->path(), peek_options));
      ingest::Snapshot snapshot;
      VW_ASSIGN_OR_RETURN(bool found, source->Next(&snapshot));
      if (found) return std::string(snapshot.cluster);
    }
    return std::string();
  }

  // The zone `cluster`'s log timestamps are written in (ReplayOptions), or nullopt.
  absl::StatusOr<std::optional<absl::TimeZone>> LogZoneFor(
      std::string_view cluster, const std::map<std::string, std::string, std::less<>>& seen) {
    std::string name = options_.log_timezone;
    if (name.empty()) {
      auto it = options_.cluster_log_timezones.find(cluster);
      if (it != options_.cluster_log_timezones.end()) name = it->second;
    }
    if (name.empty()) name = options_.default_log_timezone;
    if (name.empty()) {
      auto it = seen.find(cluster);
      if (it != seen.end()) name = it->second;
    }
    if (name.empty()) return std::optional<absl::TimeZone>();
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(name, &zone)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown time zone '", name, "' for the logs of cluster '", std::string(cluster),
          "': give an IANA name like Asia/Shanghai or America/Chicago (SHOW log_timezone)"));
    }
    return std::optional<absl::TimeZone>(zone);
  }

  absl::Status Merge() {
    int64_t events_since_checkpoint = 0;
    int64_t snapshots_since_checkpoint = 0;
    while (true) {
      // Few inputs: a linear scan beats a heap. Strict < keeps the first input on ties.
      MergeInput* next = nullptr;
      for (const auto& input : inputs_) {
        if (input->has_next() && (next == nullptr || input->time() < next->time())) {
          next = input.get();
        }
      }
      if (next == nullptr) return absl::OkStatus();
      VW_RETURN_IF_ERROR(next->FeedTo(consumer_));
      if (next->is_snapshot()) {
        ++stats_.snapshots;
        ++snapshots_since_checkpoint;
      } else {
        ++stats_.log_events;
        ++events_since_checkpoint;
      }
      last_event_time_ = next->time();
      VW_RETURN_IF_ERROR(next->Advance());
      if (events_since_checkpoint >= options_.checkpoint_every_events ||
          snapshots_since_checkpoint >= options_.checkpoint_every_snapshots) {
        VW_RETURN_IF_ERROR(Checkpoint());
        events_since_checkpoint = 0;
        snapshots_since_checkpoint = 0;
        MaybeReportProgress();
      }
    }
  }

  // Commits the pipeline's changes, the outbox and every input's offset in one batch, then
  // delivers what the batch emitted.
  absl::Status Checkpoint() {
    emitted_.clear();
    VW_RETURN_IF_ERROR(consumer_->Checkpoint(&batch_, &emitted_));
    for (uint64_t seq : delivered_) batch_.DeleteOutbox(seq);
    delivered_.clear();
    for (const auto& input : inputs_) {
      if (!input->source_id().empty()) {
        batch_.PutOffset(input->source_id(), state::SourceOffset(input->resume_offset()));
      }
    }
    for (const auto& [id, head] : heads_) batch_.PutMeta("head:" + id, head);
    VW_RETURN_IF_ERROR(store_->Commit(&batch_));
    ++stats_.checkpoints;
    if (emitted_.empty()) return absl::OkStatus();
    for (const pipeline::AlertTransition& transition : emitted_) {
      VW_RETURN_IF_ERROR(Deliver(transition));
    }
    VW_RETURN_IF_ERROR(sink_->Flush());
    // Confirmed: their outbox entries go with the next batch.
    for (const pipeline::AlertTransition& transition : emitted_) {
      delivered_.push_back(transition.seq);
    }
    return absl::OkStatus();
  }

  absl::Status Deliver(const pipeline::AlertTransition& transition) {
    VW_RETURN_IF_ERROR(sink_->Deliver(transition));
    if (transition.alert.status == "resolved") {
      ++stats_.alerts_resolved;
    } else {
      ++stats_.alerts_fired;
    }
    return absl::OkStatus();
  }

  void MaybeReportProgress() {
    if (!options_.show_progress || options_.diagnostics == nullptr) return;
    const absl::Time now = absl::Now();
    if (now - last_progress_ < absl::Seconds(options_.progress_interval_s)) return;
    last_progress_ = now;
    const std::string line = absl::StrCat(
        "replay: ", stats_.log_events, " events, ", stats_.snapshots, " snapshots, ",
        stats_.alerts_fired, " fired, ", stats_.alerts_resolved, " resolved; event time ",
        absl::FormatTime("%Y-%m-%d %H:%M:%S", last_event_time_, absl::UTCTimeZone()));
    if (options_.progress_in_place) {
      std::fprintf(options_.diagnostics, "\r%s\x1b[K", line.c_str());
    } else {
      std::fprintf(options_.diagnostics, "%s\n", line.c_str());
    }
    std::fflush(options_.diagnostics);
  }

  void Warn(const std::string& message) {
    if (options_.diagnostics != nullptr) {
      std::fprintf(options_.diagnostics, "vacwatch replay: warning: %s\n", message.c_str());
    }
  }

  const ReplayOptions options_;
  const std::unique_ptr<ReplayConsumer> owned_consumer_;
  ReplayConsumer* const consumer_;
  state::StateStore* const store_;
  sinks::AlertSink* const sink_;

  std::vector<std::unique_ptr<MergeInput>> inputs_;
  state::StateStore::Batch batch_;
  std::vector<pipeline::AlertTransition> emitted_;  // reused per checkpoint
  std::vector<uint64_t> delivered_;                 // confirmed, outbox entries not yet deleted
  // Per file input: its source id and HeadFingerprint, stored with its offset.
  std::vector<std::pair<std::string, std::string>> heads_;
  ReplayStats stats_;
  absl::Time last_progress_;
  absl::Time last_event_time_ = absl::InfinitePast();
};

ReplayRunner::ReplayRunner(ReplayOptions options, const pipeline::PipelineConfig& config,
                           state::StateStore* store, sinks::AlertSink* sink)
    : impl_(std::make_unique<Impl>(std::move(options),
                                   std::make_unique<PipelineConsumer>(config, store), nullptr,
                                   store, sink)) {}

ReplayRunner::ReplayRunner(ReplayOptions options, ReplayConsumer* consumer,
                           state::StateStore* store, sinks::AlertSink* sink)
    : impl_(std::make_unique<Impl>(std::move(options), nullptr, consumer, store, sink)) {}
ReplayRunner::~ReplayRunner() = default;

absl::StatusOr<ReplayStats> ReplayRunner::Run() { return impl_->Run(); }

absl::StatusOr<pipeline::Explanation> ReplayRunner::Explain(std::string_view table) {
  return impl_->consumer()->Explain(table);
}

std::string FormatReplayStats(const ReplayStats& stats) {
  std::string line = absl::StrCat(
      "replay: ", stats.inputs_read, " inputs read, ", stats.log_events, " events, ",
      stats.snapshots, " snapshots, ", stats.skipped, " skipped, ", stats.rejected,
      " rejected; alerts: ", stats.alerts_fired, " fired, ", stats.alerts_resolved, " resolved");
  if (stats.redelivered > 0) {
    absl::StrAppend(&line, " (", stats.redelivered, " left undelivered by the last run)");
  }
  if (stats.resumed_inputs > 0) {
    absl::StrAppend(&line, "; ", stats.resumed_inputs,
                    " input(s) continued where the last run stopped");
  }
  return line;
}

}  // namespace vacwatch::app
