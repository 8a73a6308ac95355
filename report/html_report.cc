#include "report/html_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/fnv1a.h"
#include "common/json_writer.h"
#include "report/markup.h"
#include "report/svg_chart.h"

namespace vacwatch::report {
namespace {

using pipeline::Severity;

// No '<' or '&' anywhere in it: the page must parse as XML too.
constexpr std::string_view kStyle = R"css(
:root{--bg:#fff;--fg:#1d2330;--muted:#5b6475;--grid:#e3e6ec;--panel:#f6f7f9;--border:#d5d9e0;
--dead:#2563eb;--trigger:#111827;--size:#7c3aed;--freeze:#0f766e;--limit:#b91c1c;
--removed:#16a34a;--kept:#dc2626;--skip:#d97706;--cancel:#9333ea;--horizon:#0369a1;
--info:#93c5fd;--warning:#fbbf24;--critical:#f87171;--link:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e5e7eb;--muted:#9aa3b2;
--grid:#2a2f37;--panel:#1a1e24;--border:#343a44;--dead:#60a5fa;--trigger:#f3f4f6;
--size:#c4b5fd;--freeze:#5eead4;--limit:#fca5a5;--removed:#4ade80;--kept:#f87171;
--skip:#fbbf24;--cancel:#d8b4fe;--horizon:#7dd3fc;--info:#1e3a8a;--warning:#92400e;
--critical:#991b1b;--link:#93c5fd}}
body{margin:0 auto;max-width:1100px;padding:16px 24px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--link)}h1{font-size:22px;margin:8px 0}h2{font-size:19px;margin:28px 0 8px;
border-bottom:2px solid var(--border);padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}
h4{font-size:14px;margin:12px 0 4px}.muted{color:var(--muted)}
nav{background:var(--panel);border:1px solid var(--border);padding:8px 12px;margin:12px 0}
nav ul{margin:4px 0;padding-left:18px;columns:2}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid var(--border);padding:3px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
pre{background:var(--panel);border:1px solid var(--border);padding:8px;white-space:pre-wrap;
font-size:12px}
svg{display:block;width:100%;height:auto;max-width:760px;margin:4px 0;overflow:visible}
svg text{fill:var(--fg);font-size:10px}svg .tick{fill:var(--muted)}
svg .axis-title{font-size:11px;fill:var(--muted)}
svg .grid{stroke:var(--grid);stroke-width:1}svg .frame{fill:none;stroke:var(--border)}
svg polyline{fill:none;stroke-width:1.6}
.series-dead{stroke:var(--dead)}.trigger-line{stroke:var(--trigger);stroke-dasharray:5 3}
.series-size{stroke:var(--size)}.series-freeze{stroke:var(--freeze)}
.freeze-max-line{stroke:var(--limit);stroke-dasharray:5 3}
.series-horizon{stroke-width:1.6}
.run-removed{stroke:var(--removed);stroke-width:2;opacity:.7}.run-kept{stroke:var(--kept);stroke-width:2;opacity:.7}
.run-glyph{fill:var(--removed)}.run-skipped .run-glyph{fill:none;stroke:var(--skip);stroke-width:1.5}
.run-cancelled .run-glyph{fill:var(--cancel)}
.alert-span,.span{opacity:.45}.sev-info{fill:var(--info)}.sev-warning{fill:var(--warning)}
.sev-critical{fill:var(--critical)}
.transition{stroke:var(--fg);stroke-width:1.2}.transition.resolved{stroke-dasharray:2 2}
.root-mark{fill:var(--horizon)}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;margin-left:4px}
.badge.sev-info{background:var(--info)}.badge.sev-warning{background:var(--warning)}
.badge.sev-critical{background:var(--critical)}
.legend span{margin-right:14px;font-size:12px}
.key{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
.table-detail{border-top:1px solid var(--border);margin-top:20px}
.sortable input{position:absolute;opacity:0;pointer-events:none}
.sortable table{display:block;width:100%}.sortable thead,.sortable tbody{display:flex;
flex-direction:column}.sortable tr{display:grid;
grid-template-columns:minmax(180px,3fr) repeat(8,minmax(60px,1fr))}
.sortable label{cursor:pointer;text-decoration:underline dotted}
.sortable th,.sortable td{overflow:hidden;text-overflow:ellipsis}.sortable th{white-space:normal}
.sort-1:checked~table tbody tr{order:var(--k1)}.sort-2:checked~table tbody tr{order:var(--k2)}
.sort-3:checked~table tbody tr{order:var(--k3)}.sort-4:checked~table tbody tr{order:var(--k4)}
.sort-5:checked~table tbody tr{order:var(--k5)}.sort-6:checked~table tbody tr{order:var(--k6)}
.sort-7:checked~table tbody tr{order:var(--k7)}.sort-8:checked~table tbody tr{order:var(--k8)}
.sort-9:checked~table tbody tr{order:var(--k9)}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--panel:#fff;--grid:#ddd}
nav,.sortable input{display:none}body{max-width:none;padding:0}
section.table-detail,svg{break-inside:avoid}pre{white-space:pre-wrap}}
)css";

constexpr std::string_view kSeverityClass[] = {"sev-info", "sev-warning", "sev-critical"};

std::string_view SevClass(Severity s) {
  const auto i = static_cast<size_t>(s);
  return i < 3 ? kSeverityClass[i] : kSeverityClass[1];
}

std::string Percent(double ratio) { return Fixed(ratio * 100, 1) + "%"; }

std::string TableName(const Recording& rec, const TableRecord& t) {
  return absl::StrCat(rec.clusters[t.cluster].name, "/", t.QualifiedName());
}

std::string Anchor(std::string_view prefix, std::string_view name) {
  Fnv1a h;
  h.Add(name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h.value()));
  return absl::StrCat(Av(prefix), buf);
}

// One alert from its firing to its resolution (or the end of the input).
struct Episode {
  int32_t table = -1;
  int64_t from_ms = 0, to_ms = -1;         // -1: still firing at the end
  const pipeline::Alert* fired = nullptr;  // the last firing transition's alert
  std::vector<const pipeline::AlertTransition*> transitions;
};

class Writer {
 public:
  Writer(const Recording& rec, const Advice& advice, const ReportOptions& options, std::string* out)
      : rec_(rec), advice_(advice), opt_(options), o_(*out) {}

