#include "app/service_metrics.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/metrics/text_format.h"
#include "common/parse_error.h"
#include "ingest/log_event.h"

#ifndef VACWATCH_VERSION
#define VACWATCH_VERSION "dev"
#endif

namespace vacwatch::app {
namespace {

using metrics::MetricType;
using metrics::TextFormatWriter;

double Seconds(absl::Time t) { return absl::ToDoubleSeconds(t - absl::UnixEpoch()); }
double D(int64_t v) { return static_cast<double>(v); }

void WriteInputFamilies(const MetricsSources& s, TextFormatWriter* w) {
  const std::pair<std::string_view, const ingest::IngestCounters*> inputs[] = {{"logs", &s.logs},
                                                                               {"stats", &s.stats}};
  w->Family("vacwatch_input_entries_total", MetricType::kCounter,
            "Log entries (logs) and snapshot documents (stats) read.", {"input"});
  for (const auto& [name, c] : inputs) w->Sample({name}, D(c->entries));
  w->Family("vacwatch_input_bytes_total", MetricType::kCounter, "Input bytes read by the readers.",
            {"input"});
  for (const auto& [name, c] : inputs) w->Sample({name}, D(c->bytes));
  w->Family("vacwatch_parsed_total", MetricType::kCounter,
            "Entries parsed into something vacwatch uses: log events by type, snapshots.",
            {"input", "type"});
  for (int i = 0; i < ingest::kNumLogEventTypes; ++i) {
    w->Sample({"logs", ingest::LogEventTypeName(static_cast<ingest::LogEventType>(i))},
              D(s.logs.events[i]));
  }
  w->Sample({"stats", "snapshot"}, D(s.stats.snapshots));
  w->Family("vacwatch_parse_skipped_total", MetricType::kCounter,
            "Entries read that hold nothing for vacwatch (not about autovacuum).", {"input"});
  for (const auto& [name, c] : inputs) w->Sample({name}, D(c->skipped));
  w->Family("vacwatch_parse_errors_total", MetricType::kCounter,
            "Entries and documents rejected (sent to the dead letters), by reason.",
            {"input", "reason"});
  for (const auto& [name, c] : inputs) {
    for (int k = 0; k < kNumParseErrorKinds; ++k) {
      w->Sample({name, ParseErrorKindName(static_cast<ParseErrorKind>(k))}, D(c->rejected[k]));
    }
  }
  if (s.dead_letters >= 0) {
    w->Family("vacwatch_dead_letters_total", MetricType::kCounter,
              "Rejected input written to the dead-letter topic or file.", {});
    w->Sample({}, D(s.dead_letters));
  }
  if (s.dead_letter_failures >= 0) {
    w->Family("vacwatch_dead_letter_failures_total", MetricType::kCounter,
              "Dead letters that could not be produced.", {});
    w->Sample({}, D(s.dead_letter_failures));
  }
}

void WriteKafkaFamilies(const MetricsSources& s, TextFormatWriter* w) {
  if (s.topics.empty() && s.partitions.empty()) return;
  w->Family("vacwatch_kafka_messages_consumed_total", MetricType::kCounter,
            "Kafka messages consumed, by topic.", {"topic"});
  for (const auto& t : s.topics) w->Sample({t.topic}, D(t.messages));
  w->Family("vacwatch_kafka_consumed_bytes_total", MetricType::kCounter,
            "Kafka message payload bytes consumed, by topic.", {"topic"});
  for (const auto& t : s.topics) w->Sample({t.topic}, D(t.bytes));
  w->Family("vacwatch_kafka_consumer_lag_messages", MetricType::kGauge,
            "Messages between an assigned partition's end (high watermark) and the next message "
            "vacwatch has not applied.",
            {"topic", "partition"});
  for (const auto& p : s.partitions) w->Sample({p.topic, absl::StrCat(p.partition)}, D(p.lag));
}

void WriteDriverFamilies(const DriverStats& d, absl::Time now, TextFormatWriter* w) {
  w->Family("vacwatch_events_applied_total", MetricType::kCounter,
            "Items fed to the pipeline in event-time order: log events and snapshots.", {"kind"});
  w->Sample({"log_event"}, D(d.log_events));
  w->Sample({"snapshot"}, D(d.snapshots));
  w->Family("vacwatch_late_items_total", MetricType::kCounter,
            "Items older than what had been applied already (applied where they were).", {});
  w->Sample({}, D(d.late_items));
  w->Family("vacwatch_input_skew_timeouts_total", MetricType::kCounter,
            "Times an idle input stopped holding event time back (max_input_skew passed).", {});
  w->Sample({}, D(d.skew_timeouts));
  if (d.event_time != absl::InfinitePast()) {
    w->Family("vacwatch_event_time_seconds", MetricType::kGauge,
              "Event time (Unix seconds) of the last item applied.", {});
    w->Sample({}, Seconds(d.event_time));
    w->Family("vacwatch_event_time_lag_seconds", MetricType::kGauge,
              "Wall time minus the event time of the last item applied.", {});
    w->Sample({}, absl::ToDoubleSeconds(now - d.event_time));
  }
  w->Family("vacwatch_checkpoints_total", MetricType::kCounter,
            "State batches committed (state, outbox and input positions in one batch).", {});
  w->Sample({}, D(d.checkpoints));
  w->Family("vacwatch_checkpoint_duration_seconds", MetricType::kHistogram,
            "Wall time of a checkpoint: commit, then delivery of its alert transitions.", {});
  w->Histogram({}, d.checkpoint_seconds);
  w->Family("vacwatch_batch_duration_seconds", MetricType::kHistogram,
            "Wall time from the first item of a batch to the end of the checkpoint that "
            "committed it and delivered its alerts.",
            {});
  w->Histogram({}, d.batch_seconds);
  w->Family("vacwatch_alert_transitions_total", MetricType::kCounter,
            "Alert transitions delivered, by status (redeliveries included).", {"status"});
  w->Sample({"firing"}, D(d.alerts_fired));
  w->Sample({"resolved"}, D(d.alerts_resolved));
  w->Family("vacwatch_alert_redeliveries_total", MetricType::kCounter,
            "Transitions a previous run committed but had not confirmed, delivered again.", {});
  w->Sample({}, D(d.redelivered));
}

void WriteSinkFamilies(const MetricsSources& s, TextFormatWriter* w) {
  if (s.firing.has_value()) {
    w->Family("vacwatch_alerts_firing", MetricType::kGauge,
              "Alerts firing now, by alert and severity, as the committed state says.",
              {"alert", "severity"});
    for (const auto& [key, count] : *s.firing) w->Sample({key.first, key.second}, D(count));
  }
  if (s.sinks.empty()) return;
  struct Field {
    std::string_view name, help;
    const std::atomic<int64_t> sinks::SinkMetrics::*member;
    MetricType type;
  };
  static constexpr Field kFields[] = {
      {"vacwatch_sink_deliveries_total", "Alert transitions a sink confirmed delivered.",
       &sinks::SinkMetrics::delivered, MetricType::kCounter},
      {"vacwatch_sink_failures_total", "Failed delivery attempts of a sink.",
       &sinks::SinkMetrics::failed, MetricType::kCounter},
      {"vacwatch_sink_retries_total", "Delivery attempts beyond the first, of a sink.",
       &sinks::SinkMetrics::retries, MetricType::kCounter},
      {"vacwatch_sink_queue_depth", "Transitions a sink has accepted and not yet confirmed.",
       &sinks::SinkMetrics::queued, MetricType::kGauge},
  };
  for (const Field& f : kFields) {
    w->Family(f.name, f.type, f.help, {"sink"});
    for (const auto& sink : s.sinks) {
      w->Sample({sink.name}, D((sink.metrics->*f.member).load(std::memory_order_relaxed)));
    }
  }
}

// The consumers (one per shard) shown as one: a cluster's facts merged by name (a cluster's
// data is in one partition, so normally in one shard), the series concatenated (their limit is
// shared: TableSeriesBudget).
void WriteConsumerFamilies(const std::vector<const MeteredConsumer*>& consumers,
                           TextFormatWriter* w) {
  int64_t tracked = -1;
  std::map<std::string, MeteredConsumer::ClusterFacts, std::less<>> clusters;
  for (const MeteredConsumer* c : consumers) {
    if (const int64_t t = c->TablesTracked(); t >= 0) tracked = std::max<int64_t>(tracked, 0) + t;
    for (const auto& [name, facts] : c->clusters()) {
      MeteredConsumer::ClusterFacts& merged = clusters[name];
      merged.snapshots += facts.snapshots;
      merged.last_fed = std::max(merged.last_fed, facts.last_fed);
      merged.last_collected = std::max(merged.last_collected, facts.last_collected);
    }
  }
  if (tracked >= 0) {
    w->Family("vacwatch_tables_tracked", MetricType::kGauge,
              "Tables whose state the pipeline keeps, over every cluster.", {});
    w->Sample({}, D(tracked));
  }
  w->Family("vacwatch_cluster_snapshots_total", MetricType::kCounter,
            "Snapshots applied, by cluster.", {"cluster"});
  for (const auto& [name, facts] : clusters) w->Sample({name}, D(facts.snapshots));
  w->Family("vacwatch_cluster_last_snapshot_timestamp_seconds", MetricType::kGauge,
            "Wall time (Unix seconds) a snapshot of the cluster was last applied.", {"cluster"});
  for (const auto& [name, facts] : clusters) w->Sample({name}, Seconds(facts.last_fed));
  w->Family("vacwatch_cluster_last_snapshot_collected_timestamp_seconds", MetricType::kGauge,
            "collected_at (Unix seconds) of the cluster's newest snapshot applied.", {"cluster"});
  for (const auto& [name, facts] : clusters) w->Sample({name}, Seconds(facts.last_collected));

  // Limit and dropped rows are the budget's, which every consumer shares.
  const int64_t limit = consumers.front()->table_series_limit();
  const int64_t dropped = consumers.front()->table_rows_dropped();
  w->Family("vacwatch_table_series_limit", MetricType::kGauge,
            "The most tables given per-table series (0: per-table series are off).", {});
  w->Sample({}, D(limit));
  w->Family("vacwatch_table_series_dropped_total", MetricType::kCounter,
            "Snapshot rows of tables that got no per-table series: the limit was reached.", {});
  w->Sample({}, D(dropped));
  if (limit == 0) return;
  struct Gauge {
    std::string_view name, help;
    double MeteredConsumer::TableSeries::*member;
  };
  static constexpr Gauge kGauges[] = {
      {"vacwatch_table_dead_tuples", "n_dead_tup of the table's last snapshot row.",
       &MeteredConsumer::TableSeries::dead_tuples},
      {"vacwatch_table_over_trigger_ratio",
       "Dead tuples over the table's autovacuum trigger (1 = at the trigger).",
       &MeteredConsumer::TableSeries::over_trigger_ratio},
      {"vacwatch_table_bloat_velocity_tuples_per_second",
       "Growth of the table's dead tuples per second between its last two snapshots.",
       &MeteredConsumer::TableSeries::bloat_velocity},
      {"vacwatch_table_freeze_age_ratio",
       "age(relfrozenxid) over the table's autovacuum_freeze_max_age (1 = forced vacuum).",
       &MeteredConsumer::TableSeries::freeze_age_ratio},
  };
  for (const Gauge& g : kGauges) {
    w->Family(g.name, MetricType::kGauge, g.help, {"cluster", "database", "schema", "table"});
    for (const MeteredConsumer* c : consumers) {
      for (const auto& t : c->tables()) {
        w->Sample({t.cluster, t.database, t.schema, t.table}, t.*g.member);
      }
    }
  }
  w->Family("vacwatch_database_horizon_age_xids", MetricType::kGauge,
            "Age in transactions of the oldest xmin horizon holder (session, slot, prepared "
            "transaction, walsender) in the database's last snapshot: what vacuum of its tables "
            "cannot remove past.",
            {"cluster", "database"});
  for (const MeteredConsumer* c : consumers) {
    for (const auto& d : c->databases()) w->Sample({d.cluster, d.database}, d.horizon_age_xids);
  }
}

}  // namespace

ServiceMetrics::ServiceMetrics(ServiceMetricsOptions options)
    : options_(std::move(options)), start_(Now()) {}

bool ServiceMetrics::Due() const {
  return last_publish_ == absl::InfinitePast() ||
         Now() - last_publish_ >= options_.publish_interval;
}

absl::Status ServiceMetrics::Render(const MetricsSources& s, std::string* out) const {
  const absl::Time now = Now();
  TextFormatWriter w(out);
  w.Family("vacwatch_build_info", MetricType::kGauge,
           "Always 1: the version and the command of this vacwatch process.",
           {"version", "command"});
  w.Sample({VACWATCH_VERSION, options_.command}, 1);
  w.Family("vacwatch_start_time_seconds", MetricType::kGauge,
           "Wall time (Unix seconds) this process started serving metrics.", {});
  w.Sample({}, Seconds(start_));
  w.Family("vacwatch_last_publish_timestamp_seconds", MetricType::kGauge,
           "Wall time (Unix seconds) this page was rendered: the pipeline's loop renders it "
           "every tick, so an old value means the loop is stuck.",
           {});
  w.Sample({}, Seconds(now));
  w.Family("vacwatch_inputs_assigned", MetricType::kGauge,
           "Inputs being read: assigned Kafka partitions (run) or files (replay).", {});
  w.Sample({}, D(inputs_.load(std::memory_order_relaxed)));
  WriteKafkaFamilies(s, &w);
  WriteInputFamilies(s, &w);
  if (s.driver != nullptr) WriteDriverFamilies(*s.driver, now, &w);
  if (s.state_bytes >= 0) {
    w.Family("vacwatch_state_size_bytes", MetricType::kGauge,
             "The state store's size (RocksDB live table files plus memtables).", {});
    w.Sample({}, D(s.state_bytes));
  }
  WriteSinkFamilies(s, &w);
  if (!s.consumers.empty()) WriteConsumerFamilies(s.consumers, &w);
  return w.status();
}

absl::Status ServiceMetrics::Publish(const MetricsSources& sources) {
  std::string page;
  absl::Status s = Render(sources, &page);
  page_.Publish(std::move(page));
  last_publish_ = Now();
  return s;
}

void ServiceMetrics::MarkConsuming() {
  consumed_at_ns_.store(absl::ToUnixNanos(Now()), std::memory_order_relaxed);
}

std::pair<bool, std::string> ServiceMetrics::Readiness() const {
  if (!state_open_.load(std::memory_order_relaxed)) return {false, "state store not open"};
  if (inputs_.load(std::memory_order_relaxed) <= 0) {
    return {false, options_.command == "run" ? "no partitions assigned" : "no inputs open"};
  }
  const int64_t at = consumed_at_ns_.load(std::memory_order_relaxed);
  if (at == 0) return {false, "not consuming yet"};
  const absl::Duration idle = Now() - absl::FromUnixNanos(at);
  if (idle > options_.consuming_timeout) {
    return {false, absl::StrCat("not consuming for ",
                                absl::FormatDuration(absl::Trunc(idle, absl::Seconds(1))))};
  }
  return {true, "ready"};
}

}  // namespace vacwatch::app
