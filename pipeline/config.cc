#include "pipeline/config.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::pipeline {

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kAutovacuumNotKeepingUp:
      return "AutovacuumNotKeepingUp";
    case AlertKind::kFreezingNotKeepingUp:
      return "FreezingNotKeepingUp";
    case AlertKind::kWraparoundRisk:
      return "WraparoundRisk";
    case AlertKind::kAutovacuumThresholdTooLax:
      return "AutovacuumThresholdTooLax";
    case AlertKind::kVacuumOverdueAutovacuumDisabled:
      return "VacuumOverdueAutovacuumDisabled";
    case AlertKind::kXminHorizonHeld:
      return "XminHorizonHeld";
  }
  return "unknown";
}

TableTuning::TableTuning() {
  // Why each window: configs/vacwatch.yaml.
  alerts[static_cast<int>(AlertKind::kAutovacuumNotKeepingUp)] = {absl::Seconds(30),
                                                                  absl::Minutes(15), true};
  alerts[static_cast<int>(AlertKind::kFreezingNotKeepingUp)] = {absl::Minutes(5), absl::Minutes(30),
                                                                true};
  alerts[static_cast<int>(AlertKind::kWraparoundRisk)] = {absl::ZeroDuration(), absl::Hours(1),
                                                          true};
  alerts[static_cast<int>(AlertKind::kAutovacuumThresholdTooLax)] = {absl::Minutes(5),
                                                                     absl::Hours(6), true};
  alerts[static_cast<int>(AlertKind::kVacuumOverdueAutovacuumDisabled)] = {absl::Minutes(30),
                                                                           absl::Hours(1), true};
  alerts[static_cast<int>(AlertKind::kXminHorizonHeld)] = {absl::Minutes(10), absl::ZeroDuration(),
                                                           true};
}

