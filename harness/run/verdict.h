// The verdict: the one place that compares what the rulebook predicted with
// what the VMs did (matrix-format.md, `restorelab run --json`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/run/observation.h"
#include "rules/engine.h"

namespace restorelab::run {

struct Verdict {
  /// judge() gives Agree, Disagree or Error; a campaign (campaign.h) turns a
  /// disagreement that the known-deviations registry excuses into
  /// KnownDeviation, and attempts that did not all see the same into Flaky.
  enum class Kind : std::uint8_t { Agree, Disagree, KnownDeviation, Flaky, Error };
  Kind kind = Kind::Error;
  /// The fields that differ ("outcome", "cpus_used"); empty unless Disagree.
  std::vector<std::string> differences;
  /// Why the run failed; empty unless Error.
  std::string error;
  bool operator==(const Verdict&) const = default;
};
/// "agree", "disagree", "known-deviation", "flaky", "error".
std::string_view verdict_name(Verdict::Kind k);
/// The kind named `name`, or nothing.
std::optional<Verdict::Kind> parse_verdict(std::string_view name);

/// agree: the observed outcome and, where the system boots, cpus_used equal
/// the predicted ones; disagree otherwise; error when the run failed (or,
/// defensively, observed nothing).
Verdict judge(const Prediction& predicted, const Observation& observed);

}  // namespace restorelab::run
