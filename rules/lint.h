// `restorelab rules lint`: what is wrong with a rulebook that loads. Syntax,
// field and condition errors come from load_rulebook_text/_file (rulebook.h);
// this finds rules that load but cannot do what their author meant, using the
// search of satisfy.h over the scenarios the model allows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/rulebook.h"

namespace restorelab {

struct LintFinding {
  enum class Kind {
    NeverFires,  ///< no valid scenario (and prediction) satisfies `when`
    Shadowed,    ///< an earlier rule with the same effects fires whenever this one does
    Conflict,    ///< an earlier rule sets another outcome at the same precedence and can fire with it
    NoCitation,  ///< `cite` is empty
  } kind;
  std::string rule;  ///< the id of the rule the finding is about
  /// Where and what: NeverFires points at the `when` string, the others at
  /// the rule's [[rule]] line. message and suggestion name the rules.
  Diagnostic where;
};

/// "never-fires", "shadowed", "conflict", "no-citation".
std::string_view kind_name(LintFinding::Kind kind);

/// Every finding, in rulebook order (per rule: never-fires, shadowed,
/// conflicts with earlier rules in their order, no-citation). A rule that
/// never fires is not also checked for shadowing or conflicts. Deterministic.
/// A question the search cannot decide (SatResult Unknown) yields no finding:
/// lint reports only what it has proved. Empty: the rulebook is clean.
std::vector<LintFinding> lint_rulebook(const Rulebook& book);

}  // namespace restorelab
