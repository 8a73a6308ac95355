#include "sinks/alertmanager/alertmanager_sink.h"

#include "gtest/gtest.h"
#include "sinks/alert_description.h"
#include "tests/sinks/alert_fixtures.h"
#include "tests/sinks/json_probe.h"

namespace vacwatch::sinks {
namespace {

using testing::At;
using testing::FiringAlert;
using testing::JsonProbe;
using testing::ResolvedAlert;
using testing::Transition;

AlertmanagerOptions Options() {
  AlertmanagerOptions o;
  o.url = "http://am:9093/";
  o.static_labels = {{"team", "dba"}, {"cluster", "not-this"}};
  o.runbook_url = "https://runbooks.example/{alertname}#{cause}";
  o.generator_url = "https://vacwatch.example/{cluster}/{table}";
  o.resend_interval = absl::Minutes(1);
  return o;
}

TEST(AlertmanagerSinkTest, AFiringAlertCarriesLabelsAnnotationsAndAnEndAheadOfNow) {
  AlertmanagerRequestBuilder builder(Options());
  const absl::Time now = At(1000);
  const HttpRequest r = builder.Build(Transition(1, FiringAlert()), now);
  EXPECT_EQ(r.url, "http://am:9093/api/v2/alerts");
  JsonProbe body(r.body);
  ASSERT_TRUE(body.ok()) << r.body;
  EXPECT_EQ(body.ArraySize(""), 1u);
  EXPECT_EQ(body.String("/0/labels/alertname"), "AutovacuumNotKeepingUp");
  EXPECT_EQ(body.String("/0/labels/severity"), "warning");
  EXPECT_EQ(body.String("/0/labels/cause"), "xmin_horizon");
  EXPECT_EQ(body.String("/0/labels/cluster"), "prod-eu-1") << "the alert's own label wins";
  EXPECT_EQ(body.String("/0/labels/database"), "jobs");
  EXPECT_EQ(body.String("/0/labels/schema"), "public");
  EXPECT_EQ(body.String("/0/labels/table"), "locked_jobs");
  EXPECT_EQ(body.String("/0/labels/holder_kind"), "session");
  EXPECT_EQ(body.String("/0/labels/holder"), "session:4242");
  EXPECT_EQ(body.String("/0/labels/team"), "dba");
  EXPECT_EQ(body.String("/0/annotations/summary"), FiringAlert().summary);
  EXPECT_EQ(body.String("/0/annotations/description"), DescribeEvidence(FiringAlert()));
  EXPECT_EQ(body.String("/0/annotations/description"),
            "n_dead_tup 129165, dead_ratio 0.41. Held by session pid 4242 (psql, idle in "
            "transaction, cluster-wide).");
  EXPECT_EQ(body.String("/0/annotations/recommendation"), FiringAlert().recommendation);
  EXPECT_EQ(body.String("/0/annotations/runbook_url"),
            "https://runbooks.example/AutovacuumNotKeepingUp#xmin_horizon");
  EXPECT_EQ(body.String("/0/generatorURL"), "https://vacwatch.example/prod-eu-1/locked_jobs");
  EXPECT_EQ(body.String("/0/startsAt"), "2026-11-18T11:07:20.000Z");
  EXPECT_EQ(body.String("/0/endsAt"), "2026-11-18T11:27:20.000Z") << "now + 4 resend intervals";
}

TEST(AlertmanagerSinkTest, AResolvedAlertEndsAtItsEndAndIsNoLongerResent) {
  AlertmanagerRequestBuilder builder(Options());
  builder.Done(Transition(1, FiringAlert()));
  EXPECT_TRUE(builder.Heartbeat(At(1000)).has_value());
  const HttpRequest r = builder.Build(Transition(2, ResolvedAlert()), At(1000));
  JsonProbe body(r.body);
  EXPECT_EQ(body.ArraySize(""), 1u);
  EXPECT_EQ(body.String("/0/endsAt"), "2026-11-18T11:10:00.000Z");  // At(200)
  builder.Done(Transition(2, ResolvedAlert()));
  EXPECT_FALSE(builder.Heartbeat(At(1000)).has_value());
}

TEST(AlertmanagerSinkTest, TimesAreNeverLaterThanTheWallClock) {
  AlertmanagerRequestBuilder builder(Options());
  const absl::Time now = At(0);  // the alert's times are all later
  JsonProbe firing(builder.Build(Transition(1, FiringAlert()), now).body);
  EXPECT_EQ(firing.String("/0/startsAt"), "2026-11-18T11:06:40.000Z");
  JsonProbe resolved(builder.Build(Transition(2, ResolvedAlert()), now).body);
  EXPECT_EQ(resolved.String("/0/startsAt"), "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(resolved.String("/0/endsAt"), "2026-11-18T11:06:40.000Z");
}

TEST(AlertmanagerSinkTest, ResendsEveryFiringAlertIncludingThoseRestoredFromTheState) {
  AlertmanagerRequestBuilder builder(Options());
  EXPECT_FALSE(builder.Heartbeat(At(1000)).has_value());
  builder.Restore({FiringAlert("a")});
  builder.Done(Transition(3, FiringAlert("b")));
  const auto r = builder.Heartbeat(At(1000));
  ASSERT_TRUE(r.has_value());
  JsonProbe body(r->body);
  EXPECT_EQ(body.ArraySize(""), 2u);
  EXPECT_EQ(body.String("/0/endsAt"), "2026-11-18T11:27:20.000Z");
  EXPECT_EQ(builder.heartbeat_interval(), absl::Minutes(1));
}

TEST(AlertmanagerSinkTest, ChangedLabelsEndTheOldLabelSetInTheSameRequest) {
  AlertmanagerRequestBuilder builder(Options());
  builder.Done(Transition(1, FiringAlert()));
  pipeline::Alert new_root = FiringAlert();
  new_root.holder->id = "replication_slot:standby_1";
  new_root.holder->kind = "replication_slot";
  JsonProbe body(builder.Build(Transition(2, new_root), At(1000)).body);
  ASSERT_EQ(body.ArraySize(""), 2u);
  EXPECT_EQ(body.String("/0/labels/holder"), "replication_slot:standby_1");
  EXPECT_EQ(body.String("/1/labels/holder"), "session:4242");
  EXPECT_EQ(body.String("/1/endsAt"), "2026-11-18T11:23:20.000Z") << "ended now";
}

}  // namespace
}  // namespace vacwatch::sinks
