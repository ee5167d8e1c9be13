// VM tests of warm starts (harness/run/warm_start.h): the VMs a scenario's
// chain starts with the hypervisor's kernel are restored from states saved
// at the guest's ready point, and nothing the guest reports or the verdict
// says depends on whether they were. One BIOS and one UEFI scenario run two
// at a time into a folder of states of their own.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/mount.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/vm/vm_cli.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vmtest::CliRun;

fs::path test_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("restorelab-vm-warm-" + std::to_string(::getpid()));
  return dir;
}

const std::vector<std::string> kScenarios = {"same-hardware.toml", "uefi-bmr-asr-ide-to-scsi.toml"};

CliRun run_with_states(const fs::path& states, const std::vector<std::string>& scenarios = kScenarios) {
  // --no-cache: the source VM boots too (a cached one would not run at all).
  // --warm-every-shape: a state for every shape, also those the run starts
  // once (a run of several scenarios would boot those cold).
  return vmtest::run_scenarios(test_dir(), {"--no-cache", "--jobs", "2", "--warm-every-shape", "--warm-dir", states.string()},
                               scenarios);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The `observed` object of each scenario, by id.
std::map<std::string, json> observed(const CliRun& r) {
  std::map<std::string, json> by_id;
  for (const json& line : r.lines) by_id[line["id"].get<std::string>()] = line["observed"];
  return by_id;
}

/// Each VM's start in timings.json ("warm", "cold", "cached") by phase, per scenario.
std::map<std::string, std::string> starts(const json& line) {
  const json timings = json::parse(read(fs::path(line["evidence"].get<std::string>()) / "timings.json"));
  std::map<std::string, std::string> by_phase;
  for (const json& vm : timings["vms"]) by_phase[vm["phase"].get<std::string>()] = vm["start"].get<std::string>();
  return by_phase;
}

/// The kernel-start line of every VM of the chain that the hypervisor
/// started, by phase: what the guest read of its hardware.
std::map<std::string, std::string> kernel_facts(const json& line) {
  std::map<std::string, std::string> facts;
  for (const auto& entry : fs::directory_iterator(line["evidence"].get<std::string>())) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".serial.log") || name.starts_with("destination")) continue;
    std::istringstream log(read(entry.path()));
    // A cold boot's console also carries the kernel's own messages, which
    // may end up on the same line.
    for (std::string l; std::getline(log, l);)
      if (auto at = l.find(R"(RESTORELAB {"event":"kernel-start")"); at != std::string::npos)
        facts[name] = l.substr(at, l.find_last_not_of("\r") + 1 - at);
  }
  return facts;
}

std::vector<fs::path> state_files(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".state") found.push_back(e.path());
  return found;
}

class VmWarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
  static void TearDownTestSuite() { fs::remove_all(test_dir()); }
};