  void Write();

 private:
  std::string Time(int64_t ms) const {
    return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(ms), opt_.zone);
  }
  std::string Time(absl::Time t) const {
    return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, opt_.zone);
  }
  ChartSpec Spec(std::string id, std::string css, std::string label, std::string table) const {
    ChartSpec s;
    s.id = std::move(id);
    s.css_class = std::move(css);
    s.label = std::move(label);
    s.data_table = std::move(table);
    s.from_ms = from_ms_;
    s.to_ms = to_ms_;
    s.zone = opt_.zone;
    s.zone_name = opt_.zone_name;
    return s;
  }
  void BuildEpisodes();
  void Select();
  void Header();
  void Nav();
  void Cluster(int32_t ci);
  void Timeline(int32_t ci);
  void Horizon(int32_t ci);
  void TablesTable(int32_t ci);
  void ClusterAdvice(int32_t ci);
  void OtherClusters();
  void TableDetail(int32_t ti);
  void DeadChart(int32_t ti, const std::string& name);
  void Evidence(const pipeline::Alert& a);
  void AdviceBlock(const TableAdvice& a);

  const Recording& rec_;
  const Advice& advice_;
  const ReportOptions& opt_;
  std::string& o_;
  int64_t from_ms_ = 0, to_ms_ = 1;
  std::vector<Episode> episodes_;
  std::vector<std::vector<int32_t>> table_episodes_;  // per table, indexes into episodes_
  std::vector<int32_t> charted_;                      // tables drawn, in page order
  std::vector<char> is_charted_;
  std::vector<char> is_listed_;
  int64_t alerted_tables_ = 0, alerted_not_charted_ = 0, rows_not_listed_ = 0;
  std::vector<const TableAdvice*> table_advice_;
};

void Writer::BuildEpisodes() {
  table_episodes_.assign(rec_.tables.size(), {});
  std::map<std::string, int32_t> open;  // fingerprint -> episode
  for (const TransitionRecord& tr : rec_.transitions) {
    const pipeline::Alert& a = tr.transition.alert;
    auto it = open.find(a.fingerprint);
    if (a.status == pipeline::AlertStatus::kFiring) {
      if (it == open.end()) {
        Episode e;
        e.table = tr.table;
        e.from_ms =
            absl::ToUnixMillis(a.starts_at == absl::InfinitePast() ? a.event_time : a.starts_at);
        it = open.emplace(a.fingerprint, static_cast<int32_t>(episodes_.size())).first;
        episodes_.push_back(e);
        if (tr.table >= 0) table_episodes_[tr.table].push_back(it->second);
      }
      episodes_[it->second].fired = &a;
      episodes_[it->second].transitions.push_back(&tr.transition);
    } else {
      if (it == open.end()) {  // resolved with no firing seen (a resumed state): a point
        Episode e;
        e.table = tr.table;
        e.from_ms =
            absl::ToUnixMillis(a.starts_at == absl::InfinitePast() ? a.event_time : a.starts_at);
        e.fired = &a;
        e.to_ms = absl::ToUnixMillis(a.ends_at.value_or(a.event_time));
        e.transitions.push_back(&tr.transition);
        if (tr.table >= 0) {
          table_episodes_[tr.table].push_back(static_cast<int32_t>(episodes_.size()));
        }
        episodes_.push_back(e);
        continue;
      }
      Episode& e = episodes_[it->second];
      e.to_ms = absl::ToUnixMillis(a.ends_at.value_or(a.event_time));
      e.transitions.push_back(&tr.transition);
      open.erase(it);
    }
  }
}

// Names in (cluster, database, schema, table) order, without building strings.
bool NameLess(const Recording& rec, int32_t a, int32_t b) {
  const TableRecord& x = rec.tables[a];
  const TableRecord& y = rec.tables[b];
  return std::tie(x.cluster, x.database, x.schema, x.table) <
         std::tie(y.cluster, y.database, y.schema, y.table);
}

// Alerted tables and the others, the alerted in page order, the others' first
// `others_wanted` by dead tuples (a partial sort keeps a fleet's report cheap).
void Rank(const Recording& rec, const std::vector<char>& has_transitions, size_t others_wanted,
          std::vector<int32_t>* alerted, std::vector<int32_t>* others) {
  for (size_t i = 0; i < rec.tables.size(); ++i) {
    (rec.tables[i].alerted() || has_transitions[i] ? alerted : others)
        ->push_back(static_cast<int32_t>(i));
  }
  std::sort(alerted->begin(), alerted->end(), [&](int32_t a, int32_t b) {
    const TableRecord& x = rec.tables[a];
    const TableRecord& y = rec.tables[b];
    const int sx = x.worst ? static_cast<int>(*x.worst) : 0;
    const int sy = y.worst ? static_cast<int>(*y.worst) : 0;
    if (sx != sy) return sx > sy;
    if (x.peak_ratio != y.peak_ratio) return x.peak_ratio > y.peak_ratio;
    return NameLess(rec, a, b);
  });
  const size_t head = std::min(others_wanted, others->size());
  std::partial_sort(others->begin(), others->begin() + static_cast<ptrdiff_t>(head), others->end(),
                    [&](int32_t a, int32_t b) {
                      const TableRecord& x = rec.tables[a];
                      const TableRecord& y = rec.tables[b];
                      if (x.peak_dead != y.peak_dead) return x.peak_dead > y.peak_dead;
                      return NameLess(rec, a, b);
                    });
}

std::vector<char> TablesWithTransitions(const Recording& rec) {
  std::vector<char> has(rec.tables.size(), 0);
  for (const TransitionRecord& t : rec.transitions) {
    if (t.table >= 0) has[t.table] = 1;
  }
  return has;
}

std::vector<int32_t> Charted(const Recording& rec, const ReportOptions& opt,
                             const std::vector<int32_t>& alerted,
                             const std::vector<int32_t>& others, int64_t* alerted_not_charted) {
  std::vector<int32_t> charted;
  for (int32_t t : alerted) {
    if (static_cast<int>(charted.size()) >= opt.max_charts) {
      ++*alerted_not_charted;
      continue;
    }
    charted.push_back(t);
  }
  for (size_t k = 0; k < others.size() && k < static_cast<size_t>(std::max(0, opt.top_n)); ++k) {
    if (static_cast<int>(charted.size()) >= opt.max_charts) break;
    if (rec.tables[others[k]].peak_dead == 0) break;  // nothing to draw from here on
    charted.push_back(others[k]);
  }
  return charted;
}

