#include "app/sinks_config.h"

#include <cstdlib>

#include "app/config_loader.h"
#include "gtest/gtest.h"
#include "tests/testing/datasets.h"
#include "tests/testing/status_matchers.h"

namespace vacwatch::app {
namespace {

TEST(SinksConfigTest, DefaultsWithoutASection) {
  auto config = ParseSinksConfig("");
  ASSERT_OK(config);
  EXPECT_EQ(config->sink_retry_for, absl::Seconds(60));
  EXPECT_EQ(config->alertmanager_route.min_severity, pipeline::Severity::kWarning);
  EXPECT_EQ(config->pagerduty_route.min_severity, pipeline::Severity::kCritical);
  EXPECT_EQ(config->webhook_route.Describe(), "everything");
  EXPECT_TRUE(config->webhook_http.client.tls_verify) << "TLS verification is on by default";
  EXPECT_EQ(config->pagerduty.url, "https://events.pagerduty.com/v2/enqueue");
}

TEST(SinksConfigTest, ReadsEverySinkAndHttpDefaultsUnderTheirOwn) {
  ::setenv("VW_TEST_PD_KEY", "pd-key-from-env", 1);
  auto config = ParseSinksConfig(R"(
sink_retry_for: 2m
http: {timeout: 3s, initial_backoff: 100ms, max_backoff: 5s, jitter: 0.5, queue_size: 50}
stdout: {route: {min_severity: info}}
kafka: {route: {severities: [info, warning]}}
alertmanager:
  urls: [http://am-1:9093, http://am-2:9093]
  static_labels: {team: dba}
  runbook_url: https://wiki/{alertname}
  resend_interval: 30s
  route: {match: {cluster: prod-eu-1}}
pagerduty:
  routing_key: ${VW_TEST_PD_KEY}
  http: {timeout: 1s}
webhook:
  url: https://hooks.example/x
  hmac_secret: s
  http: {tls_verify: false}
)");
  ASSERT_OK(config);
  EXPECT_EQ(config->sink_retry_for, absl::Minutes(2));
  EXPECT_EQ(config->alertmanager_urls,
            (std::vector<std::string>{"http://am-1:9093", "http://am-2:9093"}));
  EXPECT_EQ(config->alertmanager.resend_interval, absl::Seconds(30));
  EXPECT_EQ(config->alertmanager_route.Describe(), "cluster=prod-eu-1")
      << "an explicit route replaces the default";
  EXPECT_EQ(config->alertmanager_http.client.timeout, absl::Seconds(3));
  EXPECT_EQ(config->alertmanager_http.queue_capacity, 50u);
  EXPECT_EQ(config->pagerduty.routing_key, "pd-key-from-env");
  EXPECT_EQ(config->pagerduty_http.client.timeout, absl::Seconds(1));
  EXPECT_EQ(config->pagerduty_http.retry.initial_backoff, absl::Milliseconds(100));
  EXPECT_FALSE(config->webhook_http.client.tls_verify);
  EXPECT_TRUE(config->alertmanager_http.client.tls_verify);
  EXPECT_EQ(config->kafka_route.Describe(), "severity in info|warning");
}

TEST(SinksConfigTest, ErrorsNameTheKey) {
  auto typo = ParseSinksConfig("alertmanger: {}");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("'sinks.alertmanger'"), std::string::npos)
      << typo.status();
  auto label = ParseSinksConfig("pagerduty: {route: {match: {colour: red}}}");
  ASSERT_FALSE(label.ok());
  EXPECT_NE(label.status().message().find("sinks.pagerduty.route.match.colour"), std::string::npos)
      << label.status();
  auto unset = ParseSinksConfig("webhook: {bearer_token: \"${VW_TEST_SURELY_UNSET}\"}");
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("VW_TEST_SURELY_UNSET is not set"), std::string::npos);
  EXPECT_FALSE(ParseSinksConfig("http: {jitter: 2}").ok());
  EXPECT_FALSE(ParseSinksConfig("sink_retry_for: soon").ok());
}

TEST(SinksConfigTest, TheExampleConfigsSectionIsTheDefaults) {
  auto file = LoadConfig(vacwatch::testing::SourceDir() + "/configs/vacwatch.yaml");
  ASSERT_OK(file);
  ASSERT_FALSE(file->sinks_yaml.empty());
  auto config = ParseSinksConfig(file->sinks_yaml);
  ASSERT_OK(config);
  auto defaults = ParseSinksConfig("");
  ASSERT_OK(defaults);
  EXPECT_TRUE(config->alertmanager_urls.empty()) << "the example sends nowhere by itself";
  EXPECT_TRUE(config->pagerduty.routing_key.empty());
  EXPECT_TRUE(config->webhook.url.empty());
  EXPECT_EQ(config->sink_retry_for, defaults->sink_retry_for);
  EXPECT_EQ(config->alertmanager_route.Describe(), defaults->alertmanager_route.Describe());
  EXPECT_EQ(config->pagerduty_route.Describe(), defaults->pagerduty_route.Describe());
  EXPECT_EQ(config->webhook_http.retry.max_backoff, defaults->webhook_http.retry.max_backoff);
  EXPECT_EQ(config->webhook_http.queue_capacity, defaults->webhook_http.queue_capacity);
  EXPECT_EQ(config->alertmanager.resend_interval, defaults->alertmanager.resend_interval);
}

}  // namespace
}  // namespace vacwatch::app
