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
#include "app/driver.h"
#include "app/driver_input.h"
#include "app/input_diagnoses.h"
#include "app/metered_consumer.h"
#include "app/service_metrics.h"
#include "common/fnv1a.h"
#include "common/status_macros.h"
#include "ingest/log_event.h"
#include "ingest/log_timestamp.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_reader.h"
#include "pipeline/alert.h"
#include "pipeline/alert_json_reader.h"
#include "pipeline/pipeline.h"
#include "sinks/metered_sink.h"
#include "state/source_offset.h"

namespace vacwatch::app {
namespace {

// A file input of the replay: the event or snapshot it will hand over next, and the file it
// reads it from (rotation checks and warnings name the path).
class FileInput : public DriverInput {
 public:
  absl::Time time() const override { return time_; }
  state::SourceOffset resume_position() const override {
    return state::SourceOffset(resume_offset_);
  }
  const std::string& source_id() const override { return source_id_; }
  const std::string& path() const { return path_; }

 protected:
  FileInput(std::string path, std::string source_id)
      : path_(std::move(path)), source_id_(std::move(source_id)) {}

  absl::Time time_ = absl::InfinitePast();
  int64_t resume_offset_ = 0;

 private:
  std::string path_;
  std::string source_id_;
};

class LogInput final : public FileInput {
 public:
  LogInput(std::string path, std::string source_id, std::unique_ptr<ingest::LogFileSource> source)
      : FileInput(std::move(path), std::move(source_id)), source_(std::move(source)) {}

  absl::StatusOr<State> Advance() override {
    // Taken before Next: the reader has not returned the coming event yet.
    resume_offset_ = source_->resume_offset();
    VW_ASSIGN_OR_RETURN(const bool has_next, source_->Next(&event_));
    if (!has_next) {
      resume_offset_ = source_->resume_offset();
      return State::kEnded;
    }
    time_ = event_.time;
    return State::kReady;
  }
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnLogEvent(event_); }
  const ingest::IngestCounters& counters() const override { return source_->counters(); }
  bool is_snapshot() const override { return false; }
  std::string_view suggested_prefix() const { return source_->suggested_prefix(); }
  int64_t held_bytes() const { return source_->held_bytes(); }

 private:
  std::unique_ptr<ingest::LogFileSource> source_;
  ingest::LogEvent event_;
};

class SnapshotInput final : public FileInput {
 public:
  SnapshotInput(std::string path, std::string source_id,
                std::unique_ptr<ingest::SnapshotFileSource> source)
      : FileInput(std::move(path), std::move(source_id)), source_(std::move(source)) {}

  absl::StatusOr<State> Advance() override {
    resume_offset_ = source_->resume_offset();
    VW_ASSIGN_OR_RETURN(has_next_, source_->Next(&snapshot_));
    if (!has_next_) {
      resume_offset_ = source_->resume_offset();
      return State::kEnded;
    }
    time_ = snapshot_.collected_at;
    return State::kReady;
  }
  absl::Status FeedTo(EventConsumer* consumer) override { return consumer->OnSnapshot(snapshot_); }
  // The snapshot the input will hand over next, or null.
  const ingest::Snapshot* lookahead() const { return has_next_ ? &snapshot_ : nullptr; }
  const ingest::IngestCounters& counters() const override { return source_->counters(); }
  bool is_snapshot() const override { return true; }

 private:
  std::unique_ptr<ingest::SnapshotFileSource> source_;
  ingest::Snapshot snapshot_;
  bool has_next_ = false;
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
       state::StateStore* store, std::vector<DriverSink> sinks)
      : options_(std::move(options)),
        owned_consumer_(std::move(owned)),
        consumer_(owned_consumer_ != nullptr ? owned_consumer_.get() : consumer),
        store_(store),
        metered_consumer_(options_.metrics == nullptr
                              ? nullptr
                              : std::make_unique<MeteredConsumer>(
                                    consumer_, options_.metrics->options().table_series_limit)),
        driver_(DriverOptionsFor(),
                metered_consumer_ != nullptr ? metered_consumer_.get() : consumer_, store,
                MeterSinks(std::move(sinks))) {}

