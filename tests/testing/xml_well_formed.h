#ifndef VACWATCH_TESTS_TESTING_XML_WELL_FORMED_H_
#define VACWATCH_TESTS_TESTING_XML_WELL_FORMED_H_

// XmlWellFormedError: a small strict check that a document parses as XML (what the report
// promises, so that any XHTML tool or a browser's XML parser reads it): one root element,
// every tag closed in order, attributes quoted and unique per tag, only the five predefined
// entities and character references, no '<' or stray '&' in text or attribute values. A
// DOCTYPE without an internal subset and comments are allowed. Returns "" when well-formed,
// else the first problem with its byte offset.
//
//   EXPECT_EQ(XmlWellFormedError(html), "");

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vacwatch::testing {

inline std::string XmlWellFormedError(std::string_view doc) {
  std::vector<std::string> open;
  size_t i = 0;
  int roots = 0;
  auto at = [](size_t pos) { return " at byte " + std::to_string(pos); };
  auto is_name = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == ':' || c == '.';
  };
  auto entity = [&](size_t pos, size_t* len) -> bool {  // doc[pos] == '&'
    const size_t semi = doc.find(';', pos);
    if (semi == std::string_view::npos || semi - pos > 10) return false;
    const std::string_view name = doc.substr(pos + 1, semi - pos - 1);
    *len = semi - pos + 1;
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
      return true;
    }
    if (name.size() >= 2 && name[0] == '#') {
      for (size_t k = (name[1] == 'x' ? 2 : 1); k < name.size(); ++k) {
        const char c = name[k];
        const bool hex = name[1] == 'x';
        if (!((c >= '0' && c <= '9') ||
              (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))))) {
          return false;
        }
      }
      return true;
    }
    return false;
  };
  while (i < doc.size()) {
    if (doc[i] == '<') {
      if (doc.compare(i, 4, "<!--") == 0) {
        const size_t end = doc.find("-->", i + 4);
        if (end == std::string_view::npos) return "unterminated comment" + at(i);
        i = end + 3;
        continue;
      }
      if (doc.compare(i, 9, "<!DOCTYPE") == 0) {
        if (roots > 0 || !open.empty()) return "DOCTYPE after the root" + at(i);
        const size_t end = doc.find('>', i);
        if (end == std::string_view::npos ||
            doc.substr(i, end - i).find('[') != std::string_view::npos) {
          return "bad DOCTYPE" + at(i);
        }
        i = end + 1;
        continue;
      }
      if (doc.compare(i, 2, "<?") == 0) {
        const size_t end = doc.find("?>", i);
        if (end == std::string_view::npos) return "unterminated processing instruction" + at(i);
        i = end + 2;
        continue;
      }
      const bool closing = i + 1 < doc.size() && doc[i + 1] == '/';
      size_t j = i + (closing ? 2 : 1);
      const size_t name_start = j;
      while (j < doc.size() && is_name(doc[j])) ++j;
      const std::string name(doc.substr(name_start, j - name_start));
      if (name.empty()) return "'<' not starting a tag" + at(i);
      if (closing) {
        while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n')) ++j;
        if (j >= doc.size() || doc[j] != '>') return "bad end tag </" + name + at(i);
        if (open.empty() || open.back() != name) {
          return "end tag </" + name + "> does not close <" + (open.empty() ? "" : open.back()) +
                 ">" + at(i);
        }
        open.pop_back();
        i = j + 1;
        continue;
      }
      if (open.empty() && ++roots > 1) return "a second root element <" + name + ">" + at(i);
      std::set<std::string> attributes;
      bool self_closing = false;
      while (true) {
        const size_t before = j;
        while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\n' || doc[j] == '\t')) ++j;
        if (j >= doc.size()) return "unterminated tag <" + name + at(i);
        if (doc[j] == '>') break;
        if (doc[j] == '/' && j + 1 < doc.size() && doc[j + 1] == '>') {
          self_closing = true;
          ++j;
          break;
        }
        if (j == before) return "attributes of <" + name + "> not separated" + at(j);
        const size_t a = j;
        while (j < doc.size() && is_name(doc[j])) ++j;
        const std::string attr(doc.substr(a, j - a));
        if (attr.empty()) return "bad attribute in <" + name + ">" + at(j);
        if (!attributes.insert(attr).second) return "duplicate attribute " + attr + at(a);
        if (j >= doc.size() || doc[j] != '=') return "attribute " + attr + " without value" + at(j);
        ++j;
        if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) {
          return "attribute " + attr + " not quoted" + at(j);
        }
        const char q = doc[j++];
        while (j < doc.size() && doc[j] != q) {
          if (doc[j] == '<') return "'<' in attribute " + attr + at(j);
          if (doc[j] == '&') {
            size_t len = 0;
            if (!entity(j, &len)) return "bad entity in attribute " + attr + at(j);
            j += len;
            continue;
          }
          ++j;
        }
        if (j >= doc.size()) return "unterminated attribute " + attr + at(a);
        ++j;
      }
      if (!self_closing) open.push_back(name);
      i = j + 1;
      continue;
    }
    if (doc[i] == '&') {
      size_t len = 0;
      if (!entity(i, &len)) return "bad entity" + at(i);
      i += len;
      continue;
    }
    if (open.empty() && doc[i] != ' ' && doc[i] != '\n' && doc[i] != '\r' && doc[i] != '\t') {
      return "text outside the root element" + at(i);
    }
    ++i;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_XML_WELL_FORMED_H_
