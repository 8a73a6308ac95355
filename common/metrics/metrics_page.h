#ifndef VACWATCH_COMMON_METRICS_METRICS_PAGE_H_
#define VACWATCH_COMMON_METRICS_METRICS_PAGE_H_

// MetricsPage: the last rendering of a /metrics page, handed from the thread that owns the
// numbers to the thread that serves HTTP. The owner renders at its progress tick (text_format.h)
// and publishes; a scrape takes a copy. One mutex, held only to swap or copy a string, so the
// owner never waits on a slow client:
//
//   MetricsPage page;
//   page.Publish(std::move(text));        // owner thread, at each tick
//   std::string body = page.Get();        // HTTP thread, per scrape
//
// Thread-safe.

#include <mutex>
#include <string>
#include <utility>

namespace vacwatch::metrics {

class MetricsPage {
 public:
  void Publish(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    text_.swap(text);  // the old page is freed outside the lock, with `text`
  }
  std::string Get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

}  // namespace vacwatch::metrics

#endif  // VACWATCH_COMMON_METRICS_METRICS_PAGE_H_
