// End to end: `vacwatch run` as a user runs it (the binary, a process of its own) consuming
// from a DevBroker (librdkafka's mock cluster, in this process) and producing to the alert
// topic. Measures what the issue asks of the service on this machine: log-line messages per
// second, snapshot table rows per second, and the process's CPU time and peak memory.
//
//   build/bench/kafka_service_bench logs  [--partitions 16] [--clusters 64] [--rounds 4]
//   build/bench/kafka_service_bench stats [--partitions 16] [--clusters 100] [--databases 10]
//                                         [--tables 100] [--rounds 4]
//   (--vacwatch PATH: the binary, default build/vacwatch beside this bench; --keep: keep the
//   state directory and the service's log; --backlog: rounds 2..R are produced while the
//   service is frozen (SIGSTOP) and then drained, timed from SIGCONT to the last commit: the
//   service's own rate with no producer on the cores, as after downtime; --librdkafka K=V:
//   into the service's kafka.librdkafka; --run-arg ARG: one more argument of `vacwatch run`,
//   repeatable, e.g. --run-arg --threads --run-arg 3)
//
// The mock cluster keeps only a few MiB per partition, so the input cannot be produced up front:
// it goes in rounds. Each round is produced (LZ4-compressed batches, as shippers send) and the
// bench waits until the service has committed every partition's end; the round's time runs from
// the start of its production to that commit (the service commits as soon as its input runs dry,
// so the commit trails by its poll's wait, 0.1 s at most; with its default settings otherwise). The
// producer and the broker share the 2 cores with the service: the wall rate is a lower bound; the
// rate per CPU-second of the service is printed too. Round 1 (assignment, first states created) is
// reported but not counted.
//
// logs: the shared dataset's stderr log, copied for every cluster (key = cluster), one message
// per line, the clusters interleaved line by line; each round sends the whole log again with its
// timestamps moved on by the log's span.
// stats: a synthetic fleet (clusters x databases x tables), one snapshot message per database per
// round (60 s of event time apart), rows built like the dataset's, counters moving each round.

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "app/dev_broker.h"
#include "bench/bench_util.h"

namespace vacwatch::bench {
namespace {

struct Flags {
  std::string mode;
  int partitions = 16;
  int clusters = -1;
  int databases = 10;
  int tables = 100;
  int rounds = 4;
  std::string vacwatch;
  std::vector<std::string> librdkafka;  // key=value, into the service's config
  std::vector<std::string> run_args;    // more arguments of `vacwatch run`
  bool keep = false;
  bool backlog = false;  // rounds 2..R produced while the service is frozen, then drained
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kafka_service_bench: %s\n", message.c_str());
  std::exit(1);
}

rd_kafka_t* Client(const std::string& bootstrap, rd_kafka_type_t type,
                   const std::vector<std::pair<std::string, std::string>>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      Die(absl::StrCat(key, ": ", error));
    }
  }
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  rd_kafka_t* client = rd_kafka_new(type, conf, error, sizeof(error));
  if (client == nullptr) Die(error);
  return client;
}

// A message to produce: topic index (0 logs, 1 stats), key, value.
struct Message {
  int topic;
  std::string key;
  std::string value;
};

// ---- logs --------------------------------------------------------------------------------

// The dataset's lines, and for each the offset of its leading timestamp ("2026-11-23
// 23:18:21.447 UTC"), or npos for a continuation line.
struct LogTemplate {
  std::vector<std::string> lines;
  absl::Duration span;
};

LogTemplate LoadLog() {
  const std::string text = ReadDatasetFile("pg15-prod-eu-1/postgresql.log");
  if (text.empty()) Die("cannot read pg15-prod-eu-1/postgresql.log (set VACWATCH_DATASETS)");
  LogTemplate t;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    t.lines.emplace_back(text, start, end - start);
    start = end + 1;
  }
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  for (const std::string& line : t.lines) {
    absl::Time time;
    std::string err;
    if (line.size() > 23 && absl::ParseTime("%Y-%m-%d %H:%M:%E3S", line.substr(0, 23),
                                            absl::UTCTimeZone(), &time, &err)) {
      first = std::min(first, time);
      last = std::max(last, time);
    }
  }
  t.span = last - first + absl::Minutes(1);
  return t;
}

