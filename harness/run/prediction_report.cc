#include "harness/run/prediction_report.h"

#include <algorithm>

#include "harness/store/result_fields.h"

namespace restorelab {

std::vector<std::string_view> action_names(ActionSet actions) {
  std::vector<std::string_view> names;
  for (Action a : actions.members()) names.push_back(name_of(a));
  std::sort(names.begin(), names.end());
  return names;
}

void write_prediction_fields(JsonWriter& json, const std::string& scenario_name, const Scenario& s,
                             const Prediction& p, const Rulebook& rulebook) {
  json.key("scenario").value(scenario_name);
  // The fields of a result's `predicted` (result_fields.h), streamed: a
  // prediction line is written a million times in a large matrix.
  json.key(name_of(ResultField::predicted_supported)).value(p.supported);
  json.key(name_of(ResultField::predicted_outcome)).value(name_of(p.outcome));
  if (p.cpus_used) json.key(name_of(ResultField::predicted_cpus_used)).value(*p.cpus_used);
  json.key(name_of(ResultField::predicted_actions)).strings(action_names(p.actions));
  json.key(name_of(ResultField::predicted_rules)).begin_array();
  for (auto index : p.fired) json.value(std::string_view(rulebook.rules[index].id));
  json.end_array();
  json.key(name_of(ResultField::predicted_reasons)).begin_array();
  for (auto index : p.fired) json.value(std::string_view(rulebook.rules[index].cite));
  json.end_array();
  if (s.expect) {
    auto diff = expect_diff(*s.expect, p);
    json.key("expect").value(diff.empty() ? "met" : "missed");
    if (!diff.empty()) json.key("expect_diff").strings(diff);
  }
}

std::string prediction_json_line(const Scenario& s, const Prediction& p, const Rulebook& rulebook) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  write_prediction_fields(json, s.name, s, p, rulebook);
  json.end_object();
  out += '\n';
  return out;
}

namespace {

std::string expected_vs_predicted(const Expect& e, const Prediction& p, const std::string& field) {
  if (field == "supported")
    return std::string("supported: expected ") + (*e.supported ? "true" : "false") + ", predicted " +
           (p.supported ? "true" : "false");
  if (field == "outcome")
    return "outcome: expected " + std::string(name_of(*e.outcome)) + ", predicted " +
           std::string(name_of(p.outcome));
  if (field == "cpus_used")
    return "cpus_used: expected " + std::to_string(*e.cpus_used) + ", predicted " +
           (p.cpus_used ? std::to_string(*p.cpus_used) : std::string("none (it does not boot)"));
  std::string missing;
  for (auto name : action_names(ActionSet::from_bits(e.actions->bits() & ~p.actions.bits())))
    missing += (missing.empty() ? "" : ", ") + std::string(name);
  return "actions: expected " + missing + " among the predicted actions";
}

}  // namespace

std::string prediction_text(const Scenario& s, const Prediction& p, const Rulebook& rulebook) {
  std::string out = s.name;
  if (!s.file.empty()) out += "  (" + s.file + ")";
  out += '\n';
  if (!s.description.empty()) out += "  " + s.description + "\n";
  out += std::string("  support   ") +
         (p.supported ? "supported" : "not supported (commercially reasonable efforts only)") + "\n";
  out += "  outcome   " + std::string(name_of(p.outcome));
  if (p.cpus_used)
    out += ", " + std::to_string(*p.cpus_used) + " of " + std::to_string(s.destination.cpus) +
           " processor" + (s.destination.cpus == 1 ? "" : "s") + " used";
  out += '\n';
  out += "  actions   ";
  auto actions = action_names(p.actions);
  if (actions.empty()) out += "none";
  for (std::size_t i = 0; i < actions.size(); ++i) out += (i ? ", " : "") + std::string(actions[i]);
  out += '\n';
  out += "  why\n";
  if (p.fired.empty()) out += "    no rule fired: same hardware, same OS, nothing to warn about\n";
  for (auto index : p.fired) {
    const Rule& rule = rulebook.rules[index];
    out += "    - " + rule.id + ": " + (rule.cite.empty() ? std::string("(no citation)") : rule.cite) + "\n";
  }
  if (s.expect) {
    auto diff = expect_diff(*s.expect, p);
    if (diff.empty()) {
      out += "  expect    met\n";
    } else {
      out += "  expect    MISSED\n";
      for (const auto& field : diff) out += "    - " + expected_vs_predicted(*s.expect, p, field) + "\n";
    }
  }
  return out;
}

}  // namespace restorelab
