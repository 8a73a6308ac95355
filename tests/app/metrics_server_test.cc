// The /metrics listener (app/metrics_server.h) over real TCP on 127.0.0.1: the three endpoints,
// errors for other paths and methods, a clear error for a port in use, and the address forms.

#include "app/metrics_server.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/http_get.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

using testing::HttpGet;

MetricsAddress Loopback(int port) {
  MetricsAddress a;
  a.host = "127.0.0.1";
  a.port = port;
  return a;
}

TEST(MetricsServerTest, ServesMetricsHealthAndReadiness) {
  ServiceMetrics metrics;
  auto server = MetricsServer::Start(Loopback(0), &metrics);
  ASSERT_OK(server);
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  ASSERT_OK(metrics.Publish(MetricsSources()));

  testing::HttpReply r = HttpGet(port, "/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.headers.find("text/plain; version=0.0.4"), std::string::npos) << r.headers;
  EXPECT_EQ(r.body, metrics.Page());
  EXPECT_NE(r.body.find("# TYPE vacwatch_build_info gauge"), std::string::npos);

  r = HttpGet(port, "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");

  r = HttpGet(port, "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "state store not open\n");
  metrics.SetStateOpen(true);
  metrics.SetInputs(1);
  metrics.MarkConsuming();
  r = HttpGet(port, "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");

  EXPECT_EQ(HttpGet(port, "/nothing").status, 404);
  EXPECT_EQ(HttpGet(port, "/metrics", "POST").status, 405);
  r = HttpGet(port, "/metrics", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

TEST(MetricsServerTest, PortInUseIsAClearError) {
  ServiceMetrics metrics;
  auto first = MetricsServer::Start(Loopback(0), &metrics);
  ASSERT_OK(first);
  auto second = MetricsServer::Start(Loopback((*first)->port()), &metrics);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("is in use"), std::string::npos) << second.status();
  EXPECT_NE(second.status().message().find(absl::StrCat("127.0.0.1:", (*first)->port())),
            std::string::npos)
      << second.status();
}

TEST(MetricsServerTest, StopsAndFreesItsPort) {
  ServiceMetrics metrics;
  int port = 0;
  {
    auto server = MetricsServer::Start(Loopback(0), &metrics);
    ASSERT_OK(server);
    port = (*server)->port();
    EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  }
  EXPECT_EQ(HttpGet(port, "/healthz").status, -1);  // nothing listens any more
  auto again = MetricsServer::Start(Loopback(port), &metrics);
  EXPECT_OK(again);  // the same port at once (a restart)
}

TEST(MetricsAddressTest, ParsesTheFlagsForms) {
  auto a = ParseMetricsAddress("127.0.0.1:9187");
  ASSERT_OK(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9187);
  a = ParseMetricsAddress("[::1]:9000");
  ASSERT_OK(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->text(), "[::1]:9000");
  a = ParseMetricsAddress(":9187");
  ASSERT_OK(a);
  EXPECT_EQ(a->host, "");
  a = ParseMetricsAddress("9300");
  ASSERT_OK(a);
  EXPECT_EQ(a->text(), "127.0.0.1:9300");
  for (const char* bad : {"", "host:", "host:99999", "host:port", "::1:9000", "x:-1"}) {
    EXPECT_FALSE(ParseMetricsAddress(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vacwatch::app
