// The cross-key rules of scenario-format.md: what a scenario may not say even
// when every key on its own is well-formed. Works on the typed model, so the
// loader and the matrix expander share it.
#pragma once

#include <string>
#include <vector>

#include "rules/model.h"

namespace restorelab {

/// One broken rule, named by the key a person should change.
struct Problem {
  std::string key;         ///< full key path, e.g. "source.cpus"
  std::string message;     ///< what is wrong and what was expected, without the key
  std::string suggestion;  ///< may be empty
  std::vector<std::string> also = {};  ///< other keys the check reads (a wrong one makes it moot)
};

/// Every problem of `s` (which must have had resolve_defaults applied), in a
/// stable order. Empty means the scenario is valid.
std::vector<Problem> validate(const Scenario& s);

/// validate(s).empty(), without making any message (for the matrix).
/// Ignores the name, which generated scenarios take from their matrix.
bool is_valid(const Scenario& s);

/// True when the name matches [a-z0-9._-]+.
bool valid_name(std::string_view name);

}  // namespace restorelab
