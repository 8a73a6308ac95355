#ifndef VACWATCH_REPORT_HTML_REPORT_H_
#define VACWATCH_REPORT_HTML_REPORT_H_

// WriteHtmlReport: the one-page report of a replay, as `vacwatch report` writes it: a single
// self-contained HTML file (inline CSS and SVG; no script, font, image or request from
// anywhere: its Content-Security-Policy says so), readable in light and dark mode, printable,
// and well-formed as XML. Sections:
//   - per cluster: the alert timeline (a row per alerting table, a span per alert coloured by
//     severity and labelled with cause and root holder, a mark per transition), the horizon's
//     age per database with its roots named, every table in a table that sorts by any column
//     without JavaScript (CSS `order` from radio buttons), the settings template (advisor.h);
//   - per table (every table that alerted, then the `top_n` with the most dead tuples): dead
//     tuples against the trigger with alert spans and run markers (removed vs not yet
//     removable; skips and cancels marked), relation size, freeze age against
//     autovacuum_freeze_max_age, each alert's evidence and recommendation, the table's advice.
// Elements the tests and readers rely on carry stable ids and classes: `section.table-detail
// [data-table]`, `svg.chart-dead`, `.trigger-line`, `.run-marker`, `.alert-span`,
// `svg.timeline .transition[data-seq][data-status][data-alert][data-table][data-time]`.
//
//   std::string html;
//   WriteHtmlReport(recording, advice, ReportOptions{}, &html);
//
// Sizes are bounded for fleets: at most `max_charts` tables drawn, `max_table_rows` rows
// listed and `max_clusters` cluster sections; what is left out is counted on the page.
// Deterministic: no wall-clock time; the same recording and options give the same bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "report/advisor.h"
#include "report/recording.h"

namespace vacwatch::report {

struct ReportOptions {
  absl::TimeZone zone = absl::UTCTimeZone();
  std::string zone_name = "UTC";
  int top_n = 20;             // tables drawn beyond those that alerted
  int max_charts = 100;       // tables drawn in all (those that alerted first)
  int max_table_rows = 2000;  // rows of the tables' tables, all clusters together
  int max_clusters = 50;      // cluster sections; the rest in one summary table
  std::string title = "vacwatch report";
  std::vector<std::string> inputs;  // shown in the header (file names)
};

void WriteHtmlReport(const Recording& recording, const Advice& advice, const ReportOptions& options,
                     std::string* out);

// The tables the page draws, in its order: every table with an alert transition (worst
// severity first, then peak dead ratio, then name), then the `top_n` with the most dead
// tuples; at most `max_charts`. For AdvisorOptions::only_tables.
std::vector<int32_t> ChartedTables(const Recording& recording, const ReportOptions& options);

}  // namespace vacwatch::report

#endif  // VACWATCH_REPORT_HTML_REPORT_H_
