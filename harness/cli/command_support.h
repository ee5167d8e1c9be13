// What the subcommands share: argument parsing with CLI11, loading the
// rulebook and scenario files with diagnostics on stderr.
#pragma once

#include <expected>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/cli/cli.h"
#include "rules/rulebook.h"
#include "rules/scenario_loader.h"
#include "rules/scenario_search.h"

namespace restorelab {

/// `text` with control characters and bytes that are not UTF-8 shown as
/// escapes (`\n`, `\x1b`, `\xff`), for echoing input a user gave, or a value
/// a store or record held, into a message (escape_control_characters).
std::string printable(std::string_view text);

/// Checks each (option, path) with a path given, as check_output_path does
/// (which also refuses an input of the command: open the inputs first);
/// prints "COMMAND: OPTION PATH: why" and returns the exit code (2) for the
/// first that cannot be written, nothing when all can.
std::optional<int> refuse_unusable_outputs(std::initializer_list<std::pair<const char*, std::string>> outputs,
                                           std::string_view command, Streams& io);

/// The check of a folder option: an empty value names no folder.
const CLI::Validator& non_empty_folder();

/// Parses `args` into `app`. Returns an exit code when the command should
/// stop now (0 after --help, 2 after a usage error), nothing to go on.
std::optional<int> parse_args(CLI::App& app, const std::vector<std::string>& args, Streams& io);

/// Loads the rulebook at `path` (default_rulebook_path() when empty); prints
/// diagnostics to io.err on failure.
std::optional<Rulebook> load_rulebook_or_report(const std::string& path, Streams& io);

/// Reads and parses the files named and the scenario files under the
/// folders named ("-" is standard input); see find_scenario_files().
ScenarioSearch expand_scenario_paths(const std::vector<std::string>& paths);

/// Loads every file found; prints the files skipped, every diagnostic of
/// every file (and duplicate scenario names) to io.err, and when any failed,
/// "fix the errors above" after `consequence` ("nothing was predicted").
/// Nothing when any file failed.
std::optional<std::vector<Scenario>> load_scenarios_or_report(const ScenarioSearch& found, Streams& io,
                                                              std::string_view consequence = {});
std::optional<std::vector<Scenario>> load_scenarios_or_report(const std::vector<std::string>& paths,
                                                              Streams& io, std::string_view consequence = {});

/// `--shard K/N` (1 <= K <= N): CI splits a run over N jobs; job K takes
/// every item whose 0-based position p has p % N == K - 1.
struct Shard {
  int index = 1, count = 1;
  bool takes(std::size_t position) const { return position % static_cast<std::size_t>(count) == static_cast<std::size_t>(index - 1); }
};

/// Adds `--shard K/N` to a command.
void add_shard_option(CLI::App& app, std::string& shard);

/// Parses "K/N", or "auto": the share from the environment of the job
/// engine that started the process (shard_from_environment). Prints a
/// message and returns nothing when it is neither.
std::optional<Shard> parse_shard(const std::string& text, Streams& io);

/// The share a job engine gave this process, read from `getenv`:
///  - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) and
///    RESTORELAB_SHARD_COUNT (the Job's completions; Kubernetes does not
///    export it, so the Job sets it);
///  - GitLab `parallel:`: CI_NODE_INDEX (1-based) and CI_NODE_TOTAL.
/// An error message when none is set or a value is not a number in range.
std::expected<Shard, std::string> shard_from_environment(const char* (*getenv)(const char*));

/// Keeps the scenarios of one shard, in order.
void keep_shard(std::vector<Scenario>& scenarios, const Shard& shard);

}  // namespace restorelab