// The line with its timestamp moved on by `shift` (continuation lines as they are).
std::string Shifted(const std::string& line, absl::Duration shift) {
  absl::Time time;
  std::string err;
  if (shift == absl::ZeroDuration() || line.size() <= 23 ||
      !absl::ParseTime("%Y-%m-%d %H:%M:%E3S", line.substr(0, 23), absl::UTCTimeZone(), &time,
                       &err)) {
    return line;
  }
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M:%E3S", time + shift, absl::UTCTimeZone()),
                      line.substr(23));
}

std::vector<Message> LogRound(const LogTemplate& t, int clusters, int round) {
  std::vector<Message> out;
  out.reserve(t.lines.size() * clusters);
  const absl::Duration shift = t.span * round;
  for (const std::string& line : t.lines) {
    const std::string shifted = Shifted(line, shift);
    for (int c = 0; c < clusters; ++c) {
      out.push_back({0, absl::StrFormat("bench-%04d", c), shifted});
    }
  }
  // A last line per cluster closes the round's last entry, so that every message before it is
  // done with and the service commits its position (the line itself stays open until the
  // next round: the bench expects one message per cluster not committed).
  const std::string closing = Shifted(
      absl::StrCat(t.lines.front().substr(0, 23), " UTC [1] LOG:  checkpoint starting: time"),
      shift + t.span - absl::Seconds(1));
  for (int c = 0; c < clusters; ++c) {
    out.push_back({0, absl::StrFormat("bench-%04d", c), closing});
  }
  return out;
}

// ---- stats -------------------------------------------------------------------------------

constexpr char kSettings[] =
    R"({"autovacuum": "on", "block_size": "8192", "track_counts": "on", "vacuum_cost_delay": "0", "vacuum_cost_limit": "200", "autovacuum_naptime": "60", "autovacuum_work_mem": "-1", "maintenance_work_mem": "65536", "vacuum_freeze_min_age": "50000000", "autovacuum_max_workers": "3", "vacuum_freeze_table_age": "150000000", "autovacuum_freeze_max_age": "200000000", "autovacuum_vacuum_threshold": "50", "log_autovacuum_min_duration": "0", "autovacuum_analyze_threshold": "50", "autovacuum_vacuum_cost_delay": "2", "autovacuum_vacuum_cost_limit": "-1", "autovacuum_vacuum_scale_factor": "0.2", "autovacuum_analyze_scale_factor": "0.1", "autovacuum_vacuum_insert_threshold": "1000", "autovacuum_multixact_freeze_max_age": "400000000", "autovacuum_vacuum_insert_scale_factor": "0.2"})";

std::string Timestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6S+00:00", t, absl::UTCTimeZone());
}

