// VM tests of restore.after chains: the earlier restore (a BMR, or a
// full-server restore) really runs in the recovery VM, then the system-state
// restore runs in the OS it left (the restore VM), then the destination
// boots. The scenarios run two at a time in the shared plain run
// (vm_shared.h). Each test reads the chain's serial logs as evidence that every step
// ran, in order, and checks the observation against the prediction.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/vm/vm_cli.h"
#include "tests/vm/vm_shared.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;

/// One scenario's JSON line (null when none) in the shared run, and the
/// run's output.
struct ChainRun {
  int exit_code = -1;
  std::string output;
  Json line;
  fs::path evidence;
};

/// The scenario's line in the shared plain run (vm_shared.h).
ChainRun run_chain(const std::string& scenario) {
  const std::string id = "vm-" + scenario.substr(0, scenario.size() - std::string(".toml").size());
  const vmtest::CliRun& run = vmtest::shared_result("plain");
  ChainRun r{run.exit_code, run.output, vmtest::shared_line("plain", id), {}};
  if (r.line.is_object() && r.line["evidence"].is_string()) r.evidence = r.line["evidence"].get<std::string>();
  return r;
}

/// The report lines (`RESTORELAB {...}`) of one VM's serial log whose event
/// is `event`, in order.
std::vector<Json> events(const fs::path& log, const std::string& event) {
  std::ifstream in(log, std::ios::binary);
  std::vector<Json> out;
  for (std::string l; std::getline(in, l);) {
    const auto at = l.find("RESTORELAB {");
    if (at == std::string::npos) continue;
    Json j = Json::parse(l.substr(at + 11), nullptr, false);
    if (j.is_object() && j["event"] == event) out.push_back(std::move(j));
  }
  return out;
}

/// The one `restore` line of a VM's serial log (null when not exactly one).
Json restore_line(const fs::path& log) {
  auto lines = events(log, "restore");
  EXPECT_EQ(lines.size(), 1u) << log;
  return lines.size() == 1 ? lines.front() : Json();
}

void expect_agrees(const ChainRun& r, const std::string& outcome) {
  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["observed"]["outcome"], outcome) << r.line.dump();
  EXPECT_EQ(r.line["predicted"]["outcome"], outcome) << r.line.dump();
  EXPECT_EQ(r.line["verdict"], "agree") << r.line.dump();
}

class VmChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
};

// The BMR restores the source's disk; the OS it left starts on the same
// hardware, restores the system state and the destination boots.
TEST_F(VmChainTest, SystemStateAfterABmrOnTheSameHardwareBoots) {
  const ChainRun r = run_chain("system-state-after-bmr-same-hardware.toml");
  expect_agrees(r, "boots");
  EXPECT_EQ(r.line["observed"]["cpus_used"], 1) << r.output;
  const Json bmr = restore_line(r.evidence / "recovery.serial.log");
  EXPECT_EQ(bmr["outcome"], "restored");
  EXPECT_EQ(bmr["kind"], "bmr");
  const auto started = events(r.evidence / "restore.serial.log", "boot");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started.front()["outcome"], "boots");
  const Json system_state = restore_line(r.evidence / "restore.serial.log");
  EXPECT_EQ(system_state["outcome"], "restored");
  EXPECT_EQ(system_state["kind"], "system-state");
  // Nothing was installed on the destination: the OS is the BMR's.
  EXPECT_TRUE(events(r.evidence / "restore.serial.log", "installed").empty());
  for (const char* phase : {"source", "recovery", "restore", "destination"}) {
    for (const char* ext : {".serial.log", ".xml", ".job"})
      EXPECT_TRUE(fs::exists(r.evidence / (std::string(phase) + ext))) << phase << ext;
  }
}

