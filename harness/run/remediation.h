// `run --remediate` (remediation.md): which actions go to the guest, what the
// remediate VM reported, and whether the remediated destination is fixed.
// The actions come from the prediction (or the user); what the remediated
// boot did is observed like any destination boot, blind to the prediction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run/observation.h"
#include "rules/model.h"

namespace restorelab::run {

/// The predicted (or asked-for) actions split: those the model guest carries
/// out, in its order, and the rest, reported skipped. Every action is in
/// exactly one of the two.
struct ActionChoice {
  std::vector<std::string> apply;
  std::vector<std::string> skipped;
};

/// `predicted` (action names); with `only`, just those of `only` are applied
/// (they may name actions the prediction does not have: a researcher trying a
/// fix), and predicted actions not in it are skipped.
ActionChoice choose_actions(const std::vector<std::string>& predicted,
                            const std::optional<std::vector<std::string>>& only);

/// What the remediate VM's `remediated` line says.
struct RemediatedLine {
  std::string from;  ///< "started-system" | "installation-media"
  std::vector<std::string> applied, skipped, changes;
};

/// The `remediated` line of a remediate VM's serial log, if it printed one.
std::optional<RemediatedLine> read_remediated(std::string_view serial);

/// The remediation of one scenario, as reports show it.
struct RemediationResult {
  enum class Kind : std::uint8_t { Fixed, NotFixed, None, Error };
  Kind verdict = Kind::None;
  std::string from;  ///< where the actions ran; empty when nothing ran
  std::vector<std::string> applied, skipped;
  std::vector<std::string> changes;      ///< the guest's account of each applied action
  Observation observed;                  ///< the remediated boot (empty for none)
  /// Why it is not fixed, one per criterion: "outcome: stop-0x7b, not boots",
  /// "cpus_used: 1 of 4", "nics_orphaned: 1".
  std::vector<std::string> differences;
  /// Per symptom of the first boot: the actions the rulebook prescribes for
  /// it (rules' `cures`), whether they were applied, and whether the symptom
  /// remains, e.g. "stop-0x7b: in-place-upgrade (rule in-place-upgrade) not
  /// applied; remains".
  std::vector<std::string> expected;
  std::string error;                     ///< verdict error: why the remediation run failed
  std::string note;                      ///< verdict none: why nothing ran
  std::map<std::string, double> timings; ///< seconds: remediate, boot
  bool operator==(const RemediationResult&) const = default;
};

/// "fixed", "not-fixed", "none", "error".
std::string_view remediation_verdict_name(RemediationResult::Kind k);
std::optional<RemediationResult::Kind> parse_remediation_verdict(std::string_view name);

/// A fired rule's prescription: its actions and the symptoms they cure.
struct Prescription {
  std::string rule;
  std::vector<std::string> actions;
  std::vector<std::string> cures;
};

/// The symptoms of a boot on a destination with `destination_cpus`
/// processors: the outcome's name unless it is boots, "cpus_used" when
/// processors stay unused, "nics_orphaned" when NIC configuration is orphaned.
std::vector<std::string> symptoms_of(const Observation& boot, int destination_cpus);

/// RemediationResult::expected for `before` (the scenario's own boot) and
/// the judged remediation `r`.
std::vector<std::string> cure_report(const Observation& before, const RemediationResult& r, int destination_cpus,
                                     const std::vector<Prescription>& prescriptions);

/// Sets `r.verdict` and `r.differences` from `r.observed` and `r.applied`:
/// fixed when the remediated destination boots (`boots`), uses all
/// `destination_cpus` processors, and leaves no NIC configuration orphaned
/// when a NIC action was applied; error when the remediated boot failed;
/// not-fixed otherwise.
void judge_remediation(RemediationResult& r, int destination_cpus);

}  // namespace restorelab::run