namespace {

// ---- The key table: every tunable key, its member, its valid range. ----

struct IntKey {
  int64_t TableTuning::*member;
  int64_t min, max;
};
struct Int32Key {
  int32_t TableTuning::*member;
  int32_t min, max;
};
struct DoubleKey {
  double TableTuning::*member;
  double min, max;
};
struct DurationKey {
  absl::Duration TableTuning::*member;
};
struct WindowKey {
  AlertKind kind;
  int part;  // 0 = for, 1 = clear_for, 2 = enabled
};
using KeyRef = std::variant<IntKey, Int32Key, DoubleKey, DurationKey, WindowKey>;

struct TuningKey {
  std::string name;  // "min_table_bytes", or "alerts.<Alert>.for"
  KeyRef ref;
};

const std::vector<TuningKey>& TuningKeys() {
  static const std::vector<TuningKey>* keys = [] {
    auto* k = new std::vector<TuningKey>{
        {"min_table_bytes", IntKey{&TableTuning::min_table_bytes, 0, int64_t{1} << 50}},
        {"min_dead_tuples", IntKey{&TableTuning::min_dead_tuples, 0, int64_t{1} << 50}},
        {"ineffective_runs", Int32Key{&TableTuning::ineffective_runs, 1, 1000}},
        {"lock_conflict_min_events", Int32Key{&TableTuning::lock_conflict_min_events, 1, 100000}},
        {"lock_window", DurationKey{&TableTuning::lock_window}},
        {"removed_near_zero_fraction", DoubleKey{&TableTuning::removed_near_zero_fraction, 0, 1}},
        {"min_slow_run", DurationKey{&TableTuning::min_slow_run}},
        {"slow_run_pages_per_s", DoubleKey{&TableTuning::slow_run_pages_per_s, 0, 1e12}},
        {"overdue_after", DurationKey{&TableTuning::overdue_after}},
        {"max_index_scans", Int32Key{&TableTuning::max_index_scans, 1, 1000000}},
        {"bloat_velocity_limit", DoubleKey{&TableTuning::bloat_velocity_limit, 0, 1000}},
        {"bloat_dead_ratio_limit", DoubleKey{&TableTuning::bloat_dead_ratio_limit, 0, 1}},
        {"healthy_dead_ratio", DoubleKey{&TableTuning::healthy_dead_ratio, 0, 1}},
        {"lax_peak_factor", DoubleKey{&TableTuning::lax_peak_factor, 1, 1000}},
        {"lax_min_dead_tuples", IntKey{&TableTuning::lax_min_dead_tuples, 0, int64_t{1} << 50}},
        {"lax_min_cycles", Int32Key{&TableTuning::lax_min_cycles, 1, 1000}},
        {"lax_window", DurationKey{&TableTuning::lax_window}},
        {"freeze_warning_fraction", DoubleKey{&TableTuning::freeze_warning_fraction, 0, 100}},
        {"freeze_min_runs", Int32Key{&TableTuning::freeze_min_runs, 1, 1000}},
        {"freeze_window", DurationKey{&TableTuning::freeze_window}},
        {"wraparound_warning_age",
         IntKey{&TableTuning::wraparound_warning_age, 0, int64_t{1} << 31}},
        {"wraparound_critical_age",
         IntKey{&TableTuning::wraparound_critical_age, 0, int64_t{1} << 31}},
        {"wraparound_warning_horizon", DurationKey{&TableTuning::wraparound_warning_horizon}},
        {"wraparound_critical_horizon", DurationKey{&TableTuning::wraparound_critical_horizon}},
        {"clear_cycles", Int32Key{&TableTuning::clear_cycles, 1, 100000}},
        {"horizon_held_max_age_xids",
         IntKey{&TableTuning::horizon_held_max_age_xids, 0, int64_t{1} << 32}},
    };
    for (int a = 0; a < kNumAlertKinds; ++a) {
      auto kind = static_cast<AlertKind>(a);
      std::string base = absl::StrCat("alerts.", std::string(AlertKindName(kind)), ".");
      k->push_back({base + "for", WindowKey{kind, 0}});
      k->push_back({base + "clear_for", WindowKey{kind, 1}});
      k->push_back({base + "enabled", WindowKey{kind, 2}});
    }
    return k;
  }();
  return *keys;
}

void CopyKey(const TuningKey& key, const TableTuning& from, TableTuning* to) {
  std::visit(
      [&](const auto& ref) {
        using T = std::decay_t<decltype(ref)>;
        if constexpr (std::is_same_v<T, WindowKey>) {
          const AlertWindow& src = from.alerts[static_cast<int>(ref.kind)];
          AlertWindow& dst = to->alerts[static_cast<int>(ref.kind)];
          if (ref.part == 0) dst.for_duration = src.for_duration;
          if (ref.part == 1) dst.clear_for = src.clear_for;
          if (ref.part == 2) dst.enabled = src.enabled;
        } else {
          to->*(ref.member) = from.*(ref.member);
        }
      },
      key.ref);
}

// ---- YAML scalars ----

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("config key '", path, "': ", what));
}

absl::StatusOr<absl::Duration> ParseDurationScalar(const YAML::Node& node,
                                                   const std::string& path) {
  if (!node.IsScalar()) return Invalid(path, "expected a duration like 30s, 10m, 24h");
  const std::string& text = node.Scalar();
  absl::Duration d;
  if (text == "0") return absl::ZeroDuration();
  if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return Invalid(path, absl::StrCat("'", text, "' is not a duration like 30s, 10m, 24h"));
  }
  return d;
}

absl::StatusOr<double> ParseNumberScalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) return Invalid(path, "expected a number");
  const std::string& text = node.Scalar();
  // Byte sizes may carry a binary suffix: 1MiB, 512KiB, 10GiB.
  static const std::pair<const char*, double> kSuffixes[] = {{"KiB", 1024.0},
                                                             {"MiB", 1024.0 * 1024},
                                                             {"GiB", 1024.0 * 1024 * 1024},
                                                             {"TiB", 1024.0 * 1024 * 1024 * 1024}};
  double scale = 1;
  std::string digits = text;
  for (const auto& [suffix, mult] : kSuffixes) {
    std::string_view sv(text);
    std::string_view sfx(suffix);
    if (sv.size() > sfx.size() && sv.substr(sv.size() - sfx.size()) == sfx) {
      digits = std::string(sv.substr(0, sv.size() - sfx.size()));
      scale = mult;
      break;
    }
  }
  // Underscores as digit separators (1_000_000), as YAML 1.1 allows.
  std::string clean;
  for (char c : digits) {
    if (c != '_') clean.push_back(c);
  }
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (clean.empty() || end != clean.c_str() + clean.size() || !std::isfinite(v)) {
    return Invalid(path, absl::StrCat("'", text, "' is not a number"));
  }
  return v * scale;
}

