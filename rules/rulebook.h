// The rulebook: restore rules as data (TOML), each with a compiled condition,
// its effects and the sentence it cites. See rules/kb249694.toml and the
// rule authors' section of the README.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "rules/condition.h"
#include "rules/diagnostic.h"
#include "rules/model.h"
#include "rules/toml_source.h"

namespace restorelab {

struct Rule {
  std::string id;
  Condition when;
  std::optional<bool> supported;       ///< only ever false: a rule takes support away
  std::optional<Outcome> outcome;
  int precedence = 0;                  ///< with `outcome`: lower wins
  std::optional<int> cpus_used;        ///< the fewest processors any fired rule allows wins
  ActionSet actions;
  /// The symptoms its actions are prescribed for (remediation.md: the report
  /// says which action was expected to fix which symptom): outcome names
  /// other than "boots", "cpus_used" (processors left unused) and
  /// "nics_orphaned". Only on a rule with actions.
  std::vector<std::string> cures;
  std::string cite;                    ///< the sentence it rests on; may be empty (lint says so)
  std::string doc;                     ///< optional note for readers
  toml::source_region where;           ///< the [[rule]] table, for messages
  toml::source_region when_where;      ///< the `when` string
};

struct Helper {
  std::string name;
  std::string text;
  toml::source_region where;
};

struct Rulebook {
  std::string name;
  std::string file;
  std::vector<Helper> helpers;
  std::vector<Rule> rules;
  ConditionCompiler compiler;  ///< knows the helpers, for lint and tests

  /// Index of the rule with this id, or -1.
  int find(std::string_view id) const;
};

/// Every name a rule's `cures` may hold, in order: the outcomes but "boots",
/// then "cpus_used" and "nics_orphaned".
const std::vector<std::string_view>& symptom_names();

/// Parses and compiles a rulebook. Every error is reported with file, line
/// and column: TOML syntax, unknown or mistyped fields, unknown helpers and
/// keys in conditions, effects a rule may not have.
std::expected<Rulebook, Diagnostics> load_rulebook_text(std::string_view text, const std::string& path);
std::expected<Rulebook, Diagnostics> load_rulebook_file(const FileReader& reader, const std::string& path);

/// The rulebook `restorelab` uses without `--rules`: $RESTORELAB_RULES if
/// set, else the source tree's rules/kb249694.toml (read at run time, so an
/// edited rule takes effect without a rebuild).
std::string default_rulebook_path();

}  // namespace restorelab