  absl::StatusOr<ReplayStats> Run() {
    VW_RETURN_IF_ERROR(CheckInputs());
    if (options_.metrics != nullptr) options_.metrics->SetStateOpen(true);  // readiness
    VW_RETURN_IF_ERROR(driver_.RedeliverOutbox());
    VW_RETURN_IF_ERROR(OpenInputs());
    last_progress_ = absl::Now();
    PublishMetrics(/*force=*/true);
    VW_ASSIGN_OR_RETURN(const Driver::Progress progress, driver_.Run());
    if (progress != Driver::Progress::kEnded) {
      return absl::InternalError("a file input was idle");  // files never are
    }
    VW_RETURN_IF_ERROR(driver_.Finish());
    stats_.undelivered = driver_.Undelivered();
    PublishMetrics(/*force=*/true);
    const DriverStats& d = driver_.stats();
    stats_.log_events = d.log_events;
    stats_.snapshots = d.snapshots;
    stats_.alerts_fired = d.alerts_fired;
    stats_.alerts_resolved = d.alerts_resolved;
    stats_.redelivered = d.redelivered;
    stats_.checkpoints = d.checkpoints;
    if (options_.show_progress && options_.progress_in_place && options_.diagnostics != nullptr) {
      std::fputc('\n', options_.diagnostics);
    }
    std::vector<const FileInput*> inputs;
    for (const auto& input : log_inputs_) inputs.push_back(input.get());
    for (const auto& input : snapshot_inputs_) inputs.push_back(input.get());
    for (const FileInput* input : inputs) {
      const ingest::IngestCounters& c = input->counters();
      stats_.inputs_read += c.entries;
      stats_.skipped += c.skipped;
      stats_.rejected += c.total_rejected();
      stats_.ambiguous_zone_entries += c.ambiguous_zone_entries;
      if (stats_.ambiguous_zone.empty()) stats_.ambiguous_zone = c.ambiguous_zone;
    }
    for (const auto& input : log_inputs_) {
      if (const int64_t held = input->held_bytes(); held > 0) {
        Warn(absl::StrCat(input->path(), " ends in the middle of an entry (", held,
                          " bytes after the last complete line): it is left for the next run "
                          "with this --state-dir, which reads it whole"));
      }
      for (const std::string& w :
           DiagnoseLogInput(input->path(), input->counters(), options_.log_line_prefix,
                            input->suggested_prefix())) {
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

  DriverOptions DriverOptionsFor() {
    DriverOptions o;
    o.checkpoint_every_events = options_.checkpoint_every_events;
    o.checkpoint_every_snapshots = options_.checkpoint_every_snapshots;
    o.before_commit = [this](state::StateStore::Batch* batch) {
      for (const auto& [id, head] : heads_) batch->PutMeta("head:" + id, head);
      return absl::OkStatus();
    };
    o.after_checkpoint = [this] {
      MaybeReportProgress();
      PublishMetrics(/*force=*/false);
    };
    o.sink_drain_timeout = options_.sink_drain_timeout;
    return o;
  }

  // With metrics, a sink that counts nothing itself (stdout) gets a MeteredSink in front;
  // every sink's counts are shown under its name. Without, the sinks as they are.
  std::vector<DriverSink> MeterSinks(std::vector<DriverSink> list) {
    if (options_.metrics == nullptr) return list;
    for (DriverSink& d : list) {
      if (d.sink->sink_metrics() == nullptr) {
        metered_sinks_.push_back(std::make_unique<sinks::MeteredSink>(d.sink));
        d.sink = metered_sinks_.back().get();
      }
      sink_metrics_.push_back({d.name, d.sink->sink_metrics()});
    }
    return list;
  }

  // Readiness after every checkpoint; the page every publish_interval, or now (`force`).
  void PublishMetrics(bool force) {
    ServiceMetrics* metrics = options_.metrics;
    if (metrics == nullptr) return;
    metrics->MarkConsuming();
    metrics->SetInputs(static_cast<int>(log_inputs_.size() + snapshot_inputs_.size()));
    if (!force && !metrics->Due()) return;
    MetricsSources s;
    for (const auto& input : log_inputs_) s.logs += input->counters();
    for (const auto& input : snapshot_inputs_) s.stats += input->counters();
    s.dead_letters = s.logs.total_rejected() + s.stats.total_rejected();
    s.driver = &driver_.stats();
    s.consumers = {metered_consumer_.get()};
    s.firing.emplace();
    driver_.firing().AddCounts(&*s.firing);
    s.sinks = sink_metrics_;
    s.state_bytes = store_->ApproximateSizeBytes();
    if (absl::Status st = metrics->Publish(s); !st.ok()) Warn(std::string(st.message()));
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
    std::vector<std::unique_ptr<SnapshotInput>> snapshot_inputs;
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
    std::vector<DriverInput::State> snapshot_states;
    for (auto& input : snapshot_inputs) {
      VW_ASSIGN_OR_RETURN(DriverInput::State state, input->Advance());
      snapshot_states.push_back(state);
    }
    std::map<std::string, std::string, std::less<>> snapshot_zones;
    for (const auto& input : snapshot_inputs) {
      const ingest::Snapshot* snapshot = input->lookahead();
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
      log_inputs_.push_back(std::make_unique<LogInput>(path, std::move(id), std::move(source)));
    }
    for (auto& input : log_inputs_) VW_RETURN_IF_ERROR(driver_.AddInput(input.get()));
    for (size_t i = 0; i < snapshot_inputs.size(); ++i) {
      VW_RETURN_IF_ERROR(driver_.AddInput(snapshot_inputs[i].get(), snapshot_states[i]));
    }
    snapshot_inputs_ = std::move(snapshot_inputs);
    return absl::OkStatus();
  }

  // The cluster the first snapshot input names in its first snapshot: for a file read from
  // byte 0 (so every run of a resumed replay agrees), for a pipe (read once, never resumed)
  // its lookahead; empty when there is none.
  absl::StatusOr<std::string> FirstSnapshotCluster(
      const std::vector<std::unique_ptr<SnapshotInput>>& snapshot_inputs) {
    for (const auto& input : snapshot_inputs) {
      if (RegularFileSize(input->path()) < 0) {
        const ingest::Snapshot* snapshot = input->lookahead();
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

  void MaybeReportProgress() {
    if (!options_.show_progress || options_.diagnostics == nullptr) return;
    const absl::Time now = absl::Now();
    if (now - last_progress_ < absl::Seconds(options_.progress_interval_s)) return;
    last_progress_ = now;
    const DriverStats& d = driver_.stats();
    const std::string line =
        absl::StrCat("replay: ", d.log_events, " events, ", d.snapshots, " snapshots, ",
                     d.alerts_fired, " fired, ", d.alerts_resolved, " resolved; event time ",
                     absl::FormatTime("%Y-%m-%d %H:%M:%S", d.event_time, absl::UTCTimeZone()));
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
  // With metrics (ReplayOptions::metrics): in front of consumer_ and of the sinks that count
  // nothing themselves; each sink's counts by its name.
  const std::unique_ptr<MeteredConsumer> metered_consumer_;
  std::vector<std::unique_ptr<sinks::MeteredSink>> metered_sinks_;
  std::vector<MetricsSources::Sink> sink_metrics_;
  Driver driver_;
  std::vector<std::unique_ptr<LogInput>> log_inputs_;
  std::vector<std::unique_ptr<SnapshotInput>> snapshot_inputs_;
  // Per file input: its source id and HeadFingerprint, stored with its offset.
  std::vector<std::pair<std::string, std::string>> heads_;
  ReplayStats stats_;
  absl::Time last_progress_;
};

namespace {

std::vector<DriverSink> OneSink(sinks::AlertSink* sink) {
  return {DriverSink{"alerts", sink, nullptr}};
}

}  // namespace

ReplayRunner::ReplayRunner(ReplayOptions options, const pipeline::PipelineConfig& config,
                           state::StateStore* store, sinks::AlertSink* sink)
    : ReplayRunner(std::move(options), config, store, OneSink(sink)) {}

ReplayRunner::ReplayRunner(ReplayOptions options, const pipeline::PipelineConfig& config,
                           state::StateStore* store, std::vector<DriverSink> sinks)
    : impl_(std::make_unique<Impl>(std::move(options),
                                   std::make_unique<PipelineConsumer>(config, store), nullptr,
                                   store, std::move(sinks))) {}

ReplayRunner::ReplayRunner(ReplayOptions options, ReplayConsumer* consumer,
                           state::StateStore* store, sinks::AlertSink* sink)
    : impl_(std::make_unique<Impl>(std::move(options), nullptr, consumer, store, OneSink(sink))) {}
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