// An IANA time zone name that absl::LoadTimeZone knows ("Asia/Shanghai", "UTC").
absl::StatusOr<std::string> ParseZoneScalar(const YAML::Node& node, const std::string& path) {
  absl::TimeZone zone;
  if (!node.IsScalar() || !absl::LoadTimeZone(node.Scalar(), &zone)) {
    return Invalid(path, absl::StrCat("'", node.IsScalar() ? node.Scalar() : std::string("?"),
                                      "' is not a time zone name like Asia/Shanghai or "
                                      "America/Chicago (the server's SHOW log_timezone)"));
  }
  return node.Scalar();
}

absl::StatusOr<bool> ParseBoolScalar(const YAML::Node& node, const std::string& path) {
  bool b = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, b)) {
    return Invalid(path, "expected true or false");
  }
  return b;
}

const TuningKey* FindKey(const std::string& name, size_t* index) {
  const auto& keys = TuningKeys();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].name == name) {
      *index = i;
      return &keys[i];
    }
  }
  return nullptr;
}

absl::Status SetKey(const TuningKey& key, const YAML::Node& node, const std::string& path,
                    TableTuning* t) {
  return std::visit(
      [&](const auto& ref) -> absl::Status {
        using T = std::decay_t<decltype(ref)>;
        if constexpr (std::is_same_v<T, DurationKey>) {
          auto d = ParseDurationScalar(node, path);
          if (!d.ok()) return d.status();
          t->*(ref.member) = *d;
        } else if constexpr (std::is_same_v<T, WindowKey>) {
          AlertWindow& w = t->alerts[static_cast<int>(ref.kind)];
          if (ref.part == 2) {
            auto b = ParseBoolScalar(node, path);
            if (!b.ok()) return b.status();
            w.enabled = *b;
          } else {
            auto d = ParseDurationScalar(node, path);
            if (!d.ok()) return d.status();
            (ref.part == 0 ? w.for_duration : w.clear_for) = *d;
          }
        } else {
          auto v = ParseNumberScalar(node, path);
          if (!v.ok()) return v.status();
          if (*v < static_cast<double>(ref.min) || *v > static_cast<double>(ref.max)) {
            return Invalid(
                path, absl::StrCat(node.Scalar(), " is outside [", ref.min, ", ", ref.max, "]"));
          }
          if constexpr (std::is_same_v<T, DoubleKey>) {
            t->*(ref.member) = *v;
          } else {
            if (*v != std::floor(*v)) return Invalid(path, "expected a whole number");
            using M = std::remove_reference_t<decltype(t->*(ref.member))>;
            t->*(ref.member) = static_cast<M>(*v);
          }
        }
        return absl::OkStatus();
      },
      key.ref);
}

// Reads a tuning mapping (the `defaults` block or one override) into `*t`, recording the keys
// it sets in `*mask`. `skip` names keys the caller handles (an override's `match`).
absl::Status ReadTuning(const YAML::Node& node, const std::string& prefix, std::string_view skip,
                        TableTuning* t, uint64_t* mask) {
  if (!node.IsMap()) return Invalid(prefix, "expected a mapping");
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    if (name == skip) continue;
    const std::string path = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
    if (name == "alerts") {
      if (!kv.second.IsMap()) return Invalid(path, "expected a mapping of alert names");
      for (const auto& alert : kv.second) {
        const std::string alert_name = alert.first.as<std::string>();
        const std::string alert_path = absl::StrCat(path, ".", alert_name);
        if (!alert.second.IsMap()) return Invalid(alert_path, "expected for/clear_for/enabled");
        for (const auto& field : alert.second) {
          const std::string field_name = field.first.as<std::string>();
          size_t index = 0;
          const TuningKey* key =
              FindKey(absl::StrCat("alerts.", alert_name, ".", field_name), &index);
          const std::string field_path = absl::StrCat(alert_path, ".", field_name);
          if (key == nullptr) return Invalid(field_path, "unknown key");
          absl::Status s = SetKey(*key, field.second, field_path, t);
          if (!s.ok()) return s;
          *mask |= uint64_t{1} << index;
        }
      }
      continue;
    }
    size_t index = 0;
    const TuningKey* key = FindKey(name, &index);
    if (key == nullptr || std::holds_alternative<WindowKey>(key->ref)) {
      return Invalid(path, "unknown key");
    }
    absl::Status s = SetKey(*key, kv.second, path, t);
    if (!s.ok()) return s;
    *mask |= uint64_t{1} << index;
  }
  return absl::OkStatus();
}

