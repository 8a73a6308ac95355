// The HTTP sinks against a local server (tests/testing/http_test_server.h): what each sends,
// and the retry rules every one of them shares (HttpAlertSink): 429 and 5xx are retried with
// growing backoff, another 4xx is not, a dead server never blocks Deliver.

#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sinks/alert_description.h"
#include "sinks/http/http_alert_sink.h"
#include "sinks/pagerduty/pagerduty_sink.h"
#include "sinks/webhook/webhook_sink.h"
#include "tests/sinks/alert_fixtures.h"
#include "tests/sinks/json_probe.h"
#include "tests/testing/http_test_server.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::sinks {
namespace {

using testing::FiringAlert;
using testing::JsonProbe;
using testing::ResolvedAlert;
using testing::Transition;
using vacwatch::testing::HttpTestServer;

constexpr absl::Duration kWait = absl::Seconds(20);

// Small backoffs, recorded.
struct Backoffs {
  std::mutex mu;
  std::vector<absl::Duration> seen;
};

HttpAlertSinkOptions FastOptions(Backoffs* backoffs, size_t queue = 100) {
  HttpAlertSinkOptions o;
  o.retry.initial_backoff = absl::Milliseconds(20);
  o.retry.max_backoff = absl::Milliseconds(200);
  o.retry.jitter = 0;
  o.queue_capacity = queue;
  o.client.timeout = absl::Seconds(5);
  o.on_backoff = [backoffs](absl::Duration d) {
    std::lock_guard<std::mutex> lock(backoffs->mu);
    backoffs->seen.push_back(d);
  };
  return o;
}

WebhookOptions Webhook(const HttpTestServer& server) {
  WebhookOptions o;
  o.url = server.url() + "/hook";
  return o;
}

TEST(HmacTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSinkTest, PostsTheAlertJsonAsIsWithTokenAndSignature) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  WebhookOptions o = Webhook(*server);
  o.bearer_token = "s3cret-token";
  o.hmac_secret = "shared-secret";
  Backoffs backoffs;
  auto sink = StartWebhookSink(o, FastOptions(&backoffs));
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(7, FiringAlert())));
  ASSERT_TRUE((*sink)->WaitDelivered(7, kWait));
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/hook");
  std::string want;
  pipeline::WriteAlertJson(FiringAlert(), &want);
  EXPECT_EQ(r.body, want);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("authorization"), "Bearer s3cret-token");
  EXPECT_EQ(r.headers.at("x-vacwatch-seq"), "7");
  EXPECT_EQ(r.headers.at("x-vacwatch-signature"), "sha256=" + HmacSha256Hex("shared-secret", want));
  EXPECT_EQ((*sink)->delivered(), 1);
}

TEST(WebhookSinkTest, NoTokenNoSecretNoHeaders) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  Backoffs backoffs;
  auto sink = StartWebhookSink(Webhook(*server), FastOptions(&backoffs));
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(1, FiringAlert())));
  ASSERT_TRUE((*sink)->WaitDelivered(1, kWait));
  const auto r = server->requests().at(0);
  EXPECT_EQ(r.headers.count("authorization"), 0u);
  EXPECT_EQ(r.headers.count("x-vacwatch-signature"), 0u);
}

TEST(HttpAlertSinkTest, RetriesTooManyRequestsAndServerErrorsWithGrowingBackoff) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->AnswerNext({429, 500, 503});
  Backoffs backoffs;
  auto sink = StartWebhookSink(Webhook(*server), FastOptions(&backoffs));
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(1, FiringAlert())));
  ASSERT_TRUE((*sink)->WaitDelivered(1, kWait));
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 4u) << "three failures, then delivered";
  for (const auto& r : requests) EXPECT_EQ(r.body, requests[0].body) << "the same request";
  std::lock_guard<std::mutex> lock(backoffs.mu);
  EXPECT_EQ(backoffs.seen,
            (std::vector<absl::Duration>{absl::Milliseconds(20), absl::Milliseconds(40),
                                         absl::Milliseconds(80)}));
  // Each retry waited its backoff at least.
  EXPECT_GE(requests[1].received - requests[0].received, absl::Milliseconds(20));
  EXPECT_GE(requests[3].received - requests[2].received, absl::Milliseconds(80));
  EXPECT_EQ((*sink)->retries(), 3);
  EXPECT_EQ((*sink)->delivered(), 1);
  EXPECT_EQ((*sink)->last_error(), "") << "not failing any more";
}

TEST(HttpAlertSinkTest, ABadRequestIsNotRetriedAndDoesNotBlockTheNext) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->AnswerNext({400});
  Backoffs backoffs;
  std::vector<std::string> log;
  std::mutex log_mu;
  HttpAlertSinkOptions o = FastOptions(&backoffs);
  o.name = "webhook";
  o.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back(line);
  };
  auto sink = StartWebhookSink(Webhook(*server), o);
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(1, FiringAlert("a"))));
  ASSERT_OK((*sink)->Deliver(Transition(2, FiringAlert("b"))));
  ASSERT_TRUE((*sink)->WaitDelivered(2, kWait));
  EXPECT_EQ(server->requests().size(), 2u) << "the 400 was not sent again";
  EXPECT_EQ((*sink)->rejected(), 1);
  EXPECT_EQ((*sink)->delivered(), 1);
  EXPECT_TRUE(backoffs.seen.empty());
  std::lock_guard<std::mutex> lock(log_mu);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("webhook: gave up on transition 1"), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("HTTP 400"), std::string::npos) << log[0];
}

