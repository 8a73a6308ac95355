#include "report/advisor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "report/markup.h"

namespace vacwatch::report {
namespace {

using pipeline::Cause;

constexpr double kBigTable = 1e6;           // from here a fixed threshold, scale factor 0
constexpr int64_t kMaxCostLimit = 10000;    // PostgreSQL's maximum
constexpr int64_t kDefaultCostLimit = 200;  // vacuum_cost_limit's default
constexpr double kDefaultCostDelayMs = 2;   // autovacuum_vacuum_cost_delay's (PG12+)

// Few significant digits, no trailing zeros: "0.025", "1200", "0".
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  std::string s = buf;
  if (s.find('e') != std::string::npos) {  // a big threshold: write it whole
    std::snprintf(buf, sizeof buf, "%.0f", v);
    s = buf;
  }
  return s;
}

std::string Percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100);
  return buf;
}

std::string Rate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double PeakRatio(double trigger, double write_rate, double lag_s, double live) {
  const double peak = trigger + write_rate * lag_s;
  return live + peak > 0 ? peak / (live + peak) : 0;
}

// Rounds a scale factor down to 2 significant digits (a proposal never rounds up past the
// target), at least 0.001.
double FloorScaleFactor(double sf) {
  if (sf <= 0.001) return 0.001;
  const double mag = std::pow(10.0, std::floor(std::log10(sf)) - 1);
  return std::floor(sf / mag) * mag;
}

// Rounds a threshold down to 2 significant digits, at least 50.
int64_t FloorThreshold(double t) {
  if (t <= 50) return 50;
  const double mag = std::pow(10.0, std::floor(std::log10(t)) - 1);
  return static_cast<int64_t>(std::floor(t / mag) * mag);
}

struct TableFacts {
  std::vector<Cause> causes;
  std::string holder;  // the last holder an alert named
};

bool Has(const TableFacts& f, Cause c) {
  return std::find(f.causes.begin(), f.causes.end(), c) != f.causes.end();
}

std::string MostFrequentRoot(const ClusterRecord& c) {
  std::vector<int64_t> count(c.roots.size(), 0);
  for (const HorizonSeries& h : c.horizons) {
    for (const HorizonPoint& p : h.points) {
      if (p.root >= 0 && p.age_xids > 0) ++count[p.root];
    }
  }
  int64_t best = 0;
  std::string name;
  for (size_t i = 0; i < count.size(); ++i) {
    if (count[i] > best) {
      best = count[i];
      name = c.roots[i];
    }
  }
  return name;
}

void AddSetting(std::vector<Setting>* out, std::string name, std::string value,
                std::string current) {
  if (value == current) return;
  out->push_back(Setting{std::move(name), std::move(value), std::move(current)});
}

}  // namespace

std::string_view AdviceKindName(AdviceKind kind) {
  switch (kind) {
    case AdviceKind::kSettings:
      return "settings";
    case AdviceKind::kHolder:
      return "holder";
    case AdviceKind::kNoSetting:
      return "no_setting";
  }
  return "settings";
}

std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) bare = false;
  }
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

