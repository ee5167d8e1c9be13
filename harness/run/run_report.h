// How `restorelab run` shows one scenario: the JSON line of matrix-format.md
// and the readable report.
#pragma once

#include <ostream>
#include <string>
#include <vector>
#include <string_view>

#include "harness/output/junit.h"
#include "harness/output/output_file.h"
#include "harness/run/orchestrator.h"
#include "harness/run/verdict.h"
#include "rules/engine.h"

namespace restorelab::run {

/// Everything reported about one scenario.
struct ScenarioReport {
  const Scenario& scenario;
  const Prediction& predicted;
  const ScenarioRun& run;
  const Verdict& verdict;
  std::string_view accelerator;  ///< "tcg" or "kvm"
};

/// One JSON line (with '\n'): scenario, predicted{supported,outcome,cpus_used,actions},
/// observed{outcome,stop_code,cpus_used,cpus_present,nics_configured,nics_orphaned,
/// nics_unconfigured,mac_changed,degraded,detail,evidence}, verdict, error (when
/// the verdict is error), differences, accelerator, timings_s{source,recovery,
/// destination,total}, evidence (the folder, with a trailing '/').
std::string run_json_line(const ScenarioReport& r);

/// The readable report of one scenario (several lines).
std::string run_text(const ScenarioReport& r);

/// JUnit XML of a run, for CI: a testcase per scenario, a failure for a
/// disagreement (naming the fields), an error for a run that failed.
class JunitReport {
 public:
  void add(const ScenarioReport& r);
  std::string xml() const;
  /// Writes the file (whole or not at all, output_file.h).
  OutputStatus write(const std::string& path) const;

 private:
  JunitSuite suite_{"restorelab run", 0, {}, {}};
};

}  // namespace restorelab::run
