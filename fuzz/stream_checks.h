#ifndef VACWATCH_FUZZ_STREAM_CHECKS_H_
#define VACWATCH_FUZZ_STREAM_CHECKS_H_

// The checks every chunk-driven reader (the LogReaders, SnapshotReader) must pass whatever its
// input, written once for all of them. A target builds its reader from the knobs and calls:
//
//   CheckStream<LogEvent>(input, [&](int64_t start, ParseErrorSink* errors) {
//     options.start_offset = start;
//     options.errors = errors;
//     return std::make_unique<CsvLogReader>(options);
//   }, {.restartable = true});
//
// Knobs used here: 0 = how the payload is cut into Feed calls (FeedPlan), 1 = where a first
// reader stops for the restart check (a fraction of the payload), bits 0-1 of knob 2 = the
// stream's start offset (StartOffset), bit 0x80 of knob 3 = whether the first reader stops with
// FinishCut at a line boundary instead of just stopping. The other bits of knobs 2 and 3 are
// the target's (its options).
//
// What is checked:
//  - while reading, after every Feed and Next: counters().bytes is what was fed; resume_offset()
//    never goes backwards and stays within [start_offset, start_offset + bytes fed]; every
//    event's byte_offset lies there too, after the previous event's and before the new
//    resume_offset, with line_no >= 1; every item renders (touching each view) to valid JSON;
//    every ParseError has a known kind, an offset within what was fed and a line_no >= 1.
//  - after Finish: resume_offset() is the end of the input.
//  - chunking: the payload fed whole gives the same items, entries, skips and rejections
//    (unless `chunk_independent` is false: the stderr reader detecting its prefix decides on the
//    first 256 lines it has, which depends on the chunks).
//  - restart (when `restartable`): a reader stopped anywhere, then a new reader started at its
//    resume_offset and fed the rest, together return the same items as one reader over the
//    whole payload (line numbers aside: the second reader counts from its start). That is the
//    contract the state store and Kafka offsets rely on.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/parse_error.h"
#include "fuzz/fuzz_target.h"
#include "ingest/event_json.h"
#include "ingest/ingest_counters.h"
#include "ingest/log_event.h"
#include "ingest/snapshot.h"
#include "ingest/snapshot_json.h"

namespace vacwatch::fuzz {

// The cluster every target's reader is given; each event must carry it.
inline constexpr std::string_view kCluster = "fuzz-cluster";

struct StreamCheckOptions {
  bool chunk_independent = true;
  bool restartable = true;
};

// A ParseErrorSink that checks each error as it arrives (see above) and keeps a summary.
class CheckingErrorSink : public ParseErrorSink {
 public:
  explicit CheckingErrorSink(int64_t start_offset) : start_(start_offset), end_(start_offset) {}
  void set_end(int64_t end) { end_ = end; }
  void OnError(std::string_view source, const ParseError& error) override;