Advice Advise(const Recording& rec, const AdvisorOptions& options) {
  Advice advice;
  advice.target_ratio = options.target_ratio;
  const double r = options.target_ratio;

  std::vector<char> wanted;
  if (options.only_tables != nullptr) {
    wanted.assign(rec.tables.size(), 0);
    for (int32_t t : *options.only_tables) {
      if (t >= 0 && static_cast<size_t>(t) < wanted.size()) wanted[t] = 1;
    }
  }
  std::vector<TableFacts> facts(rec.tables.size());
  for (const TransitionRecord& tr : rec.transitions) {
    const pipeline::Alert& a = tr.transition.alert;
    if (tr.table < 0 || a.status != pipeline::AlertStatus::kFiring) continue;
    TableFacts& f = facts[tr.table];
    if (!Has(f, a.cause)) f.causes.push_back(a.cause);
    if (a.holder) f.holder = a.holder->id;
  }

  // Per cluster, what its tables call for.
  struct Need {
    double naptime_s = 1e18;  // the longest naptime the advised tables allow
    std::vector<int64_t> cost_limits;
    double busy_worker_s = 0;
    bool starved = false, short_of_memory = false;
  };
  std::vector<Need> needs(rec.clusters.size());

  for (size_t i = 0; i < rec.tables.size(); ++i) {
    const TableRecord& t = rec.tables[i];
    const ClusterRecord& c = rec.clusters[t.cluster];
    const TableFacts& f = facts[i];
    Need& need = needs[t.cluster];
    need.busy_worker_s += t.run_seconds;
    if (Has(f, Cause::kWorkerStarvation)) need.starved = true;
    if (Has(f, Cause::kInsufficientMaintenanceWorkMem)) need.short_of_memory = true;

    const bool keep = wanted.empty() || wanted[i] != 0;
    TableAdvice a;
    a.table = static_cast<int32_t>(i);
    if (keep) a.name = absl::StrCat(c.name, "/", t.QualifiedName());
    a.live = std::max(static_cast<double>(t.live), t.reltuples);
    a.observed_peak_ratio = t.peak_ratio;
    if (t.observed_s > 0) {
      a.write_rate = t.updates_deletes / t.observed_s;
      a.insert_rate = t.inserts / t.observed_s;
    }
    if (t.timed_runs > 0) {
      a.run_seconds = t.run_seconds / static_cast<double>(t.timed_runs);
      if (t.run_seconds > 0) a.removal_rate = t.removed / t.run_seconds;
    }
    const double run_s = std::max(0.0, a.run_seconds);
    const double naptime = static_cast<double>(c.naptime_s);
    a.predicted_peak_now = PeakRatio(t.trigger, a.write_rate, naptime + run_s, a.live);

    const bool fixable_alert = Has(f, Cause::kScaleFactorTooLarge) ||
                               Has(f, Cause::kCostThrottled) || Has(f, Cause::kAutovacuumDisabled);
    const bool above_target = t.peak_ratio > r && a.live >= static_cast<double>(options.min_live);
    if (!above_target && !fixable_alert && !Has(f, Cause::kXminHorizon) &&
        !Has(f, Cause::kLockConflicts)) {
      continue;  // it stayed under the target and no alert asks for anything
    }
    // The alert's cause decides; without one, runs that left more than they removed.
    const bool pinned = Has(f, Cause::kXminHorizon) ||
                        (!fixable_alert && t.not_removable > 0 && t.not_removable > t.removed);

    if (pinned) {
      if (!keep) continue;
      a.kind = AdviceKind::kHolder;
      std::string holder = f.holder.empty() ? MostFrequentRoot(c) : f.holder;
      a.reason = absl::StrCat(
          "its runs could not remove what was dead (", Num(t.not_removable),
          " tuples left as not yet removable against ", Num(t.removed),
          " removed): the xmin horizon is pinned",
          holder.empty() ? "" : absl::StrCat(" by ", holder),
          ". No autovacuum setting helps while it holds: end it (its alert says how).");
      advice.tables.push_back(std::move(a));
      continue;
    }
    if (Has(f, Cause::kLockConflicts) && !fixable_alert) {
      if (!keep) continue;
      a.kind = AdviceKind::kNoSetting;
      a.reason = absl::StrCat("autovacuum was skipped ", t.skipped, " and cancelled ", t.cancelled,
                              " times by lock conflicts: find the session that holds the lock "
                              "(its alert has the query); no autovacuum setting helps.");
      advice.tables.push_back(std::move(a));
      continue;
    }
    if (a.live < static_cast<double>(options.min_live) || t.observed_s <= 0) continue;

    // The proposal.
    const double budget = r / (1 - r) * a.live;  // dead tuples at the target ratio
    double new_run_s = run_s;
    int64_t limit = t.params.cost_limit;
    double delay = t.params.cost_delay_ms;
    a.throttled = Has(f, Cause::kCostThrottled) ||
                  (a.write_rate > 0 && run_s > 0 && a.write_rate * run_s > budget / 2);
    if (a.throttled && a.write_rate > 0 && run_s > 0) {
      const double wanted_s = std::max(1.0, budget / (4 * a.write_rate));
      double speedup = std::max(1.0, run_s / wanted_s);
      if (Has(f, Cause::kCostThrottled)) speedup = std::max(speedup, 4.0);
      // A delay above the default is the first thing to undo (a table's own cost_delay of
      // 100 ms makes every run 50 times slower than 2 ms would); then the limit rises, from
      // at least the default, up to PostgreSQL's maximum, and the delay falls below 2 ms only
      // when that is not enough.
      double achieved = 1;
      if (delay > kDefaultCostDelayMs) {
        achieved = delay / kDefaultCostDelayMs;
        delay = kDefaultCostDelayMs;
      }
      const double wanted_limit =
          static_cast<double>(std::max<int64_t>(limit, 1)) * std::max(1.0, speedup / achieved);
      limit = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(wanted_limit)),
                                  std::max<int64_t>(limit, kDefaultCostLimit), kMaxCostLimit);
      achieved *= static_cast<double>(limit) /
                  static_cast<double>(std::max<int64_t>(t.params.cost_limit, 1));
      if (wanted_limit > kMaxCostLimit && delay > 0) {
        const double more = wanted_limit / kMaxCostLimit;
        const double before = delay;
        delay = std::floor(delay / more * 10) / 10;
        achieved *= before / std::max(delay, 0.1);
      }
      new_run_s = run_s / std::max(1.0, achieved);
    }
    const double lag = naptime + new_run_s;
    const double trigger = std::max(50.0, budget - a.write_rate * lag);
    int64_t threshold = t.params.vacuum_threshold;
    double sf = t.params.vacuum_scale_factor;
    if (trigger < t.trigger || Has(f, Cause::kScaleFactorTooLarge)) {
      if (a.live >= kBigTable) {
        sf = 0;
        threshold = FloorThreshold(trigger);
      } else {
        threshold = std::min<int64_t>(threshold, FloorThreshold(trigger / 2));
        sf = FloorScaleFactor((trigger - static_cast<double>(threshold)) / a.live);
      }
    }
    const double new_trigger = static_cast<double>(threshold) + sf * t.reltuples;
    a.predicted_peak = PeakRatio(new_trigger, a.write_rate, lag, a.live);
    if (a.write_rate > 0) need.naptime_s = std::min(need.naptime_s, budget / (4 * a.write_rate));
    if (a.throttled) need.cost_limits.push_back(limit);
    if (!keep) continue;  // the cluster's needs are counted; the words are not wanted

    AddSetting(&a.settings, "autovacuum_vacuum_scale_factor", Num(sf),
               Num(t.params.vacuum_scale_factor));
    AddSetting(&a.settings, "autovacuum_vacuum_threshold", absl::StrCat(threshold),
               absl::StrCat(t.params.vacuum_threshold));
    if (t.params.has_insert_trigger && a.insert_rate > a.write_rate &&
        t.params.insert_threshold >= 0) {
      AddSetting(&a.settings, "autovacuum_vacuum_insert_scale_factor", Num(sf),
                 Num(t.params.insert_scale_factor));
      AddSetting(&a.settings, "autovacuum_vacuum_insert_threshold",
                 absl::StrCat(std::max<int64_t>(threshold, 1000)),
                 absl::StrCat(t.params.insert_threshold));
    }
    if (a.throttled) {
      AddSetting(&a.settings, "autovacuum_vacuum_cost_limit", absl::StrCat(limit),
                 absl::StrCat(t.params.cost_limit));
      AddSetting(&a.settings, "autovacuum_vacuum_cost_delay", Num(delay),
                 Num(t.params.cost_delay_ms));
    }
    if (Has(f, Cause::kAutovacuumDisabled)) {
      AddSetting(&a.settings, "autovacuum_enabled", "on", "off");
    }
    if (a.settings.empty()) continue;  // its settings already do what the target asks
    a.kind = AdviceKind::kSettings;
    a.reason = absl::StrCat(
        "dead ratio peaked at ", Percent(t.peak_ratio), " (target ", Percent(r),
        "): ", Rate(a.write_rate), " dead tuples/s made, found within a naptime of ", c.naptime_s,
        " s", run_s > 0 ? absl::StrCat(" and runs of ", Rate(run_s), " s") : std::string(),
        a.throttled ? "; runs are throttled by the cost limit" : "");
    a.sql = absl::StrCat("ALTER TABLE ", QuoteIdentifier(t.schema), ".", QuoteIdentifier(t.table),
                         " SET (");
    for (size_t k = 0; k < a.settings.size(); ++k) {
      absl::StrAppend(&a.sql, k ? ", " : "", a.settings[k].name, " = ", a.settings[k].value);
    }
    a.sql += ");";
    advice.tables.push_back(std::move(a));
  }

  const double window_s = rec.last > rec.first ? absl::ToDoubleSeconds(rec.last - rec.first) : 0;
  for (size_t ci = 0; ci < rec.clusters.size(); ++ci) {
    const ClusterRecord& c = rec.clusters[ci];
    const Need& need = needs[ci];
    ClusterAdvice ca;
    ca.cluster = c.name;
    // Workers: the mean number busy, with room for the peaks (1.5x plus one).
    int64_t workers = c.max_workers;
    if (window_s > 0) {
      const double busy = need.busy_worker_s / window_s;
      workers = std::max<int64_t>(workers, static_cast<int64_t>(std::ceil(busy * 1.5)) + 1);
    }
    if (need.starved) workers = std::max<int64_t>(workers, c.max_workers + 2);
    if (workers != c.max_workers) {
      ca.settings.push_back(
          Setting{"autovacuum_max_workers", absl::StrCat(workers), absl::StrCat(c.max_workers)});
      ca.why.push_back(need.starved ? "tables waited for a free worker (WorkerStarvation)"
                                    : "the runs measured keep more workers busy than there are");
    }
    if (need.naptime_s < static_cast<double>(c.naptime_s)) {
      int64_t nap = 1;
      for (int64_t step : {60, 30, 15, 10, 5, 1}) {
        if (static_cast<double>(step) <= need.naptime_s) {
          nap = step;
          break;
        }
      }
      if (nap < c.naptime_s) {
        ca.settings.push_back(
            Setting{"autovacuum_naptime", absl::StrCat(nap, "s"), absl::StrCat(c.naptime_s, "s")});
        ca.why.push_back(
            "the fastest-written table advised here makes a quarter of its dead-tuple budget "
            "within that time");
      }
    }
    if (!need.cost_limits.empty()) {
      std::vector<int64_t> limits = need.cost_limits;
      std::sort(limits.begin(), limits.end());
      const int64_t median = limits[limits.size() / 2];
      const int64_t limit = std::max(c.cost_limit, std::min<int64_t>(median, 2000));
      if (limit != c.cost_limit) {
        ca.settings.push_back(Setting{"autovacuum_vacuum_cost_limit", absl::StrCat(limit),
                                      absl::StrCat(c.cost_limit)});
        ca.why.push_back(
            "runs were throttled; the limit is shared by the running workers (tables with their "
            "own limit keep it)");
      }
    }
    if (need.short_of_memory) {
      ca.settings.push_back(Setting{"autovacuum_work_mem", "1GB", "maintenance_work_mem"});
      ca.why.push_back("runs scanned the indexes more than once (InsufficientMaintenanceWorkMem)");
    }
    if (!c.log_min_duration_known || c.log_min_duration_ms != 0) {
      ca.settings.push_back(
          Setting{"log_autovacuum_min_duration", "0",
                  c.log_min_duration_known ? absl::StrCat(c.log_min_duration_ms) : "unknown"});
      ca.why.push_back(
          "every run in the log, so that vacwatch sees what each removed and left behind");
    }
    if (ca.settings.empty()) continue;
    for (const Setting& s : ca.settings) {
      if (s.name == "autovacuum_work_mem") {
        absl::StrAppend(&ca.sql, "ALTER SYSTEM SET autovacuum_work_mem = '1GB';\n");
      } else {
        absl::StrAppend(&ca.sql, "ALTER SYSTEM SET ", s.name, " = '", s.value, "';",
                        s.name == "autovacuum_max_workers" ? "  -- needs a restart" : "", "\n");
      }
    }
    ca.sql += "SELECT pg_reload_conf();";
    advice.clusters.push_back(std::move(ca));
  }
  return advice;
}