// One table row like the dataset's: a healthy table whose dead tuples saw-tooth below its
// trigger, every tenth table over it with no vacuum since round 0.
void AppendRow(int table, int round, absl::Time now, absl::Time start, std::string* out) {
  const int64_t t = table, r = round;
  const int64_t live = 100000 + t * 1000;
  const bool stuck = table % 10 == 0;
  const int64_t dead = stuck ? live / 4 + r * 500 : (r * 3000 + t * 37) % (live / 6);
  const int64_t updates = 50000 + r * 3000 + t;
  absl::StrAppend(
      out, R"({"relid": ")", 20000 + table, R"(", "relname": "t)", table,
      R"(", "idx_scan": 10, "relpages": )", live / 100, R"(, "seq_scan": 3, "n_tup_del": 0, )",
      R"("n_tup_ins": )", live, R"(, "n_tup_upd": )", updates, R"(, "reltuples": )", live,
      R"(, "n_dead_tup": )", dead, R"(, "n_live_tup": )", live,
      R"(, "reloptions": null, "schemaname": "public", "last_vacuum": null, "last_analyze": ")",
      Timestamp(start), R"(", "seq_tup_read": 0, "vacuum_count": 0, "analyze_count": 1, )",
      R"("idx_tup_fetch": 0, "n_tup_hot_upd": 0, "relminmxid_age": 0, "last_autovacuum": ")",
      Timestamp(stuck ? start : now - absl::Seconds(30)), R"(", "autovacuum_count": )", round,
      R"(, "last_autoanalyze": null, "relfrozenxid_age": )", 1000 + round * 100,
      R"(, "autoanalyze_count": 0, "n_ins_since_vacuum": 0, "n_mod_since_analyze": )", dead,
      R"(, "relation_size_bytes": )", live * 80, R"(, "total_relation_size_bytes": )", live * 110,
      "}");
}

// The snapshots of clusters [first, last) for `round`.
std::vector<Message> StatsRound(const Flags& f, int round, int first, int last) {
  std::vector<Message> out;
  const absl::Time start = absl::FromUnixSeconds(1795000000);
  const absl::Time now = start + absl::Minutes(round);
  for (int c = first; c < last; ++c) {
    const std::string cluster = absl::StrFormat("bench-%04d", c);
    for (int d = 0; d < f.databases; ++d) {
      std::string doc = absl::StrCat(R"({"kind": "pg_stat_snapshot", "tables": [)");
      for (int t = 0; t < f.tables; ++t) {
        if (t > 0) doc += ", ";
        AppendRow(t, round, now, start, &doc);
      }
      absl::StrAppend(&doc, R"(], "cluster": ")", cluster, R"(", "database": "db)", d,
                      R"(", "settings": )", kSettings, R"(, "collected_at": ")",
                      Timestamp(now + absl::Milliseconds(c)),
                      R"(", "xmin_holders": [], "prepared_xacts": [], "vacuum_progress": [], )",
                      R"("replication_slots": [], "server_version_num": 150020})");
      out.push_back({1, cluster, std::move(doc)});
    }
  }
  return out;
}

// ---- the service ---------------------------------------------------------------------------