void Writer::Select() {
  const size_t n = rec_.tables.size();
  is_charted_.assign(n, 0);
  is_listed_.assign(n, 0);
  std::vector<char> has(n, 0);
  for (size_t i = 0; i < n; ++i) has[i] = table_episodes_[i].empty() ? 0 : 1;
  std::vector<int32_t> alerted, others;
  Rank(rec_, has, static_cast<size_t>(std::max(0, opt_.top_n)), &alerted, &others);
  alerted_tables_ = static_cast<int64_t>(alerted.size());
  charted_ = Charted(rec_, opt_, alerted, others, &alerted_not_charted_);
  for (int32_t t : charted_) is_charted_[t] = 1;
  // Listed: the drawn ones, then the rest of the alerting ones, then by dead ratio.
  int64_t listed = 0;
  for (int32_t t : charted_) {
    is_listed_[t] = 1;
    ++listed;
  }
  for (int32_t t : alerted) {
    if (is_listed_[t]) continue;
    if (listed >= opt_.max_table_rows) {
      ++rows_not_listed_;
      continue;
    }
    is_listed_[t] = 1;
    ++listed;
  }
  std::vector<int32_t> rest;
  rest.reserve(others.size());
  for (int32_t t : others) {
    if (!is_listed_[t]) rest.push_back(t);
  }
  const size_t room = static_cast<size_t>(std::max<int64_t>(0, opt_.max_table_rows - listed));
  const size_t head = std::min(room, rest.size());
  std::partial_sort(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(head), rest.end(),
                    [&](int32_t a, int32_t b) {
                      const double x = rec_.tables[a].dead_ratio();
                      const double y = rec_.tables[b].dead_ratio();
                      if (x != y) return x > y;
                      return NameLess(rec_, a, b);
                    });
  for (size_t k = 0; k < head; ++k) is_listed_[rest[k]] = 1;
  rows_not_listed_ += static_cast<int64_t>(rest.size() - head);
  table_advice_.assign(n, nullptr);
  for (const TableAdvice& a : advice_.tables) {
    if (a.table >= 0 && static_cast<size_t>(a.table) < n) table_advice_[a.table] = &a;
  }
}

void Writer::Write() {
  from_ms_ = rec_.first == absl::InfiniteFuture() ? 0 : absl::ToUnixMillis(rec_.first);
  to_ms_ = rec_.last == absl::InfinitePast() ? from_ms_ + 1000 : absl::ToUnixMillis(rec_.last);
  if (to_ms_ <= from_ms_) to_ms_ = from_ms_ + 1000;
  BuildEpisodes();
  Select();
  o_ += "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\"><head>";
  o_ += "<meta charset=\"utf-8\"/>";
  // Nothing may load from anywhere: styles inline, images only as data: (there are none).
  o_ +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\"/>";
  o_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  o_ += "<meta name=\"color-scheme\" content=\"light dark\"/>";
  absl::StrAppend(&o_, "<title>", Escaped(opt_.title), "</title><style>", Av(kStyle),
                  "</style></head>\n<body>\n");
  Header();
  Nav();
  const int32_t shown =
      std::min<int32_t>(static_cast<int32_t>(rec_.clusters.size()), opt_.max_clusters);
  for (int32_t ci = 0; ci < shown; ++ci) Cluster(ci);
  OtherClusters();
  if (!charted_.empty()) o_ += "<h2 id=\"tables\">Tables</h2>\n";
  for (int32_t ti : charted_) TableDetail(ti);
  o_ += "<footer class=\"muted\"><p>Written by vacwatch report from the inputs above; times in ";
  AppendEscaped(opt_.zone_name, &o_);
  o_ += ".</p></footer>\n</body></html>\n";
}

void Writer::Header() {
  absl::StrAppend(&o_, "<header><h1>", Escaped(opt_.title), "</h1><p>");
  if (rec_.first != absl::InfiniteFuture()) {
    absl::StrAppend(&o_, "From ", Escaped(Time(rec_.first)), " to ", Escaped(Time(rec_.last)), " (",
                    Escaped(opt_.zone_name), "): ");
  }
  absl::StrAppend(&o_, rec_.clusters.size(), " cluster(s), ", rec_.tables.size(), " table(s), ",
                  rec_.snapshots, " snapshot(s), ", rec_.log_events, " autovacuum log event(s), ",
                  rec_.transitions.size(), " alert transition(s), ", alerted_tables_,
                  " table(s) alerted.</p>");
  if (!opt_.inputs.empty()) {
    o_ += "<p class=\"muted\">Inputs: ";
    for (size_t i = 0; i < opt_.inputs.size(); ++i) {
      if (i) o_ += ", ";
      absl::StrAppend(&o_, "<code>", Escaped(opt_.inputs[i]), "</code>");
    }
    o_ += "</p>";
  }
  if (alerted_not_charted_ > 0 || rows_not_listed_ > 0 || rec_.samples_thinned > 0) {
    o_ += "<p class=\"muted\">";
    if (alerted_not_charted_ > 0) {
      absl::StrAppend(&o_, alerted_not_charted_, " alerting table(s) beyond the first ",
                      opt_.max_charts, " are listed but not drawn. ");
    }
    if (rows_not_listed_ > 0) {
      absl::StrAppend(&o_, rows_not_listed_,
                      " table(s) with the lowest dead ratios are not listed "
                      "(`vacwatch explain` has each). ");
    }
    if (rec_.samples_thinned > 0) {
      absl::StrAppend(&o_,
                      "Long series of tables that did not alert are thinned to keep their "
                      "peaks (",
                      rec_.samples_thinned, " samples merged).");
    }
    o_ += "</p>";
  }
  o_ += "</header>\n";
}

