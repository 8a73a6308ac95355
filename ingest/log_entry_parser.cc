#include "ingest/log_entry_parser.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace vacwatch::ingest {
namespace {

// ---------------------------------------------------------------------------------------------
// Cursor: consumes one part of a message. Every step returns bool and the first failure is
// remembered with its kind, so a part parser is a chain of `&&` and the caller names the field.

class Cursor {
 public:
  explicit Cursor(std::string_view text) : rest_(text) {}

  bool Lit(std::string_view lit) {
    if (failed_) return false;
    if (rest_.substr(0, lit.size()) == lit) {
      rest_.remove_prefix(lit.size());
      return true;
    }
    // A line cut in the middle of the expected text is truncated; other text is a mismatch.
    return Fail(lit.substr(0, rest_.size()) == rest_ ? ParseErrorKind::kTruncated
                                                     : ParseErrorKind::kBadStructure);
  }

  // Consumes `lit` if the text continues with it; never fails.
  bool TryLit(std::string_view lit) {
    if (failed_ || rest_.substr(0, lit.size()) != lit) return false;
    rest_.remove_prefix(lit.size());
    return true;
  }

  // Unsigned decimal (%u, %lld of a count, %llu).
  bool Uint(int64_t* value) {
    if (failed_) return false;
    if (!rest_.empty() && rest_[0] == '-') return Fail(ParseErrorKind::kBadNumber);
    return Int(value);
  }

  // Signed decimal (%d diffs may be negative).
  bool Int(int64_t* value) {
    if (failed_) return false;
    if (rest_.empty()) return Fail(ParseErrorKind::kTruncated);
    const char* end = rest_.data() + rest_.size();
    auto [ptr, ec] = std::from_chars(rest_.data(), end, *value);
    if (ec != std::errc()) return Fail(ParseErrorKind::kBadNumber);
    rest_.remove_prefix(static_cast<size_t>(ptr - rest_.data()));
    return true;
  }

  // Fixed-point decimal (%.2f, %.3f, %d.%02d).
  bool Double(double* value) {
    if (failed_) return false;
    if (rest_.empty()) return Fail(ParseErrorKind::kTruncated);
    const char* end = rest_.data() + rest_.size();
    auto [ptr, ec] = std::from_chars(rest_.data(), end, *value, std::chars_format::fixed);
    if (ec != std::errc()) return Fail(ParseErrorKind::kBadNumber);
    rest_.remove_prefix(static_cast<size_t>(ptr - rest_.data()));
    return true;
  }

  bool failed() const { return failed_; }
  ParseErrorKind failure() const { return failure_; }
  std::string_view rest() const { return rest_; }

 private:
  bool Fail(ParseErrorKind kind) {
    if (!failed_) {
      failed_ = true;
      failure_ = kind;
    }
    return false;
  }