class Service {
 public:
  Service(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    FILE* log = std::fopen(log_path.c_str(), "w");
    if (log == nullptr) Die("cannot write " + log_path);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(fileno(log), STDOUT_FILENO);
      ::dup2(fileno(log), STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    std::fclose(log);
  }
  // SIGTERM and the exit's resource usage.
  rusage Stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    rusage usage{};
    ::wait4(pid_, &status, 0, &usage);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "kafka_service_bench: vacwatch run exited with status %d\n", status);
    }
    return usage;
  }
  // User + system CPU seconds so far (/proc), to compare with a round's wall time.
  double CpuSeconds() const {
    std::FILE* stat = std::fopen(absl::StrCat("/proc/", pid_, "/stat").c_str(), "r");
    if (stat == nullptr) return 0;
    char buffer[1024] = {};
    const size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, stat);
    std::fclose(stat);
    // Fields 14 and 15 (utime, stime), after the command name in parentheses.
    const char* p = std::strrchr(buffer, ')');
    if (p == nullptr || n == 0) return 0;
    unsigned long utime = 0, stime = 0;  // NOLINT(google-runtime-int): sscanf's %lu
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
        2) {
      return 0;
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  // SIGSTOP / SIGCONT: the backlog mode fills the topics while the service is frozen.
  void Freeze() { ::kill(pid_, SIGSTOP); }
  void Thaw() { ::kill(pid_, SIGCONT); }
  bool Running() {
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// The group's committed offsets and the topics' ends, summed over partitions.
class Progress {
 public:
  Progress(const std::string& bootstrap, int partitions)
      : client_(Client(bootstrap, RD_KAFKA_CONSUMER, {{"group.id", "bench"}})),
        partitions_(partitions) {}
  ~Progress() { rd_kafka_destroy(client_); }

  int64_t Committed() {
    int64_t sum = 0;
    for (int64_t offset : CommittedPerPartition()) sum += std::max<int64_t>(offset, 0);
    return sum;
  }
  // pg.logs partitions, then pg.stats partitions; -1 where nothing is committed.
  std::vector<int64_t> CommittedPerPartition() {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_ * 2);
    for (const char* topic : {"pg.logs", "pg.stats"}) {
      for (int p = 0; p < partitions_; ++p) rd_kafka_topic_partition_list_add(list, topic, p);
    }
    std::vector<int64_t> offsets(static_cast<size_t>(partitions_) * 2, -1);
    if (rd_kafka_committed(client_, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < list->cnt; ++i) offsets[i] = list->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
    return offsets;
  }
  // Also checks that the broker kept every message not consumed yet.
  int64_t End() {
    const std::vector<int64_t> committed = CommittedPerPartition();
    int64_t sum = 0;
    size_t index = 0;
    for (const char* topic : {"pg.logs", "pg.stats"}) {
      for (int p = 0; p < partitions_; ++p, ++index) {
        int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(client_, topic, p, &low, &high, 5000) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
          Die("watermarks");
        }
        if (low > std::max<int64_t>(committed[index], 0)) {
          Die(absl::StrCat(topic, "/", p, " lost messages the service had not read to the mock ",
                           "broker's retention: use more partitions or smaller rounds"));
        }
        sum += high;
      }
    }
    return sum;
  }

 private:
  rd_kafka_t* client_;
  int partitions_;
};

void Produce(rd_kafka_t* producer, const std::vector<Message>& messages) {
  static const char* const kTopics[] = {"pg.logs", "pg.stats"};
  for (const Message& m : messages) {
    while (true) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(kTopics[m.topic]), RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) Die(rd_kafka_err2str(err));
      rd_kafka_poll(producer, 10);
    }
  }
  if (rd_kafka_flush(producer, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) Die("flush");
}