void Writer::Nav() {
  o_ += "<nav><strong>Clusters</strong><ul>";
  const int32_t shown =
      std::min<int32_t>(static_cast<int32_t>(rec_.clusters.size()), opt_.max_clusters);
  for (int32_t ci = 0; ci < shown; ++ci) {
    absl::StrAppend(&o_, "<li><a href=\"#", Anchor("c-", rec_.clusters[ci].name), "\">",
                    Escaped(rec_.clusters[ci].name), "</a></li>");
  }
  if (rec_.clusters.size() > static_cast<size_t>(shown)) {
    o_ += "<li><a href=\"#other-clusters\">the other clusters</a></li>";
  }
  o_ += "</ul>";
  if (!charted_.empty()) {
    o_ += "<strong>Tables drawn</strong><ul>";
    for (int32_t ti : charted_) {
      const std::string name = TableName(rec_, rec_.tables[ti]);
      const TableRecord& t = rec_.tables[ti];
      absl::StrAppend(&o_, "<li><a href=\"#", Anchor("t-", name), "\">", Escaped(name), "</a>");
      if (t.worst) {
        absl::StrAppend(&o_, "<span class=\"badge ", Av(SevClass(*t.worst)), "\">",
                        Av(pipeline::SeverityName(*t.worst)), "</span>");
      }
      o_ += "</li>";
    }
    o_ += "</ul>";
  }
  o_ += "</nav>\n";
}

void Writer::Cluster(int32_t ci) {
  const ClusterRecord& c = rec_.clusters[ci];
  absl::StrAppend(&o_, "<section class=\"cluster\" id=\"", Anchor("c-", c.name),
                  "\" data-cluster=\"", Escaped(c.name), "\"><h2>Cluster ", Escaped(c.name),
                  "</h2>");
  absl::StrAppend(&o_, "<p class=\"muted\">autovacuum_max_workers ", c.max_workers,
                  ", autovacuum_naptime ", c.naptime_s, " s, cost limit ", c.cost_limit,
                  ", cost delay ", Fixed(c.cost_delay_ms, 1), " ms",
                  c.server_version_num
                      ? absl::StrCat(", server_version_num ", *c.server_version_num)
                      : std::string(),
                  ".</p>\n");
  Timeline(ci);
  Horizon(ci);
  TablesTable(ci);
  ClusterAdvice(ci);
  o_ += "</section>\n";
}

void Writer::Timeline(int32_t ci) {
  std::vector<int32_t> rows;
  int64_t alerting = 0;
  for (int32_t ti : charted_) {
    if (rec_.tables[ti].cluster == ci && !table_episodes_[ti].empty()) rows.push_back(ti);
  }
  for (size_t ti = 0; ti < rec_.tables.size(); ++ti) {
    if (rec_.tables[ti].cluster == ci && !table_episodes_[ti].empty()) ++alerting;
  }
  // Alerts of no table (cluster-wide) get a row of their own.
  std::vector<int32_t> loose;
  for (size_t e = 0; e < episodes_.size(); ++e) {
    const Episode& ep = episodes_[e];
    if (ep.table < 0 && ep.fired != nullptr && ep.fired->cluster == rec_.clusters[ci].name) {
      loose.push_back(static_cast<int32_t>(e));
    }
  }
  o_ += "<h3>Alert timeline</h3>";
  if (rows.empty() && loose.empty()) {
    o_ += "<p>No alert.</p>\n";
    return;
  }
  const double row_h = 30;
  const size_t n_rows = rows.size() + (loose.empty() ? 0 : 1);
  ChartSpec spec = Spec(Anchor("timeline-", rec_.clusters[ci].name), "timeline",
                        "alert timeline of cluster " + rec_.clusters[ci].name, "");
  spec.value_axis = false;
  spec.height = 10 + row_h * static_cast<double>(n_rows) + 36;
  SvgChart chart(spec, &o_);
  auto draw_episode = [&](const Episode& ep, double y) {
    const pipeline::Alert& a = *ep.fired;
    const int64_t to = ep.to_ms < 0 ? to_ms_ : ep.to_ms;
    const double x1 = chart.X(ep.from_ms);
    const double x2 = std::max(chart.X(to), x1 + 2);
    std::string label = absl::StrCat(a.alert, " \xC2\xB7 ", Av(pipeline::CauseName(a.cause)));
    if (a.holder) absl::StrAppend(&label, " \xC2\xB7 ", a.holder->id);
    absl::StrAppend(
        &o_, "<rect class=\"span ", Av(SevClass(a.severity)), "\" data-alert=\"", Escaped(a.alert),
        "\" data-cause=\"", Av(pipeline::CauseName(a.cause)), "\" data-severity=\"",
        Av(pipeline::SeverityName(a.severity)), "\" x=\"", Fixed(x1, 1), "\" y=\"",
        Fixed(y + 13, 1), "\" width=\"", Fixed(x2 - x1, 1), "\" height=\"13\"><title>",
        Escaped(absl::StrCat(label, ", ", Time(ep.from_ms), " to ",
                             ep.to_ms < 0 ? "the end (still firing)" : Time(to), ": ", a.summary)),
        "</title></rect><text class=\"span-label\" x=\"", Fixed(x1 + 3, 1), "\" y=\"",
        Fixed(y + 23, 1), "\">", Escaped(label), "</text>");
    for (const pipeline::AlertTransition* t : ep.transitions) {
      const pipeline::Alert& ta = t->alert;
      const double x = chart.X(absl::ToUnixMillis(ta.event_time));
      std::string when;
      JsonWriter::AppendTime(ta.event_time, &when);
      absl::StrAppend(
          &o_, "<path class=\"transition ", Av(pipeline::AlertStatusName(ta.status)),
          "\" data-seq=\"", t->seq, "\" data-status=\"", Av(pipeline::AlertStatusName(ta.status)),
          "\" data-alert=\"", Escaped(ta.alert), "\" data-table=\"",
          Escaped(ta.table.empty()
                      ? ta.cluster
                      : absl::StrCat(ta.cluster, "/", ta.database, ".", ta.schema, ".", ta.table)),
          "\" data-time=\"", Escaped(when), "\" d=\"M", Fixed(x, 1), " ", Fixed(y + 10, 1),
          "v19\"><title>",
          Escaped(absl::StrCat(Av(pipeline::AlertStatusName(ta.status)), " ", ta.alert, " at ",
                               Time(ta.event_time))),
          "</title></path>");
    }
  };
  double y = 10;
  for (int32_t ti : rows) {
    const std::string name = TableName(rec_, rec_.tables[ti]);
    absl::StrAppend(&o_, "<g class=\"timeline-row\" data-table=\"", Escaped(name),
                    "\"><text class=\"row-label\" x=\"", Fixed(chart.X(from_ms_), 1), "\" y=\"",
                    Fixed(y + 9, 1), "\">", Escaped(rec_.tables[ti].QualifiedName()), "</text>");
    for (int32_t e : table_episodes_[ti]) draw_episode(episodes_[e], y);
    o_ += "</g>";
    y += row_h;
  }
  if (!loose.empty()) {
    absl::StrAppend(&o_, "<g class=\"timeline-row\" data-table=\"", Escaped(rec_.clusters[ci].name),
                    "\"><text class=\"row-label\" x=\"", Fixed(chart.X(from_ms_), 1), "\" y=\"",
                    Fixed(y + 9, 1), "\">(cluster)</text>");
    for (int32_t e : loose) draw_episode(episodes_[e], y);
    o_ += "</g>";
  }
  chart.Finish();
  if (alerting > static_cast<int64_t>(rows.size())) {
    absl::StrAppend(&o_, "<p class=\"muted\">", alerting - static_cast<int64_t>(rows.size()),
                    " more alerting table(s) of this cluster are not drawn (see the table "
                    "below).</p>");
  }
  o_ += "\n";
}

