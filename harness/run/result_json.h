// A scenario result as a JSON line (results-format.md's `run --json`), and
// back: the store keeps each line as emitted, and `results show`, `compare`
// and `rules test --observed` read results from it.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "harness/output/json_writer.h"
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
/// Seconds by phase as a JSON object.
std::string timings_json(const std::map<std::string, double>& timings);

/// The `observed` object of a line.
void write_observation(JsonWriter& json, const Observation& o);
/// An observation from an `observed` object.
std::expected<Observation, std::string> parse_observation(const nlohmann::json& j);

/// The outcome names of the attempts, "error" for a failed one.
std::vector<std::string> attempt_outcome_names(const std::vector<AttemptResult>& attempts);

}  // namespace restorelab::run