// First use builds a state per shape, the next run restores every chain VM
// from them, and a run whose states are broken (one truncated, the others
// overwritten) discards them and boots cold: three runs, one set of
// observations, and the same kernel-start facts warm and cold.
// (The broken run's VMs that come after a twin of their shape build its state
// again, so they start warm; the sources are always cold there.)
TEST_F(VmWarmTest, WarmAndColdStartsObserveTheSameAndABrokenStateBootsCold) {
  const fs::path states = test_dir() / "states";
  const CliRun building = run_with_states(states);
  ASSERT_EQ(building.exit_code, 0) << building.output;
  ASSERT_EQ(building.lines.size(), 2u) << building.output;
  // Both boot on their one processor, as predicted (a system-state restore
  // onto the same hardware; a UEFI BMR with ASR from IDE onto SCSI).
  for (const json& line : building.lines) {
    EXPECT_EQ(line["observed"]["outcome"], "boots") << line["id"];
    EXPECT_EQ(line["observed"]["cpus_used"], 1) << line["id"];
    EXPECT_EQ(line["verdict"], "agree") << line["id"];
    EXPECT_FALSE(line["accelerator"].get<std::string>().empty());
  }
  EXPECT_FALSE(state_files(states).empty());
  for (const json& line : building.lines)
    for (const auto& [phase, start] : starts(line))
      EXPECT_EQ(start, phase == "destination" ? "cold" : "warm") << line["id"] << " " << phase;

  const CliRun warm = run_with_states(states);
  ASSERT_EQ(warm.exit_code, 0) << warm.output;
  ASSERT_EQ(warm.lines.size(), 2u) << warm.output;
  EXPECT_EQ(observed(warm), observed(building));
  EXPECT_EQ(warm.output.find("booted cold"), std::string::npos) << warm.output;
  for (const json& line : warm.lines) {
    for (const auto& [phase, start] : starts(line))
      EXPECT_EQ(start, phase == "destination" ? "cold" : "warm") << line["id"] << " " << phase;
    EXPECT_NE(read(fs::path(line["evidence"].get<std::string>()) / "source.xml").find("<name>rl-warm-"),
              std::string::npos);
  }

  // Broken states: one cut to half its size, the others garbage.
  const auto files = state_files(states);
  ASSERT_FALSE(files.empty());
  fs::resize_file(files.front(), fs::file_size(files.front()) / 2);
  for (std::size_t i = 1; i < files.size(); ++i) std::ofstream(files[i], std::ios::trunc) << "not a saved state";
  const CliRun cold = run_with_states(states);
  ASSERT_EQ(cold.exit_code, 0) << cold.output;
  ASSERT_EQ(cold.lines.size(), 2u) << cold.output;
  EXPECT_EQ(observed(cold), observed(warm)) << "a broken state changes no observation";
  // Each source met a broken state and booted cold. A later VM of the same
  // shape (same-hardware's restore VM is the source's twin) builds the state
  // afresh: never one of the broken ones.
  for (const json& line : cold.lines) {
    EXPECT_EQ(starts(line)["source"], "cold") << line["id"];
    for (const json& vm : json::parse(read(fs::path(line["evidence"].get<std::string>()) / "timings.json"))["vms"])
      if (vm["start"] == "warm") {
        EXPECT_GT(vm["warm_build_seconds"].get<double>(), 0) << line["id"] << " " << vm["phase"];
      }
  }
  EXPECT_NE(cold.output.find("did not restore"), std::string::npos) << cold.output;
  EXPECT_NE(cold.output.find("it was discarded and the VM booted cold"), std::string::npos) << cold.output;
  for (const fs::path& broken : files)
    EXPECT_TRUE(!fs::exists(broken) || fs::file_size(broken) > 1000000) << broken << " was not discarded";

  // What the guest read of its hardware, warm and cold.
  for (std::size_t i = 0; i < 2; ++i) {
    const auto warm_facts = kernel_facts(warm.lines[i]);
    EXPECT_EQ(warm_facts.size(), 2u) << warm.lines[i]["id"];
    EXPECT_EQ(warm_facts, kernel_facts(cold.lines[i])) << warm.lines[i]["id"];
  }
}

// A disk too small for the state: the save fails, the VM boots cold, the
// verdict stands, and no partial state is left.
TEST_F(VmWarmTest, ASaveOntoAFullDiskBootsColdAndLeavesNoPartialState) {
  const fs::path full = test_dir() / "full";
  fs::create_directories(full);
  if (mount("tmpfs", full.c_str(), "tmpfs", 0, "size=8m") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (not root?): " << std::strerror(errno);
  const CliRun r = run_with_states(full, {"same-hardware.toml"});
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(full))
    if (e.path().extension() != ".lock" && e.path().extension() != ".log") left.push_back(e.path().filename().string());
  umount2(full.c_str(), MNT_DETACH);
  EXPECT_TRUE(left.empty()) << left.front();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(r.lines.size(), 1u) << r.output;
  EXPECT_EQ(r.line["verdict"], "agree");
  EXPECT_NE(r.output.find("no warm start (building its saved state:"), std::string::npos) << r.output;
  for (const auto& [phase, start] : starts(r.line)) EXPECT_EQ(start, "cold") << phase;
}

}  // namespace
}  // namespace restorelab::run