void Writer::Horizon(int32_t ci) {
  const ClusterRecord& c = rec_.clusters[ci];
  double y_max = 0;
  for (const HorizonSeries& h : c.horizons) {
    for (const HorizonPoint& p : h.points) y_max = std::max(y_max, static_cast<double>(p.age_xids));
  }
  o_ += "<h3>Horizon age</h3>";
  if (c.horizons.empty()) {
    o_ += "<p>No snapshot of this cluster.</p>\n";
    return;
  }
  ChartSpec spec = Spec(Anchor("horizon-", c.name), "chart chart-horizon",
                        "age of the xmin horizon per database of cluster " + c.name, "");
  spec.y_max = std::max(y_max, 10.0);
  spec.y_label = "horizon age (XIDs)";
  // Roots worth naming: old enough to matter against the oldest this cluster saw (the
  // young snapshots of busy sessions come and go at every snapshot).
  const int64_t notable = std::max<int64_t>(1000, static_cast<int64_t>(y_max / 20));
  SvgChart chart(spec, &o_);
  static constexpr std::string_view kPalette[] = {"#0369a1", "#c2410c", "#15803d", "#7e22ce",
                                                  "#be123c", "#4d7c0f", "#0e7490", "#a16207"};
  for (size_t d = 0; d < c.horizons.size(); ++d) {
    const HorizonSeries& h = c.horizons[d];
    std::vector<Point> pts;
    pts.reserve(h.points.size());
    for (const HorizonPoint& p : h.points)
      pts.emplace_back(p.time_ms, static_cast<double>(p.age_xids));
    absl::StrAppend(&o_, "<g class=\"horizon-db\" data-database=\"", Escaped(h.database),
                    "\" style=\"stroke:", Av(kPalette[d % 8]), ";fill:", Av(kPalette[d % 8]),
                    "\">");
    chart.Line("series series-horizon", pts, "horizon age of database " + h.database);
    // A mark where the root changes, named.
    int32_t last_root = -2;
    for (const HorizonPoint& p : h.points) {
      if (p.root == last_root) continue;
      last_root = p.root;
      if (p.root < 0 || p.age_xids < notable) continue;
      absl::StrAppend(
          &o_, "<circle class=\"root-mark\" style=\"fill:", Av(kPalette[d % 8]), "\" cx=\"",
          Fixed(chart.X(p.time_ms), 1), "\" cy=\"",
          Fixed(chart.Y(static_cast<double>(p.age_xids)), 1), "\" r=\"3\"><title>",
          Escaped(absl::StrCat(h.database, ": root ", c.roots[p.root], " from ", Time(p.time_ms))),
          "</title></circle>");
    }
    o_ += "</g>";
  }
  chart.Finish();
  o_ += "<p class=\"legend\">";
  for (size_t d = 0; d < c.horizons.size(); ++d) {
    absl::StrAppend(&o_, "<span><i class=\"key\" style=\"background:", Av(kPalette[d % 8]),
                    "\"></i>", Escaped(c.horizons[d].database), "</span>");
  }
  o_ += "</p>";
  // The roots, named, with how long and how old each held each database.
  o_ +=
      "<table class=\"roots\"><thead><tr><th>database</th><th>root</th><th>from</th>"
      "<th>to</th><th>max age (XIDs)</th></tr></thead><tbody>";
  bool any = false;
  constexpr int kMaxRootRows = 30;
  int listed = 0;
  for (const HorizonSeries& h : c.horizons) {
    size_t i = 0;
    while (i < h.points.size()) {
      const int32_t root = h.points[i].root;
      size_t j = i;
      int64_t max_age = 0;
      while (j < h.points.size() && h.points[j].root == root) {
        max_age = std::max(max_age, h.points[j].age_xids);
        ++j;
      }
      // Only roots old enough to matter (young sessions come and go every snapshot).
      if (root >= 0 && max_age >= notable && ++listed <= kMaxRootRows) {
        any = true;
        absl::StrAppend(&o_, "<tr><td>", Escaped(h.database), "</td><td>", Escaped(c.roots[root]),
                        "</td><td>", Escaped(Time(h.points[i].time_ms)), "</td><td>",
                        Escaped(Time(h.points[j - 1].time_ms)), "</td><td>",
                        Count(static_cast<double>(max_age)), "</td></tr>");
      }
      i = j;
    }
  }
  if (!any) {
    absl::StrAppend(&o_, "<tr><td>every database</td><td>no root ",
                    Count(static_cast<double>(notable)), " XIDs old or older</td></tr>");
  }
  o_ += "</tbody></table>";
  if (listed > kMaxRootRows) {
    absl::StrAppend(&o_, "<p class=\"muted\">", listed - kMaxRootRows,
                    " more root episode(s) not listed.</p>");
  }
  o_ += "\n";
}

