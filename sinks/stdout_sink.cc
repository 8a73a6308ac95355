#include "sinks/stdout_sink.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/json_writer.h"
#include "sinks/alert_description.h"

namespace vacwatch::sinks {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string HumanTime(absl::Time t) {
  if (t == absl::InfinitePast()) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

std::string Cell(std::string_view text) { return text.empty() ? "-" : std::string(text); }

}  // namespace

absl::StatusOr<AlertFormat> ParseAlertFormat(std::string_view name) {
  if (name == "json") return AlertFormat::kJson;
  if (name == "text") return AlertFormat::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown output format '", Sv(name), "': expected json or text"));
}

StdoutSink::StdoutSink(std::FILE* out, AlertFormat format) : out_(out), format_(format) {}

absl::Status StdoutSink::Write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size()) {
    return absl::UnavailableError(absl::StrCat("write alerts: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

void StdoutSink::AppendTextLine(const pipeline::Alert& alert) {
  absl::StrAppend(&line_, HumanTime(alert.event_time), "  ", AlertHeadline(alert));
  if (!alert.summary.empty()) absl::StrAppend(&line_, "  ", alert.summary);
  line_.push_back('\n');
}

absl::Status StdoutSink::Deliver(const pipeline::AlertTransition& transition) {
  const pipeline::Alert& alert = transition.alert;
  const bool firing = alert.status == pipeline::AlertStatus::kFiring;
  (firing ? fired_ : resolved_)++;
  line_.clear();
  if (format_ == AlertFormat::kJson) {
    pipeline::WriteAlertJson(alert, &line_);
    line_.push_back('\n');
  } else {
    AppendTextLine(alert);
    Found& found = found_[{TableName(alert), alert.alert}];
    if (firing || found.alert.alert.empty()) {
      found.alert = alert;
    } else {
      // Keep what fired (cause, holder, fix); note when it stopped.
      found.alert.ends_at = alert.ends_at.has_value() ? alert.ends_at : alert.event_time;
    }
    found.firing = firing;
  }
  return Write(line_);
}

absl::Status StdoutSink::Flush() {
  if (std::fflush(out_) != 0) {
    return absl::UnavailableError(absl::StrCat("flush alerts: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status StdoutSink::WriteSummary(const RunFacts& facts) {
  if (format_ != AlertFormat::kText) return absl::OkStatus();
  line_.clear();
  for (const pipeline::Alert& a : facts.firing) {
    auto [it, added] = found_.try_emplace({TableName(a), a.alert});
    if (added) it->second = Found{a, /*firing=*/true, /*earlier=*/true};
  }
  if (found_.empty()) {
    if (facts.judged) {
      absl::StrAppend(&line_, "\nNo alerts: every table kept up.\n");
    } else {
      absl::StrAppend(&line_, "\nNothing could be judged: ", facts.not_judged_reason, "\n");
    }
    absl::Status s = Write(line_);
    return s.ok() ? Flush() : s;
  }
  struct Row {
    std::string table, alert, severity, cause, since, holder, fix;
  };
  std::vector<Row> rows;
  // Still firing first, then resolved; each group in table order.
  for (bool firing : {true, false}) {
    for (const auto& [key, found] : found_) {
      if (found.firing != firing) continue;
      const pipeline::Alert& a = found.alert;
      std::string since = HumanTime(a.starts_at);
      if (found.earlier) absl::StrAppend(&since, " (earlier run)");
      if (!firing) {
        absl::StrAppend(&since, " (resolved ",
                        a.ends_at.has_value() ? HumanTime(*a.ends_at) : std::string("-"), ")");
      }
      rows.push_back({key.first, a.alert, std::string(pipeline::SeverityName(a.severity)),
                      std::string(pipeline::CauseName(a.cause)), since, Cell(DescribeHolder(a)),
                      Cell(a.recommendation)});
    }
  }
  Row header{"TABLE", "ALERT", "SEVERITY", "CAUSE", "SINCE (UTC)", "HOLDER", "FIX"};
  std::vector<size_t> width = {header.table.size(), header.alert.size(), header.severity.size(),
                               header.cause.size(), header.since.size(), header.holder.size()};
  for (const Row& r : rows) {
    width[0] = std::max(width[0], r.table.size());
    width[1] = std::max(width[1], r.alert.size());
    width[2] = std::max(width[2], r.severity.size());
    width[3] = std::max(width[3], r.cause.size());
    width[4] = std::max(width[4], r.since.size());
    width[5] = std::max(width[5], r.holder.size());
  }
  auto append_row = [&](const Row& r) {
    const std::string* cells[] = {&r.table, &r.alert, &r.severity, &r.cause, &r.since, &r.holder};
    for (size_t i = 0; i < 6; ++i) {
      line_.append(*cells[i]);
      line_.append(width[i] - cells[i]->size() + 2, ' ');
    }
    line_.append(r.fix);
    line_.push_back('\n');
  };
  int64_t still_firing = 0;
  int64_t tables = 0;
  const std::string* last_table = nullptr;
  for (const auto& [key, found] : found_) {
    still_firing += found.firing ? 1 : 0;
    if (last_table == nullptr || *last_table != key.first) ++tables;
    last_table = &key.first;
  }
  absl::StrAppend(&line_, "\nFound ", found_.size(), " alert(s) on ", tables, " table(s), ",
                  still_firing, " still firing:\n\n");
  append_row(header);
  for (const Row& r : rows) append_row(r);
  absl::Status s = Write(line_);
  return s.ok() ? Flush() : s;
}

}  // namespace vacwatch::sinks
