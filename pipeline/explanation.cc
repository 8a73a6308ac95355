#include "pipeline/explanation.h"

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"

namespace vacwatch::pipeline {

void ExplainSection::Add(std::string_view name, std::string value, std::string_view note) {
  items.push_back({std::string(name), std::move(value), std::nullopt, std::string(note)});
}

void ExplainSection::Condition(std::string_view name, bool held, std::string value,
                               std::string_view note) {
  items.push_back({std::string(name), std::move(value), held, std::string(note)});
}

ExplainSection& Explanation::Section(std::string_view title) {
  sections.push_back({std::string(title), {}});
  return sections.back();
}

void WriteExplanationText(const Explanation& e, std::string* out) {
  absl::StrAppend(out, "Why ", e.table, " paged, or did not\n");
  for (const ExplainSection& s : e.sections) {
    absl::StrAppend(out, "\n", s.title, "\n");
    for (const ExplainItem& i : s.items) {
      absl::StrAppend(out, "  ", i.held.has_value() ? (*i.held ? "[x] " : "[ ] ") : "", i.name,
                      ": ", i.value);
      if (!i.note.empty()) absl::StrAppend(out, "  (", i.note, ")");
      out->push_back('\n');
    }
  }
}

void WriteExplanationJson(const Explanation& e, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("table", e.table);
  w.Key("sections");
  w.BeginArray();
  for (const ExplainSection& s : e.sections) {
    w.BeginObject();
    w.Field("title", s.title);
    w.Key("items");
    w.BeginArray();
    for (const ExplainItem& i : s.items) {
      w.BeginObject();
      w.Field("name", i.name);
      w.Field("value", i.value);
      if (i.held.has_value()) w.Field("held", *i.held);
      if (!i.note.empty()) w.Field("note", i.note);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace vacwatch::pipeline
