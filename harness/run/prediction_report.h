// How a prediction is shown: the JSON fields of `restorelab predict --json`
// (scenario-format.md) and the readable text report.
#pragma once

#include <string>
#include <vector>

#include "harness/output/json_writer.h"
#include "rules/engine.h"

namespace restorelab {

/// Names of the actions, sorted, no duplicates.
std::vector<std::string_view> action_names(ActionSet actions);

/// Writes the fields of a prediction into an open JSON object: scenario,
/// supported, outcome, cpus_used (when it boots), actions, rules, reasons and,
/// when the scenario has an [expect], expect and expect_diff.
void write_prediction_fields(JsonWriter& json, const std::string& scenario_name, const Scenario& s,
                             const Prediction& p, const Rulebook& rulebook);

/// One JSON line (with '\n') for `restorelab predict --json`.
std::string prediction_json_line(const Scenario& s, const Prediction& p, const Rulebook& rulebook);

/// The readable report of one prediction: verdict, outcome, actions and why.
std::string prediction_text(const Scenario& s, const Prediction& p, const Rulebook& rulebook);

}  // namespace restorelab