// ASR lets the OS the BMR left start on the SATA controller; the system-state
// restore then brings back the source's registry, whose only boot-start
// driver is IDE: the destination stops with 0x7B.
TEST_F(VmChainTest, SystemStateAfterABmrWithAsrOntoSataStops0x7BAtTheDestination) {
  const ChainRun r = run_chain("system-state-after-bmr-asr-ide-to-sata.toml");
  expect_agrees(r, "stop-0x7b");
  EXPECT_EQ(r.line["observed"]["seen"], "destination boot line + pvpanic") << r.output;
  const Json bmr = restore_line(r.evidence / "recovery.serial.log");
  EXPECT_EQ(bmr["kind"], "bmr");
  EXPECT_EQ(bmr["asr"], true);
  EXPECT_EQ(bmr["target_bus"], "sata");
  auto started = events(r.evidence / "restore.serial.log", "kernel-start");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started.front()["drivers_loaded"], Json::array({"sata"}));  // what ASR installed
  EXPECT_EQ(restore_line(r.evidence / "restore.serial.log")["kind"], "system-state");
}

// Without ASR the OS the BMR left has only the IDE driver: it cannot start
// on virtio, so the system-state restore never runs. The stop is observed in
// the restore VM, as the outcome.
TEST_F(VmChainTest, SystemStateAfterABmrWithoutAsrOntoVirtioStopsWhereTheBmrsOsStarts) {
  const ChainRun r = run_chain("system-state-after-bmr-ide-to-virtio.toml");
  expect_agrees(r, "stop-0x7b");
  EXPECT_EQ(r.line["observed"]["seen"], "restore boot line + pvpanic") << r.output;
  EXPECT_EQ(restore_line(r.evidence / "recovery.serial.log")["target_bus"], "virtio");
  auto started = events(r.evidence / "restore.serial.log", "kernel-start");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started.front()["drivers_loaded"], Json::array({"ide"}));
  EXPECT_TRUE(events(r.evidence / "restore.serial.log", "restore").empty());
  EXPECT_FALSE(fs::exists(r.evidence / "destination.serial.log"));
}

// "System state recovery after a full server restore": the destination's
// own installation, the full-server restore onto it (keeping its boot.ini),
// then the system state in the OS that restore left.
TEST_F(VmChainTest, SystemStateAfterAFullServerRestoreOnTheSameHardwareBoots) {
  const ChainRun r = run_chain("system-state-after-full-server-same-hardware.toml");
  expect_agrees(r, "boots");
  EXPECT_EQ(r.line["predicted"]["supported"], false) << r.output;
  EXPECT_EQ(events(r.evidence / "reset.serial.log", "installed").size(), 1u);
  const Json full_server = restore_line(r.evidence / "recovery.serial.log");
  EXPECT_EQ(full_server["kind"], "full-server");
  EXPECT_EQ(full_server["boot_ini_kept"], "C:\\WINDOWS");
  EXPECT_EQ(events(r.evidence / "restore.serial.log", "boot").size(), 1u);
  EXPECT_EQ(restore_line(r.evidence / "restore.serial.log")["kind"], "system-state");
}

// The full-server restore keeps the destination's boot.ini (C:\WIN2003) and
// restores the source's installation under C:\WINDOWS: the OS it left finds
// no kernel where boot.ini points, so the system state is never restored.
TEST_F(VmChainTest, SystemStateAfterAFullServerRestoreOntoAnotherSystemrootMissesTheKernelFirst) {
  const ChainRun r = run_chain("system-state-after-full-server-systemroot-differs.toml");
  expect_agrees(r, "boot-file-missing");
  EXPECT_EQ(r.line["observed"]["seen"], "restore boot line") << r.output;
  EXPECT_EQ(r.line["observed"]["detail"], "C:\\WIN2003\\system32\\ntoskrnl.exe") << r.output;
  EXPECT_EQ(restore_line(r.evidence / "recovery.serial.log")["boot_ini_kept"], "C:\\WIN2003");
  EXPECT_TRUE(events(r.evidence / "restore.serial.log", "restore").empty());
  EXPECT_FALSE(fs::exists(r.evidence / "destination.serial.log"));
}

