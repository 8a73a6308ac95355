#ifndef VACWATCH_APP_INPUT_DIAGNOSES_H_
#define VACWATCH_APP_INPUT_DIAGNOSES_H_

// What a command says about an input that gave (almost) nothing, instead of a quiet zero: a
// log_line_prefix that matched no line (and the one the lines suggest), messages that are not
// English (lc_messages), most of the input rejected. One sentence each, with the likely fix;
// `replay` and `parse` print them as warnings on stderr.
//
//   for (const std::string& w : DiagnoseLogInput(path, counters, given_prefix, suggested))
//     std::fprintf(stderr, "vacwatch replay: warning: %s\n", w.c_str());

#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest_counters.h"

namespace vacwatch::app {

// `given_prefix`: --log-line-prefix as given (empty: detected); `suggested`: what the log's
// lines suggest (LogFileSource::suggested_prefix).
std::vector<std::string> DiagnoseLogInput(std::string_view name,
                                          const ingest::IngestCounters& counters,
                                          std::string_view given_prefix,
                                          std::string_view suggested);

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_INPUT_DIAGNOSES_H_
