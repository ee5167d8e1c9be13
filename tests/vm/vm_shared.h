// Runs shared by several VM tests: one `restorelab run --jobs 2` over the
// scenarios of many tests, so that two VMs boot at a time instead of one
// test's single chain (each chain's VMs start one after another). The
// fixture test `vm.SharedRunsBootTwoAtATime` (vm_shared_test.cc) runs every
// one of them once and leaves its output and evidence in
// $RESTORELAB_VM_SHARED_DIR; each test then reads the lines of its own
// scenarios. A test run by hand without that folder runs the shared run
// itself, once per process.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/vm/vm_cli.h"

namespace restorelab::vmtest {

/// A shared run: its name (also its folder), the options after `run`, and
/// its scenarios (relative to tests/vm/scenarios/).
struct SharedRun {
  std::string name;
  std::vector<std::string> options;
  std::vector<std::string> scenarios;
};

/// Every shared run, in the order the fixture runs them.
inline const std::vector<SharedRun>& shared_runs() {
  static const std::vector<SharedRun> runs = {
      {"plain",
       {"--jobs", "2"},
       {// vm_run_test.cc
        "ide-to-virtio.toml", "bmr-bios-to-uefi.toml", "bmr-asr-ide-to-sata.toml", "mps-on-acpi.toml",
        "system-state-from-full-server.toml", "full-server-systemroot-differs.toml",
        "uefi-system-state-systemroot-differs.toml", "acpi-on-mps.toml", "mps-on-standard-pc.toml",
        "dc-ntds-elsewhere.toml", "display-changed.toml",
        // vm_chain_test.cc
        "system-state-after-bmr-same-hardware.toml", "system-state-after-bmr-asr-ide-to-sata.toml",
        "system-state-after-bmr-ide-to-virtio.toml", "system-state-after-full-server-same-hardware.toml",
        "system-state-after-full-server-systemroot-differs.toml", "full-server-onto-larger-disk.toml",
        "full-server-onto-smaller-disk.toml", "system-state-after-bmr-bios-to-uefi.toml"}},
      // vm_remediation_test.cc
      {"remediate", {"--jobs", "2", "--remediate"}, {"up-on-mp.toml", "ide-to-sata.toml", "nic-model-changed.toml"}},
      {"remediate-hal-only", {"--remediate", "--remediate-actions", "update-hal"}, {"up-ide-to-mp-virtio.toml"}},
  };
  return runs;
}

/// The folder shared runs live in: $RESTORELAB_VM_SHARED_DIR, else one of
/// this process's own.
inline std::filesystem::path shared_dir() {
  if (const char* dir = std::getenv("RESTORELAB_VM_SHARED_DIR"); dir != nullptr && *dir != '\0') return dir;
  static const std::filesystem::path own =
      std::filesystem::temp_directory_path() / ("restorelab-vm-shared-" + std::to_string(::getpid()));
  return own;
}

/// Runs `run` into its folder and records its exit status and output there.
inline CliRun run_shared(const SharedRun& run) {
  const std::filesystem::path dir = shared_dir() / run.name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CliRun r = run_scenarios(dir, run.options, run.scenarios);
  std::ofstream(dir / "output.txt", std::ios::binary) << r.output;
  std::ofstream(dir / "exit") << r.exit_code << "\n";
  return r;
}

/// The result of the shared run `name`: read back from its folder, or run
/// now when nothing is recorded there.
inline const CliRun& shared_result(const std::string& name) {
  static std::map<std::string, CliRun> results;
  if (auto it = results.find(name); it != results.end()) return it->second;
  const std::filesystem::path dir = shared_dir() / name;
  CliRun r;
  if (std::ifstream exit_in(dir / "exit"); exit_in >> r.exit_code) {
    std::ifstream in(dir / "output.txt", std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    r.output = s.str();
    r.lines = json_lines(r.output);
    if (!r.lines.empty()) r.line = r.lines.back();
  } else {
    for (const SharedRun& run : shared_runs())
      if (run.name == name) r = run_shared(run);
  }
  return results.emplace(name, std::move(r)).first->second;
}

/// The JSON line of scenario `id` in the shared run `name` (null when the
/// run has none).
inline nlohmann::json shared_line(const std::string& name, const std::string& id) {
  for (const nlohmann::json& line : shared_result(name).lines)
    if (line.is_object() && line["id"] == id) return line;
  return nullptr;
}

}  // namespace restorelab::vmtest
