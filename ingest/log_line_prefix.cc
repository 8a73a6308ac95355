#include "ingest/log_line_prefix.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace vacwatch::ingest {
namespace {

// Longest value a free-text escape may take: names are at most 63 bytes (NAMEDATALEN), a
// host with port or an application name a little more.
constexpr size_t kMaxFreeText = 512;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

size_t SkipDigits(std::string_view line, size_t pos) {
  while (pos < line.size() && IsDigit(line[pos])) ++pos;
  return pos;
}

// The severity words elog.c prints (error_severity()), untranslated.
bool IsSeverityWord(std::string_view w) {
  switch (w.size()) {
    case 3:
      return w == "LOG";
    case 4:
      return w == "INFO" || w == "HINT";
    case 5:
      return w == "ERROR" || w == "FATAL" || w == "PANIC" || w == "QUERY" || w == "DEBUG";
    case 6:
      return w == "NOTICE" || w == "DETAIL";
    case 7:
      return w == "WARNING" || w == "CONTEXT";
    case 8:
      return w == "LOCATION";
    case 9:
      return w == "STATEMENT" || w == "BACKTRACE";
    default:
      return false;
  }
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<std::string_view>& LogLinePrefix::CommonPrefixes() {
  // Order breaks ties: Debian's "%m [%p] %q%u@%d " matches every line the default does (an
  // autovacuum line is cut at %q) and also session lines, so it comes first.
  static const std::vector<std::string_view> kPrefixes = {
      "%m [%p] %q%u@%d ",                                 // Debian / Ubuntu packages
      "%m [%p] ",                                         // PostgreSQL 10+ default
      "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",  // pgBadger's recommendation
      "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
      "%m [%p]: [%l-1] db=%d,user=%u ",  // Cloud SQL
      "%t:%r:%u@%d:[%p]:",               // AWS RDS / Aurora
      "%t-%c-",                          // Azure
      "%t [%p] ",
      "%t [%p]: [%l-1] ",
      "%m [%p]: [%l-1] ",
  };
  return kPrefixes;
}

absl::StatusOr<LogLinePrefix> LogLinePrefix::Compile(std::string_view prefix) {
  LogLinePrefix out;
  out.text_ = std::string(prefix);
  std::string literal;
  bool have_time = false;
  int time_rank = 0;  // %m (3) beats %n (2) beats %t (1) as the record's time
  size_t time_element = 0;
  auto flush = [&] {
    if (!literal.empty()) {
      Element e;
      e.kind = Kind::kLiteral;
      e.literal = std::move(literal);
      literal.clear();
      out.elements_.push_back(std::move(e));
    }
  };
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != '%') {
      literal += prefix[i];
      continue;
    }
    size_t j = i + 1;
    int pad = 0;
    if (j < prefix.size() && (prefix[j] == '-' || IsDigit(prefix[j]))) {
      bool negative = prefix[j] == '-';
      if (negative) ++j;
      while (j < prefix.size() && IsDigit(prefix[j])) {
        pad = pad * 10 + (prefix[j] - '0');
        if (pad > 1000) return absl::InvalidArgumentError("log_line_prefix padding too wide");
        ++j;
      }
      if (negative) pad = -pad;
    }
    if (j >= prefix.size()) {
      return absl::InvalidArgumentError("log_line_prefix ends with a lone '%'");
    }
    const char c = prefix[j];
    i = j;
    if (c == '%') {
      literal += '%';
      continue;
    }
    Element e;
    e.pad = pad;
    int rank = 0;
    switch (c) {
      case 'm':
        e.kind = Kind::kTimeMillis;
        rank = 3;
        break;
      case 'n':
        e.kind = Kind::kTimeEpoch;
        rank = 2;
        break;
      case 't':
        e.kind = Kind::kTimeSeconds;
        rank = 1;
        break;
      case 's':
        e.kind = Kind::kTimeSeconds;  // session start: same shape, not the record's time
        break;
      case 'p':
        e.kind = Kind::kDigits;
        e.field = Field::kPid;
        break;
      case 'l':
      case 'x':
        e.kind = Kind::kDigits;
        break;
      case 'Q':
        e.kind = Kind::kSignedDigits;
        break;
      case 'P':
        e.kind = Kind::kOptionalDigits;
        break;
      case 'v':
        e.kind = Kind::kVxid;
        break;
      case 'e':
        e.kind = Kind::kSqlState;
        break;
      case 'c':
        e.kind = Kind::kSessionId;
        break;
      case 'd':
        e.kind = Kind::kFreeText;
        e.field = Field::kDatabase;
        break;
      case 'u':
      case 'a':
      case 'h':
      case 'r':
      case 'i':
      case 'b':
      case 'L':
        e.kind = Kind::kFreeText;
        break;
      case 'q':
        e.kind = Kind::kSessionCut;
        break;
      default:
        return absl::InvalidArgumentError(std::string("log_line_prefix has an unknown escape %") +
                                          c);
    }
    flush();
    if (rank > time_rank) {
      time_rank = rank;
      have_time = true;
      time_element = out.elements_.size();
    }
    out.elements_.push_back(std::move(e));
  }
  flush();
  if (have_time) {
    Element& t = out.elements_[time_element];
    t.field = Field::kTime;
    out.time_format_ = t.kind == Kind::kTimeMillis  ? LogTimeFormat::kMillis
                       : t.kind == Kind::kTimeEpoch ? LogTimeFormat::kEpoch
                                                    : LogTimeFormat::kSeconds;
  }
  return out;
}

