// What `run` runs: scenario files, folders of them and matrix files turned
// into one list of uniquely named scenarios, each with its id (results-format.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "harness/cli/matrix_selection.h"
#include "harness/run/behaviour_coverage.h"
#include "rules/rulebook.h"

namespace restorelab {

/// One scenario to run.
struct CampaignInput {
  std::string id;         ///< combination id, or the scenario's name
  Scenario scenario;      ///< its name is the id made a file name (unique like the ids)
  std::string axes_json;  ///< for a matrix combination
};

/// A matrix input selected by behaviour: what the campaign report's
/// coverage section is made of once the rows have run.
struct BehaviourPlan {
  Matrix matrix;
  std::vector<BehaviourClass> classes;
  std::vector<run::CampaignRow> rows;  ///< every selected row (all shards), unobserved
  std::uint64_t pairs_held = 0;
};

/// The scenarios of `paths` in order: a matrix file gives its valid
/// combinations (a covering array, or the behaviour selection, as `selection`
/// says), a folder its scenario files (matrix files in a folder are skipped,
/// with a note), a file its scenario. Every error of every file is printed;
/// nothing when any. Two inputs with one id are an error. `plans`, when
/// given, receives each matrix selected by behaviour.
std::optional<std::vector<CampaignInput>> load_campaign_inputs(const std::vector<std::string>& paths,
                                                                const Rulebook& book,
                                                                const SelectionOptions& selection, Streams& io,
                                                                std::vector<BehaviourPlan>* plans = nullptr);

/// True when the file at `path` holds a [matrix] table.
bool is_matrix_file(const std::string& path);

}  // namespace restorelab
