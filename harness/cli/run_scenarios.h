// Running a list of scenarios on machines, as `run` and `replay` do: check
// every plan, open the results store, set the machines up on first need,
// run the campaign into the sinks, clean up (or keep) and report.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/cli/known_registry.h"
#include "harness/run/campaign.h"
#include "harness/run/scenario_result.h"
#include "rules/rulebook.h"

namespace CLI {
class App;
}

namespace restorelab {

/// The options of `run` that shape how scenarios run (the inputs aside).
struct RunArgs {
  bool json = false;
  bool keep = false;
  bool verbose = false;  ///< -v: the accelerator probes' outcomes too
  bool pause_on_failure = false;
  bool no_cache = false;
  bool no_warm = false;                       ///< --no-warm: every VM boots cold
  bool warm_every_shape = false;              ///< --warm-every-shape: build states for shapes started once too
  std::uint64_t warm_limit_mib = 4096;        ///< --warm-limit: the saved states' total size
  std::string warm_dir;                       ///< --warm-dir: where they are (default WarmStates::default_root())
  bool no_reuse = false;
  bool remediate = false;                     ///< --remediate (or --remediate-actions given)
  std::vector<std::string> remediate_actions; ///< --remediate-actions: checked action names
  std::string connect;
  std::string work;
  std::string evidence = "runs";
  std::string rules;
  std::string images;
  std::string junit;
  std::string html;
  std::string known;
  std::string db;
  std::string campaign;
  std::string shard;  ///< "K/N": recorded in the store; the caller picked the items
  /// Name the known deviations that excused nothing (a replay of one
  /// scenario would name nearly all of them).
  bool report_stale = true;
  double silence = 20;
  int jobs = 0;
  int retries = 0;
  int strength = 0;
  std::string cover;  ///< "behaviours" or empty
  std::uint64_t seed = 1;
  std::vector<std::string> files;
  /// The campaign report's coverage sections (behaviour_coverage.h,
  /// coverage_json()) from the finished results; none when empty.
  std::function<std::vector<std::string>(const std::vector<run::ScenarioResult>&)> coverage;
};

/// The options of where and how the VMs run, shared by `run` and `replay`:
/// --connect, --work, --evidence, --rules, --images, --silence, --no-warm,
/// --warm-limit, --warm-dir.
void add_machine_options(CLI::App& app, RunArgs& a);

/// Runs `items` (already chosen, e.g. one shard) with `a`'s options and
/// returns the exit status (results-format.md); `argv` is the command line
/// the store records. Bad input (a plan that does not fit, a store that
/// cannot be opened) is reported before any VM starts (exit 2). `results`,
/// when given, receives every finished result.
int run_scenarios(const RunArgs& a, const std::vector<std::string>& argv, std::vector<run::CampaignItem> items,
                  const Rulebook& book, KnownRegistry* known, Streams& io,
                  std::vector<run::ScenarioResult>* results = nullptr);

}  // namespace restorelab
