// Writes a scenario back as a scenario file (matrix expand --out, reports).
#pragma once

#include <string>

#include "rules/model.h"

namespace restorelab {

/// The scenario as TOML that ScenarioLoader reads back to an equal scenario
/// (every key written explicitly, defaults resolved; `[expect]` included).
std::string scenario_to_toml(const Scenario& s);

}  // namespace restorelab
