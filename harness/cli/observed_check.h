// `restorelab rules test --observed DB`: the rule author's proof that a
// rulebook change agrees with what was seen on VMs. Every recorded
// observation of a run (a reused result counts as its run's observation) is
// judged against the rulebook under work, without a VM.
#pragma once

#include <string>

#include "harness/cli/cli.h"

namespace restorelab {

struct ObservedTestOptions {
  std::string db;       ///< the results store
  std::string rules;    ///< the rulebook under work (default: the project's)
  std::string run;      ///< a run id; empty: the newest run
  std::string known;    ///< --known (default: the project's registry when it exists; none: off)
  bool json = false;    ///< lines shaped like `run --json`'s
};

/// Exit: 0 no disagreement, 1 any disagreement, 2 bad input (also a store
/// that is missing or damaged), 3 a store that fails while it is read (I/O).
int test_observed(const ObservedTestOptions& options, Streams& io);

}  // namespace restorelab
