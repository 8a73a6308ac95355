// Fuzzes LogLinePrefix (ingest/log_line_prefix.h): compiling a log_line_prefix, matching lines
// with it, and inferring and detecting one from a log's first lines, which is what a stderr
// reader does with whatever a shipper sends before it has read a single record.
//
// Payload: with knob 2 below 0x40, its first line is the prefix to compile and the rest the
// lines; otherwise a common prefix (knob 2 picks it) and the whole payload as lines. Checked:
// every match's views lie in the line, the message starts within it after the severity, the
// database is trimmed; a prefix Infer returns compiles; Detect's count of matched lines is what
// its prefix matches. Timeouts (libFuzzer -timeout) catch runaway backtracking.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fuzz/fuzz_target.h"
#include "ingest/log_line_prefix.h"

namespace vacwatch::fuzz {
namespace {

bool Inside(std::string_view view, std::string_view line) {
  return view.empty() ||
         (view.data() >= line.data() && view.data() + view.size() <= line.data() + line.size());
}

// The lines Detect counts: '\r' dropped, empty and TAB-indented ones left out.
std::vector<std::string_view> HeadLines(std::string_view sample) {
  std::vector<std::string_view> lines;
  while (!sample.empty()) {
    const size_t nl = sample.find('\n');
    std::string_view line = sample.substr(0, nl);
    sample.remove_prefix(nl == std::string_view::npos ? sample.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '\t') continue;
    lines.push_back(line);
  }
  return lines;
}

void CheckMatches(const ingest::LogLinePrefix& prefix, const std::vector<std::string_view>& lines) {
  ingest::PrefixMatch m;
  for (std::string_view line : lines) {
    if (!prefix.Match(line, &m)) continue;
    VW_FUZZ_CHECK(!m.severity.empty() && Inside(m.severity, line), "severity outside the line");
    VW_FUZZ_CHECK(Inside(m.time_text, line) && Inside(m.database, line),
                  "time or database outside the line");
    VW_FUZZ_CHECK(m.message_offset <= line.size(),
                  Cat("message at ", m.message_offset, " of a ", line.size(), "-byte line"));
    VW_FUZZ_CHECK(m.severity.data() + m.severity.size() <= line.data() + m.message_offset,
                  "the message starts inside the severity");
    VW_FUZZ_CHECK(m.database.empty() || (m.database.front() != ' ' && m.database.back() != ' '),
                  Cat("database not trimmed: '", m.database, "'"));
  }
}

void FuzzLogLinePrefix(std::string_view data) {
  const FuzzInput input(data);
  std::string_view sample = input.payload();
  std::string text;
  if (input.knob(2) < 0x40) {
    const size_t nl = sample.find('\n');
    text = std::string(sample.substr(0, nl));
    sample.remove_prefix(nl == std::string_view::npos ? sample.size() : nl + 1);
  } else {
    const std::vector<std::string_view>& common = ingest::LogLinePrefix::CommonPrefixes();
    text = std::string(common[input.knob(2) % common.size()]);
  }
  const std::vector<std::string_view> lines = HeadLines(sample);

  absl::StatusOr<ingest::LogLinePrefix> prefix = ingest::LogLinePrefix::Compile(text);
  if (prefix.ok()) {
    VW_FUZZ_CHECK(prefix->text() == text, "text() is not the prefix compiled");
    CheckMatches(*prefix, lines);
  }

  const std::string inferred = ingest::LogLinePrefix::Infer(sample);
  if (!inferred.empty()) {
    absl::StatusOr<ingest::LogLinePrefix> compiled = ingest::LogLinePrefix::Compile(inferred);
    VW_FUZZ_CHECK(compiled.ok(), Cat("inferred prefix '", inferred,
                                     "' does not compile: ", compiled.status().ToString()));
    CheckMatches(*compiled, lines);
  }

  int matched = -1;
  const ingest::LogLinePrefix detected = ingest::LogLinePrefix::Detect(sample, &matched);
  int recount = 0;
  ingest::PrefixMatch m;
  for (std::string_view line : lines) recount += detected.Match(line, &m) ? 1 : 0;
  VW_FUZZ_CHECK(matched == recount, Cat("Detect chose '", detected.text(), "' for ", matched,
                                        " lines; it matches ", recount));
}

}  // namespace
}  // namespace vacwatch::fuzz

VACWATCH_FUZZ_TARGET(log_line_prefix, vacwatch::fuzz::FuzzLogLinePrefix);
