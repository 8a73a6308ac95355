#include "app/sinks_config.h"

#include <cstdlib>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "app/env_expansion.h"
#include "common/status_macros.h"
#include "sinks/alert_labels.h"
#include "yaml-cpp/yaml.h"

namespace vacwatch::app {
namespace {

absl::Status KeyError(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("config key '", path, "': ", std::string(what)));
}

absl::StatusOr<std::string> String(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) return KeyError(path, "expected a string");
  return ExpandEnv(path, node.Scalar());
}

absl::StatusOr<absl::Duration> Duration(const YAML::Node& node, const std::string& path) {
  absl::Duration d;
  if (!node.IsScalar()) return KeyError(path, "expected a duration like 30s");
  if (node.Scalar() == "0") return absl::ZeroDuration();
  if (!absl::ParseDuration(node.Scalar(), &d) || d < absl::ZeroDuration() ||
      d == absl::InfiniteDuration()) {
    return KeyError(path, absl::StrCat("'", node.Scalar(), "' is not a duration like 30s"));
  }
  return d;
}

absl::StatusOr<double> Number(const YAML::Node& node, const std::string& path) {
  double v = 0;
  if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &v)) {
    return KeyError(path, "expected a number");
  }
  return v;
}

absl::StatusOr<bool> Bool(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) {
    if (node.Scalar() == "true") return true;
    if (node.Scalar() == "false") return false;
  }
  return KeyError(path, "expected true or false");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> StringMap(
    const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) return KeyError(path, "expected a mapping");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    VW_ASSIGN_OR_RETURN(std::string value, String(kv.second, absl::StrCat(path, ".", key)));
    out.emplace_back(key, std::move(value));
  }
  return out;
}

absl::StatusOr<pipeline::Severity> SeverityOf(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) {
    if (auto s = pipeline::ParseSeverity(node.Scalar())) return *s;
  }
  return KeyError(path, "expected info, warning or critical");
}

// Visits each key of a mapping with its handler; an unknown key is an error listing the known.
using Handlers =
    std::map<std::string, std::function<absl::Status(const YAML::Node&, const std::string&)>>;
absl::Status ForEachKey(const YAML::Node& node, const std::string& path, const Handlers& handlers) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return KeyError(path, "expected a mapping");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    auto it = handlers.find(key);
    if (it == handlers.end()) {
      std::string known;
      for (const auto& [name, handler] : handlers) {
        absl::StrAppend(&known, known.empty() ? "" : ", ", name);
      }
      return KeyError(absl::StrCat(path, ".", key), absl::StrCat("unknown key (", known, ")"));
    }
    VW_RETURN_IF_ERROR(it->second(kv.second, absl::StrCat(path, ".", key)));
  }
  return absl::OkStatus();
}

absl::Status ReadRoute(const YAML::Node& node, const std::string& path, sinks::AlertRoute* route) {
  *route = sinks::AlertRoute();
  return ForEachKey(node, path,
                    {{"min_severity",
                      [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(route->min_severity, SeverityOf(n, p));
                        return absl::OkStatus();
                      }},
                     {"severities",
                      [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        if (!n.IsSequence())
                          return KeyError(p, "expected a list like [warning, critical]");
                        for (const auto& item : n) {
                          VW_ASSIGN_OR_RETURN(pipeline::Severity s, SeverityOf(item, p));
                          route->severities.push_back(s);
                        }
                        return absl::OkStatus();
                      }},
                     {"match", [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(route->match, StringMap(n, p));
                        for (const auto& [label, value] : route->match) {
                          if (!sinks::IsAlertLabelName(label)) {
                            return KeyError(
                                absl::StrCat(p, ".", label),
                                "not a label (alertname, severity, cause, cluster, database, "
                                "schema, table, holder_kind, holder)");
                          }
                        }
                        return absl::OkStatus();
                      }}});
}

absl::Status ReadHttp(const YAML::Node& node, const std::string& path, HttpSinkSettings* http) {
  auto duration = [](absl::Duration* target) {
    return [target](const YAML::Node& n, const std::string& p) -> absl::Status {
      VW_ASSIGN_OR_RETURN(*target, Duration(n, p));
      return absl::OkStatus();
    };
  };
  return ForEachKey(node, path,
                    {{"timeout", duration(&http->client.timeout)},
                     {"connect_timeout", duration(&http->client.connect_timeout)},
                     {"initial_backoff", duration(&http->retry.initial_backoff)},
                     {"max_backoff", duration(&http->retry.max_backoff)},
                     {"jitter",
                      [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(http->retry.jitter, Number(n, p));
                        if (http->retry.jitter < 0 || http->retry.jitter > 1)
                          return KeyError(p, "expected 0..1");
                        return absl::OkStatus();
                      }},
                     {"queue_size",
                      [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(const double v, Number(n, p));
                        if (v < 1) return KeyError(p, "expected a positive number");
                        http->queue_capacity = static_cast<size_t>(v);
                        return absl::OkStatus();
                      }},
                     {"tls_verify",
                      [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(http->client.tls_verify, Bool(n, p));
                        return absl::OkStatus();
                      }},
                     {"ca_file", [&](const YAML::Node& n, const std::string& p) -> absl::Status {
                        VW_ASSIGN_OR_RETURN(http->client.ca_file, String(n, p));
                        return absl::OkStatus();
                      }}});
}

