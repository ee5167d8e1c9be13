// Satisfiability of rule conditions over the scenarios the model allows: "is
// there a valid scenario (and, for conditions that read the prediction, an
// outcome and a support value) on which these conditions hold?" Lint asks it
// to find rules that never fire, rules another rule shadows and rules whose
// outcomes conflict.
//
// How: a backtracking search over the keys the conditions read, each over a
// small finite domain that loses no case the conditions can tell apart:
//   - enums and bools: every value (an enum the conditions only test for
//     equality with constants and other keys, and the model does not
//     constrain, gets the constants plus one value per key it is compared
//     with: other values behave the same);
//   - integers: the constants it is compared with, those ± up to k (k = how
//     many keys are compared with each other), the range ends and the model's
//     thresholds (cpus 1 and 2);
//   - text and paths: the literals, plus k fresh values of each kind in play
//     (drive, path, free text), so keys compared with each other can be equal
//     or all different;
//   - string lists: every subset of the literals (and fresh values) it is
//     tested against; enum lists (storage_drivers): every subset.
// Conditions are evaluated in three values (true, false, not yet known) on
// partial assignments to prune; the next key tried is one that can still
// change the value (the smallest domain first), and of values no condition
// can tell apart (fresh text, unnamed enum values) only one unused one is
// tried per key (value symmetry). When they hold, the remaining keys are
// completed to satisfy the model's cross-key rules (the table of
// cross_key_rules.h, which validate() reports from too), by an exhaustive
// search per independent group (restore + source, destination).
// A witness is accepted only when is_valid() holds and every Condition::eval
// gives the asked-for value: a reported witness is never wrong.
//
// Limits. "Unsatisfiable" rests on the domains above (satisfy_domains.h)
// and on the completion domains covering the values the cross-key rules
// need. Unknown is answered instead of Unsatisfiable when: a string list is
// tested against more than 4 values (only the empty list, each value alone
// and all values are tried); a condition reads a derived key this file does
// not know; a candidate that the search thinks valid fails is_valid() (a
// check of validate() outside the table); or the search exceeds its budget. The prediction is treated as free: any
// outcome with any support value, whether or not the deciding rules can
// produce that pair.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rules/condition.h"
#include "rules/model.h"

namespace restorelab {

/// One conjunct of a query: a condition, or its negation. The condition
/// must outlive the call to satisfy().
struct SatTerm {
  const Condition* condition = nullptr;
  bool negated = false;
};

/// A scenario (and prediction) on which the query holds.
struct Witness {
  /// Valid (unless SatOptions::valid_only is off), every key set explicitly:
  /// no defaulted flags, a real [destination] and [destination.os].
  Scenario scenario;
  Outcome outcome = Outcome::Boots;  ///< the prediction the conditions read
  bool supported = true;
  /// A few `key = value` pairs that already force the query (minimal: none
  /// can be dropped), in the order the conditions first read them. Values
  /// are written as in a scenario file: "bmr", 2, 'C:\WINDOWS', ["810161"].
  std::vector<std::pair<std::string, std::string>> brief;

  /// `a = "x", b = 2`, at most `max_pairs` pairs (then `, ...`).
  std::string describe(std::size_t max_pairs = 6) const;
};

enum class Satisfiability { Satisfiable, Unsatisfiable, Unknown };

struct SatResult {
  Satisfiability status = Satisfiability::Unknown;
  std::optional<Witness> witness;  ///< present exactly when Satisfiable
  std::string unknown_reason;      ///< why, when Unknown
  std::size_t steps = 0;           ///< values tried: the work the answer took
};

struct SatOptions {
  /// Off: any scenario counts, valid or not (tells "contradicts itself" from
  /// "holds only on scenarios the model refuses").
  bool valid_only = true;
  /// Assignments tried before answering Unknown.
  std::size_t budget = 5'000'000;
};

/// Whether some scenario satisfies every term (a conjunction). No terms:
/// satisfiable by the baseline scenario. Deterministic: the same query gives
/// the same witness. Thread-safe (no shared state).
SatResult satisfy(std::span<const SatTerm> terms, const SatOptions& options = {});

/// Shorthand for one condition.
SatResult satisfy(const Condition& condition, const SatOptions& options = {});

/// The scenario completions start from: valid, every key set explicitly
/// (windows-server-2003 standard on acpi-uniprocessor, 1 cpu, BIOS, a
/// system-state backup restored as system state, destination = source).
Scenario baseline_scenario();

}  // namespace restorelab
