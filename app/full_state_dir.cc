#include "app/full_state_dir.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vacwatch::app {
namespace {

constexpr absl::Duration kFirstRetry = absl::Milliseconds(100);
constexpr absl::Duration kMaxRetry = absl::Seconds(5);

}  // namespace

FullStateDir::FullStateDir(std::string state_dir, std::string stopped, std::string going_on)
    : state_dir_(std::move(state_dir)),
      stopped_(std::move(stopped)),
      going_on_(std::move(going_on)),
      backoff_(kFirstRetry) {}

std::string FullStateDir::Begin(const absl::Status& full, absl::Time now) {
  since_ = now;
  backoff_ = kFirstRetry;
  next_retry_ = now + backoff_;
  return absl::StrCat("state directory ", state_dir_, " is full: ", stopped_,
                      " until space is freed; the last checkpoint is retried and nothing read is "
                      "lost (",
                      full.message(), ")");
}

void FullStateDir::RetryFailed(absl::Time now) {
  backoff_ = std::min(backoff_ * 2, kMaxRetry);
  next_retry_ = now + backoff_;
}

std::string FullStateDir::End(absl::Time now) {
  const absl::Duration full_for = since_.has_value() ? now - *since_ : absl::ZeroDuration();
  since_.reset();
  next_retry_ = absl::InfiniteFuture();
  return absl::StrCat("state directory has space again: checkpoint committed after ",
                      absl::FormatDuration(absl::Trunc(full_for, absl::Milliseconds(100))), ", ",
                      going_on_);
}

}  // namespace vacwatch::app