auto StringInto(std::string* target) {
  return [target](const YAML::Node& n, const std::string& p) -> absl::Status {
    VW_ASSIGN_OR_RETURN(*target, String(n, p));
    return absl::OkStatus();
  };
}

auto RouteInto(sinks::AlertRoute* route) {
  return [route](const YAML::Node& n, const std::string& p) { return ReadRoute(n, p, route); };
}

}  // namespace

absl::StatusOr<SinksConfig> ParseSinksConfig(std::string_view yaml) {
  SinksConfig config;
  config.alertmanager_route.min_severity = pipeline::Severity::kWarning;
  config.pagerduty_route.min_severity = pipeline::Severity::kCritical;
  if (yaml.empty()) return config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config section 'sinks': ", e.what()));
  }
  // `http:` first: the sinks' own `http:` go over it, wherever they are written.
  HttpSinkSettings defaults;
  if (root.IsMap() && root["http"]) {
    VW_RETURN_IF_ERROR(ReadHttp(root["http"], "sinks.http", &defaults));
  }
  config.alertmanager_http = config.pagerduty_http = config.webhook_http = defaults;
  auto http_into = [](HttpSinkSettings* target) {
    return [target](const YAML::Node& n, const std::string& p) { return ReadHttp(n, p, target); };
  };
  VW_RETURN_IF_ERROR(ForEachKey(
      root, "sinks",
      {{"http", [](const YAML::Node&, const std::string&) { return absl::OkStatus(); }},
       {"sink_retry_for",
        [&](const YAML::Node& n, const std::string& p) -> absl::Status {
          VW_ASSIGN_OR_RETURN(config.sink_retry_for, Duration(n, p));
          return absl::OkStatus();
        }},
       {"stdout",
        [&](const YAML::Node& n, const std::string& p) {
          return ForEachKey(n, p, {{"route", RouteInto(&config.stdout_route)}});
        }},
       {"kafka",
        [&](const YAML::Node& n, const std::string& p) {
          return ForEachKey(n, p, {{"route", RouteInto(&config.kafka_route)}});
        }},
       {"alertmanager",
        [&](const YAML::Node& n, const std::string& p) {
          sinks::AlertmanagerOptions& am = config.alertmanager;
          return ForEachKey(n, p,
                            {{"urls",
                              [&](const YAML::Node& list, const std::string& lp) -> absl::Status {
                                if (!list.IsSequence())
                                  return KeyError(lp, "expected a list of URLs");
                                for (const auto& item : list) {
                                  VW_ASSIGN_OR_RETURN(std::string url, String(item, lp));
                                  config.alertmanager_urls.push_back(std::move(url));
                                }
                                return absl::OkStatus();
                              }},
                             {"static_labels",
                              [&](const YAML::Node& m, const std::string& mp) -> absl::Status {
                                VW_ASSIGN_OR_RETURN(am.static_labels, StringMap(m, mp));
                                return absl::OkStatus();
                              }},
                             {"runbook_url", StringInto(&am.runbook_url)},
                             {"generator_url", StringInto(&am.generator_url)},
                             {"resend_interval",
                              [&](const YAML::Node& d, const std::string& dp) -> absl::Status {
                                VW_ASSIGN_OR_RETURN(am.resend_interval, Duration(d, dp));
                                if (am.resend_interval <= absl::ZeroDuration()) {
                                  return KeyError(dp, "must be more than 0");
                                }
                                return absl::OkStatus();
                              }},
                             {"route", RouteInto(&config.alertmanager_route)},
                             {"http", http_into(&config.alertmanager_http)}});
        }},
       {"pagerduty",
        [&](const YAML::Node& n, const std::string& p) {
          return ForEachKey(n, p,
                            {{"routing_key", StringInto(&config.pagerduty.routing_key)},
                             {"url", StringInto(&config.pagerduty.url)},
                             {"runbook_url", StringInto(&config.pagerduty.runbook_url)},
                             {"route", RouteInto(&config.pagerduty_route)},
                             {"http", http_into(&config.pagerduty_http)}});
        }},
       {"webhook", [&](const YAML::Node& n, const std::string& p) {
          return ForEachKey(n, p,
                            {{"url", StringInto(&config.webhook.url)},
                             {"bearer_token", StringInto(&config.webhook.bearer_token)},
                             {"hmac_secret", StringInto(&config.webhook.hmac_secret)},
                             {"signature_header", StringInto(&config.webhook.signature_header)},
                             {"route", RouteInto(&config.webhook_route)},
                             {"http", http_into(&config.webhook_http)}});
        }}}));
  return config;
}

}  // namespace vacwatch::app