void Writer::TablesTable(int32_t ci) {
  std::vector<int32_t> rows;
  for (size_t ti = 0; ti < rec_.tables.size(); ++ti) {
    if (rec_.tables[ti].cluster == ci && is_listed_[ti]) rows.push_back(static_cast<int32_t>(ti));
  }
  o_ += "<h3>Every table</h3>";
  if (rows.empty()) {
    o_ += "<p>No table listed.</p>\n";
    return;
  }
  // Rank of each row under each of the 9 orders; CSS picks one with the radio buttons.
  constexpr int kKeys = 9;
  std::vector<std::vector<int32_t>> rank(kKeys, std::vector<int32_t>(rows.size()));
  auto value = [&](int key, const TableRecord& t) -> double {
    switch (key) {
      case 1:
        return static_cast<double>(t.dead);
      case 2:
        return t.trigger;
      case 3:
        return t.dead_ratio();
      case 4:
        return static_cast<double>(t.runs);
      case 5:
        return static_cast<double>(t.effective_runs);
      case 6:
        return t.last_autovacuum ? absl::ToUnixSeconds(*t.last_autovacuum) : -1e18;
      case 7:
        return static_cast<double>(t.freeze_age);
      case 8:
        return static_cast<double>(t.alerts);
      default:
        return 0;
    }
  };
  for (int key = 0; key < kKeys; ++key) {
    std::vector<size_t> idx(rows.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      const TableRecord& x = rec_.tables[rows[a]];
      const TableRecord& y = rec_.tables[rows[b]];
      if (key > 0) {
        const double vx = value(key, x), vy = value(key, y);
        if (vx != vy) return vx > vy;  // largest first
      }
      return x.QualifiedName() < y.QualifiedName();
    });
    for (size_t pos = 0; pos < idx.size(); ++pos) rank[key][idx[pos]] = static_cast<int32_t>(pos);
  }
  const std::string group = Anchor("sort-", rec_.clusters[ci].name);
  o_ += "<div class=\"sortable\">";
  for (int key = 0; key < kKeys; ++key) {
    absl::StrAppend(&o_, "<input type=\"radio\" class=\"sort-", key + 1, "\" name=\"", group,
                    "\" id=\"", group, "-", key + 1, "\"", key == 3 ? " checked=\"checked\"" : "",
                    "/>");
  }
  static constexpr std::string_view kHeads[kKeys] = {
      "table",          "dead tuples",     "trigger",    "dead ratio", "runs",
      "effective runs", "last autovacuum", "freeze age", "alerts"};
  o_ += "<table class=\"tables\"><thead><tr>";
  for (int key = 0; key < kKeys; ++key) {
    absl::StrAppend(&o_, "<th><label for=\"", group, "-", key + 1, "\">", Av(kHeads[key]),
                    "</label></th>");
  }
  o_ += "</tr></thead><tbody>";
  // Rows in the default order (dead ratio), so the page reads right even without CSS.
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) order[rank[3][i]] = i;
  for (size_t pos : order) {
    const int32_t ti = rows[pos];
    const TableRecord& t = rec_.tables[ti];
    o_ += "<tr style=\"";
    for (int key = 0; key < kKeys; ++key)
      absl::StrAppend(&o_, "--k", key + 1, ":", rank[key][pos], ";");
    absl::StrAppend(&o_, "\" data-table=\"", Escaped(TableName(rec_, t)), "\"><td>");
    if (is_charted_[ti]) {
      absl::StrAppend(&o_, "<a href=\"#", Anchor("t-", TableName(rec_, t)), "\">",
                      Escaped(t.QualifiedName()), "</a>");
    } else {
      AppendEscaped(t.QualifiedName(), &o_);
    }
    absl::StrAppend(
        &o_, "</td><td>", t.dead, "</td><td>", Fixed(t.trigger, 0), "</td><td>",
        Percent(t.dead_ratio()), "</td><td>", t.runs, "</td><td>", t.effective_runs, "</td><td>",
        t.last_autovacuum ? Escaped(Time(*t.last_autovacuum)) : std::string("never"), "</td><td>",
        t.freeze_age < 0 ? std::string("?") : Count(static_cast<double>(t.freeze_age)), "</td><td>",
        t.alerts, "</td></tr>");
  }
  o_ += "</tbody></table></div>";
  o_ +=
      "<p class=\"muted\">Click a column's name to sort by it (largest first; no script: "
      "the order is CSS). Dead ratio = n_dead_tup / (n_live_tup + n_dead_tup) at the last "
      "snapshot; effective runs removed at least as many tuples as they left as not yet "
      "removable.</p>\n";
}

void Writer::ClusterAdvice(int32_t ci) {
  const std::string& name = rec_.clusters[ci].name;
  o_ += "<h3>Settings template</h3>";
  for (const report::ClusterAdvice& c : advice_.clusters) {
    if (c.cluster != name) continue;
    o_ +=
        "<table class=\"template\"><thead><tr><th>setting</th><th>now</th><th>proposed</th>"
        "<th>why</th></tr></thead><tbody>";
    for (size_t i = 0; i < c.settings.size(); ++i) {
      absl::StrAppend(&o_, "<tr><td>", Escaped(c.settings[i].name), "</td><td>",
                      Escaped(c.settings[i].current), "</td><td>", Escaped(c.settings[i].value),
                      "</td><td style=\"text-align:left;white-space:normal\">", Escaped(c.why[i]),
                      "</td></tr>");
    }
    absl::StrAppend(&o_, "</tbody></table><pre class=\"sql\">", Escaped(c.sql), "</pre>\n");
    return;
  }
  o_ += "<p>The server settings fit what the tables asked of them.</p>\n";
}

void Writer::OtherClusters() {
  if (rec_.clusters.size() <= static_cast<size_t>(opt_.max_clusters)) return;
  o_ +=
      "<section id=\"other-clusters\"><h2>The other clusters</h2><table><thead><tr>"
      "<th>cluster</th><th>tables</th><th>alerting tables</th><th>max horizon age</th>"
      "</tr></thead><tbody>";
  std::vector<int64_t> tables(rec_.clusters.size()), alerting(rec_.clusters.size());
  for (size_t ti = 0; ti < rec_.tables.size(); ++ti) {
    ++tables[rec_.tables[ti].cluster];
    if (!table_episodes_[ti].empty()) ++alerting[rec_.tables[ti].cluster];
  }
  for (size_t ci = opt_.max_clusters; ci < rec_.clusters.size(); ++ci) {
    int64_t age = 0;
    for (const HorizonSeries& h : rec_.clusters[ci].horizons) {
      for (const HorizonPoint& p : h.points) age = std::max(age, p.age_xids);
    }
    absl::StrAppend(&o_, "<tr><td>", Escaped(rec_.clusters[ci].name), "</td><td>", tables[ci],
                    "</td><td>", alerting[ci], "</td><td>", Count(static_cast<double>(age)),
                    "</td></tr>");
  }
  o_ += "</tbody></table></section>\n";
}

