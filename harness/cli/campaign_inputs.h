// What `run` runs: scenario files, folders of them and matrix files turned
// into one list of uniquely named scenarios, each with its id (results-format.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/cli/command_support.h"
#include "rules/rulebook.h"

namespace restorelab {

/// One scenario to run.
struct CampaignInput {
  std::string id;         ///< combination id, or the scenario's name
  Scenario scenario;      ///< its name is the id made a file name (unique like the ids)
  std::string axes_json;  ///< for a matrix combination
};

/// The scenarios of `paths` in order: a matrix file gives its valid
/// combinations (a covering array of `strength` when it is > 0), a folder its
/// scenario files (matrix files in a folder are skipped, with a note), a file
/// its scenario. Every error of every file is printed; nothing when any.
/// Two inputs with one id are an error.
std::optional<std::vector<CampaignInput>> load_campaign_inputs(const std::vector<std::string>& paths,
                                                                const Rulebook& book, int strength,
                                                                std::uint64_t seed, Streams& io);

/// True when the file at `path` holds a [matrix] table.
bool is_matrix_file(const std::string& path);

}  // namespace restorelab
