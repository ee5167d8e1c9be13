// The one table of the model's cross-key rules (scenario-format.md): what a
// scenario may not say even when every key holds a well-formed value on its
// own (a uniprocessor HAL with 4 cpus, UEFI with windows-xp, ...), and the
// format rules of text keys (a drive, a path, KB numbers). validate() reports
// them; satisfy.cc's search for scenarios prunes with them and completes
// scenarios to keep them. A new rule is one entry here.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rules/keys.h"
#include "rules/model.h"
#include "rules/validate.h"

namespace restorelab {

struct CrossKeyRule {
  /// Where the rule applies. A destination without its own [destination]
  /// copies the source, and one without its own [destination.os] copies
  /// the source's OS: what was checked on the source is not checked again.
  enum class Scope : std::uint8_t {
    Scenario,  ///< once per scenario
    Machine,   ///< on a side's hardware (the destination's only when it has its own)
    Os,        ///< on a side's OS (the destination's only when it has its own)
  };
  Scope scope = Scope::Scenario;
  int side = 0;                    ///< 0 source, 1 destination (Machine and Os rules)
  std::string key;                 ///< full path of the key a person should change
  const KeyInfo* info = nullptr;   ///< its entry in the key table
  std::vector<std::string> reads;  ///< full paths of every key the rule reads, `key` first
  /// Whether `s` (defaults resolved) keeps the rule.
  bool (*holds)(const Scenario& s, const CrossKeyRule& rule) = nullptr;
  /// What is wrong when holds() is false: one Problem, or one per bad list
  /// item, with `also` = the other keys of `reads`.
  void (*explain)(const Scenario& s, const CrossKeyRule& rule, std::vector<Problem>& out) = nullptr;

  /// The machine of the rule's side.
  const Machine& machine(const Scenario& s) const { return side == 0 ? s.source : s.destination; }
  /// Whether the rule applies to `s` (its scope and the destination's defaulted flags).
  bool applies(const Scenario& s) const {
    if (scope == Scope::Scenario || side == 0) return true;
    return !s.defaulted.destination_machine && (scope == Scope::Machine || !s.defaulted.destination_os);
  }
};

/// Every rule, in the order validate() reports them: the source's machine
/// and OS rules, the destination's, then the scenario's.
std::span<const CrossKeyRule> cross_key_rules();

/// True when `path` is read by a rule that reads two or more keys: a key
/// whose value decides whether other keys' values are valid (hal, cpus,
/// firmware, os.version, os.edition, os.upgraded_from, backup.kind,
/// restore.kind, restore.after).
bool relates_keys(std::string_view path);

}  // namespace restorelab
