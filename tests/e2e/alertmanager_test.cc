// Issue 16's acceptance for Alertmanager: a real prometheus-alertmanager on 127.0.0.1 (one per
// test binary, started and stopped here; restarted where a test needs it down), the shared
// dataset replayed with --alertmanager-url, and /api/v2/alerts read back: exactly the alerts
// still firing at the end of the replay are active there, with vacwatch's labels and
// annotations; the resolved ones have ended. The same when Alertmanager is down as delivery
// starts and comes back a few seconds later, and across two runs when it stays down for
// longer than sink_retry_for (the first exits 1 and keeps what it could not deliver).

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pipeline/alert.h"
#include "simdjson.h"
#include "state/state_store.h"
#include "tests/testing/datasets.h"
#include "tests/testing/http_test_server.h"
#include "tests/testing/replay.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/transitions.h"

namespace vacwatch {
namespace {

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";
constexpr char kRunbook[] = "https://runbooks.example/vacwatch/{alertname}";

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// GET `url`: the status (0: no answer) and body.
// NOLINTNEXTLINE(google-runtime-int): curl's type
std::pair<long, std::string> HttpGet(const std::string& url) {
  std::string body;
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  long status = 0;  // NOLINT(google-runtime-int)
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return {status, body};
}

// Polls `done` every 50 ms until it holds or `timeout` passes.
template <typename F>
bool WaitUntil(F done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

// One Alertmanager process on a port of its own.
class AlertmanagerProcess {
 public:
  explicit AlertmanagerProcess(std::string dir) : dir_(std::move(dir)) {
    port_ = testing::FreePort();
    std::ofstream(dir_ + "/alertmanager.yml") << "route:\n"
                                                 "  receiver: blackhole\n"
                                                 "  group_by: [cluster, holder]\n"
                                                 "receivers:\n"
                                                 "  - name: blackhole\n";
  }
  ~AlertmanagerProcess() { Stop(); }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int port() const { return port_; }
  std::string log() const {
    std::ifstream in(dir_ + "/alertmanager.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Starts it with empty storage and waits until it is ready.
  bool Start() {
    const std::string storage = absl::StrCat(dir_, "/storage-", ++starts_);
    std::filesystem::create_directories(storage);
    std::vector<std::string> args = {
        kAlertmanager, "--config.file=" + dir_ + "/alertmanager.yml", "--storage.path=" + storage,
        absl::StrCat("--web.listen-address=127.0.0.1:", port_), "--cluster.listen-address="};
    pid_ = ::fork();
    if (pid_ == 0) {
      std::FILE* log = std::fopen((dir_ + "/alertmanager.log").c_str(), "a");
      if (log != nullptr) {
        ::dup2(::fileno(log), 1);
        ::dup2(::fileno(log), 2);
      }
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kAlertmanager, argv.data());
      ::_exit(127);
    }
    return WaitUntil([&] { return HttpGet(url() + "/-/ready").first == 200; }, absl::Seconds(30));
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string dir_;
  int port_ = 0;
  int starts_ = 0;
  pid_t pid_ = -1;
};

struct ActiveAlert {
  std::map<std::string, std::string> labels, annotations;
};

// The alerts /api/v2/alerts lists (resolved ones are not listed), with label `run` = run.
std::vector<ActiveAlert> ActiveAlerts(const std::string& url, const std::string& run) {
  auto [status, body] = HttpGet(url + "/api/v2/alerts");
  std::vector<ActiveAlert> out;
  if (status != 200) return out;
  simdjson::dom::parser parser;
  simdjson::dom::array alerts;
  if (parser.parse(body).get(alerts) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element a : alerts) {
    ActiveAlert active;
    for (const char* part : {"labels", "annotations"}) {
      simdjson::dom::object obj;
      if (a[part].get(obj) != simdjson::SUCCESS) continue;
      for (auto field : obj) {
        std::string_view v;
        if (field.value.get(v) == simdjson::SUCCESS) {
          (std::string_view(part) == "labels" ? active.labels
                                              : active.annotations)[std::string(field.key)] =
              std::string(v);
        }
      }
    }
    if (active.labels["run"] == run) out.push_back(std::move(active));
  }
  return out;
}

// What the replay printed, reduced to each problem's last transition.
std::map<std::string, pipeline::Alert> LastTransitions(const std::string& out) {
  std::map<std::string, pipeline::Alert> last;
  for (pipeline::Alert& a : testing::ParseTransitions(out)) last[a.fingerprint] = std::move(a);
  return last;
}

std::string DatasetFile(const std::string& name) {
  return testing::DatasetPath("pg15-prod-eu-1") + "/" + name;
}

class AlertmanagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::access(kAlertmanager, X_OK) != 0) return;
    dir_ = new testing::ScopedTempDir();
    am_ = new AlertmanagerProcess(dir_->path());
    if (!am_->Start()) {
      ADD_FAILURE() << "alertmanager did not become ready:\n" << am_->log();
    }
  }
  static void TearDownTestSuite() {
    delete am_;
    am_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (am_ == nullptr) GTEST_SKIP() << kAlertmanager << " is not installed (scripts/setup)";
  }

  // A config whose alerts carry label run=`run`, retrying fast.
  std::string WriteConfig(const std::string& run, const std::string& retry_for) {
    std::string path = temp_.path() + "/vacwatch-" + run + ".yaml";
    std::ofstream(path) << "sinks:\n"
                           "  sink_retry_for: "
                        << retry_for
                        << "\n"
                           "  http: {initial_backoff: 100ms, max_backoff: 1s, timeout: 5s}\n"
                           "  alertmanager:\n"
                           "    static_labels: {env: test, run: "
                        << run
                        << "}\n"
                           "    runbook_url: \""
                        << kRunbook
                        << "\"\n"
                           "    generator_url: \"https://vacwatch.example/explain/{cluster}/"
                           "{database}.{schema}.{table}\"\n";
    return path;
  }

  std::vector<std::string> ReplayArgs(const std::string& config, const std::string& state) {
    return {"--logs",
            DatasetFile("postgresql.log"),
            "--stats",
            DatasetFile("snapshots.jsonl"),
            "--config",
            config,
            "--state-dir",
            state,
            "--alertmanager-url",
            am_->url()};
  }

  // Exactly the firing ones (warning and up: the default route) are active, labelled and
  // annotated; none of the resolved ones is.
  void ExpectActiveAre(const std::map<std::string, pipeline::Alert>& last, const std::string& run) {
    std::set<std::string> want;
    for (const auto& [fingerprint, a] : last) {
      if (a.status == pipeline::AlertStatus::kFiring &&
          a.severity >= pipeline::Severity::kWarning) {
        want.insert(a.alert + " " + a.database + "." + a.schema + "." + a.table);
      }
    }
    ASSERT_FALSE(want.empty()) << "the dataset has alerts still firing at its end";
    std::vector<ActiveAlert> active;
    auto names = [&] {
      std::multiset<std::string> got;
      for (ActiveAlert& a : active) {
        got.insert(a.labels["alertname"] + " " + a.labels["database"] + "." + a.labels["schema"] +
                   "." + a.labels["table"]);
      }
      return got;
    };
    const bool matched = WaitUntil(
        [&] {
          active = ActiveAlerts(am_->url(), run);
          const std::multiset<std::string> got = names();
          return got == std::multiset<std::string>(want.begin(), want.end());
        },
        absl::Seconds(20));
    const std::multiset<std::string> got = names();
    EXPECT_TRUE(matched) << "active: " << ::testing::PrintToString(got)
                         << "\nwant: " << ::testing::PrintToString(want);
    for (ActiveAlert& a : active) {
      const pipeline::Alert* source = nullptr;
      for (const auto& [fingerprint, alert] : last) {
        if (alert.alert == a.labels["alertname"] && alert.table == a.labels["table"] &&
            alert.database == a.labels["database"]) {
          source = &alert;
        }
      }
      ASSERT_NE(source, nullptr);
      EXPECT_EQ(a.labels["severity"], pipeline::SeverityName(source->severity));
      EXPECT_EQ(a.labels["cause"], pipeline::CauseName(source->cause));
      EXPECT_EQ(a.labels["cluster"], "prod-eu-1");
      EXPECT_EQ(a.labels["env"], "test");
      if (source->holder.has_value()) {
        EXPECT_EQ(a.labels["holder"], source->holder->id);
        EXPECT_EQ(a.labels["holder_kind"], source->holder->kind);
      }
      EXPECT_EQ(a.annotations["summary"], source->summary);
      EXPECT_FALSE(a.annotations["description"].empty());
      EXPECT_EQ(a.annotations["recommendation"], source->recommendation);
      EXPECT_EQ(a.annotations["runbook_url"], "https://runbooks.example/vacwatch/" + source->alert);
    }
  }

  static int OutboxSize(const std::string& state) {
    auto store = state::StateStore::Open(state, state::StateStoreOptions());
    EXPECT_OK(store);
    if (!store.ok()) return -1;
    int n = 0;
    EXPECT_OK((*store)->ForEachOutbox([&](uint64_t, std::string_view) {
      ++n;
      return true;
    }));
    return n;
  }

  static testing::ScopedTempDir* dir_;
  static AlertmanagerProcess* am_;
  testing::ScopedTempDir temp_;
};

testing::ScopedTempDir* AlertmanagerTest::dir_ = nullptr;
AlertmanagerProcess* AlertmanagerTest::am_ = nullptr;

TEST_F(AlertmanagerTest, TheAlertsStillFiringAreActiveAndTheResolvedOnesEnded) {
  const std::string state = temp_.path() + "/state";
  testing::ReplayResult run = testing::Replay(ReplayArgs(WriteConfig("up", "60s"), state));
  ASSERT_OK(run.status);
  const auto last = LastTransitions(run.out);
  bool some_resolved = false;
  for (const auto& [fp, a] : last) some_resolved |= a.status == pipeline::AlertStatus::kResolved;
  EXPECT_TRUE(some_resolved) << "the dataset resolves some: they must not be active";
  ExpectActiveAre(last, "up");
  EXPECT_EQ(OutboxSize(state), 0) << "every sink confirmed every transition";
}

TEST_F(AlertmanagerTest, DownWhenDeliveryStartsAndBackSecondsLaterNothingLostNothingTwice) {
  am_->Stop();
  // Stand in for the dead Alertmanager on its port: accept and hang up, so the replay's first
  // attempts fail (retried) and the test knows delivery has started.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(am_->port()));
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 16), 0);

