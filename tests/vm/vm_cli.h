// Running the real `restorelab run` as a user does, for the VM tests.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "harness/machines/process.h"

namespace restorelab::vmtest {

struct CliRun {
  int exit_code = -1;
  std::string output;               ///< stdout and stderr, or why it did not run
  std::vector<nlohmann::json> lines;  ///< every scenario's JSON line, in order
  nlohmann::json line;              ///< the last one (null when none)
};

/// Every scenario's JSON line in `output`, in order.
inline std::vector<nlohmann::json> json_lines(const std::string& output) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(output);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("{\"id\"")) lines.push_back(nlohmann::json::parse(l, nullptr, false));
  return lines;
}

/// `restorelab run --json --db none --work DIR/work --evidence DIR/runs
/// EXTRA... SCENARIOS...`, the scenarios named relative to
/// tests/vm/scenarios/. --db none: these tests boot every time; the store's
/// reuse has tests of its own.
inline CliRun run_scenarios(const std::filesystem::path& dir, const std::vector<std::string>& extra,
                            const std::vector<std::string>& scenarios) {
  std::vector<std::string> argv = {RESTORELAB_VM_CLI, "run", "--json", "--db", "none", "--work",
                                   (dir / "work").string(), "--evidence", (dir / "runs").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const std::string& s : scenarios) argv.push_back(std::string(RESTORELAB_VM_SCENARIOS) + "/" + s);
  CliRun r;
  auto p = machines::run_process(argv, std::chrono::minutes(20));
  if (!p) {
    r.output = p.error().message;
    return r;
  }
  r.exit_code = p->exit_code;
  r.output = p->output;
  r.lines = json_lines(p->output);
  if (!r.lines.empty()) r.line = r.lines.back();
  return r;
}

}  // namespace restorelab::vmtest
