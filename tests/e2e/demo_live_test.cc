// scripts/demo --live with this build's binary, as a user runs it after scripts/setup: a
// throwaway PostgreSQL 15, vacwatch watch against it, a prepared transaction that pins the
// horizon; the alert fires naming it, resolves after COMMIT PREPARED, and the script removes
// its temporary directory. The script bounds its own waits (DEMO_TIMEOUT, default 120 s each).

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shell_command.h"

namespace vacwatch::testing {
namespace {

using ::testing::HasSubstr;

TEST(DemoLiveScriptTest, PrintsTheAlertAsItFiresAndTheResolveThenCleansUp) {
  const ShellResult run =
      RunShellCommand(absl::StrCat("VACWATCH='", VACWATCH_BINARY_DIR, "/vacwatch' '",
                                   VACWATCH_SOURCE_DIR, "/scripts/demo' --live"));
  ASSERT_TRUE(run.succeeded()) << run.command << " failed (status " << run.status << "):\n"
                               << run.out << "\n"
                               << run.err;
  const std::string& out = run.out;
  // Both busy tables of `shop` pay for the pin; whichever autovacuum reaches first fires first
  // (orders or django_session), and the demo stops at the first alert.
  EXPECT_THAT(out, ::testing::ContainsRegex(
                       "FIRING: AutovacuumNotKeepingUp on shop\\.public\\.(orders|django_session) "
                       "\\(warning, cause xmin_horizon, holder prepared_xact:checkout-42\\)"));
  EXPECT_THAT(out, HasSubstr("RESOLVED: AutovacuumNotKeepingUp on shop.public."));
  EXPECT_THAT(out, HasSubstr("COMMIT PREPARED 'checkout-42'"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("on shop.public.audit_log")));  // the quiet table
  // "demo: starting PostgreSQL 15 in /tmp/vacwatch-live-XXXXXX on port N": gone now.
  const std::string marker = "starting PostgreSQL 15 in ";
  const size_t at = out.find(marker);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string dir =
      out.substr(at + marker.size(), out.find(' ', at + marker.size()) - (at + marker.size()));
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

}  // namespace
}  // namespace vacwatch::testing