// A full-server backup is a block-level image of the system disk
// (images/README.md, "Image backups: block for block"). Onto its larger
// replacement disk the partitions arrive where they were and the rest stays
// unallocated; onto a smaller disk the recovery refuses, however little of
// the source disk was in use, as wbadmin does (rule destination-disk-smaller).
TEST_F(VmChainTest, AFullServerImageRestoresOntoALargerDiskAndIsRefusedByASmallerOne) {
  std::map<std::string, Json> by_id;
  for (const char* id : {"vm-full-server-onto-larger-disk", "vm-full-server-onto-smaller-disk"}) {
    by_id[id] = vmtest::shared_line("plain", id);
    ASSERT_TRUE(by_id[id].is_object()) << id << " has no line:\n" << vmtest::shared_result("plain").output;
  }

  const Json& larger = by_id["vm-full-server-onto-larger-disk"];
  EXPECT_EQ(larger["observed"]["outcome"], "boots") << larger.dump();
  EXPECT_EQ(larger["verdict"], "agree") << larger.dump();
  const fs::path larger_evidence = larger["evidence"].get<std::string>();
  const Json restored = restore_line(larger_evidence / "recovery.serial.log");
  EXPECT_EQ(restored["outcome"], "restored");
  EXPECT_EQ(restored["image_bytes"], 32 << 20);
  EXPECT_EQ(restored["unallocated_bytes"], 32 << 20);
  EXPECT_EQ(events(larger_evidence / "destination.serial.log", "boot").size(), 1u);

  const Json& smaller = by_id["vm-full-server-onto-smaller-disk"];
  EXPECT_EQ(smaller["observed"]["outcome"], "restore-refused") << smaller.dump();
  EXPECT_EQ(smaller["predicted"]["outcome"], "restore-refused") << smaller.dump();
  EXPECT_EQ(smaller["verdict"], "agree") << smaller.dump();
  const fs::path smaller_evidence = smaller["evidence"].get<std::string>();
  const Json refused = restore_line(smaller_evidence / "recovery.serial.log");
  EXPECT_EQ(refused["outcome"], "restore-refused");
  EXPECT_EQ(refused["reason"], "the target disk (33554432 bytes) is smaller than the source disk (50331648 bytes)");
  EXPECT_FALSE(fs::exists(smaller_evidence / "destination.serial.log"));
}

// restore-rules.md refuses only restore kinds bmr and full-server across
// firmware types, so it predicts this system-state restore to start; the
// chain's BMR of a BIOS image is refused by the UEFI-started recovery
// environment. The project's known deviation says so, and it excuses
// exactly this: the verdict is known-deviation, not disagree.
TEST_F(VmChainTest, ASystemStateAfterABmrAcrossFirmwareIsAKnownDeviation) {
  // The shared run reads the project's known deviations (run's default).
  const ChainRun run = run_chain("system-state-after-bmr-bios-to-uefi.toml");
  ASSERT_TRUE(run.line.is_object()) << run.output;
  EXPECT_EQ(run.line["predicted"]["outcome"], "boots") << run.output;
  EXPECT_EQ(run.line["observed"]["outcome"], "restore-refused") << run.output;
  EXPECT_EQ(run.line["observed"]["detail"], "the image was taken on bios firmware and this computer started with uefi firmware")
      << run.output;
  EXPECT_EQ(run.line["verdict"], "known-deviation") << run.output;
  EXPECT_EQ(run.line["deviation"], "chain-image-restore-across-firmware") << run.output;
  const fs::path evidence = run.evidence;
  EXPECT_EQ(restore_line(evidence / "recovery.serial.log")["outcome"], "restore-refused");
  EXPECT_FALSE(fs::exists(evidence / "restore.serial.log"));
}

}  // namespace
}  // namespace restorelab::run
