// `restorelab rules test`: every scenario with an [expect] under some paths,
// predicted with a rulebook, each difference named; text, JSON and JUnit.
#pragma once

#include <string>
#include <vector>

#include "harness/output/junit.h"
#include "rules/engine.h"

namespace restorelab {

struct FieldDifference {
  std::string field;  ///< supported, outcome, cpus_used, actions
  std::string expected;
  std::string predicted;
};

struct RuleTestCase {
  std::string file;
  std::string scenario;
  std::vector<FieldDifference> differences;  ///< empty: passed
  std::vector<std::string> rules;            ///< the rules that fired
  bool passed() const { return differences.empty(); }
};

/// Compares a prediction with the scenario's [expect] (which must be there).
RuleTestCase check_expectation(const Scenario& s, const Prediction& p, const Rulebook& book);

/// `FAIL file: field: expected X, predicted Y` lines and the closing
/// `N passed, M failed` line.
std::string rule_tests_text(const std::vector<RuleTestCase>& cases, std::size_t without_expect);

/// One JSON object per case.
std::string rule_tests_json(const std::vector<RuleTestCase>& cases);

/// JUnit XML as CI systems read it: one testcase per scenario.
JunitSuite rule_tests_junit(const std::vector<RuleTestCase>& cases, const std::string& rulebook, double seconds);

}  // namespace restorelab
