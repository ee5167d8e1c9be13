// A scenario result as a JSON line (results-format.md's `run --json`), and
// back: the store keeps each line as emitted, and `results show`, `compare`
// and `rules test --observed` read results from it. Every field's name, type
// and place is harness/store/result_fields.h's; this file says where each
// value comes from and goes to.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/scenario_result.h"

namespace restorelab::run {

/// The line, with its trailing '\n'. Timings are rounded to tenths.
std::string result_json_line(const ScenarioResult& r);

/// A result from its line; an error naming the field that is missing or of
/// the wrong type.
std::expected<ScenarioResult, std::string> parse_result_line(std::string_view line);

/// The `predicted` object of a line, alone.
std::string predicted_json(const PredictedSummary& p);
/// The `observed` object of a line, alone.
std::string observation_json(const Observation& o);
/// The `remediation` object of a line, alone.
std::string remediation_json(const RemediationResult& m);
/// Seconds by phase as a JSON object (the phases of `timings_s`).
std::string timings_json(const std::map<std::string, double>& timings);

/// An observation from an `observed` object.
std::expected<Observation, std::string> parse_observation(const nlohmann::ordered_json& j);
/// Seconds by phase from a `timings_s` object: every member that is a
/// number, under its name (`recovery`, restore's old name, as `restore`).
std::map<std::string, double> parse_timings(const nlohmann::ordered_json& j);

/// The outcome names of the attempts, "error" for a failed one.
std::vector<std::string> attempt_outcome_names(const std::vector<AttemptResult>& attempts);

}  // namespace restorelab::run
