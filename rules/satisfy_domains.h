// The variables of satisfy.cc's search and their finite domains. A domain
// loses no case the conditions can tell apart (see satisfy.h): enums and
// bools take every value, or the constants plus one value per key compared;
// integers the constants, their neighbours, the range ends and the model's
// thresholds; text the literals plus fresh values of each kind in play; lists
// the subsets of what they are tested against. Values no condition can tell
// apart share a class, so the search tries one of them (value symmetry).
// Internal to satisfy.cc.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/condition.h"
#include "rules/keys.h"

namespace restorelab::satisfy_detail {

using Source = Condition::Operand::Source;

inline bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }
inline bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

/// Keys the model's cross-key rules relate (cross_key_rules.h): always
/// searched, read or not.
bool validity_role(const KeyInfo& key);

/// The key a derived key is computed from, or nullptr for one this file
/// does not know.
const KeyInfo* base_of(const KeyInfo& key);

/// One variable of the search: a scenario key, the outcome or support.
struct Var {
  Source source = Source::Key;   ///< Key, Outcome or Supported
  const KeyInfo* key = nullptr;
  bool read = false;
  int group = 0;                 ///< completion group
  std::vector<Value> domain;
  /// Per value: -1, or a class of values the conditions and the model cannot
  /// tell apart (for every key of the component alike): symmetric choices.
  std::vector<int> classes;
  int component = -1;            ///< keys compared with each other share one
  std::vector<int> constraints;  ///< indices into the search's constraints
};

/// The variable `o` reads: its index in `vars`, or -1.
int index_of(const std::vector<Var>& vars, const Condition::Operand& o);

/// Gives every variable its group, domain and value classes, and every read
/// variable its component (variables compared with each other), from the
/// comparisons (`leaves`) of the conditions. `members` gets the read
/// variables of each component; `unknown_reason` says why, when a domain had
/// to leave values out (a string list tested against more than 4 values).
void make_domains(const std::vector<const Condition::Node*>& leaves, std::vector<Var>& vars,
                  std::map<int, std::vector<int>>& members, std::string& unknown_reason);

/// The value of `v` in `ctx`, as a scenario file writes it: "bmr", 2,
/// 'C:\WINDOWS', ["810161"].
std::string show(const Var& v, const EvalContext& ctx);

}  // namespace restorelab::satisfy_detail
