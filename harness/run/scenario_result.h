// What a run reports about one scenario: the prediction (as shown, without
// the rulebook), what the machines did, the verdict and where the evidence
// is. One value type for every output: stdout text and JSON Lines, JUnit,
// HTML, the results store; `results show` reads it back from the store.
// Its JSON line is results-format.md's `run --json` line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/kept_runs.h"
#include "harness/run/observation.h"
#include "harness/run/remediation.h"
#include "harness/run/verdict.h"
#include "rules/engine.h"

namespace restorelab::run {

/// A prediction as reports show it: names, not rule indices.
struct PredictedSummary {
  bool supported = true;
  Outcome outcome = Outcome::Boots;
  std::optional<int> cpus_used;
  std::vector<std::string> actions;  ///< sorted
  std::vector<std::string> rules;    ///< ids of the rules that fired, in rulebook order
  std::vector<std::string> reasons;  ///< their citations, in the same order
  bool operator==(const PredictedSummary&) const = default;
};

/// `p` with the rule ids and citations of `book`.
PredictedSummary summarize(const Prediction& p, const Rulebook& book);

/// One attempt of a scenario on machines (a retry is another attempt).
struct AttemptResult {
  Observation observed;
  std::map<std::string, double> timings;  ///< seconds: source, restore, destination, disks, total
  std::string evidence;                   ///< the attempt's evidence folder
  bool source_cached = false;
  bool operator==(const AttemptResult&) const = default;
};

/// Everything reported about one scenario of a run.
struct ScenarioResult {
  std::string id;               ///< the combination id of a matrix, else the scenario's name; unique in a run
  std::string scenario;         ///< the scenario's name
  std::string file;             ///< its file; empty for a matrix combination
  std::string axes_json;        ///< a matrix combination's axes as a JSON object; empty otherwise
  std::string observation_key;  ///< what the observation depends on (observation_key.h)
  /// The resolved scenario as a scenario file: the store keeps it so that a
  /// rulebook change can be judged against the observation without a VM.
  /// Not part of the JSON line.
  std::string scenario_toml;
  std::int64_t run = 0;         ///< the store's run id; 0 without a store
  PredictedSummary predicted;
  Observation observed;         ///< of the last attempt, or the reused one
  Verdict verdict;
  std::string deviation;        ///< the known deviation that excused a disagreement
  int attempt_count = 0;        ///< attempts made (0 when reused)
  /// Every attempt in order, when known (a run knows them; a result read back
  /// from its JSON line has only attempt_count and attempt_outcomes).
  std::vector<AttemptResult> attempts;
  /// Each attempt's outcome name, or "error" (only the line's summary of them).
  std::vector<std::string> attempt_outcomes;
  bool reused = false;
  std::optional<std::int64_t> reused_from;  ///< the run whose observation was reused
  std::string accelerator;      ///< "kvm", "tcg", or "none" when nothing ran
  std::map<std::string, double> timings;  ///< of the last attempt, or the reused one
  std::string evidence;         ///< the evidence folder (of the reused run when reused)
  bool source_cached = false;
  /// The machines left for inspection (`--keep`, `--pause-on-failure`) and
  /// the way into them; nothing when they were removed.
  std::optional<KeptAccess> kept;
  /// `run --remediate` (remediation.md): of the last attempt.
  std::optional<RemediationResult> remediation;
  bool operator==(const ScenarioResult&) const = default;
};

/// "agree" ... counts of a set of results, by verdict name.
std::map<std::string, int> count_verdicts(const std::vector<ScenarioResult>& results);

/// The exit status of a run with these results (results-format.md,
/// remediation.md): 3 when any verdict or remediation is error, else 1 when
/// any is disagree or flaky or any remediation not-fixed, else 0.
int exit_status(const std::vector<ScenarioResult>& results);

}  // namespace restorelab::run
