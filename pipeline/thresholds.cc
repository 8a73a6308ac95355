#include "pipeline/thresholds.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace vacwatch::pipeline {
namespace {

bool ParseDouble(std::string_view s, double* out) {
  // from_chars for double is in libstdc++ 11+ (Debian 12 has 12).
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc() && p == s.data() + s.size()) return true;
  // PostgreSQL accepts integer reloptions written as "1e5"? No, but tolerate "100.0".
  double d = 0;
  if (!ParseDouble(s, &d)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

bool ParseBool(std::string_view s, bool* out) {
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "on" || lower == "yes" || lower == "1" || lower == "t") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "off" || lower == "no" || lower == "0" || lower == "f") {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace

AutovacuumParams ResolveParams(const ingest::AutovacuumSettings& s,
                               std::optional<int64_t> server_version_num,
                               const std::vector<std::string_view>& reloptions) {
  AutovacuumParams p;
  const int64_t version = server_version_num.value_or(0);
  p.enabled = s.autovacuum.value_or(true) && s.track_counts.value_or(true);
  p.vacuum_scale_factor = s.autovacuum_vacuum_scale_factor.value_or(0.2);
  p.vacuum_threshold = s.autovacuum_vacuum_threshold.value_or(50);
  p.vacuum_max_threshold =
      version >= 180000 ? s.autovacuum_vacuum_max_threshold.value_or(100'000'000) : -1;
  p.insert_scale_factor = s.autovacuum_vacuum_insert_scale_factor.value_or(0.2);
  p.insert_threshold = s.autovacuum_vacuum_insert_threshold.value_or(1000);
  p.analyze_scale_factor = s.autovacuum_analyze_scale_factor.value_or(0.1);
  p.analyze_threshold = s.autovacuum_analyze_threshold.value_or(50);
  p.freeze_max_age = s.autovacuum_freeze_max_age.value_or(200'000'000);
  p.multixact_freeze_max_age = s.autovacuum_multixact_freeze_max_age.value_or(400'000'000);
  double delay =
      s.autovacuum_vacuum_cost_delay.value_or(version >= 120000 || version == 0 ? 2 : 20);
  if (delay < 0) delay = s.vacuum_cost_delay.value_or(0);
  p.cost_delay_ms = delay;
  int64_t limit = s.autovacuum_vacuum_cost_limit.value_or(-1);
  if (limit <= 0) limit = s.vacuum_cost_limit.value_or(200);
  p.cost_limit = limit;

  for (std::string_view opt : reloptions) {
    size_t eq = opt.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = opt.substr(0, eq);
    std::string_view value = opt.substr(eq + 1);
    double d = 0;
    int64_t i = 0;
    bool b = false;
    // Unparseable values are ignored: PostgreSQL validated them when they were set, so a value
    // we cannot read is a format we do not know, and the server setting is the safer guess.
    if (name == "autovacuum_enabled") {
      if (ParseBool(value, &b) && !b) p.enabled = false;
    } else if (name == "autovacuum_vacuum_scale_factor") {
      if (ParseDouble(value, &d)) {
        p.vacuum_scale_factor = d;
        p.has_table_scale_factor = true;
      }
    } else if (name == "autovacuum_vacuum_threshold") {
      if (ParseInt(value, &i)) {
        p.vacuum_threshold = i;
        p.has_table_threshold = true;
      }
    } else if (name == "autovacuum_vacuum_max_threshold") {
      if (version >= 180000 && ParseInt(value, &i)) p.vacuum_max_threshold = i;
    } else if (name == "autovacuum_vacuum_insert_scale_factor") {
      if (ParseDouble(value, &d)) p.insert_scale_factor = d;
    } else if (name == "autovacuum_vacuum_insert_threshold") {
      if (ParseInt(value, &i)) p.insert_threshold = i;
    } else if (name == "autovacuum_analyze_scale_factor") {
      if (ParseDouble(value, &d)) p.analyze_scale_factor = d;
    } else if (name == "autovacuum_analyze_threshold") {
      if (ParseInt(value, &i)) p.analyze_threshold = i;
    } else if (name == "autovacuum_freeze_max_age") {
      // autovacuum.c: a table may only lower it ("Min(avopts->freeze_max_age, ...)").
      if (ParseInt(value, &i) && i >= 0) {
        p.freeze_max_age = std::min(p.freeze_max_age, i);
        p.has_table_freeze_max_age = true;
      }
    } else if (name == "autovacuum_multixact_freeze_max_age") {
      if (ParseInt(value, &i) && i >= 0) {
        p.multixact_freeze_max_age = std::min(p.multixact_freeze_max_age, i);
      }
    } else if (name == "autovacuum_vacuum_cost_delay") {
      if (ParseDouble(value, &d) && d >= 0) {
        p.cost_delay_ms = d;
        p.has_table_cost_delay = true;
      }
    } else if (name == "autovacuum_vacuum_cost_limit") {
      if (ParseInt(value, &i) && i > 0) {
        p.cost_limit = i;
        p.has_table_cost_limit = true;
      }
    }
  }
  return p;
}

Thresholds ComputeThresholds(const AutovacuumParams& params,
                             std::optional<int64_t> server_version_num,
                             const ingest::TableStats& table) {
  const int64_t version = server_version_num.value_or(0);
  double reltuples = table.reltuples.value_or(0);
  if (reltuples < 0) reltuples = 0;
  Thresholds t;
  t.params = params;
  t.vacuum = static_cast<double>(params.vacuum_threshold) + params.vacuum_scale_factor * reltuples;
  if (params.vacuum_max_threshold >= 0 &&
      t.vacuum > static_cast<double>(params.vacuum_max_threshold)) {
    t.vacuum = static_cast<double>(params.vacuum_max_threshold);
  }
  if (version == 0 || version >= 130000) {
    if (params.insert_threshold >= 0) {
      double pcnt_unfrozen = 1;
      if (version >= 180000) {
        int64_t relpages = table.relpages.value_or(0);
        int64_t relallfrozen = table.relallfrozen.value_or(0);
        if (relpages > 0 && relallfrozen > 0) {
          relallfrozen = std::min(relallfrozen, relpages);
          pcnt_unfrozen = 1.0 - static_cast<double>(relallfrozen) / static_cast<double>(relpages);
        }
      }
      t.insert = static_cast<double>(params.insert_threshold) +
                 params.insert_scale_factor * reltuples * pcnt_unfrozen;
    }
  }
  t.analyze =
      static_cast<double>(params.analyze_threshold) + params.analyze_scale_factor * reltuples;
  return t;
}

Thresholds ComputeThresholds(const ingest::AutovacuumSettings& settings,
                             std::optional<int64_t> server_version_num,
                             const ingest::TableStats& table) {
  return ComputeThresholds(ResolveParams(settings, server_version_num, table.reloptions),
                           server_version_num, table);
}

}  // namespace vacwatch::pipeline
