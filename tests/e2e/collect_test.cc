// `vacwatch collect` against a real PostgreSQL 15 (tests/testing/postgres_server.h): its
// snapshots decode with `vacwatch parse --format snapshot`, the generated query says what the
// .sql file says, a role with only pg_monitor is enough, `--to kafka` produces keyed messages
// to the mock cluster over TCP, a server restart costs only the snapshots of the seconds it
// was down (one log line each way), and a database that fails does not stop the others.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "app/dev_broker.h"
#include "common/rfc3339_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/postgres/snapshot_query.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_decoder.h"
#include "tests/e2e/kafka_test_util.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/vacwatch_command.h"

namespace vacwatch::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string BinaryDir() { return VACWATCH_BINARY_DIR; }

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

struct Decoded {
  std::string database;
  absl::Time collected_at;
  std::vector<std::string> holder_apps;
};

// Every line of a snapshot file, decoded (the test fails on one that does not decode).
std::vector<Decoded> DecodeAll(const std::string& text) {
  std::vector<Decoded> out;
  ingest::SnapshotDecoder decoder;
  ingest::Snapshot snapshot;
  for (const std::string& line : Lines(text)) {
    if (line.empty()) continue;
    if (!decoder.Decode(line, &snapshot).ok()) {
      ADD_FAILURE() << decoder.ErrorMessage();
      continue;
    }
    Decoded d{std::string(snapshot.database), snapshot.collected_at, {}};
    for (const ingest::XminHolder& h : snapshot.xmin_holders) {
      d.holder_apps.emplace_back(h.application_name);
    }
    out.push_back(std::move(d));
  }
  return out;
}

class CollectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PostgresServerOptions options;
    options.settings = {{"autovacuum_naptime", "1"}};
    absl::StatusOr<std::unique_ptr<PostgresServer>> started = PostgresServer::Start(options);
    ASSERT_OK(started);
    server_ = *std::move(started);
    // A role with pg_monitor and nothing else: what docs/collect.md asks for.
    ASSERT_OK(server_->Execute("CREATE ROLE collector LOGIN; GRANT pg_monitor TO collector"));
    ASSERT_OK(server_->Execute("CREATE DATABASE shop"));
    ASSERT_OK(server_->Execute(
        "CREATE TABLE orders (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off);"
        "INSERT INTO orders SELECT g, 0 FROM generate_series(1, 1000) g;"
        "UPDATE orders SET v = 1; CREATE TABLE quiet (id int); CREATE EXTENSION pgstattuple",
        "shop"));
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::string CollectorDsn() {
    return absl::StrCat("host=", server_->socket_dir(), " port=", server_->port(),
                        " user=collector dbname=postgres");
  }

  static std::unique_ptr<PostgresServer> server_;
};

std::unique_ptr<PostgresServer> CollectTest::server_;

