// The verdict: the one place that compares what the rulebook predicted with
// what the VMs did (matrix-format.md, `restorelab run --json`).
#pragma once

#include <string>
#include <vector>

#include "harness/run/observation.h"
#include "rules/engine.h"

namespace restorelab::run {

struct Verdict {
  enum class Kind : std::uint8_t { Agree, Disagree, Error };
  Kind kind = Kind::Error;
  /// The fields that differ ("outcome", "cpus_used"); empty unless Disagree.
  std::vector<std::string> differences;
  /// Why the run failed; empty unless Error.
  std::string error;
};
std::string_view verdict_name(Verdict::Kind k);  ///< "agree", "disagree", "error"

/// agree: the observed outcome and, where the system boots, cpus_used equal
/// the predicted ones; disagree otherwise; error when the run failed (or,
/// defensively, observed nothing).
Verdict judge(const Prediction& predicted, const Observation& observed);

}  // namespace restorelab::run
