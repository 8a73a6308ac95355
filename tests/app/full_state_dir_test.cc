#include "app/full_state_dir.h"

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vacwatch::app {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

TEST(FullStateDirTest, SaysWhatStoppedAndWhenItGoesOn) {
  FullStateDir full("/var/lib/vacwatch", "consumption stopped", "consuming again");
  EXPECT_FALSE(full.active());
  const std::string error =
      full.Begin(absl::ResourceExhaustedError("IO error: No space left on device"), kT0);
  EXPECT_TRUE(full.active());
  EXPECT_EQ(error,
            "state directory /var/lib/vacwatch is full: consumption stopped until space is freed; "
            "the last checkpoint is retried and nothing read is lost (IO error: No space left on "
            "device)");
  const std::string info = full.End(kT0 + absl::Milliseconds(12345));
  EXPECT_EQ(info,
            "state directory has space again: checkpoint committed after 12.3s, "
            "consuming again");
  EXPECT_FALSE(full.active());
  EXPECT_FALSE(full.RetryDue(kT0 + absl::Hours(1)));
}

// Retries come 0.1 s after the failure, then twice as far apart each time, at most 5 s.
TEST(FullStateDirTest, RetriesBackOffFromATenthOfASecondToFiveSeconds) {
  FullStateDir full("d", "watching stopped", "watching again");
  absl::Time now = kT0;
  full.Begin(absl::ResourceExhaustedError("full"), now);
  EXPECT_FALSE(full.RetryDue(now + absl::Milliseconds(99)));
  EXPECT_TRUE(full.RetryDue(now + absl::Milliseconds(100)));
  absl::Duration expected = absl::Milliseconds(100);
  for (int retry = 0; retry < 10; ++retry) {
    now += expected;
    full.RetryFailed(now);
    expected = std::min(expected * 2, absl::Seconds(5));
    EXPECT_FALSE(full.RetryDue(now + expected - absl::Milliseconds(1))) << retry;
    EXPECT_TRUE(full.RetryDue(now + expected)) << retry;
  }
  EXPECT_EQ(expected, absl::Seconds(5));
  // A new outage starts from 0.1 s again.
  full.End(now);
  full.Begin(absl::ResourceExhaustedError("full"), now);
  EXPECT_TRUE(full.RetryDue(now + absl::Milliseconds(100)));
}

}  // namespace
}  // namespace vacwatch::app