int Main(const Flags& f) {
  auto broker = app::DevBroker::Start({.partitions = f.partitions});
  if (!broker.ok()) Die(std::string(broker.status().message()));
  const std::string bootstrap = (*broker)->bootstrap();
  const std::string dir = absl::StrCat("/tmp/vacwatch-bench-", ::getpid());
  std::filesystem::create_directories(dir);
  LogTemplate log_template;
  if (f.mode == "logs") log_template = LoadLog();

  std::string config = "kafka:\n  librdkafka:\n    log_level: \"3\"\n";
  for (const std::string& setting : f.librdkafka) {
    const size_t eq = setting.find('=');
    if (eq == std::string::npos) Die("--librdkafka KEY=VALUE");
    absl::StrAppend(&config, "    ", setting.substr(0, eq), ": \"", setting.substr(eq + 1), "\"\n");
  }
  {
    FILE* file = std::fopen((dir + "/vacwatch.yaml").c_str(), "w");
    std::fputs(config.c_str(), file);
    std::fclose(file);
  }
  std::vector<std::string> run = {f.vacwatch,         "run",
                                  "--brokers",        bootstrap,
                                  "--group",          "bench",
                                  "--state-dir",      dir + "/state",
                                  "--config",         dir + "/vacwatch.yaml",
                                  "--max-input-skew", "0"};
  run.insert(run.end(), f.run_args.begin(), f.run_args.end());
  Service service(run, dir + "/service.log");
  Progress progress(bootstrap, f.partitions);
  rd_kafka_t* producer = Client(bootstrap, RD_KAFKA_PRODUCER,
                                {{"linger.ms", "20"},
                                 {"batch.num.messages", "10000"},
                                 {"batch.size", "1000000"},
                                 {"compression.type", "lz4"},
                                 {"queue.buffering.max.messages", "2000000"},
                                 {"queue.buffering.max.kbytes", "2000000"},
                                 {"message.max.bytes", "10000000"}});

  std::printf("mode %s, %d partitions, vacwatch run: %s\n", f.mode.c_str(), f.partitions,
              f.vacwatch.c_str());
  std::printf("%-6s %12s %12s %10s %12s %10s %10s\n", "round", "messages", "rows", "produce s",
              "consumed s", "per s", "run CPU s");
  int64_t counted_messages = 0, counted_rows = 0;
  absl::Duration counted_time;
  // Waits until the service has committed `end` messages; Die()s after 10 minutes.
  auto wait_for_commit = [&](int64_t end, absl::Time start) {
    const absl::Time deadline = absl::Now() + absl::Minutes(10);
    const bool trace = std::getenv("VACWATCH_BENCH_TRACE") != nullptr;
    int64_t committed = 0;
    while ((committed = progress.Committed()) < end) {
      if (trace) {
        std::printf("  %.2f s: committed %lld of %lld\n",
                    absl::ToDoubleSeconds(absl::Now() - start), static_cast<long long>(committed),
                    static_cast<long long>(end));
      }
      if (!service.Running()) Die("vacwatch run exited; see " + dir + "/service.log");
      if (absl::Now() > deadline) Die("not consumed within 10 minutes; see " + dir);
      absl::SleepFor(absl::Milliseconds(20));
    }
  };
  for (int round = 0; round < (f.backlog ? 1 : f.rounds); ++round) {
    // A round goes in waves small enough for the mock broker's retention (a few MiB per
    // partition): about 48 snapshot messages per partition; the log rounds fit whole.
    const int wave_clusters =
        f.mode == "logs" ? f.clusters : std::max(1, f.partitions * 48 / std::max(1, f.databases));
    int64_t messages_in_round = 0;
    absl::Duration took, producing;
    double service_cpu = 0;
    for (int first = 0; first < f.clusters; first += wave_clusters) {
      const int last = std::min(f.clusters, first + wave_clusters);
      std::vector<Message> messages = f.mode == "logs" ? LogRound(log_template, f.clusters, round)
                                                       : StatsRound(f, round, first, last);
      messages_in_round += static_cast<int64_t>(messages.size());
      const absl::Time start = absl::Now();
      const double cpu_before = service.CpuSeconds();
      Produce(producer, messages);
      producing += absl::Now() - start;
      // logs: each cluster's closing line stays open (see LogRound).
      wait_for_commit(progress.End() - (f.mode == "logs" ? f.clusters : 0), start);
      took += absl::Now() - start;
      service_cpu += service.CpuSeconds() - cpu_before;
    }
    const int64_t rows = f.mode == "logs" ? 0 : messages_in_round * f.tables;
    const double per_second =
        static_cast<double>(rows > 0 ? rows : messages_in_round) / absl::ToDoubleSeconds(took);
    std::printf("%-6d %12lld %12lld %10.2f %12.2f %10.0f %10.2f%s\n", round + 1,
                static_cast<long long>(messages_in_round), static_cast<long long>(rows),
                absl::ToDoubleSeconds(producing), absl::ToDoubleSeconds(took), per_second,
                service_cpu, round == 0 ? "  (warm-up)" : "");
    std::fflush(stdout);
    if (round > 0) {
      counted_messages += messages_in_round;
      counted_rows += rows;
      counted_time += took;
    }
  }
  if (f.backlog && f.rounds > 1) {
    // Rounds 2..R wait in the topics while the service is frozen, then it drains them: the
    // service's own rate, with no producer beside it on the cores (a backlog after downtime).
    service.Freeze();
    int64_t messages = 0;
    const absl::Time produce_start = absl::Now();
    for (int round = 1; round < f.rounds; ++round) {
      std::vector<Message> batch = f.mode == "logs" ? LogRound(log_template, f.clusters, round)
                                                    : StatsRound(f, round, 0, f.clusters);
      messages += static_cast<int64_t>(batch.size());
      Produce(producer, batch);
    }
    const absl::Duration producing = absl::Now() - produce_start;
    const int64_t end = progress.End() - (f.mode == "logs" ? f.clusters : 0);  // checks retention
    const double cpu_before = service.CpuSeconds();
    const absl::Time start = absl::Now();
    service.Thaw();
    wait_for_commit(end, start);
    const absl::Duration took = absl::Now() - start;
    const int64_t rows = f.mode == "logs" ? 0 : messages * f.tables;
    std::printf("%-6s %12lld %12lld %10.2f %12.2f %10.0f %10.2f  (backlog)\n",
                absl::StrCat("2-", f.rounds).c_str(), static_cast<long long>(messages),
                static_cast<long long>(rows), absl::ToDoubleSeconds(producing),
                absl::ToDoubleSeconds(took),
                static_cast<double>(rows > 0 ? rows : messages) / absl::ToDoubleSeconds(took),
                service.CpuSeconds() - cpu_before);
    counted_messages = messages;
    counted_rows = rows;
    counted_time = took;
  }
  const rusage usage = service.Stop();
  rd_kafka_destroy(producer);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const double seconds = absl::ToDoubleSeconds(counted_time);
  std::printf("\nrounds 2-%d: %lld messages", f.rounds, static_cast<long long>(counted_messages));
  if (counted_rows > 0) std::printf(", %lld table rows", static_cast<long long>(counted_rows));
  std::printf(" in %.2f s: %.0f messages/s", seconds, counted_messages / seconds);
  if (counted_rows > 0) std::printf(", %.0f table rows/s", counted_rows / seconds);
  std::printf(
      "\nvacwatch run, whole process, all rounds: CPU %.2f s (user %ld s, sys %ld s), "
      "peak RSS %ld MiB\n",
      cpu, static_cast<long>(usage.ru_utime.tv_sec), static_cast<long>(usage.ru_stime.tv_sec),
      usage.ru_maxrss / 1024);
  if (f.keep) {
    std::printf("kept %s\n", dir.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}

}  // namespace
}  // namespace vacwatch::bench