 private:
  int64_t start_;
  int64_t end_;
  uint64_t touched_ = 0;  // a sum over every byte of raw, so ASan sees each one read
};

// How a run of the reader ends.
enum class StreamEnd { kNone, kFinish, kFinishCut, kFinishCutContinues };

struct StreamRun {
  std::vector<std::string> items;  // each item's JSON, in order
  ingest::IngestCounters counters;
  int64_t resume_offset = 0;
};

// `event` with line_no cleared, as JSON.
std::string EventJsonWithoutLineNo(std::string_view json);

inline void RenderItem(const ingest::LogEvent& event, std::string* out) {
  ingest::WriteLogEventJson(event, out);
}
inline void RenderItem(const ingest::Snapshot& snapshot, std::string* out) {
  ingest::WriteSnapshotJson(snapshot, out);
}

// The checks of one item just returned by Next, for log events; snapshots carry no offsets.
void CheckItem(const ingest::LogEvent& event, int64_t resume_before, int64_t resume_after,
               int64_t end, int64_t* last_offset);
inline void CheckItem(const ingest::Snapshot& snapshot, int64_t resume_before, int64_t resume_after,
                      int64_t end, int64_t* last_offset) {}

// Feeds `payload` to a reader made by `make(start, errors)` in the pieces `plan_seed` gives,
// draining Next after each, and ends it as `end` says. `fresh_items`: a new Item for every
// Next (otherwise one is reused, as real consumers do: a difference means stale state).
template <typename Item, typename Make>
StreamRun ReadStream(const Make& make, std::string_view payload, int64_t start, uint8_t plan_seed,
                     StreamEnd end, bool fresh_items = false) {
  CheckingErrorSink errors(start);
  auto reader = make(start, &errors);
  StreamRun run;
  std::string json;
  Item reused;
  int64_t fed = 0;
  int64_t resume = start;
  int64_t last_offset = -1;
  auto check_resume = [&](const char* when) {
    const int64_t now = reader->resume_offset();
    VW_FUZZ_CHECK(now >= resume, Cat(when, ": resume_offset went back from ", resume, " to ", now));
    VW_FUZZ_CHECK(now <= start + fed,
                  Cat(when, ": resume_offset ", now, " past the end of the input ", start + fed));
    resume = now;
  };
  auto drain = [&] {
    while (true) {
      Item fresh;
      Item& item = fresh_items ? fresh : reused;
      const int64_t before = resume;
      if (!reader->Next(&item)) break;
      check_resume("after Next");
      CheckItem(item, before, resume, start + fed, &last_offset);
      RenderItem(item, &json);
      VW_FUZZ_CHECK(IsValidJson(json), json);
      run.items.push_back(json);
    }
    check_resume("after draining");
  };

  FeedPlan plan(plan_seed);
  size_t pos = 0;
  while (pos < payload.size()) {
    const size_t n = plan.Next(payload.size() - pos);
    errors.set_end(start + fed + static_cast<int64_t>(n));  // errors come during Feed too
    reader->Feed(payload.substr(pos, n));
    pos += n;
    fed += static_cast<int64_t>(n);
    VW_FUZZ_CHECK(reader->counters().bytes == fed,
                  Cat("counters().bytes ", reader->counters().bytes, " != fed ", fed));
    check_resume("after Feed");
    drain();
  }
  switch (end) {
    case StreamEnd::kNone:
      break;
    case StreamEnd::kFinish:
      reader->Finish();
      drain();
      VW_FUZZ_CHECK(resume == start + fed,
                    Cat("after Finish, resume_offset ", resume, " is not the end ", start + fed));
      break;
    case StreamEnd::kFinishCut:
    case StreamEnd::kFinishCutContinues:
      if constexpr (requires { reader->FinishCut(true); }) {
        reader->FinishCut(end == StreamEnd::kFinishCutContinues);
      } else {
        reader->Finish();
      }
      drain();
      break;
  }
  // Counters agree with what came out.
  const ingest::IngestCounters& c = reader->counters();
  if constexpr (std::is_same_v<Item, ingest::LogEvent>) {
    VW_FUZZ_CHECK(c.total_events() == static_cast<int64_t>(run.items.size()),
                  Cat("counted ", c.total_events(), " events, returned ", run.items.size()));
    VW_FUZZ_CHECK(
        c.total_events() + c.skipped <= c.entries,
        Cat(c.total_events(), " events + ", c.skipped, " skipped > ", c.entries, " entries"));
  } else {
    VW_FUZZ_CHECK(c.snapshots == static_cast<int64_t>(run.items.size()),
                  Cat("counted ", c.snapshots, " snapshots, returned ", run.items.size()));
    VW_FUZZ_CHECK(c.snapshots <= c.entries,
                  Cat(c.snapshots, " snapshots > ", c.entries, " entries"));
  }
  run.counters = c;
  run.resume_offset = resume;
  return run;
}

// Where ReadStream's items or counters of two runs that must agree differ, or "".
std::string CompareRuns(const StreamRun& a, const StreamRun& b);
// The same for the items of a stopped run followed by those of its restart, against one run
// over the whole input (line numbers aside); "" when they agree.
std::string CompareRestart(const StreamRun& first, const StreamRun& second, const StreamRun& whole,
                           bool events);

// The start offsets the checks use: 0, a small one, one past 4 GiB (32-bit truncation).
int64_t StartOffset(uint8_t knob);

template <typename Item, typename Make>
void CheckStream(const FuzzInput& input, const Make& make, StreamCheckOptions options) {
  constexpr bool kEvents = std::is_same_v<Item, ingest::LogEvent>;
  const std::string_view payload = input.payload();
  const int64_t start = StartOffset(input.knob(2));
  const StreamRun whole = ReadStream<Item>(make, payload, start, input.knob(0), StreamEnd::kFinish);

  if (options.chunk_independent) {
    const StreamRun one_piece = ReadStream<Item>(make, payload, start, /*plan_seed=*/0,
                                                 StreamEnd::kFinish, /*fresh_items=*/true);
    const std::string diff = CompareRuns(whole, one_piece);
    VW_FUZZ_CHECK(diff.empty(), Cat("chunked and whole input differ: ", diff));
  }

  if (options.restartable) {
    size_t stop = payload.size() * input.knob(1) / 255;
    StreamEnd end = StreamEnd::kNone;
    if ((input.knob(3) & 0x80) != 0) {
      // A log still being written, cut after a complete line: the rest arrives later.
      const size_t nl = payload.substr(0, stop).rfind('\n');
      stop = nl == std::string_view::npos ? 0 : nl + 1;
      if (stop < payload.size()) {
        end = payload[stop] == '\t' ? StreamEnd::kFinishCutContinues : StreamEnd::kFinishCut;
      }
    }
    const StreamRun first =
        ReadStream<Item>(make, payload.substr(0, stop), start, input.knob(0), end);
    const int64_t resume = first.resume_offset;
    VW_FUZZ_CHECK(resume >= start && resume <= start + static_cast<int64_t>(stop),
                  Cat("stopped at ", start + stop, ", resume_offset ", resume));
    const StreamRun second =
        ReadStream<Item>(make, payload.substr(static_cast<size_t>(resume - start)), resume,
                         static_cast<uint8_t>(input.knob(0) * 7 + 1), StreamEnd::kFinish);
    const std::string diff = CompareRestart(first, second, whole, kEvents);
    VW_FUZZ_CHECK(diff.empty(),
                  Cat("stopped at ", start + stop, " and restarted at ", resume, ": ", diff));
  }
}

}  // namespace vacwatch::fuzz

#endif  // VACWATCH_FUZZ_STREAM_CHECKS_H_