void Writer::DeadChart(int32_t ti, const std::string& name) {
  const TableRecord& t = rec_.tables[ti];
  double y_max = t.trigger;
  std::vector<Point> dead, trigger;
  dead.reserve(t.samples.size());
  trigger.reserve(t.samples.size());
  for (const Sample& s : t.samples) {
    dead.emplace_back(s.time_ms, s.dead);
    trigger.emplace_back(s.time_ms, s.trigger);
    y_max = std::max({y_max, static_cast<double>(s.dead), static_cast<double>(s.trigger)});
  }
  for (const RunMark& r : t.run_marks) {
    y_max = std::max(
        y_max, static_cast<double>(std::max(0.0f, r.removed) + std::max(0.0f, r.not_removable)));
  }
  ChartSpec spec = Spec(Anchor("t-", name) + "-dead", "chart chart-dead",
                        "dead tuples against the autovacuum trigger of " + name, name);
  spec.y_max = std::max(y_max, 10.0);
  spec.y_label = "tuples";
  SvgChart chart(spec, &o_);
  for (int32_t e : table_episodes_[ti]) {
    const Episode& ep = episodes_[e];
    chart.Span(absl::StrCat("alert-span ", Av(SevClass(ep.fired->severity))), ep.from_ms,
               ep.to_ms < 0 ? to_ms_ : ep.to_ms,
               absl::StrCat(ep.fired->alert, " (", Av(pipeline::CauseName(ep.fired->cause)), ")"),
               absl::StrCat(" data-alert=\"", Escaped(ep.fired->alert), "\""));
  }
  o_ += "<g class=\"runs\">";
  for (const RunMark& r : t.run_marks) {
    const double x = chart.X(r.time_ms);
    std::string title = absl::StrCat(Av(RunKindName(r.kind)), " at ", Time(r.time_ms));
    absl::StrAppend(&o_, "<g class=\"run-marker run-", Av(RunKindName(r.kind)), "\" data-kind=\"",
                    Av(RunKindName(r.kind)), "\">");
    if (r.kind == RunKind::kSkipped || r.kind == RunKind::kCancelled) {
      absl::StrAppend(&title, r.kind == RunKind::kSkipped ? ": lock not available"
                                                          : ": cancelled by a lock request");
      if (r.kind == RunKind::kSkipped) {
        absl::StrAppend(&o_, "<path class=\"run-glyph\" d=\"M", Fixed(x - 3, 1), " ",
                        Fixed(chart.bottom() - 7, 1), "l6 6m0 -6l-6 6\"/>");
      } else {
        absl::StrAppend(&o_, "<path class=\"run-glyph\" d=\"M", Fixed(x, 1), " ",
                        Fixed(chart.bottom() - 8, 1), "l4 7h-8z\"/>");
      }
    } else {
      const double removed = std::max(0.0f, r.removed);
      const double kept = std::max(0.0f, r.not_removable);
      absl::StrAppend(&title, ": removed ", r.removed < 0 ? "?" : Count(removed),
                      ", dead but not yet removable ", r.not_removable < 0 ? "?" : Count(kept),
                      r.elapsed_s >= 0 ? absl::StrCat(", ", Fixed(r.elapsed_s, 1), " s") : "");
      if (removed > 0) {
        absl::StrAppend(&o_, "<line class=\"run-removed\" x1=\"", Fixed(x, 1), "\" x2=\"",
                        Fixed(x, 1), "\" y1=\"", Fixed(chart.Y(0), 1), "\" y2=\"",
                        Fixed(chart.Y(removed), 1), "\"/>");
      }
      if (kept > 0) {
        absl::StrAppend(&o_, "<line class=\"run-kept\" x1=\"", Fixed(x, 1), "\" x2=\"", Fixed(x, 1),
                        "\" y1=\"", Fixed(chart.Y(removed), 1), "\" y2=\"",
                        Fixed(chart.Y(removed + kept), 1), "\"/>");
      }
      absl::StrAppend(&o_, "<circle class=\"run-glyph\" cx=\"", Fixed(x, 1), "\" cy=\"",
                      Fixed(chart.bottom() - 3, 1), "\" r=\"3\"/>");
    }
    absl::StrAppend(&o_, "<title>", Escaped(title), "</title></g>");
  }
  o_ += "</g>";
  // Above the runs' bars, so the lines stay visible where runs are dense.
  chart.Steps("trigger-line", trigger, "autovacuum trigger (dead tuples)");
  chart.Line("series series-dead", dead, "n_dead_tup");
  chart.Finish();
  o_ +=
      "<p class=\"legend\"><span><i class=\"key\" style=\"background:var(--dead)\"></i>dead "
      "tuples</span><span><i class=\"key\" style=\"background:var(--trigger)\"></i>trigger"
      "</span><span><i class=\"key\" style=\"background:var(--removed)\"></i>removed by a run"
      "</span><span><i class=\"key\" style=\"background:var(--kept)\"></i>dead but not yet "
      "removable</span><span>\xE2\x9C\x95 skipped, \xE2\x96\xB2 cancelled</span></p>";
}

void Writer::Evidence(const pipeline::Alert& a) {
  if (!a.evidence.empty()) {
    o_ += "<table class=\"evidence\"><tbody>";
    for (const pipeline::EvidenceItem& item : a.evidence) {
      std::string v;
      if (const auto* i = std::get_if<int64_t>(&item.value)) {
        v = absl::StrCat(*i);
      } else if (const auto* d = std::get_if<double>(&item.value)) {
        v = Fixed(*d, 3);
      } else {
        v = std::get<std::string>(item.value);
      }
      absl::StrAppend(&o_, "<tr><td>", Escaped(item.name), "</td><td>", Escaped(v), "</td></tr>");
    }
    o_ += "</tbody></table>";
  }
  if (a.holder) {
    absl::StrAppend(&o_, "<p>Root holder: <strong>", Escaped(a.holder->id), "</strong>");
    if (!a.holder->application_name.empty()) {
      absl::StrAppend(&o_, " (", Escaped(a.holder->application_name), ")");
    }
    if (a.holder->age_xids)
      absl::StrAppend(&o_, ", ", Count(static_cast<double>(*a.holder->age_xids)), " XIDs old");
    o_ += "</p>";
  }
  if (!a.recommendation.empty()) {
    absl::StrAppend(&o_, "<pre class=\"sql recommendation\">", Escaped(a.recommendation), "</pre>");
  }
}