namespace {

// Where "SEVERITY:" starts in `line` (the prefix ends there), or npos.
size_t SeverityStart(std::string_view line) {
  for (size_t pos = 0; pos < line.size() && pos < 1024; ++pos) {
    if (!IsUpper(line[pos]) || (pos > 0 && IsUpper(line[pos - 1]))) continue;
    size_t end = pos;
    while (end < line.size() && IsUpper(line[end])) ++end;
    std::string_view word = line.substr(pos, end - pos);
    if (word == "DEBUG" && end < line.size() && IsDigit(line[end])) ++end;
    if (IsSeverityWord(word) && end + 1 < line.size() && line[end] == ':' && line[end + 1] == ' ') {
      return pos;
    }
  }
  return std::string_view::npos;
}

// The escape a "key=" names, or 0.
char EscapeForKey(std::string_view key) {
  static constexpr std::pair<std::string_view, char> kKeys[] = {
      {"user", 'u'},     {"usr", 'u'},    {"username", 'u'},    {"db", 'd'},
      {"database", 'd'}, {"dbname", 'd'}, {"host", 'h'},        {"client", 'h'},
      {"remote", 'r'},   {"app", 'a'},    {"application", 'a'}, {"appname", 'a'},
      {"pid", 'p'},      {"line", 'l'},   {"session", 'c'},     {"sid", 'c'},
      {"xid", 'x'},      {"vxid", 'v'},   {"tag", 'i'},         {"sqlstate", 'e'},
      {"backend", 'b'},  {"type", 'b'},   {"query_id", 'Q'},    {"queryid", 'Q'},
  };
  for (const auto& [name, escape] : kKeys) {
    if (key == name) return escape;
  }
  return 0;
}

bool IsWordChar(char c) {
  return IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c == '.';
}

// One prefix instance written back as escapes: a list of tokens, each an escape ("%p") or a
// literal character (escaped when it is '%').
std::vector<std::string> PrefixTokens(std::string_view text) {
  std::vector<std::string> tokens;
  int numbers = 0;
  bool have_pid = false;
  size_t pos = 0;
  auto literal = [&](char c) { tokens.push_back(c == '%' ? "%%" : std::string(1, c)); };
  // A value up to the next character that is not part of a name (a delimiter).
  auto free_text = [&](char escape) {
    while (pos < text.size() && text[pos] != ',' && text[pos] != ' ' && text[pos] != ']' &&
           text[pos] != ')' && text[pos] != ';' && text[pos] != '|' && text[pos] != '@' &&
           text[pos] != ':') {
      if (text[pos] == '[' || text[pos] == '(') {  // [local], host(port): keep to its close
        const char close = text[pos] == '[' ? ']' : ')';
        const size_t end = text.find(close, pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        continue;
      }
      ++pos;
    }
    tokens.push_back(std::string("%") + escape);
  };
  while (pos < text.size()) {
    const std::string_view rest = text.substr(pos);
    if (size_t n = ScanLogTimestamp(rest, LogTimeFormat::kMillis); n > 0) {
      tokens.push_back("%m");
      pos += n;
      continue;
    }
    if (size_t n = ScanLogTimestamp(rest, LogTimeFormat::kSeconds); n > 0) {
      tokens.push_back("%t");
      pos += n;
      continue;
    }
    if (size_t n = ScanLogTimestamp(rest, LogTimeFormat::kEpoch); n > 0) {
      tokens.push_back("%n");
      pos += n;
      continue;
    }
    // key=value
    size_t key_end = pos;
    while (key_end < text.size() &&
           ((text[key_end] >= 'a' && text[key_end] <= 'z') || text[key_end] == '_')) {
      ++key_end;
    }
    if (key_end > pos && key_end < text.size() && text[key_end] == '=' &&
        (pos == 0 || !IsWordChar(text[pos - 1]))) {
      const char escape = EscapeForKey(text.substr(pos, key_end - pos));
      if (escape != 0) {
        for (size_t i = pos; i <= key_end; ++i) literal(text[i]);
        pos = key_end + 1;
        if (escape == 'p') have_pid = true;
        free_text(escape);
        continue;
      }
    }
    if (IsHex(text[pos])) {
      // "%c": hex.hex session id.
      size_t end = pos;
      while (end < text.size() && IsHex(text[end])) ++end;
      if (end < text.size() && text[end] == '.' && end + 1 < text.size() && IsHex(text[end + 1])) {
        size_t end2 = end + 1;
        while (end2 < text.size() && IsHex(text[end2])) ++end2;
        if (end2 - pos >= 9 && (end2 >= text.size() || !IsWordChar(text[end2]))) {
          tokens.push_back("%c");
          pos = end2;
          continue;
        }
      }
    }
    if (IsDigit(text[pos])) {
      size_t end = SkipDigits(text, pos);
      if (end < text.size() && text[end] == '/' && end + 1 < text.size() &&
          IsDigit(text[end + 1])) {
        tokens.push_back("%v");
        pos = SkipDigits(text, end + 1);
        continue;
      }
      const bool after_dash = pos > 0 && text[pos - 1] == '-';
      if (after_dash && !tokens.empty() && tokens.back() == "-") {
        // "[%l-1]": the part number of a multi-line message, literal.
        for (size_t i = pos; i < end; ++i) literal(text[i]);
        pos = end;
        continue;
      }
      ++numbers;
      tokens.push_back(!have_pid ? "%p" : numbers <= 2 ? "%l" : "%x");
      have_pid = true;
      pos = end;
      continue;
    }
    if (IsWordChar(text[pos]) && text[pos] != '-' && text[pos] != '.') {
      // A bare word: "user@db", or a free-text field.
      const size_t at = text.find('@', pos);
      const size_t stop = text.find_first_of(" ,;|:", pos);
      if (at != std::string_view::npos && (stop == std::string_view::npos || at < stop)) {
        free_text('u');
        if (pos < text.size() && text[pos] == '@') {
          literal('@');
          ++pos;
          free_text('d');
        }
        continue;
      }
      free_text('a');
      continue;
    }
    literal(text[pos]);
    ++pos;
  }
  return tokens;
}

}  // namespace

std::string LogLinePrefix::Infer(std::string_view sample) {
  std::vector<std::vector<std::string>> instances;
  while (!sample.empty() && instances.size() < 200) {
    size_t nl = sample.find('\n');
    std::string_view line = sample.substr(0, nl);
    sample.remove_prefix(nl == std::string_view::npos ? sample.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '\t') continue;
    const size_t at = SeverityStart(line);
    if (at == std::string_view::npos) continue;
    instances.push_back(PrefixTokens(line.substr(0, at)));
  }
  if (instances.empty()) return "";
  // The longest instance is the full form; a shorter one that is its beginning is a
  // sessionless process cut at %q.
  const std::vector<std::string>* longest = &instances[0];
  for (const auto& t : instances) {
    if (t.size() > longest->size()) longest = &t;
  }
  size_t cut = longest->size();
  for (const auto& t : instances) {
    if (t.size() < cut && std::equal(t.begin(), t.end(), longest->begin())) cut = t.size();
  }
  std::string text;
  for (size_t i = 0; i < longest->size(); ++i) {
    if (i == cut) text += "%q";
    text += (*longest)[i];
  }
  return text;
}

LogLinePrefix LogLinePrefix::Detect(std::string_view sample, int* matched) {
  const std::vector<std::string_view>& common = CommonPrefixes();
  std::vector<LogLinePrefix> compiled;
  compiled.reserve(common.size() + 1);
  for (std::string_view text : common) compiled.push_back(*Compile(text));
  // The prefix inferred from the sample comes last: a common one that matches as many lines
  // wins, being known to be right about which field is which.
  if (const std::string inferred = Infer(sample); !inferred.empty()) {
    if (absl::StatusOr<LogLinePrefix> p = Compile(inferred); p.ok()) {
      compiled.push_back(*std::move(p));
    }
  }
  std::vector<int> score(compiled.size(), 0);
  PrefixMatch m;
  while (!sample.empty()) {
    size_t nl = sample.find('\n');
    std::string_view line = sample.substr(0, nl);
    sample.remove_prefix(nl == std::string_view::npos ? sample.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '\t') continue;
    for (size_t i = 0; i < compiled.size(); ++i) {
      if (compiled[i].Match(line, &m)) ++score[i];
    }
  }
  size_t best = 1;  // PostgreSQL's default when nothing matches
  int best_score = 0;
  for (size_t i = 0; i < score.size(); ++i) {
    if (score[i] > best_score) {
      best = i;
      best_score = score[i];
    }
  }
  if (matched != nullptr) *matched = best_score;
  return std::move(compiled[best]);
}

bool LogLinePrefix::Match(std::string_view line, PrefixMatch* out) const {
  out->time_text = {};
  out->time_format = time_format_;
  out->pid = 0;
  out->database = {};
  int steps = kMaxMatchSteps;
  return MatchFrom(0, line, 0, out, &steps);
}

bool LogLinePrefix::MatchSeverity(std::string_view line, size_t pos, PrefixMatch* out) {
  size_t p = pos;
  while (p < line.size() && IsUpper(line[p])) ++p;
  std::string_view word = line.substr(pos, p - pos);
  if (word.size() < 3) return false;
  if (word == "DEBUG" && p < line.size() && line[p] >= '1' && line[p] <= '5') ++p;
  // "LOG:" at the very end of a line is a record with an empty message.
  if (p >= line.size() || line[p] != ':') return false;
  if (p + 1 < line.size() && line[p + 1] != ' ') return false;
  if (!IsSeverityWord(word)) return false;
  out->severity = line.substr(pos, p - pos);
  ++p;
  while (p < line.size() && line[p] == ' ') ++p;
  // log_error_verbosity = verbose prints the SQLSTATE next: "LOG:  00000: message". SQLSTATEs
  // always hold a digit, which keeps an upper-case message word from being taken for one.
  if (p + 7 <= line.size() && line[p + 5] == ':' && line[p + 6] == ' ') {
    bool code = true;
    bool digit = false;
    for (size_t k = p; k < p + 5; ++k) {
      digit |= IsDigit(line[k]);
      code &= IsDigit(line[k]) || IsUpper(line[k]);
    }
    if (code && digit) p += 7;
  }
  out->message_offset = p;
  return true;
}

bool LogLinePrefix::MatchFrom(size_t index, std::string_view line, size_t pos, PrefixMatch* out,
                              int* steps) const {
  for (; index < elements_.size(); ++index) {
    const Element& e = elements_[index];
    if (e.kind == Kind::kLiteral) {
      if (line.size() - pos < e.literal.size() ||
          std::memcmp(line.data() + pos, e.literal.data(), e.literal.size()) != 0) {
        return false;
      }
      pos += e.literal.size();
      continue;
    }
    if (e.kind == Kind::kFreeText) return MatchFreeText(index, line, pos, out, steps);
    if (e.kind == Kind::kSessionCut) {
      // A sessionless process stops printing here; a session process goes on.
      if (MatchSeverity(line, pos, out)) {
        out->database = {};
        return true;
      }
      continue;
    }
    if (e.pad > 0) {
      while (pos < line.size() && line[pos] == ' ') ++pos;
    }
    const size_t start = pos;
    switch (e.kind) {
      case Kind::kTimeMillis:
      case Kind::kTimeSeconds:
      case Kind::kTimeEpoch: {
        const LogTimeFormat f = e.kind == Kind::kTimeMillis  ? LogTimeFormat::kMillis
                                : e.kind == Kind::kTimeEpoch ? LogTimeFormat::kEpoch
                                                             : LogTimeFormat::kSeconds;
        size_t n = ScanLogTimestamp(line.substr(pos), f);
        if (n == 0) return false;
        pos += n;
        break;
      }
      case Kind::kDigits:
        pos = SkipDigits(line, pos);
        if (pos == start) return false;
        break;
      case Kind::kSignedDigits:
        if (pos < line.size() && line[pos] == '-') ++pos;
        pos = SkipDigits(line, pos);
        if (pos == start || line[pos - 1] == '-') return false;
        break;
      case Kind::kOptionalDigits:
        pos = SkipDigits(line, pos);
        break;
      case Kind::kVxid:
        if (pos < line.size() && IsDigit(line[pos])) {
          pos = SkipDigits(line, pos);
          if (pos >= line.size() || line[pos] != '/') return false;
          size_t lxid = ++pos;
          pos = SkipDigits(line, pos);
          if (pos == lxid) return false;
        }
        break;
      case Kind::kSqlState:
        if (line.size() - pos < 5) return false;
        for (size_t k = 0; k < 5; ++k) {
          char c = line[pos + k];
          if (!IsDigit(c) && !IsUpper(c)) return false;
        }
        pos += 5;
        break;
      case Kind::kSessionId: {
        while (pos < line.size() && IsHex(line[pos])) ++pos;
        if (pos == start || pos >= line.size() || line[pos] != '.') return false;
        size_t second = ++pos;
        while (pos < line.size() && IsHex(line[pos])) ++pos;
        if (pos == second) return false;
        break;
      }
      default:
        return false;
    }
    const size_t end = pos;
    if (e.pad < 0) {
      // Left-aligned: at most width - length spaces follow the value.
      size_t width = static_cast<size_t>(-e.pad);
      size_t len = end - start;
      size_t spaces = width > len ? width - len : 0;
      while (spaces > 0 && pos < line.size() && line[pos] == ' ') ++pos, --spaces;
    }
    if (e.field == Field::kTime) {
      out->time_text = line.substr(start, end - start);
    } else if (e.field == Field::kPid) {
      int32_t pid = 0;
      auto [ptr, ec] = std::from_chars(line.data() + start, line.data() + end, pid);
      if (ec != std::errc()) return false;
      out->pid = pid;
    }
  }
  return MatchSeverity(line, pos, out);
}

bool LogLinePrefix::MatchFreeText(size_t index, std::string_view line, size_t pos, PrefixMatch* out,
                                  int* steps) const {
  const Element& e = elements_[index];
  const size_t limit = std::min(line.size(), pos + kMaxFreeText);
  auto set = [&](size_t end) {
    if (e.field == Field::kDatabase) out->database = TrimSpaces(line.substr(pos, end - pos));
  };
  // Each candidate end costs a step; when they run out, every open alternative fails at once.
  auto try_end = [&](size_t end) {
    if (*steps <= 0) return false;
    --*steps;
    set(end);
    return MatchFrom(index + 1, line, end, out, steps);
  };
  if (index + 1 < elements_.size() && elements_[index + 1].kind == Kind::kLiteral) {
    // The value ends where the next fixed text starts; try each occurrence in turn.
    const std::string& lit = elements_[index + 1].literal;
    std::string_view window = line.substr(0, std::min(line.size(), limit + lit.size()));
    size_t from = pos;
    while (*steps > 0) {
      size_t at = window.find(lit, from);
      if (at == std::string_view::npos) return false;
      if (try_end(at)) return true;
      from = at + 1;
    }
    return false;
  }
  for (size_t end = pos; end <= limit && *steps > 0; ++end) {
    if (try_end(end)) return true;
  }
  return false;
}

}  // namespace vacwatch::ingest