void WriteAdviceText(const Advice& advice, std::string* out) {
  absl::StrAppend(out, "vacwatch advise: target dead ratio ", Percent(advice.target_ratio), "\n");
  if (advice.tables.empty()) absl::StrAppend(out, "\nevery table stayed under the target.\n");
  for (const TableAdvice& a : advice.tables) {
    absl::StrAppend(out, "\n", a.name, "  [", Av(AdviceKindName(a.kind)), "]\n  ", a.reason, "\n");
    if (a.kind != AdviceKind::kSettings) continue;
    absl::StrAppend(out, "  measured: ", Rate(a.write_rate), " dead tuples/s, ",
                    Rate(a.insert_rate), " inserts/s, ", Num(a.live), " live tuples");
    if (a.run_seconds >= 0) absl::StrAppend(out, ", runs of ", Rate(a.run_seconds), " s");
    if (a.removal_rate >= 0) {
      absl::StrAppend(out, " removing ", Rate(a.removal_rate), " tuples/s");
    }
    absl::StrAppend(out, "\n  dead ratio peak: observed ", Percent(a.observed_peak_ratio),
                    ", predicted ", Percent(a.predicted_peak_now), " with the current settings, ",
                    Percent(a.predicted_peak), " with these:\n");
    for (const Setting& s : a.settings) {
      absl::StrAppend(out, "    ", s.name, " = ", s.value, "   (now ", s.current, ")\n");
    }
    absl::StrAppend(out, "  ", a.sql, "\n");
  }
  for (const ClusterAdvice& c : advice.clusters) {
    absl::StrAppend(out, "\ncluster ", c.cluster, ": settings template\n");
    for (size_t i = 0; i < c.settings.size(); ++i) {
      absl::StrAppend(out, "    ", c.settings[i].name, " = ", c.settings[i].value, "   (now ",
                      c.settings[i].current, "): ", c.why[i], "\n");
    }
  }
}

