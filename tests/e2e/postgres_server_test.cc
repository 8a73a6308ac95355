// The test harness's PostgreSQL (tests/testing/postgres_server.h): it starts, answers, keeps
// its data across a restart, refuses connections while stopped, writes its log where it says,
// and leaves nothing behind.

#include "tests/testing/postgres_server.h"

#include <libpq-fe.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::testing {
namespace {

using ::testing::HasSubstr;

class PostgresServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PostgresServerOptions options;
    options.settings = {{"log_autovacuum_min_duration", "0"}, {"autovacuum_naptime", "1"}};
    options.logging_collector = true;
    options.extensions = {"pgstattuple"};
    absl::StatusOr<std::unique_ptr<PostgresServer>> started = PostgresServer::Start(options);
    ASSERT_OK(started);
    server_ = *std::move(started);
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::unique_ptr<PostgresServer> server_;
};

std::unique_ptr<PostgresServer> PostgresServerTest::server_;

TEST_F(PostgresServerTest, AnswersWithTheSettingsItWasGiven) {
  ASSERT_NE(server_, nullptr);
  absl::StatusOr<std::string> version =
      server_->QueryValue("SELECT current_setting('server_version_num')");
  ASSERT_OK(version);
  EXPECT_THAT(*version, ::testing::StartsWith("150"));
  absl::StatusOr<std::string> naptime = server_->QueryValue("SHOW autovacuum_naptime");
  ASSERT_OK(naptime);
  EXPECT_EQ(*naptime, "1s");
  absl::StatusOr<std::string> extension =
      server_->QueryValue("SELECT extname FROM pg_extension WHERE extname = 'pgstattuple'");
  ASSERT_OK(extension);
  EXPECT_EQ(*extension, "pgstattuple");
  // Over TCP too, on the same port.
  EXPECT_EQ(PQping(server_->TcpDsn().c_str()), PQPING_OK);
}

TEST_F(PostgresServerTest, LogsToTheFileItNames) {
  ASSERT_NE(server_, nullptr);
  ASSERT_OK(server_->Execute("DO $$ BEGIN RAISE LOG 'harness-marker-1'; END $$"));
  absl::StatusOr<std::string> file = server_->CurrentLogFile();
  ASSERT_OK(file);
  EXPECT_THAT(*file, ::testing::StartsWith(server_->log_directory()));
  // The collector writes asynchronously: poll the file until the line is there.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string text;
  while (absl::Now() < deadline) {
    std::ifstream in(*file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    if (text.find("harness-marker-1") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling the file, not a fixed wait
  }
  EXPECT_THAT(text, HasSubstr("harness-marker-1"));
}

TEST_F(PostgresServerTest, KeepsItsDataAcrossARestartAndRefusesWhileStopped) {
  ASSERT_NE(server_, nullptr);
  ASSERT_OK(server_->Execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"));
  PostgresSession session(server_->Dsn());
  ASSERT_OK(session.Execute("SELECT 1"));
  const int port = server_->port();
  ASSERT_OK(server_->Stop());
  EXPECT_FALSE(server_->running());
  EXPECT_EQ(PQping(server_->Dsn().c_str()), PQPING_NO_RESPONSE);
  EXPECT_FALSE(server_->Query("SELECT 1").ok());
  ASSERT_OK(server_->StartAgain());
  EXPECT_EQ(server_->port(), port);
  absl::StatusOr<std::string> value = server_->QueryValue("SELECT v FROM kept");
  ASSERT_OK(value);
  EXPECT_EQ(*value, "42");
  // The session of before the restart is gone; a new one works.
  EXPECT_FALSE(session.Execute("SELECT 1").ok());
  ASSERT_OK(server_->Restart());
  ASSERT_OK(server_->Execute("DROP TABLE kept"));
}

TEST(PostgresServerLifetimeTest, RemovesItsDirectoryAndStopsItsProcesses) {
  std::string dir;
  pid_t postmaster = -1;
  {
    absl::StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Start({});
    ASSERT_OK(server);
    dir = (*server)->dir();
    postmaster = (*server)->postmaster_pid();
    ASSERT_GT(postmaster, 0);
    EXPECT_TRUE(std::filesystem::exists((*server)->data_dir() + "/PG_VERSION"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  // The postmaster is gone (kill(pid, 0) fails once it has exited and been reaped by init).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (::kill(postmaster, 0) == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // polling the exit, not a fixed wait
  }
  EXPECT_NE(::kill(postmaster, 0), 0);
}

}  // namespace
}  // namespace vacwatch::testing
