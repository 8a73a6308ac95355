#ifndef VACWATCH_INGEST_LOG_LINE_PREFIX_H_
#define VACWATCH_INGEST_LOG_LINE_PREFIX_H_

// LogLinePrefix: a compiled PostgreSQL log_line_prefix that recognises the first line of a
// stderr log record: the prefix, then "SEVERITY:" and one or more spaces, then the message.
//
//   absl::StatusOr<LogLinePrefix> prefix = LogLinePrefix::Compile("%m [%p] %q%u@%d ");
//   PrefixMatch m;
//   if (prefix->Match("2026-11-23 23:18:21.286 UTC [13110] LOG:  automatic vacuum ...", &m)) {
//     // m.time_text == "2026-11-23 23:18:21.286 UTC", m.pid == 13110, m.severity == "LOG",
//     // m.database == "" (an autovacuum worker has no session), line.substr(m.message_offset)
//     // == "automatic vacuum ..."
//   }
//
// Escapes: %m %t %n %s (timestamps), %p %l %x %P %Q (numbers), %e (SQLSTATE), %c (session id),
// %v (virtual xid), %u %d %a %h %r %i %b %L (free text), %q, %% and fixed text; an escape may
// carry a padding width (%-10u, %10p). Free text ends where the rest of the prefix matches
// (backtracking, bounded to 512 bytes), so a user or database name holding the next
// delimiter still parses. For processes without a session (autovacuum workers) PostgreSQL
// prints the session escapes (%u %d %r %h %a %i) empty and stops at %q, so both the full form
// and the form cut at %q match. "SEVERITY: SQLSTATE: " (log_error_verbosity = verbose) is
// skipped. No allocation per match, no regex; the views in PrefixMatch point into the line.
// Backtracking is exponential in the number of free-text fields on a line that does not match,
// and a prefix inferred from a shipper's garbage can hold dozens: a match gives up, as no
// match, after kMaxMatchSteps candidate ends (as PCRE's match_limit does); the prefixes
// PostgreSQL users write need a handful (4 at most on every log in tests/data).
//
// Detect() picks, among the common prefixes (PostgreSQL's default, Debian's, pgBadger's, RDS,
// Azure, Cloud SQL) and one inferred from the sample itself (Infer), the one that matches most
// lines of a sample of a log. Infer reads what stands before each line's "SEVERITY:" and
// writes it back as escapes: timestamps (%m %t %n), numbers (%p, then %l, then %x), a vxid
// (%v), a session id (%c), "key=value" fields by their key (user=%u, db=%d, host=%h, app=%a,
// ...), "user@db" (%u@%d), other words as free text; where sessionless lines (autovacuum
// workers) stop early, a %q. Any prefix built from PostgreSQL's escapes comes out as one that
// matches the same lines, whatever its order of fields.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/log_timestamp.h"

namespace vacwatch::ingest {

struct PrefixMatch {
  std::string_view time_text;  // %m, else %n, else %t; empty when the prefix has none
  LogTimeFormat time_format = LogTimeFormat::kMillis;
  int32_t pid = 0;            // %p; 0 when the prefix has none
  std::string_view database;  // %d, spaces trimmed; empty for sessionless processes
  std::string_view severity;  // "LOG", "ERROR", "CONTEXT", ...
  size_t message_offset = 0;  // where the message starts in the line
};

class LogLinePrefix {
 public:
  // Candidate ends of free-text fields one Match tries at most (see above).
  static constexpr int kMaxMatchSteps = 4096;

  // The prefixes Detect() tries, in order of preference when several match equally.
  static const std::vector<std::string_view>& CommonPrefixes();

  // InvalidArgument for an unknown escape or a trailing lone '%'.
  static absl::StatusOr<LogLinePrefix> Compile(std::string_view prefix);

  // The common prefix that matches most of the lines of `sample` (TAB-indented lines are not
  // counted); PostgreSQL's default when none matches any. `matched`, when non-null, receives
  // how many lines the chosen prefix matched.
  static LogLinePrefix Detect(std::string_view sample, int* matched = nullptr);

  // A log_line_prefix that matches the lines of `sample`, inferred from them (see above);
  // empty when no line of the sample has a "SEVERITY:" to anchor on.
  static std::string Infer(std::string_view sample);

  // True when `line` (no '\n') starts with this prefix followed by "SEVERITY:" and a space.
  bool Match(std::string_view line, PrefixMatch* out) const;

  // The log_line_prefix as configured ("%m [%p] ").
  const std::string& text() const { return text_; }

 private:
  enum class Kind : uint8_t {
    kLiteral,
    kTimeMillis,      // %m
    kTimeSeconds,     // %t, %s
    kTimeEpoch,       // %n
    kDigits,          // %p %l %x
    kSignedDigits,    // %Q
    kOptionalDigits,  // %P (empty unless a parallel worker)
    kVxid,            // %v: "N/N" or empty
    kSqlState,        // %e
    kSessionId,       // %c: hex "." hex
    kFreeText,        // %u %d %a %h %r %i %b %L
    kSessionCut,      // %q
  };
  enum class Field : uint8_t { kNone, kTime, kPid, kDatabase };
  struct Element {
    Kind kind = Kind::kLiteral;
    Field field = Field::kNone;
    int pad = 0;          // the escape's padding width; < 0 pads on the right
    std::string literal;  // kLiteral
  };

  // `steps`: what is left of kMaxMatchSteps for this Match; at 0 nothing matches any more.
  bool MatchFrom(size_t index, std::string_view line, size_t pos, PrefixMatch* out,
                 int* steps) const;
  bool MatchFreeText(size_t index, std::string_view line, size_t pos, PrefixMatch* out,
                     int* steps) const;
  static bool MatchSeverity(std::string_view line, size_t pos, PrefixMatch* out);

  std::string text_;
  std::vector<Element> elements_;
  LogTimeFormat time_format_ = LogTimeFormat::kMillis;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_LOG_LINE_PREFIX_H_