// A glob that cannot match any "cluster/database.schema.table" is a mistake, not a no-op: a
// pattern without wildcards must have that shape.
absl::Status CheckMatch(const std::string& match, const std::string& where) {
  if (match.find_first_of("*?[") != std::string::npos) return absl::OkStatus();
  const size_t slash = match.find('/');
  const bool shaped =
      slash != std::string::npos && slash > 0 && match.find('/', slash + 1) == std::string::npos &&
      std::count(match.begin() + static_cast<std::ptrdiff_t>(slash), match.end(), '.') >= 2;
  if (shaped) return absl::OkStatus();
  return Invalid(where, absl::StrCat("'", match,
                                     "' can never match: patterns are matched against "
                                     "cluster/database.schema.table (e.g. '*/",
                                     match, "' or 'prod-*/shop.public.*')"));
}

absl::Status CheckTuning(const TableTuning& t, const std::string& where) {
  if (t.wraparound_critical_age < t.wraparound_warning_age) {
    return Invalid(where + ".wraparound_critical_age", "must be >= wraparound_warning_age");
  }
  if (t.wraparound_critical_horizon > t.wraparound_warning_horizon) {
    return Invalid(where + ".wraparound_critical_horizon", "must be <= wraparound_warning_horizon");
  }
  return absl::OkStatus();
}

}  // namespace

const std::string& PipelineConfig::LogTimezoneFor(std::string_view cluster) const {
  auto it = cluster_log_timezones.find(cluster);
  return it != cluster_log_timezones.end() ? it->second : log_timezone;
}

TableTuning PipelineConfig::Resolve(std::string_view glob_subject) const {
  TableTuning t = defaults;
  if (overrides.empty()) return t;
  std::string subject(glob_subject);
  const auto& keys = TuningKeys();
  for (const TuningOverride& o : overrides) {
    if (fnmatch(o.match.c_str(), subject.c_str(), 0) != 0) continue;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (o.set_mask & (uint64_t{1} << i)) CopyKey(keys[i], o.values, &t);
    }
  }
  return t;
}

namespace {
absl::StatusOr<PipelineConfig> ParseUnprefixed(std::string_view yaml_text);
}  // namespace

absl::StatusOr<PipelineConfig> ParsePipelineConfig(std::string_view yaml_text,
                                                   std::string_view key_prefix) {
  absl::StatusOr<PipelineConfig> config = ParseUnprefixed(yaml_text);
  // Every key error reads "config key 'PATH': ..." (Invalid): the section's name goes first.
  constexpr std::string_view kKeyError = "config key '";
  if (config.ok() || key_prefix.empty()) return config;
  const absl::string_view raw = config.status().message();
  const std::string_view message(raw.data(), raw.size());
  if (message.substr(0, kKeyError.size()) != kKeyError) return config;
  return absl::Status(config.status().code(),
                      absl::StrCat(std::string(kKeyError), std::string(key_prefix),
                                   std::string(message.substr(kKeyError.size()))));
}

