// Validating a scenario: the cross-key rules of scenario-format.md (the table
// in cross_key_rules.h: what a scenario may not say even when every key on
// its own is well-formed) and the name rules. Works on the typed model, so the
// loader and the matrix expander share it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
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

/// The longest scenario name. A name becomes a folder (`work/<name>/`), file
/// names and libvirt domain names (`rl-xxxxxx-<name>-destination`).
inline constexpr std::size_t kMaxNameLength = 64;

/// What is wrong with `name` as a scenario or matrix name, without the key
/// ("\"..\" is not a valid name; expected ..."), or "" when it is a safe
/// single path component: [a-z0-9._-]+, starting with a letter or a digit
/// (so never "." or "..", a hidden file or an option), at most `max_length`
/// characters.
std::string name_problem(std::string_view name, std::size_t max_length = kMaxNameLength);

/// name_problem(name, max_length).empty().
bool valid_name(std::string_view name, std::size_t max_length = kMaxNameLength);

}  // namespace restorelab
