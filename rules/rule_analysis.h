// What a rulebook does over a whole matrix: how often each rule fires
// (`rules coverage`) and what changes between two rulebooks (`rules diff`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "rules/matrix.h"

namespace restorelab {

/// The matrix `rules diff` and `rules coverage` use without --matrix: every
/// HAL type, firmware and disk bus on both sides, 0-2 NICs each, every OS
/// version (both sides the same), the three restore kinds that take a
/// backup, with and without ASR. About two million combinations.
std::expected<Matrix, Diagnostics> builtin_matrix(const ConditionCompiler& compiler);

struct RuleCoverage {
  std::uint64_t scenarios = 0;        ///< valid combinations predicted
  std::vector<std::uint64_t> fires;   ///< per rule, in rulebook order
};

RuleCoverage rule_coverage(const Matrix& matrix, const Rulebook& book);

/// One kind of change: a field going from one value to another (for actions,
/// one action added "+x" or removed "-x").
struct ChangeGroup {
  std::string field;  ///< supported, outcome, cpus_used, actions
  std::string from, to;
  std::uint64_t count = 0;
  std::vector<std::string> examples;               ///< the first few scenario ids
  std::map<std::string, std::uint64_t> rules;      ///< changed rules that fired on them, with counts
};

struct RuleDiff {
  std::uint64_t scenarios = 0, changed = 0;
  std::uint64_t support = 0, outcome = 0, cpus_used = 0, actions = 0;  ///< scenarios changing each field
  std::vector<ChangeGroup> groups;    ///< largest first
  std::vector<std::string> added, removed, modified;  ///< rule ids
};

/// Predicts every valid combination with both rulebooks and groups what changed.
RuleDiff diff_rulebooks(const Matrix& matrix, const Rulebook& base, const Rulebook& changed,
                        std::size_t examples_per_group = 3);

/// A text that differs when a rule's compiled condition or effects differ
/// (helpers are inlined, so an edited helper changes the rules using it).
std::string rule_fingerprint(const Rule& rule);

}  // namespace restorelab
