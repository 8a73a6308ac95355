#include "app/input_diagnoses.h"

#include "absl/strings/str_cat.h"

namespace vacwatch::app {

std::vector<std::string> DiagnoseLogInput(std::string_view name, const ingest::IngestCounters& c,
                                          std::string_view given_prefix,
                                          std::string_view suggested) {
  std::vector<std::string> out;
  const std::string source(name);
  constexpr std::string_view kLcMessages =
      "if its messages are not in English, set lc_messages = 'C' on the server (ALTER SYSTEM "
      "SET lc_messages = 'C'; SELECT pg_reload_conf();)";
  if (c.head_candidates > 0 && c.head_lines == 0) {
    if (!given_prefix.empty()) {
      std::string what =
          absl::StrCat("--log-line-prefix '", std::string(given_prefix), "' matched none of the ",
                       c.head_candidates, " lines of ", source, ", so nothing was read from it");
      if (!suggested.empty() && suggested != given_prefix) {
        absl::StrAppend(&what, "; its lines look like '", std::string(suggested),
                        "': pass --log-line-prefix '", std::string(suggested),
                        "' (the server's SHOW log_line_prefix), or leave the option out to "
                        "detect it");
      } else {
        absl::StrAppend(&what, "; pass the server's SHOW log_line_prefix, or ",
                        std::string(kLcMessages));
      }
      out.push_back(std::move(what));
    } else {
      out.push_back(absl::StrCat(
          "no log_line_prefix matched any of the ", c.head_candidates, " lines of ", source,
          ", so nothing was read from it: pass the server's SHOW log_line_prefix with "
          "--log-line-prefix; ",
          std::string(kLcMessages)));
    }
  }
  if (c.translated_entries >= 10 || (c.translated_entries > 0 && c.total_events() == 0)) {
    out.push_back(absl::StrCat(
        c.translated_entries, " entries of ", source,
        " are not in English: vacwatch reads PostgreSQL's English messages, so the autovacuum "
        "entries of a server logging in another language are not seen; set lc_messages = 'C' "
        "on the server (ALTER SYSTEM SET lc_messages = 'C'; SELECT pg_reload_conf();)"));
  }
  const int64_t rejected = c.total_rejected();
  if (rejected > 0 && rejected > c.entries) {
    out.push_back(absl::StrCat("most of ", source, " was rejected (", rejected, " rejected, ",
                               c.entries,
                               " entries read): is it the format it looks like? The dead "
                               "letters say why each was rejected"));
  }
  return out;
}

}  // namespace vacwatch::app
