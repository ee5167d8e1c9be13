// What the subcommands share: argument parsing with CLI11, loading the
// rulebook and scenario files with diagnostics on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"

namespace restorelab {

/// Parses `args` into `app`. Returns an exit code when the command should
/// stop now (0 after --help, 2 after a usage error), nothing to go on.
std::optional<int> parse_args(CLI::App& app, const std::vector<std::string>& args, Streams& io);

/// Loads the rulebook at `path` (default_rulebook_path() when empty); prints
/// diagnostics to io.err on failure.
std::optional<Rulebook> load_rulebook_or_report(const std::string& path, Streams& io);

/// Expands directories into the *.toml files under them that hold a
/// [scenario] table (machine files do not), sorted; files pass through.
std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths);

/// Loads every file; prints every diagnostic of every file (and duplicate
/// scenario names) to io.err. Nothing when any file failed.
std::optional<std::vector<Scenario>> load_scenarios_or_report(const std::vector<std::string>& files,
                                                              Streams& io);

}  // namespace restorelab
