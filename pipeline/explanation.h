#ifndef VACWATCH_PIPELINE_EXPLANATION_H_
#define VACWATCH_PIPELINE_EXPLANATION_H_

// Explanation: why a table paged, or why not, as `vacwatch explain` and `replay --explain`
// print it: sections (the trigger, dead tuples and rates, the last runs, the horizon and its
// root, each detector's conditions, the alerts' states and windows), each a list of named
// values; a condition item says whether it held. Plain values; rendered as text for a human or
// as one JSON object.
//
//   VW_ASSIGN_OR_RETURN(Explanation e, pipeline.Explain(key, now));
//   std::string out;
//   WriteExplanationText(e, &out);

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vacwatch::pipeline {

struct ExplainItem {
  std::string name;
  std::string value;
  std::optional<bool> held;  // set for a detector's condition
  std::string note;          // why it matters, or how it was computed
};

struct ExplainSection {
  std::string title;
  std::vector<ExplainItem> items;

  void Add(std::string_view name, std::string value, std::string_view note = "");
  void Condition(std::string_view name, bool held, std::string value, std::string_view note = "");
};

struct Explanation {
  std::string table;  // cluster/database.schema.table
  std::vector<ExplainSection> sections;

  ExplainSection& Section(std::string_view title);
};

// Indented text, one item per line ("  [x] over its trigger: 5.2k > 450 ...").
void WriteExplanationText(const Explanation& e, std::string* out);
// {"table": ..., "sections": [{"title": ..., "items": [{"name", "value", "held", "note"}]}]}
void WriteExplanationJson(const Explanation& e, std::string* out);

}  // namespace vacwatch::pipeline

#endif  // VACWATCH_PIPELINE_EXPLANATION_H_