void Writer::AdviceBlock(const TableAdvice& a) {
  absl::StrAppend(&o_, "<div class=\"advice\" data-kind=\"", Av(AdviceKindName(a.kind)),
                  "\"><h4>Advice</h4><p>", Escaped(a.reason), "</p>");
  if (a.kind == AdviceKind::kSettings) {
    absl::StrAppend(&o_, "<p>Measured: ", Fixed(a.write_rate, 1), " dead tuples/s, ",
                    Fixed(a.insert_rate, 1), " inserts/s, ", Count(a.live), " live tuples",
                    a.run_seconds >= 0 ? absl::StrCat(", runs of ", Fixed(a.run_seconds, 1), " s")
                                       : std::string(),
                    ". Dead-ratio peak: observed ", Percent(a.observed_peak_ratio), ", predicted ",
                    Percent(a.predicted_peak_now), " now, <strong>", Percent(a.predicted_peak),
                    "</strong> with:</p>");
    absl::StrAppend(&o_, "<pre class=\"sql\">", Escaped(a.sql), "</pre>");
  }
  o_ += "</div>";
}

void Writer::TableDetail(int32_t ti) {
  const TableRecord& t = rec_.tables[ti];
  const std::string name = TableName(rec_, t);
  absl::StrAppend(&o_, "<section class=\"table-detail\" id=\"", Anchor("t-", name),
                  "\" data-table=\"", Escaped(name), "\"><h3>", Escaped(name));
  if (t.worst) {
    absl::StrAppend(&o_, "<span class=\"badge ", Av(SevClass(*t.worst)), "\">",
                    Av(pipeline::SeverityName(*t.worst)), "</span>");
  }
  absl::StrAppend(
      &o_, "</h3><p>", t.dead, " dead and ", t.live, " live tuples at the last snapshot (",
      Percent(t.dead_ratio()), "), trigger ", Fixed(t.trigger, 0), " (", t.params.vacuum_threshold,
      " + ", Fixed(t.params.vacuum_scale_factor, 3), " \xC3\x97 ", Count(t.reltuples),
      " reltuples); peak dead ratio ", Percent(t.peak_ratio), "; ", t.runs, " run(s), ",
      t.effective_runs, " effective, ", t.skipped, " skipped, ", t.cancelled,
      " cancelled; last autovacuum ",
      t.last_autovacuum ? Escaped(Time(*t.last_autovacuum)) : std::string("never"), ".</p>");
  DeadChart(ti, name);
  // Relation size.
  std::vector<Point> size, freeze, freeze_max;
  double size_max = 0, freeze_top = static_cast<double>(t.params.freeze_max_age);
  for (const Sample& s : t.samples) {
    if (s.size_bytes >= 0) {
      size.emplace_back(s.time_ms, s.size_bytes);
      size_max = std::max(size_max, static_cast<double>(s.size_bytes));
    }
    if (s.freeze_age >= 0) {
      freeze.emplace_back(s.time_ms, s.freeze_age);
      freeze_top = std::max(freeze_top, static_cast<double>(s.freeze_age));
    }
  }
  if (!size.empty()) {
    o_ += "<h4>Relation size</h4>";
    ChartSpec spec =
        Spec(Anchor("t-", name) + "-size", "chart chart-size", "relation size of " + name, name);
    spec.y_max = std::max(size_max, 8192.0);
    spec.y_label = "relation size";
    spec.format = ValueFormat::kBytes;
    spec.height = 150;
    SvgChart chart(spec, &o_);
    chart.Line("series series-size", size, "pg_relation_size");
    chart.Finish();
  }
  if (!freeze.empty()) {
    o_ += "<h4>Freeze age</h4>";
    ChartSpec spec = Spec(Anchor("t-", name) + "-freeze", "chart chart-freeze",
                          "relfrozenxid age against autovacuum_freeze_max_age of " + name, name);
    spec.y_max = freeze_top;
    spec.y_label = "age (XIDs)";
    spec.height = 150;
    SvgChart chart(spec, &o_);
    freeze_max = {{from_ms_, static_cast<double>(t.params.freeze_max_age)},
                  {to_ms_, static_cast<double>(t.params.freeze_max_age)}};
    chart.Steps("freeze-max-line", freeze_max, "autovacuum_freeze_max_age");
    chart.Line("series series-freeze", freeze, "age(relfrozenxid)");
    chart.Finish();
  }
  if (!table_episodes_[ti].empty()) {
    o_ += "<h4>Alerts</h4>";
    for (int32_t e : table_episodes_[ti]) {
      const Episode& ep = episodes_[e];
      const pipeline::Alert& a = *ep.fired;
      absl::StrAppend(
          &o_, "<div class=\"alert\" data-alert=\"", Escaped(a.alert), "\"><p><span class=\"badge ",
          Av(SevClass(a.severity)), "\">", Av(pipeline::SeverityName(a.severity)),
          "</span> <strong>", Escaped(a.alert), "</strong> (", Av(pipeline::CauseName(a.cause)),
          ") from ", Escaped(Time(ep.from_ms)), " to ",
          ep.to_ms < 0 ? std::string("the end (still firing)") : Escaped(Time(ep.to_ms)), ": ",
          Escaped(a.summary), "</p>");
      Evidence(a);
      o_ += "</div>";
    }
  }
  if (table_advice_[ti] != nullptr) AdviceBlock(*table_advice_[ti]);
  o_ += "</section>\n";
}

}  // namespace

std::vector<int32_t> ChartedTables(const Recording& recording, const ReportOptions& options) {
  std::vector<int32_t> alerted, others;
  Rank(recording, TablesWithTransitions(recording), static_cast<size_t>(std::max(0, options.top_n)),
       &alerted, &others);
  int64_t not_charted = 0;
  return Charted(recording, options, alerted, others, &not_charted);
}

void WriteHtmlReport(const Recording& recording, const Advice& advice, const ReportOptions& options,
                     std::string* out) {
  out->clear();
  Writer(recording, advice, options, out).Write();
}

}  // namespace vacwatch::report