  std::string_view rest_;
  bool failed_ = false;
  ParseErrorKind failure_ = ParseErrorKind::kBadStructure;
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits a message into lines. Continuation lines lose one leading TAB (stderr) or run of
// spaces (pasted logs); a trailing '\r' is dropped. Cloud SQL exports have neither.
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view text) : rest_(text) {}
  bool Next(std::string_view* line) {
    if (done_) return false;
    size_t nl = rest_.find('\n');
    std::string_view l = rest_.substr(0, nl);
    if (nl == std::string_view::npos) {
      done_ = true;
    } else {
      rest_.remove_prefix(nl + 1);
    }
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!l.empty() && l[0] == '\t') {
      l.remove_prefix(1);
    } else {
      while (!l.empty() && l[0] == ' ') l.remove_prefix(1);
    }
    *line = l;
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

std::string_view FirstLine(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// "db.schema.table" as PostgreSQL prints it, raw. Database and schema end at the first and
// second '.', the table is the rest: a table name with dots (the usual accident,
// CREATE TABLE "public.foo") comes out right; a database or schema name with dots does not,
// and nothing in the text can tell them apart.
bool SplitQualifiedName(std::string_view name, LogEvent* event) {
  size_t first = name.find('.');
  if (first == std::string_view::npos) return false;
  size_t second = name.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  event->database = name.substr(0, first);
  event->schema = name.substr(first + 1, second - first - 1);
  event->table = name.substr(second + 1);
  return !event->database.empty() && !event->table.empty();
}

// "schema.rel" of the PG13+ vacuum error context; the schema ends at the first '.'.
void SplitSchemaTable(std::string_view name, LogEvent* event) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) {
    event->table = name;
  } else {
    event->schema = name.substr(0, dot);
    event->table = name.substr(dot + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The parts of a vacuum / analyze message, each after its keyword.

enum PartBit : uint32_t {
  kPages = 1u << 0,
  kTuples = 1u << 1,
  kTuplesMissed = 1u << 2,
  kRemovableCutoff = 1u << 3,
  kNewRelfrozenxid = 1u << 4,
  kNewRelminmxid = 1u << 5,
  kFrozen = 1u << 6,
  kVisibilityMap = 1u << 7,
  kIndexScan = 1u << 8,
  kIndexLine = 1u << 9,
  kDelayTime = 1u << 10,
  kIoTimings = 1u << 11,
  kAvgRate = 1u << 12,
  kBufferUsage = 1u << 13,
  kWalUsage = 1u << 14,
  kSystemUsage = 1u << 15,
};

struct PartFailure {
  ParseErrorKind kind = ParseErrorKind::kBadStructure;
  std::string_view field;
};

bool ParsePages(Cursor& c, VacuumStats* s) {
  int64_t removed = 0, remain = 0, third = 0, fourth = 0;
  double pct = 0;
  if (!(c.Uint(&removed) && c.Lit(" removed, ") && c.Uint(&remain) && c.Lit(" remain, ") &&
        c.Uint(&third))) {
    return false;
  }
  s->pages_removed = removed;
  s->pages_remain = remain;
  if (c.TryLit(" skipped due to pins, ")) {  // 9.6-14
    if (!(c.Uint(&fourth) && c.Lit(" skipped frozen"))) return false;
    s->pages_skipped_pins = third;
    s->pages_skipped_frozen = fourth;
    return true;
  }
  if (!(c.Lit(" scanned (") && c.Double(&pct) && c.Lit("% of total)"))) return false;  // 15+
  s->pages_scanned = third;
  s->pages_scanned_pct = pct;
  if (c.TryLit(", ")) {  // 18
    if (!(c.Uint(&fourth) && c.Lit(" eagerly scanned"))) return false;
    s->pages_eagerly_scanned = fourth;
  }
  return true;
}

bool ParseTuples(Cursor& c, VacuumStats* s) {
  int64_t removed = 0, remain = 0, dead = 0, xmin = 0;
  if (!(c.Uint(&removed) && c.Lit(" removed, ") && c.Uint(&remain) && c.Lit(" remain, ") &&
        c.Uint(&dead) && c.Lit(" are dead but not yet removable"))) {
    return false;
  }
  s->tuples_removed = removed;
  s->tuples_remain = remain;
  s->tuples_not_yet_removable = dead;
  if (c.TryLit(", oldest xmin: ")) {  // 10-14
    if (!c.Uint(&xmin)) return false;
    s->oldest_xmin = xmin;
  }
  return true;
}

bool ParseTuplesMissed(Cursor& c, VacuumStats* s) {
  int64_t dead = 0, pages = 0;
  if (!(c.Uint(&dead) && c.Lit(" dead from ") && c.Uint(&pages) && c.Lit(" pages not removed"))) {
    return false;
  }
  s->tuples_missed_dead = dead;
  s->tuples_missed_pages = pages;
  return true;
}

// "<id><middle><distance><tail>": a transaction or multixact id and how far it is from the
// current one (removable cutoff, new relfrozenxid, new relminmxid).
bool ParseIdAndDistance(Cursor& c, std::string_view middle, std::string_view tail,
                        std::optional<int64_t>* id, std::optional<int64_t>* distance) {
  int64_t id_value = 0, distance_value = 0;
  if (!(c.Uint(&id_value) && c.Lit(middle) && c.Int(&distance_value) && c.Lit(tail))) {
    return false;
  }
  *id = id_value;
  *distance = distance_value;
  return true;
}

bool ParseRemovableCutoff(Cursor& c, VacuumStats* s) {
  return ParseIdAndDistance(c, ", which was ", " XIDs old", &s->removable_cutoff,
                            &s->removable_cutoff_age);
}

bool ParseNewRelfrozenxid(Cursor& c, VacuumStats* s) {
  return ParseIdAndDistance(c, ", which is ", " XIDs ahead", &s->new_relfrozenxid,
                            &s->relfrozenxid_advance);
}

bool ParseNewRelminmxid(Cursor& c, VacuumStats* s) {
  return ParseIdAndDistance(c, ", which is ", " MXIDs ahead", &s->new_relminmxid,
                            &s->relminmxid_advance);
}

bool ParseFrozen(Cursor& c, VacuumStats* s) {
  int64_t pages = 0, tuples = 0;
  double pct = 0;
  if (!(c.Uint(&pages) && c.Lit(" pages from table (") && c.Double(&pct) &&
        c.Lit("% of total) had ") && c.Uint(&tuples) && c.Lit(" tuples frozen"))) {
    return false;
  }
  s->frozen_pages = pages;
  s->frozen_pages_pct = pct;
  s->tuples_frozen = tuples;
  return true;
}

bool ParseVisibilityMap(Cursor& c, VacuumStats* s) {
  int64_t visible = 0, frozen = 0, were_visible = 0;
  if (!(c.Uint(&visible) && c.Lit(" pages set all-visible, ") && c.Uint(&frozen) &&
        c.Lit(" pages set all-frozen (") && c.Uint(&were_visible) && c.Lit(" were all-visible)"))) {
    return false;
  }
  s->vm_all_visible = visible;
  s->vm_all_frozen = frozen;
  s->vm_all_frozen_were_visible = were_visible;
  return true;
}

// After "index scan ": "<decision>: N pages from table (P% of total) had|have N dead item ..."
bool ParseIndexScan(Cursor& c, VacuumStats* s) {
  IndexScanDecision decision;
  if (c.TryLit("not needed: ")) {
    decision = IndexScanDecision::kNotNeeded;
  } else if (c.TryLit("needed: ")) {
    decision = IndexScanDecision::kNeeded;
  } else if (c.TryLit("bypassed by failsafe: ")) {
    decision = IndexScanDecision::kBypassedByFailsafe;
  } else if (c.Lit("bypassed: ")) {
    decision = IndexScanDecision::kBypassed;
  } else {
    return false;
  }
  int64_t pages = 0, dead = 0;
  double pct = 0;
  if (!(c.Uint(&pages) && c.Lit(" pages from table (") && c.Double(&pct) &&
        c.Lit("% of total) "))) {
    return false;
  }
  if (!c.TryLit("had ") && !c.Lit("have ")) return false;
  if (!(c.Uint(&dead) && c.Lit(" dead item identifiers"))) return false;
  s->index_scan = decision;
  s->index_scan_pages = pages;
  s->index_scan_pages_pct = pct;
  s->dead_item_ids = dead;
  return true;
}

// The whole line `index "name": pages: N in total, N newly deleted, N currently deleted, ...`.
bool ParseIndexLine(std::string_view line, VacuumStats* s, Cursor* failure) {
  constexpr std::string_view kAnchor = "\": pages: ";
  size_t anchor = line.rfind(kAnchor);
  if (anchor == std::string_view::npos || anchor < 7) {
    *failure = Cursor(line.substr(7));
    failure->Lit(kAnchor);
    return false;
  }
  IndexVacuumStats index;
  index.name = line.substr(7, anchor - 7);
  Cursor c(line.substr(anchor + kAnchor.size()));
  if (!(c.Uint(&index.pages_total) && c.Lit(" in total, ") && c.Uint(&index.pages_newly_deleted) &&
        c.Lit(" newly deleted, ") && c.Uint(&index.pages_currently_deleted) &&
        c.Lit(" currently deleted, ") && c.Uint(&index.pages_reusable) && c.Lit(" reusable"))) {
    *failure = c;
    return false;
  }
  s->indexes.push_back(index);
  return true;
}

bool ParseDelayTime(Cursor& c, VacuumStats* s) {
  double ms = 0;
  if (!(c.Double(&ms) && c.Lit(" ms"))) return false;
  s->delay_time_ms = ms;
  return true;
}

bool ParseIoTimings(Cursor& c, VacuumStats* s) {
  double read = 0, write = 0;
  if (!(c.Lit("read: ") && c.Double(&read) && c.Lit(" ms, write: ") && c.Double(&write) &&
        c.Lit(" ms"))) {
    return false;
  }
  s->io_read_ms = read;
  s->io_write_ms = write;
  return true;
}

bool ParseAvgRate(Cursor& c, VacuumStats* s) {
  double read = 0, write = 0;
  if (!(c.Double(&read) && c.Lit(" MB/s, avg write rate: ") && c.Double(&write) &&
        c.Lit(" MB/s"))) {
    return false;
  }
  s->read_rate_mbs = read;
  s->write_rate_mbs = write;
  return true;
}

bool ParseBufferUsage(Cursor& c, VacuumStats* s) {
  int64_t hits = 0, misses = 0, dirtied = 0;
  if (!(c.Uint(&hits) && c.Lit(" hits, ") && c.Uint(&misses))) return false;
  if (!c.TryLit(" misses, ") && !c.Lit(" reads, ")) return false;  // "reads" in 18
  if (!(c.Uint(&dirtied) && c.Lit(" dirtied"))) return false;
  s->buffer_hits = hits;
  s->buffer_misses = misses;
  s->buffer_dirtied = dirtied;
  return true;
}

bool ParseWalUsage(Cursor& c, VacuumStats* s) {
  int64_t records = 0, fpi = 0, bytes = 0, full = 0;
  if (!(c.Uint(&records) && c.Lit(" records, ") && c.Uint(&fpi) && c.Lit(" full page images, ") &&
        c.Uint(&bytes) && c.Lit(" bytes"))) {
    return false;
  }
  s->wal_records = records;
  s->wal_fpi = fpi;
  s->wal_bytes = bytes;
  if (c.TryLit(", ")) {  // 18
    if (!(c.Uint(&full) && c.Lit(" buffers full"))) return false;
    s->wal_buffers_full = full;
  }
  return true;
}

// 10+: "CPU: user: 0.03 s, system: 0.01 s, elapsed: 0.10 s"
// 9.6: "CPU 1.02s/2.08u sec elapsed 108.25 sec" (system first, then user)
bool ParseSystemUsage(Cursor& c, VacuumStats* s) {
  double user = 0, system = 0, elapsed = 0;
  if (c.TryLit("CPU: user: ")) {
    if (!(c.Double(&user) && c.Lit(" s, system: ") && c.Double(&system) && c.Lit(" s, elapsed: ") &&
          c.Double(&elapsed) && c.Lit(" s"))) {
      return false;
    }
  } else if (!(c.Lit("CPU ") && c.Double(&system) && c.Lit("s/") && c.Double(&user) &&
               c.Lit("u sec elapsed ") && c.Double(&elapsed) && c.Lit(" sec"))) {
    return false;
  }
  s->cpu_user_s = user;
  s->cpu_system_s = system;
  s->elapsed_s = elapsed;
  return true;
}

// Parses one continuation line by its keyword. Unknown lines are ignored (future versions,
// AlloyDB extras). Returns false with `failure` filled when a known part does not parse.
bool ParsePart(std::string_view line, VacuumStats* s, uint32_t* seen, PartFailure* failure) {
  if (line.empty()) return true;
  Cursor c(line);
  // Runs the parser of the part whose keyword `c` has just consumed.
  auto part = [&](bool (*parse)(Cursor&, VacuumStats*), uint32_t bit, std::string_view field) {
    if (parse(c, s)) {
      *seen |= bit;
      return true;
    }
    failure->kind = c.failed() ? c.failure() : ParseErrorKind::kBadStructure;
    failure->field = field;
    return false;
  };
  switch (line[0]) {
    case 'p':
      if (c.TryLit("pages: ")) return part(ParsePages, kPages, "pages");
      break;
    case 't':
      if (c.TryLit("tuples missed: "))
        return part(ParseTuplesMissed, kTuplesMissed, "tuples_missed");
      if (c.TryLit("tuples: ")) return part(ParseTuples, kTuples, "tuples");
      break;
    case 'r':
      if (c.TryLit("removable cutoff: ")) {
        return part(ParseRemovableCutoff, kRemovableCutoff, "removable_cutoff");
      }
      break;
    case 'n':
      if (c.TryLit("new relfrozenxid: ")) {
        return part(ParseNewRelfrozenxid, kNewRelfrozenxid, "new_relfrozenxid");
      }
      if (c.TryLit("new relminmxid: ")) {
        return part(ParseNewRelminmxid, kNewRelminmxid, "new_relminmxid");
      }
      break;
    case 'f':
      if (c.TryLit("frozen: ")) return part(ParseFrozen, kFrozen, "frozen");
      break;
    case 'v':
      if (c.TryLit("visibility map: "))
        return part(ParseVisibilityMap, kVisibilityMap, "visibility_map");
      break;
    case 'i':
      if (c.TryLit("index scan ")) return part(ParseIndexScan, kIndexScan, "index_scan");
      if (StartsWith(line, "index \"")) {
        if (ParseIndexLine(line, s, &c)) {
          *seen |= kIndexLine;
          return true;
        }
        failure->kind = c.failed() ? c.failure() : ParseErrorKind::kBadStructure;
        failure->field = "index";
        return false;
      }
      break;
    case 'd':
      if (c.TryLit("delay time: ")) return part(ParseDelayTime, kDelayTime, "delay_time");
      break;
    case 'I':
      if (c.TryLit("I/O timings: ")) return part(ParseIoTimings, kIoTimings, "io_timings");
      break;
    case 'a':
      if (c.TryLit("avg read rate: ")) return part(ParseAvgRate, kAvgRate, "avg_read_rate");
      break;
    case 'b':
      if (c.TryLit("buffer usage: ")) return part(ParseBufferUsage, kBufferUsage, "buffer_usage");
      break;
    case 'W':
      if (c.TryLit("WAL usage: ")) return part(ParseWalUsage, kWalUsage, "wal_usage");
      break;
    case 's':
      if (c.TryLit("system usage: ")) return part(ParseSystemUsage, kSystemUsage, "system_usage");
      break;
    default:
      break;
  }
  return true;
}

// Which required part is missing, or empty. Every version prints pages, tuples, the rates,
// buffer usage and system usage; 15+ (recognised by "scanned (") always adds the removable
// cutoff, the index-scan line and WAL usage.
std::string_view MissingVacuumPart(uint32_t seen, const VacuumStats& s) {
  if (!(seen & kPages)) return "pages";
  if (!(seen & kTuples)) return "tuples";
  if (s.pages_scanned.has_value()) {
    if (!(seen & kRemovableCutoff)) return "removable_cutoff";
    if (!(seen & kIndexScan)) return "index_scan";
  }
  if (!(seen & kAvgRate)) return "avg_read_rate";
  if (!(seen & kBufferUsage)) return "buffer_usage";
  if (!(seen & kSystemUsage)) return "system_usage";
  if (s.pages_scanned.has_value() && !(seen & kWalUsage)) return "wal_usage";
  return {};
}

// ---------------------------------------------------------------------------------------------

class EntryParser {
 public:
  EntryParser(const LogEntry& entry, std::string_view cluster, LogEvent* event, ParseError* error)
      : entry_(entry), cluster_(cluster), event_(event), error_(error) {}

  EntryOutcome Parse();

 private:
  void Begin(LogEventType type) {
    event_->Clear();
    event_->type = type;
    event_->cluster = cluster_;
    event_->pid = entry_.pid;
    event_->time = entry_.time;
    event_->time_text = entry_.time_text;
    event_->utc_offset_s = entry_.utc_offset_s;
    event_->byte_offset = entry_.byte_offset;
    event_->line_no = entry_.line_no;
  }

  EntryOutcome Reject(ParseErrorKind kind, std::string_view field, std::string_view detail) {
    if (error_ != nullptr) {
      error_->kind = kind;
      error_->field = field;
      error_->detail = detail;
      error_->byte_offset = entry_.byte_offset;
      error_->line_no = entry_.line_no;
      error_->raw = entry_.message;
    }
    return EntryOutcome::kRejected;
  }

  EntryOutcome RejectPart(const PartFailure& f) {
    std::string_view detail = "part does not match the expected format";
    if (f.kind == ParseErrorKind::kBadNumber) detail = "number does not parse";
    if (f.kind == ParseErrorKind::kTruncated) detail = "part ends early";
    return Reject(f.kind, f.field, detail);
  }

  EntryOutcome ParseAutomatic(std::string_view rest);
  EntryOutcome ParseVacuum(VacuumMode mode, std::string_view rest);
  EntryOutcome ParseAnalyze(std::string_view rest);
  EntryOutcome ParseCancel();
  EntryOutcome ParseSkip(LogEventType type, std::string_view rest);
  EntryOutcome ParseWraparound();
  EntryOutcome Wraparound(WraparoundWarningKind kind) {
    Begin(LogEventType::kWraparoundWarning);
    event_->database = entry_.database;
    event_->wraparound.kind = kind;
    return EntryOutcome::kEvent;
  }

  const LogEntry& entry_;
  std::string_view cluster_;
  LogEvent* event_;
  ParseError* error_;
};

EntryOutcome EntryParser::Parse() {
  std::string_view msg = entry_.message;
  switch (msg[0]) {
    case 'a':
      if (StartsWith(msg, "automatic ")) {
        return entry_.severity == "LOG" ? ParseAutomatic(msg.substr(10)) : EntryOutcome::kSkipped;
      }
      return ParseWraparound();
    case 's':
      if (StartsWith(msg, "skipping vacuum of \"")) {
        return ParseSkip(LogEventType::kVacuumSkipped, msg.substr(20));
      }
      if (StartsWith(msg, "skipping analyze of \"")) {
        return ParseSkip(LogEventType::kAnalyzeSkipped, msg.substr(21));
      }
      return ParseWraparound();
    case 'c':
      if (StartsWith(msg, "canceling autovacuum task")) return ParseCancel();
      return ParseWraparound();
    default:
      return ParseWraparound();
  }
}

EntryOutcome EntryParser::ParseAutomatic(std::string_view rest) {
  if (StartsWith(rest, "vacuum of table \"")) {
    return ParseVacuum(VacuumMode::kNormal, rest.substr(17));
  }
  if (StartsWith(rest, "aggressive vacuum of table \"")) {
    return ParseVacuum(VacuumMode::kAggressive, rest.substr(28));
  }
  if (StartsWith(rest, "vacuum to prevent wraparound of table \"")) {
    return ParseVacuum(VacuumMode::kWraparound, rest.substr(39));
  }
  if (StartsWith(rest, "aggressive vacuum to prevent wraparound of table \"")) {
    return ParseVacuum(VacuumMode::kAggressiveWraparound, rest.substr(50));
  }
  if (StartsWith(rest, "analyze of table \"")) return ParseAnalyze(rest.substr(18));
  return EntryOutcome::kSkipped;
}

// `rest` starts right after `of table "`.
EntryOutcome EntryParser::ParseVacuum(VacuumMode mode, std::string_view rest) {
  constexpr std::string_view kAnchor = "\": index scans: ";
  Begin(LogEventType::kVacuum);
  VacuumStats* s = &event_->stats;
  s->mode = mode;
  size_t anchor = rest.find(kAnchor);
  if (anchor == std::string_view::npos) {
    return Reject(ParseErrorKind::kTruncated, "index_scans", "first line ends early");
  }
  if (!SplitQualifiedName(rest.substr(0, anchor), event_)) {
    return Reject(ParseErrorKind::kBadStructure, "table", "table name is not db.schema.table");
  }
  std::string_view after = rest.substr(anchor + kAnchor.size());
  size_t nl = after.find('\n');
  Cursor first(FirstLine(after));
  int64_t index_scans = 0;
  if (!first.Uint(&index_scans)) {
    return RejectPart({first.failure(), "index_scans"});
  }
  if (!first.rest().empty()) {
    return Reject(ParseErrorKind::kBadNumber, "index_scans", "number does not parse");
  }
  s->index_scans = index_scans;

  uint32_t seen = 0;
  if (nl != std::string_view::npos) {
    LineSplitter lines(after.substr(nl + 1));
    std::string_view line;
    PartFailure failure;
    while (lines.Next(&line)) {
      if (!ParsePart(line, s, &seen, &failure)) return RejectPart(failure);
    }
  }
  if (std::string_view missing = MissingVacuumPart(seen, *s); !missing.empty()) {
    return Reject(ParseErrorKind::kTruncated, missing, "required part missing");
  }
  return EntryOutcome::kEvent;
}

// `rest` starts right after `automatic analyze of table "`. 14+: the first line ends with the
// closing quote and parts follow; <=13: one line, `" system usage: ...`.
EntryOutcome EntryParser::ParseAnalyze(std::string_view rest) {
  constexpr std::string_view kInline = "\" system usage: ";
  Begin(LogEventType::kAnalyze);
  VacuumStats* s = &event_->stats;
  std::string_view first = FirstLine(rest);
  uint32_t seen = 0;
  PartFailure failure;
  if (!first.empty() && first.back() == '"') {
    if (!SplitQualifiedName(first.substr(0, first.size() - 1), event_)) {
      return Reject(ParseErrorKind::kBadStructure, "table", "table name is not db.schema.table");
    }
    size_t nl = rest.find('\n');
    if (nl != std::string_view::npos) {
      LineSplitter lines(rest.substr(nl + 1));
      std::string_view line;
      while (lines.Next(&line)) {
        if (!ParsePart(line, s, &seen, &failure)) return RejectPart(failure);
      }
    }
    if (!(seen & kAvgRate)) {
      return Reject(ParseErrorKind::kTruncated, "avg_read_rate", "required part missing");
    }
    if (!(seen & kBufferUsage)) {
      return Reject(ParseErrorKind::kTruncated, "buffer_usage", "required part missing");
    }
  } else {
    size_t anchor = first.rfind(kInline);
    if (anchor == std::string_view::npos) {
      return Reject(ParseErrorKind::kTruncated, "table", "first line ends early");
    }
    if (!SplitQualifiedName(first.substr(0, anchor), event_)) {
      return Reject(ParseErrorKind::kBadStructure, "table", "table name is not db.schema.table");
    }
    // The inline system usage is parsed as its own part.
    if (!ParsePart(first.substr(anchor + 2), s, &seen, &failure)) return RejectPart(failure);
  }
  if (!(seen & kSystemUsage)) {
    return Reject(ParseErrorKind::kTruncated, "system_usage", "required part missing");
  }
  return EntryOutcome::kEvent;
}

EntryOutcome EntryParser::ParseCancel() {
  std::string_view msg = entry_.message;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r' || msg.back() == ' ')) {
    msg.remove_suffix(1);
  }
  if (msg != "canceling autovacuum task" || entry_.severity != "ERROR") {
    return EntryOutcome::kSkipped;
  }
  Begin(LogEventType::kVacuumCancelled);
  LineSplitter lines(entry_.context);
  std::string_view line;
  std::string_view phase;
  while (lines.Next(&line)) {
    bool vacuum = StartsWith(line, "automatic vacuum of table \"");
    bool analyze = !vacuum && StartsWith(line, "automatic analyze of table \"");
    if ((vacuum || analyze) && line.size() > 28 && line.back() == '"') {
      size_t begin = vacuum ? 27 : 28;
      if (!SplitQualifiedName(line.substr(begin, line.size() - 1 - begin), event_)) {
        return Reject(ParseErrorKind::kBadStructure, "context",
                      "table name is not db.schema.table");
      }
      event_->type = vacuum ? LogEventType::kVacuumCancelled : LogEventType::kAnalyzeCancelled;
      event_->cancel_phase = phase;
      return EntryOutcome::kEvent;
    }
    if (phase.empty() && StartsWith(line, "while ")) phase = line;
  }
  // No "automatic ... of table" line: the PG13+ phase line still names "schema.rel".
  size_t open = phase.find("relation \"");
  size_t close = phase.rfind('"');
  if (open == std::string_view::npos || close <= open + 10) {
    return Reject(ParseErrorKind::kMissingField, "context", "cancel without the table's context");
  }
  SplitSchemaTable(phase.substr(open + 10, close - open - 10), event_);
  event_->database = entry_.database;
  event_->cancel_phase = phase;
  return EntryOutcome::kEvent;
}

// `rest` starts right after `skipping vacuum of "`.
EntryOutcome EntryParser::ParseSkip(LogEventType type, std::string_view rest) {
  constexpr std::string_view kLockSuffix = "\" --- lock not available";
  std::string_view line = FirstLine(rest);
  if (!EndsWith(line, kLockSuffix)) return EntryOutcome::kSkipped;  // "no longer exists"
  Begin(type);
  event_->table = line.substr(0, line.size() - kLockSuffix.size());
  event_->database = entry_.database;
  return EntryOutcome::kEvent;
}

EntryOutcome EntryParser::ParseWraparound() {
  std::string_view msg = FirstLine(entry_.message);
  switch (msg[0]) {
    case 'd': {
      if (StartsWith(msg, "database with OID ")) {
        Cursor c(msg.substr(18));
        int64_t oid = 0, remaining = 0;
        if (!c.Uint(&oid)) return EntryOutcome::kSkipped;
        WraparoundWarningKind kind;
        if (c.TryLit(" must be vacuumed within ")) {
          kind = WraparoundWarningKind::kMustVacuumWithin;
        } else if (c.TryLit(" must be vacuumed before ")) {
          kind = WraparoundWarningKind::kMultixactMustVacuumWithin;
        } else {
          return EntryOutcome::kSkipped;
        }
        if (!c.Uint(&remaining)) return RejectPart({c.failure(), "remaining"});
        Wraparound(kind);
        event_->database = {};
        event_->wraparound.database_oid = oid;
        event_->wraparound.remaining = remaining;
        return EntryOutcome::kEvent;
      }
      if (StartsWith(msg, "database \"")) {
        constexpr std::string_view kWithin = "\" must be vacuumed within ";
        constexpr std::string_view kBefore = "\" must be vacuumed before ";
        WraparoundWarningKind kind = WraparoundWarningKind::kMustVacuumWithin;
        size_t at = msg.rfind(kWithin);
        size_t skip = kWithin.size();
        if (at == std::string_view::npos) {
          at = msg.rfind(kBefore);
          skip = kBefore.size();
          kind = WraparoundWarningKind::kMultixactMustVacuumWithin;
        }
        if (at == std::string_view::npos || at < 10) return EntryOutcome::kSkipped;
        Cursor c(msg.substr(at + skip));
        int64_t remaining = 0;
        if (!c.Uint(&remaining)) return RejectPart({c.failure(), "remaining"});
        Wraparound(kind);
        event_->database = msg.substr(10, at - 10);
        event_->wraparound.remaining = remaining;
        return EntryOutcome::kEvent;
      }
      if (StartsWith(msg, "database is not accepting commands ") &&
          msg.find("to avoid wraparound data loss in database ") != std::string_view::npos) {
        Wraparound(WraparoundWarningKind::kNotAcceptingCommands);
        constexpr std::string_view kOid = " in database with OID ";
        constexpr std::string_view kName = " in database \"";
        if (size_t at = msg.rfind(kOid); at != std::string_view::npos) {
          Cursor c(msg.substr(at + kOid.size()));
          int64_t oid = 0;
          if (c.Uint(&oid)) event_->wraparound.database_oid = oid;
          event_->database = {};
        } else if (size_t at2 = msg.find(kName); at2 != std::string_view::npos &&
                                                 msg.back() == '"' &&
                                                 msg.size() > at2 + kName.size()) {
          event_->database = msg.substr(at2 + kName.size(), msg.size() - 1 - at2 - kName.size());
        }
        return EntryOutcome::kEvent;
      }
      return EntryOutcome::kSkipped;
    }
    case 'o':
      if (msg == "oldest xmin is far in the past") {
        return Wraparound(WraparoundWarningKind::kOldestXminFarInPast);
      }
      if (msg == "oldest multixact is far in the past") {
        return Wraparound(WraparoundWarningKind::kOldestMultixactFarInPast);
      }
      return EntryOutcome::kSkipped;
    case 'c':
      if (msg == "cutoff for removing and freezing tuples is far in the past") {
        return Wraparound(WraparoundWarningKind::kOldestXminFarInPast);
      }
      if (msg == "cutoff for freezing multixacts is far in the past") {
        return Wraparound(WraparoundWarningKind::kOldestMultixactFarInPast);
      }
      return EntryOutcome::kSkipped;
    case 's':
      if (msg == "some databases have not been vacuumed in over 2 billion transactions") {
        return Wraparound(WraparoundWarningKind::kNotVacuumedIn2Billion);
      }
      return EntryOutcome::kSkipped;
    case 'a':  // PG14 before 14.0 said "abandoned index vacuuming of table ..."
    case 'b': {
      constexpr std::string_view kBypassing = "bypassing nonessential maintenance of table \"";
      constexpr std::string_view kAbandoned = "abandoned index vacuuming of table \"";
      constexpr std::string_view kTail = "\" as a failsafe after ";
      size_t head = 0;
      if (StartsWith(msg, kBypassing)) {
        head = kBypassing.size();
      } else if (StartsWith(msg, kAbandoned)) {
        head = kAbandoned.size();
      } else {
        return EntryOutcome::kSkipped;
      }
      size_t at = msg.rfind(kTail);
      if (at == std::string_view::npos || at < head) return EntryOutcome::kSkipped;
      Wraparound(WraparoundWarningKind::kFailsafe);
      if (!SplitQualifiedName(msg.substr(head, at - head), event_)) {
        return Reject(ParseErrorKind::kBadStructure, "table", "table name is not db.schema.table");
      }
      Cursor c(msg.substr(at + kTail.size()));
      int64_t scans = 0;
      if (!(c.Uint(&scans) && c.Lit(" index scan"))) {
        return RejectPart({c.failure(), "index_scans"});
      }
      event_->stats.index_scans = scans;
      return EntryOutcome::kEvent;
    }
    default:
      return EntryOutcome::kSkipped;
  }
}

}  // namespace

bool MayBeAutovacuumEntry(std::string_view severity, std::string_view message) {
  // LOG, ERROR, WARNING only: checked by length and first letter before any comparison.
  if (severity.size() == 3) {
    if (severity != "LOG") return false;
  } else if (severity.size() == 5) {
    if (severity != "ERROR") return false;
  } else if (severity.size() != 7 || severity != "WARNING") {
    return false;
  }
  if (message.size() < 14) return false;
  switch (message[0]) {
    case 'a':
      return StartsWith(message, "automatic ") || StartsWith(message, "abandoned index ");
    case 's':
      return StartsWith(message, "skipping ") || StartsWith(message, "some databases ");
    case 'c':
      return StartsWith(message, "canceling autovacuum") || StartsWith(message, "cutoff for ");
    case 'd':
      return StartsWith(message, "database ");
    case 'o':
      return StartsWith(message, "oldest ");
    case 'b':
      return StartsWith(message, "bypassing ");
    default:
      return false;
  }
}

bool NeedsContext(std::string_view severity, std::string_view message) {
  return severity == "ERROR" && StartsWith(message, "canceling autovacuum task");
}

EntryOutcome ParseLogEntry(const LogEntry& entry, std::string_view cluster, LogEvent* event,
                           ParseError* error) {
  if (!MayBeAutovacuumEntry(entry.severity, entry.message)) return EntryOutcome::kSkipped;
  return EntryParser(entry, cluster, event, error).Parse();
}

}  // namespace vacwatch::ingest