  const std::string state = temp_.path() + "/state";
  testing::ReplayResult run;
  std::atomic<bool> finished = false;
  std::thread replay([&] {
    run = testing::Replay(ReplayArgs(WriteConfig("down", "60s"), state));
    finished = true;
  });
  for (int attempt = 0; attempt < 3; ++attempt) {  // three failed attempts, with backoff
    const int refused = ::accept(listener, nullptr, nullptr);
    EXPECT_GE(refused, 0);
    ::close(refused);
  }
  ::close(listener);
  EXPECT_FALSE(finished) << "the replay waits for the sink";
  ASSERT_TRUE(am_->Start()) << am_->log();
  ASSERT_TRUE(WaitUntil([&] { return finished.load(); }, absl::Seconds(90)));
  replay.join();
  ASSERT_OK(run.status);
  EXPECT_NE(run.err.find("retrying with backoff"), std::string::npos) << run.err;
  ExpectActiveAre(LastTransitions(run.out), "down");
  EXPECT_EQ(OutboxSize(state), 0);
  // Nothing twice: a second run with the same state has nothing to send again.
  testing::ReplayResult again = testing::Replay(ReplayArgs(WriteConfig("down", "60s"), state));
  ASSERT_OK(again.status);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err.find("left undelivered"), std::string::npos) << again.err;
}

TEST_F(AlertmanagerTest, DownForLongerThanSinkRetryForExitsOneAndTheNextRunDelivers) {
  am_->Stop();
  const std::string state = temp_.path() + "/state";
  const std::string config = WriteConfig("later", "2s");
  testing::ReplayResult first = testing::Replay(ReplayArgs(config, state));
  ASSERT_TRUE(absl::IsUnavailable(first.status)) << first.status;
  EXPECT_NE(first.status.message().find("not delivered"), std::string::npos) << first.status;
  EXPECT_NE(first.status.message().find("kept in --state-dir"), std::string::npos);
  EXPECT_GT(OutboxSize(state), 0) << "kept for the next run";
  const auto last = LastTransitions(first.out);  // stdout got them all the first time

  ASSERT_TRUE(am_->Start()) << am_->log();
  testing::ReplayResult second = testing::Replay(ReplayArgs(config, state));
  ASSERT_OK(second.status);
  EXPECT_EQ(second.out, "") << "stdout had them already: not printed twice";
  ExpectActiveAre(last, "later");
  EXPECT_EQ(OutboxSize(state), 0);
}

}  // namespace
}  // namespace vacwatch