TEST_F(CollectTest, GeneratedQueryGivesWhatTheSqlFileGivesOnPostgres15) {
  ASSERT_NE(server_, nullptr);
  absl::StatusOr<std::string> version =
      server_->QueryValue("SELECT current_setting('server_version_num')");
  ASSERT_OK(version);
  absl::StatusOr<std::string> generated = ingest::BuildSnapshotQuery(std::stoi(*version));
  ASSERT_OK(generated);
  // Both in one repeatable-read transaction: the same now(), statistics and snapshot.
  PostgresSession session(server_->Dsn("shop"));
  ASSERT_OK(session.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  absl::StatusOr<std::string> from_generated =
      session.QueryValue(absl::StrReplaceAll(*generated, {{"$1::text", "'pg15'::text"}}));
  ASSERT_OK(from_generated);
  const std::string file(ingest::SnapshotQueryTemplate());
  absl::StatusOr<std::string> from_file =
      session.QueryValue(absl::StrReplaceAll(file, {{":'cluster'", "'pg15'"}}));
  ASSERT_OK(from_file);
  ASSERT_OK(session.Execute("COMMIT"));
  EXPECT_EQ(*from_generated, *from_file);
  EXPECT_THAT(*from_generated, HasSubstr("\"relname\": \"orders\""));
}

TEST_F(CollectTest, OnceWritesSnapshotsThatParseDecodesAsAPgMonitorRole) {
  ASSERT_NE(server_, nullptr);
  ScopedTempDir dir;
  const std::string out = dir.path() + "/snapshots.jsonl";
  // A session that wrote and stays open: a holder, named by its application.
  PostgresSession holder(server_->Dsn("shop") + " application_name=holder-app");
  ASSERT_OK(holder.Execute("BEGIN; UPDATE orders SET v = 2 WHERE id = 1"));
  const CommandResult run = RunVacwatchCommand(
      {"collect", "--dsn", CollectorDsn(), "--once", "--cluster", "pg15", "--to", "file:" + out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("collecting 2 databases: postgres, shop"));
  ASSERT_OK(holder.Execute("ROLLBACK"));

  const CommandResult parse = RunVacwatchCommand({"parse", "--format", "snapshot", out});
  ASSERT_EQ(parse.exit_code, 0) << parse.err;
  EXPECT_THAT(parse.err, HasSubstr("2 snapshots"));
  EXPECT_THAT(parse.err, HasSubstr("0 rejected"));
  EXPECT_THAT(parse.out, HasSubstr("\"cluster\":\"pg15\""));
  EXPECT_THAT(parse.out, HasSubstr("\"relname\":\"orders\""));

  const std::vector<Decoded> snapshots = DecodeAll(ReadFile(out));
  ASSERT_EQ(snapshots.size(), 2u);
  for (const Decoded& s : snapshots) {
    // The writer is listed in every database (an xid pins them all); the collector never is.
    EXPECT_THAT(s.holder_apps, ::testing::Contains("holder-app")) << s.database;
    EXPECT_THAT(s.holder_apps, Not(::testing::Contains("vacwatch-collect"))) << s.database;
  }
}

TEST_F(CollectTest, ConfiguredDatabasesAndConfigSectionApply) {
  ASSERT_NE(server_, nullptr);
  ScopedTempDir dir;
  const std::string config = dir.path() + "/vacwatch.yaml";
  const std::string out = dir.path() + "/snapshots.jsonl";
  {
    std::FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(absl::StrCat("collector:\n  dsn: \"", CollectorDsn(),
                            "\"\n  cluster: from-config\n  databases: [shop]\n  to: file:", out,
                            "\n  statement_timeout: 5\n")
                   .c_str(),
               f);
    std::fclose(f);
  }
  const CommandResult run =
      RunVacwatchCommand({"collect", "--config", config, "--count", "2", "--interval", "0.2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string text = ReadFile(out);
  const std::vector<Decoded> snapshots = DecodeAll(text);
  ASSERT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(snapshots[0].database, "shop");
  EXPECT_THAT(text, HasSubstr("\"cluster\": \"from-config\""));
  // An unknown key names its whole path.
  {
    std::FILE* f = std::fopen(config.c_str(), "w");
    std::fputs("collector:\n  intervall: 5\n", f);
    std::fclose(f);
  }
  const CommandResult bad = RunVacwatchCommand({"collect", "--config", config, "--once"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("collector.intervall"));
}

TEST_F(CollectTest, ToKafkaProducesOneMessagePerSnapshotKeyedByCluster) {
  ASSERT_NE(server_, nullptr);
  app::DevBrokerOptions broker_options;
  broker_options.partitions = 1;
  absl::StatusOr<std::unique_ptr<app::DevBroker>> broker = app::DevBroker::Start(broker_options);
  ASSERT_OK(broker);
  const std::string bootstrap = (*broker)->bootstrap();
  const CommandResult run =
      RunVacwatchCommand({"collect", "--dsn", CollectorDsn(), "--once", "--cluster", "pg15", "--to",
                          "kafka", "--brokers", bootstrap});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  rd_kafka_t* consumer = KafkaClient(bootstrap, RD_KAFKA_CONSUMER,
                                     {{"group.id", "collect-test"},
                                      {"enable.partition.eof", "true"},
                                      {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, "pg.stats", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<std::pair<std::string, std::string>> messages;  // key, value
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      messages.emplace_back(std::string(static_cast<const char*>(m->key), m->key_len),
                            std::string(static_cast<const char*>(m->payload), m->len));
    }
    rd_kafka_message_destroy(m);
    if (eof) break;
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  ASSERT_EQ(messages.size(), 2u);
  std::string values;
  for (const auto& [key, value] : messages) {
    EXPECT_EQ(key, "pg15");
    absl::StrAppend(&values, value, "\n");
  }
  const std::vector<Decoded> snapshots = DecodeAll(values);
  ASSERT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(snapshots[0].database, "postgres");
  EXPECT_EQ(snapshots[1].database, "shop");
}

TEST_F(CollectTest, MeasureBloatAddsPgstattupleFiguresForTablesOverTheirTrigger) {
  ASSERT_NE(server_, nullptr);
  ScopedTempDir dir;
  const std::string out = dir.path() + "/snapshots.jsonl";
  absl::StatusOr<std::string> orders =
      server_->QueryValue("SELECT 'orders'::regclass::oid", "shop");
  ASSERT_OK(orders);
  // Without the flag: no measurement, the document is as before.
  CommandResult run = RunVacwatchCommand(
      {"collect", "--dsn", CollectorDsn(), "--once", "--databases", "shop", "--to", "file:" + out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ReadFile(out), Not(HasSubstr("measured_bloat")));
  // orders has 1000 dead rows (autovacuum off) over a trigger of 50; quiet has none.
  run = RunVacwatchCommand({"collect", "--dsn", CollectorDsn(), "--once", "--databases", "shop",
                            "--measure-bloat", "--to", "file:" + out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = Lines(ReadFile(out));
  ASSERT_GE(lines.size(), 2u);
  ingest::SnapshotDecoder decoder;
  ingest::Snapshot snapshot;
  ASSERT_OK(decoder.Decode(lines[1], &snapshot));
  ASSERT_EQ(snapshot.measured_bloat.size(), 1u) << lines[1];
  const ingest::MeasuredBloat& bloat = snapshot.measured_bloat[0];
  EXPECT_EQ(bloat.relid, std::stoll(*orders));
  EXPECT_GT(bloat.table_len.value_or(0), 0);
  EXPECT_GT(bloat.dead_tuple_count.value_or(0), 0);
  EXPECT_GT(bloat.dead_tuple_len.value_or(0), 0);
  EXPECT_TRUE(bloat.approx_free_space.has_value());
  const CommandResult parse = RunVacwatchCommand({"parse", "--format", "snapshot", out});
  EXPECT_EQ(parse.exit_code, 0) << parse.err;
  EXPECT_THAT(parse.err, HasSubstr("0 rejected"));
  EXPECT_THAT(parse.out, HasSubstr("\"measured_bloat\":[{\"relid\":" + *orders));
}

TEST_F(CollectTest, UsageErrorsSayWhatIsWrong) {
  EXPECT_EQ(RunVacwatchCommand({"collect", "--to", "kafka", "--once"}).exit_code, 2);
  EXPECT_EQ(RunVacwatchCommand({"collect", "--to", "carrier-pigeon"}).exit_code, 2);
  EXPECT_EQ(RunVacwatchCommand({"collect", "--interval", "0"}).exit_code, 2);
  EXPECT_EQ(RunVacwatchCommand({"collect", "--count", "none"}).exit_code, 2);
  const CommandResult help = RunVacwatchCommand({"collect", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--measure-bloat"));
}

// The collector as a child process, as an operator runs it.
class CollectProcessTest : public CollectTest {
 protected:
  // The snapshots of `database` in the file so far.
  static std::vector<Decoded> Of(const std::string& file, const std::string& database) {
    std::vector<Decoded> out;
    for (Decoded& d : DecodeAll(ReadFile(file))) {
      if (d.database == database) out.push_back(std::move(d));
    }
    return out;
  }
};

TEST_F(CollectProcessTest, ServerRestartCostsOnlyTheSecondsItWasDown) {
  ASSERT_NE(server_, nullptr);
  ScopedTempDir dir;
  const std::string out = dir.path() + "/snapshots.jsonl";
  const std::string log = dir.path() + "/collect.log";
  ServiceProcess collect({BinaryDir() + "/vacwatch", "collect", "--dsn", CollectorDsn(),
                          "--cluster", "pg15", "--interval", "1", "--to", "file:" + out},
                         log);
  ASSERT_TRUE(WaitFor([&] { return Of(out, "shop").size() >= 3; }, absl::Seconds(60)))
      << ReadFile(log);

  const absl::Time down_at = absl::Now();
  ASSERT_OK(server_->Stop());
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ReadFile(log), "cannot reach the server"); },
                      absl::Seconds(60)))
      << ReadFile(log);
  // Down for a few rounds: the collector keeps retrying, and says so only once.
  const size_t before_down = Of(out, "shop").size();
  ASSERT_TRUE(WaitFor([&] { return absl::Now() - down_at > absl::Seconds(4); }, absl::Seconds(10)));
  ASSERT_OK(server_->StartAgain());
  const absl::Time up_at = absl::Now();
  ASSERT_TRUE(WaitFor([&] { return Of(out, "shop").size() >= before_down + 3; }, absl::Seconds(60)))
      << ReadFile(log);
  EXPECT_EQ(collect.Terminate(), 0);

  const std::string text = ReadFile(log);
  EXPECT_EQ(CountOf(text, "cannot reach the server"), 1) << text;
  EXPECT_EQ(CountOf(text, "reached the server again"), 1) << text;
  // Snapshots came every interval except while the server was down: the first one after the
  // restart within the backoff's reach (at most the interval) plus a round.
  const std::vector<Decoded> shop = Of(out, "shop");
  bool resumed = false;
  for (size_t i = 1; i < shop.size(); ++i) {
    const absl::Duration gap = shop[i].collected_at - shop[i - 1].collected_at;
    if (shop[i - 1].collected_at < down_at && shop[i].collected_at > up_at) {
      EXPECT_LT(shop[i].collected_at - up_at, absl::Seconds(3));
      resumed = true;
    } else {
      EXPECT_LT(gap, absl::Seconds(2.5)) << "snapshot " << i;
    }
  }
  EXPECT_TRUE(resumed);
  const CommandResult parse = RunVacwatchCommand({"parse", "--format", "snapshot", out});
  EXPECT_EQ(parse.exit_code, 0) << parse.err;
  EXPECT_THAT(parse.err, HasSubstr("0 rejected"));
}

TEST_F(CollectProcessTest, ADatabaseThatFailsDoesNotStopTheOthers) {
  ASSERT_NE(server_, nullptr);
  ASSERT_OK(server_->Execute("CREATE DATABASE doomed"));
  ASSERT_OK(server_->Execute("CREATE DATABASE locked"));
  ScopedTempDir dir;
  const std::string out = dir.path() + "/snapshots.jsonl";
  const std::string log = dir.path() + "/collect.log";
  ServiceProcess collect({BinaryDir() + "/vacwatch", "collect", "--dsn", CollectorDsn(),
                          "--cluster", "pg15", "--interval", "1", "--to", "file:" + out},
                         log);
  ASSERT_TRUE(WaitFor([&] { return !Of(out, "doomed").empty() && !Of(out, "locked").empty(); },
                      absl::Seconds(60)))
      << ReadFile(log);
  // One database dropped under the collector's connection, one whose CONNECT is revoked (its
  // connection ended, so the collector must connect again and is refused).
  ASSERT_OK(server_->Execute("DROP DATABASE doomed WITH (FORCE)"));
  ASSERT_OK(server_->Execute(
      "REVOKE CONNECT ON DATABASE locked FROM PUBLIC; SELECT pg_terminate_backend(pid) FROM "
      "pg_stat_activity WHERE datname = 'locked' AND usename = 'collector'"));
  const size_t shop_before = Of(out, "shop").size();
  ASSERT_TRUE(WaitFor([&] { return Of(out, "shop").size() >= shop_before + 4; }, absl::Seconds(60)))
      << ReadFile(log);
  EXPECT_EQ(collect.Terminate(), 0);
  const std::string text = ReadFile(log);
  EXPECT_THAT(text, Not(HasSubstr("cannot reach the server")));
  // Each failing database is said once (or not at all when the list was looked up again
  // before its next round), never once per round.
  EXPECT_LE(CountOf(text, "database doomed:"), 1) << text;
  EXPECT_LE(CountOf(text, "database locked:"), 1) << text;
  EXPECT_THAT(text, HasSubstr("collecting 2 databases: postgres, shop")) << text;
  ASSERT_OK(server_->Execute("DROP DATABASE locked"));
}

}  // namespace
}  // namespace vacwatch::testing