void WriteAdviceJson(const Advice& advice, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("target_ratio", advice.target_ratio);
  w.Key("tables");
  w.BeginArray();
  for (const TableAdvice& a : advice.tables) {
    w.BeginObject();
    w.Field("table", a.name);
    w.Field("kind", AdviceKindName(a.kind));
    w.Field("reason", a.reason);
    w.Key("rates");
    w.BeginObject();
    w.Field("dead_tuples_per_s", a.write_rate);
    w.Field("inserts_per_s", a.insert_rate);
    if (a.removal_rate >= 0) w.Field("removed_per_run_s", a.removal_rate);
    if (a.run_seconds >= 0) w.Field("run_seconds", a.run_seconds);
    w.Field("live_tuples", a.live);
    w.EndObject();
    w.Field("observed_peak_ratio", a.observed_peak_ratio);
    if (a.kind == AdviceKind::kSettings) {
      w.Field("predicted_peak_ratio_now", a.predicted_peak_now);
      w.Field("predicted_peak_ratio", a.predicted_peak);
      w.Field("throttled", a.throttled);
      w.Key("settings");
      w.BeginObject();
      for (const Setting& s : a.settings) w.Field(s.name, s.value);
      w.EndObject();
      w.Field("sql", a.sql);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("clusters");
  w.BeginArray();
  for (const ClusterAdvice& c : advice.clusters) {
    w.BeginObject();
    w.Field("cluster", c.cluster);
    w.Key("settings");
    w.BeginArray();
    for (size_t i = 0; i < c.settings.size(); ++i) {
      w.BeginObject();
      w.Field("name", c.settings[i].name);
      w.Field("value", c.settings[i].value);
      w.Field("current", c.settings[i].current);
      w.Field("why", c.why[i]);
      w.EndObject();
    }
    w.EndArray();
    w.Field("sql", c.sql);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteAdviceSql(const Advice& advice, std::string* out) {
  absl::StrAppend(out, "-- vacwatch advise: target dead ratio ", Percent(advice.target_ratio),
                  "\n");
  for (const TableAdvice& a : advice.tables) {
    if (a.kind != AdviceKind::kSettings) {
      absl::StrAppend(out, "\n-- ", a.name, ": no setting: ", a.reason, "\n");
      continue;
    }
    absl::StrAppend(out, "\n-- ", a.name, ": ", a.reason, "; predicted peak ",
                    Percent(a.predicted_peak), " (now ", Percent(a.predicted_peak_now), ")\n",
                    a.sql, "\n");
  }
  for (const ClusterAdvice& c : advice.clusters) {
    absl::StrAppend(out, "\n-- cluster ", c.cluster, ": settings template\n", c.sql, "\n");
  }
}

}  // namespace vacwatch::report
