#include "rules/validate.h"

#include <algorithm>
#include <cctype>

#include "rules/cross_key_rules.h"

namespace restorelab {

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool letter_or_digit(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
}

}  // namespace

std::string name_problem(std::string_view name, std::size_t max_length) {
  const bool alphabet = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return letter_or_digit(c) || c == '.' || c == '_' || c == '-';
  });
  if (!alphabet) return quoted(name) + " is not a valid name; expected lower-case letters, digits, '.', '_' and '-'";
  if (!letter_or_digit(name.front()))
    return quoted(name) + " is not a valid name; expected a lower-case letter or a digit first (a name becomes a "
                          "folder and file names)";
  if (name.size() > max_length)
    return quoted(name) + " has " + std::to_string(name.size()) + " characters; expected at most " +
           std::to_string(max_length) + " (a name becomes folder, file and VM names)";
  return {};
}

bool valid_name(std::string_view name, std::size_t max_length) { return name_problem(name, max_length).empty(); }

namespace {

/// Every cross-key rule, then the name and [expect]; `keep` gets a Problem
/// per broken rule, built only then: the matrix asks millions of times
/// whether a scenario is valid and needs no message.
bool check(const Scenario& s, bool check_name, std::vector<Problem>* keep) {
  bool ok = true;
  if (check_name && !valid_name(s.name)) {
    ok = false;
    if (keep) keep->push_back({"scenario.name", name_problem(s.name), ""});
  }
  for (const CrossKeyRule& rule : cross_key_rules()) {
    if (!rule.applies(s) || rule.holds(s, rule)) [[likely]]
      continue;
    ok = false;
    if (!keep) return false;
    rule.explain(s, rule, *keep);
  }
  if (s.expect && s.expect->cpus_used && *s.expect->cpus_used < 1) {
    ok = false;
    if (keep) keep->push_back({"expect.cpus_used", "expected 1 or more", ""});
  }
  return ok;
}

}  // namespace

std::vector<Problem> validate(const Scenario& s) {
  std::vector<Problem> problems;
  check(s, true, &problems);
  return problems;
}

bool is_valid(const Scenario& s) { return check(s, false, nullptr); }

}  // namespace restorelab
