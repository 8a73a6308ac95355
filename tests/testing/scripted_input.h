#ifndef VACWATCH_TESTS_TESTING_SCRIPTED_INPUT_H_
#define VACWATCH_TESTS_TESTING_SCRIPTED_INPUT_H_

// A DriverInput for the driver's tests: it gives the items of its script, each an event time in
// seconds after ScriptSecond(0) or nullopt for "nothing now" (idle), as one log event whose
// table is the input's name. Past the script it is idle until closed, then ended; a closed
// input (the default) ends right after its script. Its position is the number of items given,
// its source id "test:<name>". Single-threaded, like the driver.
//
//   testing::ScriptedInput a("a", {1, 3, std::nullopt, 5});
//   testing::ScriptedInput live("live", {}, /*open=*/true);
//   live.Push(7);
//   live.Close();

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/driver_input.h"
#include "app/event_consumer.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_event.h"
#include "state/source_offset.h"

namespace vacwatch::testing {

// The event time of script second `seconds`.
inline absl::Time ScriptSecond(int seconds) {
  return absl::FromUnixSeconds(1'800'000'000 + seconds);
}

class ScriptedInput final : public app::DriverInput {
 public:
  // `open`: more may be pushed; it stays idle past its script until closed.
  ScriptedInput(std::string name, const std::vector<std::optional<int>>& script, bool open = false)
      : name_(std::move(name)), id_("test:" + name_), closed_(!open) {
    for (const auto& s : script) script_.push_back(s);
  }
  void Push(int seconds) { script_.push_back(seconds); }
  void Close() { closed_ = true; }

  absl::StatusOr<State> Advance() override {
    if (script_.empty()) return closed_ ? State::kEnded : State::kIdle;
    const std::optional<int> next = script_.front();
    script_.pop_front();
    if (!next.has_value()) return State::kIdle;
    time_ = ScriptSecond(*next);
    return State::kReady;
  }
  absl::Status FeedTo(app::EventConsumer* consumer) override {
    ++given_;
    ingest::LogEvent event;
    event.table = name_;
    event.time = time_;
    return consumer->OnLogEvent(event);
  }
  absl::Time time() const override { return time_; }
  bool is_snapshot() const override { return false; }
  state::SourceOffset resume_position() const override { return state::SourceOffset(given_); }
  const std::string& source_id() const override { return id_; }
  const ingest::IngestCounters& counters() const override { return counters_; }

 private:
  std::string name_;
  std::string id_;
  std::deque<std::optional<int>> script_;
  bool closed_;
  absl::Time time_;
  int64_t given_ = 0;
  ingest::IngestCounters counters_;
};

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_SCRIPTED_INPUT_H_