namespace {
absl::StatusOr<PipelineConfig> ParseUnprefixed(std::string_view yaml_text) {
  static_assert(sizeof(uint64_t) * 8 >= 24 + 3 * kNumAlertKinds, "set_mask too small");
  YAML::Node root;
  try {
    // yaml-cpp reports syntax errors only by exception; they stop here.
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config is not valid YAML: ", e.what()));
  }
  PipelineConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return absl::InvalidArgumentError("config: expected a mapping at the top");
  try {
    for (const auto& kv : root) {
      const std::string name = kv.first.as<std::string>();
      if (name == "defaults") {
        uint64_t mask = 0;
        absl::Status s = ReadTuning(kv.second, "defaults", "", &config.defaults, &mask);
        if (!s.ok()) return s;
      } else if (name == "overrides") {
        if (!kv.second.IsSequence()) return Invalid("overrides", "expected a list");
        // Overrides are applied after defaults, so read them once defaults are final.
      } else if (name == "table_ttl" || name == "rate_window") {
        auto d = ParseDurationScalar(kv.second, name);
        if (!d.ok()) return d.status();
        if (*d <= absl::ZeroDuration()) return Invalid(name, "must be > 0");
        (name == "table_ttl" ? config.table_ttl : config.rate_window) = *d;
      } else if (name == "max_cached_tables") {
        auto v = ParseNumberScalar(kv.second, name);
        if (!v.ok()) return v.status();
        if (*v < 1 || *v > 1e9 || *v != std::floor(*v)) {
          return Invalid(name, "expected a whole number in [1, 1e9]");
        }
        config.max_cached_tables = static_cast<int64_t>(*v);
      } else if (name == "worker_busy_fraction") {
        auto v = ParseNumberScalar(kv.second, name);
        if (!v.ok()) return v.status();
        if (*v <= 0 || *v > 1) return Invalid(name, "expected a fraction in (0, 1]");
        config.worker_busy_fraction = *v;
      } else if (name == "log_timezone") {
        auto zone = ParseZoneScalar(kv.second, name);
        if (!zone.ok()) return zone.status();
        config.log_timezone = *zone;
      } else if (name == "clusters") {
        if (!kv.second.IsMap()) return Invalid(name, "expected a mapping of cluster names");
        for (const auto& cluster : kv.second) {
          const std::string cluster_name = cluster.first.as<std::string>();
          const std::string path = absl::StrCat("clusters.", cluster_name);
          if (!cluster.second.IsMap()) return Invalid(path, "expected a mapping");
          for (const auto& field : cluster.second) {
            const std::string key = field.first.as<std::string>();
            const std::string key_path = absl::StrCat(path, ".", key);
            if (key != "log_timezone") return Invalid(key_path, "unknown key");
            auto zone = ParseZoneScalar(field.second, key_path);
            if (!zone.ok()) return zone.status();
            config.cluster_log_timezones[cluster_name] = *zone;
          }
        }
      } else if (name == "starvation_min_tables_over_trigger") {
        auto v = ParseNumberScalar(kv.second, name);
        if (!v.ok()) return v.status();
        if (*v < 1 || *v > 1e6 || *v != std::floor(*v)) {
          return Invalid(name, "expected a whole number in [1, 1e6]");
        }
        config.starvation_min_tables_over_trigger = static_cast<int32_t>(*v);
      } else {
        return Invalid(name, "unknown key");
      }
    }
    absl::Status s = CheckTuning(config.defaults, "defaults");
    if (!s.ok()) return s;
    if (const YAML::Node overrides = root["overrides"]; overrides) {
      for (size_t i = 0; i < overrides.size(); ++i) {
        const YAML::Node o = overrides[i];
        const std::string path = absl::StrCat("overrides[", i, "]");
        if (!o.IsMap()) return Invalid(path, "expected a mapping with `match`");
        if (!o["match"] || !o["match"].IsScalar() || o["match"].Scalar().empty()) {
          return Invalid(path + ".match", "required: a glob on cluster/database.schema.table");
        }
        TuningOverride entry;
        entry.match = o["match"].Scalar();
        if (absl::Status m = CheckMatch(entry.match, path + ".match"); !m.ok()) return m;
        entry.values = config.defaults;
        s = ReadTuning(o, path, "match", &entry.values, &entry.set_mask);
        if (!s.ok()) return s;
        s = CheckTuning(entry.values, path);
        if (!s.ok()) return s;
        config.overrides.push_back(std::move(entry));
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  return config;
}
}  // namespace

}  // namespace vacwatch::pipeline