TEST(HttpAlertSinkTest, ADeadServerNeverBlocksDeliverAndAFullQueueSaysSo) {
  const int port = vacwatch::testing::FreePort();  // nobody listens
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  Backoffs backoffs;
  auto sink = StartWebhookSink(o, FastOptions(&backoffs, /*queue=*/2));
  ASSERT_OK(sink);
  const absl::Time start = absl::Now();
  ASSERT_OK((*sink)->Deliver(Transition(1, FiringAlert("a"))));
  ASSERT_OK((*sink)->Deliver(Transition(2, FiringAlert("b"))));
  EXPECT_TRUE(absl::IsResourceExhausted((*sink)->Deliver(Transition(3, FiringAlert("c")))));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "Deliver only queues";
  EXPECT_FALSE((*sink)->WaitDelivered(1, absl::Milliseconds(300)));
  EXPECT_EQ((*sink)->delivered_through(), 0u);
  EXPECT_NE((*sink)->last_error().find("127.0.0.1"), std::string::npos) << (*sink)->last_error();
  // Destroying the sink stops its worker in the middle of its retries.
}

TEST(HttpAlertSinkTest, DeliveredThroughCoversEverythingHandedOnceTheQueueIsEmpty) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  Backoffs backoffs;
  auto sink = StartWebhookSink(Webhook(*server), FastOptions(&backoffs));
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(5, FiringAlert("a"))));
  ASSERT_OK((*sink)->Deliver(Transition(9, FiringAlert("b"))));
  ASSERT_TRUE((*sink)->WaitDelivered(9, kWait));
  EXPECT_EQ((*sink)->delivered_through(), 9u);
}

TEST(PagerDutySinkTest, TriggerAndResolveWithTheFingerprintAsDedupKey) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetDefaultStatus(202);
  PagerDutyOptions o;
  o.routing_key = "R0UTINGKEY";
  o.url = server->url() + "/v2/enqueue";
  o.runbook_url = "https://runbooks.example/vacwatch/{alertname}";
  Backoffs backoffs;
  auto sink = StartPagerDutySink(o, FastOptions(&backoffs));
  ASSERT_OK(sink);
  pipeline::Alert critical = FiringAlert();
  critical.severity = pipeline::Severity::kCritical;
  ASSERT_OK((*sink)->Deliver(Transition(1, critical)));
  ASSERT_OK((*sink)->Deliver(Transition(2, ResolvedAlert())));
  ASSERT_TRUE((*sink)->WaitDelivered(2, kWait));
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/v2/enqueue");
  JsonProbe trigger(requests[0].body);
  ASSERT_TRUE(trigger.ok()) << requests[0].body;
  EXPECT_EQ(trigger.String("/routing_key"), "R0UTINGKEY");
  EXPECT_EQ(trigger.String("/event_action"), "trigger");
  EXPECT_EQ(trigger.String("/dedup_key"), critical.fingerprint);
  EXPECT_EQ(trigger.String("/payload/summary"), critical.summary);
  EXPECT_EQ(trigger.String("/payload/severity"), "critical");
  EXPECT_EQ(trigger.String("/payload/source"), "prod-eu-1/jobs");
  EXPECT_EQ(trigger.String("/payload/component"), "jobs.public.locked_jobs");
  EXPECT_EQ(trigger.String("/payload/class"), "AutovacuumNotKeepingUp");
  EXPECT_EQ(trigger.String("/payload/group"), "prod-eu-1");
  EXPECT_EQ(trigger.Int("/payload/custom_details/n_dead_tup"), 129165);
  EXPECT_EQ(trigger.String("/payload/custom_details/cause"), "xmin_horizon");
  EXPECT_EQ(trigger.String("/payload/custom_details/holder"), DescribeHolder(critical));
  EXPECT_EQ(trigger.String("/payload/custom_details/recommendation"), critical.recommendation);
  EXPECT_EQ(trigger.String("/links/0/href"),
            "https://runbooks.example/vacwatch/AutovacuumNotKeepingUp");
  JsonProbe resolve(requests[1].body);
  EXPECT_EQ(resolve.String("/event_action"), "resolve");
  EXPECT_EQ(resolve.String("/dedup_key"), critical.fingerprint);
  EXPECT_FALSE(resolve.Has("/payload"));
}

TEST(PagerDutySinkTest, ThrottledIsRetriedAnInvalidEventIsNot) {
  auto server = HttpTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->AnswerNext({429, 202, 400});
  PagerDutyOptions o;
  o.routing_key = "k";
  o.url = server->url() + "/v2/enqueue";
  Backoffs backoffs;
  auto sink = StartPagerDutySink(o, FastOptions(&backoffs));
  ASSERT_OK(sink);
  ASSERT_OK((*sink)->Deliver(Transition(1, FiringAlert("a"))));
  ASSERT_OK((*sink)->Deliver(Transition(2, FiringAlert("b"))));
  ASSERT_TRUE((*sink)->WaitDelivered(2, kWait));
  EXPECT_EQ(server->requests().size(), 3u) << "429 retried once, 400 never";
  EXPECT_EQ((*sink)->delivered(), 1);
  EXPECT_EQ((*sink)->rejected(), 1);
}

TEST(PagerDutySinkTest, NeedsARoutingKey) {
  Backoffs backoffs;
  EXPECT_TRUE(absl::IsInvalidArgument(StartPagerDutySink({}, FastOptions(&backoffs)).status()));
}

}  // namespace
}  // namespace vacwatch::sinks
