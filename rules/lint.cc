#include "rules/lint.h"

#include <algorithm>
#include <cctype>

#include "rules/satisfy.h"
#include "rules/validate.h"

namespace restorelab {

std::string_view kind_name(LintFinding::Kind kind) {
  switch (kind) {
    case LintFinding::Kind::NeverFires: return "never-fires";
    case LintFinding::Kind::Shadowed: return "shadowed";
    case LintFinding::Kind::Conflict: return "conflict";
    case LintFinding::Kind::NoCitation: return "no-citation";
  }
  return "";
}

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

/// `rule "id" (line N)`, for naming another rule in a message.
std::string rule_at(const Rule& r) {
  return "rule " + quoted(r.id) + " (line " + std::to_string(r.where.begin.line) + ")";
}

/// The same predictions whenever both fire.
bool same_effects(const Rule& a, const Rule& b) {
  return a.supported == b.supported && a.outcome == b.outcome &&
         (!a.outcome || a.precedence == b.precedence) && a.cpus_used == b.cpus_used && a.actions == b.actions;
}

bool unsatisfiable(std::initializer_list<SatTerm> terms) {
  return satisfy(std::span<const SatTerm>(terms.begin(), terms.size())).status == Satisfiability::Unsatisfiable;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

class Linter {
 public:
  explicit Linter(const Rulebook& book) : book_(book) {}

  std::vector<LintFinding> run() {
    for (std::size_t i = 0; i < book_.rules.size(); ++i) {
      const Rule& rule = book_.rules[i];
      fires_.push_back(!never_fires(rule));
      if (fires_.back()) {
        shadowed(i);
        conflicts(i);
      }
      if (blank(rule.cite))
        add(LintFinding::Kind::NoCitation, rule, rule.where, "rule " + quoted(rule.id) + " has no citation",
            "add cite = '...' with the sentence of the source it rests on");
    }
    return std::move(findings_);
  }

 private:
  void add(LintFinding::Kind kind, const Rule& rule, const toml::source_region& at, std::string message,
           std::string suggestion) {
    findings_.push_back({kind, rule.id, diagnostic_at(at, book_.file, std::move(message), std::move(suggestion))});
  }

  /// True (and a finding) when no valid scenario satisfies the rule's condition.
  bool never_fires(const Rule& rule) {
    if (satisfy(rule.when).status != Satisfiability::Unsatisfiable) return false;
    std::string message = "rule " + quoted(rule.id) + " never fires: ";
    const SatResult any = satisfy(rule.when, SatOptions{.valid_only = false});
    if (any.status == Satisfiability::Satisfiable) {
      message += "its condition holds only on scenarios the model refuses, such as " + any.witness->describe();
      const auto problems = validate(any.witness->scenario);
      if (!problems.empty())
        message += ", where the model says " + problems.front().key + ": " + problems.front().message;
    } else {
      message += "its condition contradicts itself";
    }
    add(LintFinding::Kind::NeverFires, rule, rule.when_where, std::move(message),
        "change the condition or remove the rule");
    return true;
  }

  /// An earlier rule with the same effects that fires whenever rule `i` does.
  void shadowed(std::size_t i) {
    const Rule& rule = book_.rules[i];
    for (std::size_t j = 0; j < i; ++j) {
      const Rule& earlier = book_.rules[j];
      if (!fires_[j] || !same_effects(earlier, rule)) continue;
      if (!unsatisfiable({{&rule.when, false}, {&earlier.when, true}})) continue;
      add(LintFinding::Kind::Shadowed, rule, rule.where,
          "rule " + quoted(rule.id) + " never changes a prediction: " + rule_at(earlier) +
              " has the same effects and fires whenever it does",
          "remove it (moving its citation to " + quoted(earlier.id) + ") or give it an effect of its own");
      return;
    }
  }

  /// Earlier rules that set another outcome at the same precedence and can
  /// fire on the same scenario: only their order in the file decides.
  void conflicts(std::size_t i) {
    const Rule& rule = book_.rules[i];
    if (!rule.outcome) return;
    for (std::size_t j = 0; j < i; ++j) {
      const Rule& earlier = book_.rules[j];
      if (!fires_[j] || !earlier.outcome || *earlier.outcome == *rule.outcome ||
          earlier.precedence != rule.precedence)
        continue;
      const SatTerm both[] = {{&earlier.when, false}, {&rule.when, false}};
      const SatResult r = satisfy(both);
      if (r.status != Satisfiability::Satisfiable) continue;
      add(LintFinding::Kind::Conflict, rule, rule.where,
          "rule " + quoted(rule.id) + " sets outcome " + quoted(name_of(*rule.outcome)) + " and " + rule_at(earlier) +
              " sets " + quoted(name_of(*earlier.outcome)) + ", both at precedence " + std::to_string(rule.precedence) +
              ", and both fire when " + r.witness->describe() +
              "; only their order in the file decides which outcome wins",
          "give one of them a lower precedence or make their conditions exclusive");
    }
  }

  const Rulebook& book_;
  std::vector<bool> fires_;  ///< per rule checked so far: can fire
  std::vector<LintFinding> findings_;
};

}  // namespace

std::vector<LintFinding> lint_rulebook(const Rulebook& book) { return Linter(book).run(); }

}  // namespace restorelab