int main(int argc, char** argv) {
  vacwatch::bench::Flags f;
  f.vacwatch = (std::filesystem::path(argv[0]).parent_path().parent_path() / "vacwatch").string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto number = [&](int* out) {
      if (i + 1 >= argc || !absl::SimpleAtoi(argv[++i], out)) {
        vacwatch::bench::Die(arg + " needs a number");
      }
    };
    if (arg == "logs" || arg == "stats") {
      f.mode = arg;
    } else if (arg == "--partitions") {
      number(&f.partitions);
    } else if (arg == "--clusters") {
      number(&f.clusters);
    } else if (arg == "--databases") {
      number(&f.databases);
    } else if (arg == "--tables") {
      number(&f.tables);
    } else if (arg == "--rounds") {
      number(&f.rounds);
    } else if (arg == "--vacwatch" && i + 1 < argc) {
      f.vacwatch = argv[++i];
    } else if (arg == "--librdkafka" && i + 1 < argc) {
      f.librdkafka.push_back(argv[++i]);
    } else if (arg == "--run-arg" && i + 1 < argc) {
      f.run_args.push_back(argv[++i]);
    } else if (arg == "--keep") {
      f.keep = true;
    } else if (arg == "--backlog") {
      f.backlog = true;
    } else {
      std::fprintf(stderr,
                   "usage: kafka_service_bench logs|stats [--partitions N] [--clusters N] "
                   "[--databases N] [--tables N] [--rounds N] [--backlog] [--vacwatch PATH] "
                   "[--librdkafka KEY=VALUE]... [--run-arg ARG]... [--keep]\n");
      return 2;
    }
  }
  if (f.mode.empty()) vacwatch::bench::Die("logs or stats?");
  if (f.clusters < 0) f.clusters = f.mode == "logs" ? 64 : 100;
  return vacwatch::bench::Main(f);
}
