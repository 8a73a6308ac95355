#ifndef VACWATCH_TESTS_TESTING_READ_EVENTS_H_
#define VACWATCH_TESTS_TESTING_READ_EVENTS_H_

// Drives a LogReader over a whole input in chunks of a given size and returns each event's
// JSON line (ingest/event_json.h), so tests compare events as text.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/event_json.h"
#include "ingest/log_event.h"
#include "ingest/log_reader.h"

namespace vacwatch::testing {

inline std::vector<std::string> ReadAllEvents(ingest::LogReader& reader, std::string_view input,
                                              size_t chunk_size = 1 << 20) {
  std::vector<std::string> out;
  ingest::LogEvent event;
  std::string line;
  for (size_t pos = 0; pos < input.size(); pos += chunk_size) {
    reader.Feed(input.substr(pos, std::min(chunk_size, input.size() - pos)));
    while (reader.Next(&event)) {
      ingest::WriteLogEventJson(event, &line);
      out.push_back(line);
    }
  }
  reader.Finish();
  while (reader.Next(&event)) {
    ingest::WriteLogEventJson(event, &line);
    out.push_back(line);
  }
  return out;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_READ_EVENTS_H_
