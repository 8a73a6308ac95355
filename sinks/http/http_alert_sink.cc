#include "sinks/http/http_alert_sink.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace vacwatch::sinks {

absl::StatusOr<std::unique_ptr<HttpAlertSink>> HttpAlertSink::Start(
    HttpAlertSinkOptions options, std::unique_ptr<AlertRequestBuilder> builder) {
  if (builder == nullptr) return absl::InvalidArgumentError("HttpAlertSink needs a builder");
  if (options.queue_capacity == 0) {
    return absl::InvalidArgumentError(absl::StrCat(options.name, ": queue size must be > 0"));
  }
  std::unique_ptr<HttpAlertSink> sink(new HttpAlertSink(std::move(options), std::move(builder)));
  sink->worker_ = std::thread([s = sink.get()] { s->Work(); });
  return sink;
}

HttpAlertSink::HttpAlertSink(HttpAlertSinkOptions options,
                             std::unique_ptr<AlertRequestBuilder> builder)
    : options_(std::move(options)), builder_(std::move(builder)), client_(options_.client) {}

HttpAlertSink::~HttpAlertSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void HttpAlertSink::Restore(const std::vector<pipeline::Alert>& firing) {
  {
    // Handed to the worker, which owns the builder.
    std::lock_guard<std::mutex> lock(mu_);
    restore_ = firing;
    has_restore_ = true;
  }
  changed_.notify_all();
}

absl::Status HttpAlertSink::Deliver(const pipeline::AlertTransition& transition) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.queue_capacity) {
      return absl::ResourceExhaustedError(
          absl::StrCat(options_.name, ": queue full (", options_.queue_capacity, ")"));
    }
    queue_.push_back(transition);
    last_offered_ = transition.seq;
    metrics_.queued.store(static_cast<int64_t>(queue_.size()), std::memory_order_relaxed);
  }
  changed_.notify_all();
  return absl::OkStatus();
}

uint64_t HttpAlertSink::delivered_through() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.empty() ? last_offered_ : queue_.front().seq - 1;
}

bool HttpAlertSink::WaitDelivered(uint64_t seq, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
    const uint64_t through = queue_.empty() ? last_offered_ : queue_.front().seq - 1;
    return through >= seq;
  });
}

std::string HttpAlertSink::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failing_ ? last_error_ : std::string();
}

int64_t HttpAlertSink::delivered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delivered_;
}
int64_t HttpAlertSink::rejected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}
int64_t HttpAlertSink::retries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retries_;
}

bool HttpAlertSink::WaitUnlessStopping(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, absl::ToChronoNanoseconds(d), [this] { return stopping_; });
  return !stopping_;
}

HttpOutcome HttpAlertSink::Send(const std::function<HttpRequest()>& build, int max_attempts,
                                const std::string& what) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 1;; ++attempt) {
    const absl::StatusOr<HttpResponse> response = client_.Post(build());
    const HttpOutcome outcome = ClassifyHttpOutcome(response);
    bool was_failing = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      was_failing = failing_;
      failing_ = outcome == HttpOutcome::kRetry;
      if (outcome != HttpOutcome::kDelivered) {
        last_error_ = DescribeHttpResult(response);
        metrics_.failed.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (options_.log) {
      if (outcome == HttpOutcome::kRetry && !was_failing) {
        options_.log(absl::StrCat(options_.name, ": ", DescribeHttpResult(response),
                                  "; retrying with backoff"));
      } else if (outcome == HttpOutcome::kDelivered && was_failing) {
        options_.log(absl::StrCat(options_.name, ": delivering again"));
      }
    }
    if (outcome == HttpOutcome::kReject && options_.log) {
      options_.log(absl::StrCat(options_.name, ": gave up on ", what, ": ",
                                DescribeHttpResult(response), " (not retried)"));
    }
    if (outcome != HttpOutcome::kRetry) return outcome;
    if (attempt >= max_attempts) return outcome;
    const absl::Duration wait = options_.retry.Backoff(attempt, unit(rng));
    if (options_.on_backoff) options_.on_backoff(wait);
    if (!WaitUnlessStopping(wait)) return HttpOutcome::kRetry;
    std::lock_guard<std::mutex> lock(mu_);
    ++retries_;
    metrics_.retries.fetch_add(1, std::memory_order_relaxed);
  }
}

void HttpAlertSink::Work() {
  const absl::Duration heartbeat = builder_->heartbeat_interval();
  absl::Time next_heartbeat = absl::Now() + heartbeat;
  while (true) {
    pipeline::AlertTransition item;
    bool have_item = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [this] { return stopping_ || has_restore_ || !queue_.empty(); };
      if (heartbeat == absl::InfiniteDuration()) {
        changed_.wait(lock, ready);
      } else {
        changed_.wait_for(lock, absl::ToChronoNanoseconds(next_heartbeat - absl::Now()), ready);
      }
      if (stopping_) return;
      if (has_restore_) {
        builder_->Restore(restore_);
        restore_.clear();
        has_restore_ = false;
      }
      if (!queue_.empty()) {
        item = queue_.front();  // stays queued (delivered_through) until done
        have_item = true;
      }
    }
    if (have_item) {
      const HttpOutcome outcome =
          Send([&] { return builder_->Build(item, absl::Now()); }, /*max_attempts=*/1 << 30,
               absl::StrCat("transition ", item.seq, " (", item.alert.alert, " ",
                            item.alert.fingerprint, ")"));
      if (outcome == HttpOutcome::kRetry) return;  // stopping
      builder_->Done(item);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (outcome == HttpOutcome::kReject) {
          ++rejected_;
        } else {
          ++delivered_;
          metrics_.delivered.fetch_add(1, std::memory_order_relaxed);
        }
        queue_.pop_front();
        metrics_.queued.store(static_cast<int64_t>(queue_.size()), std::memory_order_relaxed);
      }
      changed_.notify_all();
      continue;
    }
    if (absl::Now() >= next_heartbeat) {
      next_heartbeat = absl::Now() + heartbeat;
      std::optional<HttpRequest> request = builder_->Heartbeat(absl::Now());
      // One try: the next heartbeat comes soon, and a failure shows on the next transition.
      if (request.has_value()) Send([&] { return *request; }, /*max_attempts=*/1, "a re-send");
    }
  }
}

}  // namespace vacwatch::sinks
