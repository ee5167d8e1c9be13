// VM tests: `restorelab run` against real libvirt (embedded QEMU driver) and
// QEMU under whatever accelerator the probe picks (TCG here). Each test runs
// one scenario of tests/vm/scenarios/ end to end and checks what a user
// reads: the JSON line, the exit status, and that nothing is left behind.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/machines/cleanup.h"
#include "harness/libvirt/libvirt_hypervisor.h"
#include "harness/machines/process.h"
#include "harness/run/run_session.h"
#include "tests/vm/vm_cli.h"
#include "tests/vm/vm_shared.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using vmtest::CliRun;

fs::path test_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("restorelab-vm-test-" + std::to_string(::getpid()));
  return dir;
}

CliRun run_cli(const std::vector<std::string>& extra, const std::string& scenario) {
  return vmtest::run_scenarios(test_dir(), extra, {scenario});
}

/// The scenario's line in the shared plain run (vm_shared.h), with the
/// observed outcome and the verdict checked.
nlohmann::json expect_outcome(const std::string& scenario, const std::string& outcome, std::optional<int> cpus) {
  const std::string id = "vm-" + scenario.substr(0, scenario.size() - std::string(".toml").size());
  const nlohmann::json line = vmtest::shared_line("plain", id);
  const std::string& output = vmtest::shared_result("plain").output;
  EXPECT_TRUE(line.is_object()) << id << " has no line in the shared run:\n" << output;
  if (!line.is_object()) return line;
  EXPECT_EQ(line["observed"]["outcome"], outcome) << line.dump();
  if (cpus) {
    EXPECT_EQ(line["observed"]["cpus_used"], *cpus) << line.dump();
  }
  EXPECT_EQ(line["verdict"], "agree") << line.dump();
  EXPECT_EQ(line["accelerator"].get<std::string>().empty(), false);
  const fs::path evidence = line["evidence"].get<std::string>();
  EXPECT_TRUE(fs::exists(evidence / "destination.serial.log") || outcome == "restore-refused") << evidence;
  EXPECT_TRUE(fs::exists(evidence / "timings.json")) << evidence;
  return line;
}

std::vector<int> qemu_pids_of(const std::string& name_part) {
  std::vector<int> pids;
  machines::ProcProcessTable table;
  for (const auto& p : table.list())
    if (!p.argv.empty() && p.argv[0].find("qemu-system") != std::string::npos &&
        machines::qemu_guest_name(p.argv).find(name_part) != std::string::npos)
      pids.push_back(p.pid);
  return pids;
}

/// The QEMU processes with `part` in an argument: a VM by its files, whether
/// it was started under its scenario's name or restored warm under its
/// state's (warm_start.h).
std::vector<int> qemu_pids_using(const std::string& part) {
  std::vector<int> pids;
  machines::ProcProcessTable table;
  for (const auto& p : table.list())
    if (!p.argv.empty() && p.argv[0].find("qemu-system") != std::string::npos &&
        std::ranges::any_of(p.argv, [&](const std::string& a) { return a.find(part) != std::string::npos; }))
      pids.push_back(p.pid);
  return pids;
}

class VmRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("RESTORELAB_SKIP_VM_TESTS") != nullptr) GTEST_SKIP() << "RESTORELAB_SKIP_VM_TESTS is set";
  }
  static void TearDownTestSuite() { fs::remove_all(test_dir()); }
};

TEST_F(VmRunTest, ImageBuilds) {
  auto p = machines::run_process({RESTORELAB_VM_CLI, "image", "build"}, 30min);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->exit_code, 0) << p->output;
}

// same-hardware.toml and uefi-bmr-asr-ide-to-scsi.toml (both boot on one
// processor) run in vm_warm_test.cc, warm and cold.

// Every kind of backup holds the system state (images/guest/backup.h).
TEST_F(VmRunTest, SystemStateFromAFullServerBackupBoots) {
  expect_outcome("system-state-from-full-server.toml", "boots", 1);
}

// up-on-mp.toml (boots-degraded, one of four processors) runs in
// vm_remediation_test.cc, which checks that first boot and its remediation.

// The outcomes the guest decides from facts it reads (the firmware's ACPI
// tables against the installed HAL, the HAL pair, the directory service's
// paths, the graphics adapter on the PCI bus; images/README.md, "Outcomes:
// physical or emulated"), two at a time, so the library has a VM-tested
// example of each.
TEST_F(VmRunTest, TheHalStopsTheRoleFailureAndALostDisplayAgreeOnVms) {
  expect_outcome("acpi-on-mps.toml", "stop-0xa5", std::nullopt);
  expect_outcome("mps-on-standard-pc.toml", "stop-0x79", std::nullopt);
  expect_outcome("dc-ntds-elsewhere.toml", "role-fails", std::nullopt);
  // The display, and nothing else, is what the cirrus adapter degrades.
  const nlohmann::json display = expect_outcome("display-changed.toml", "boots-degraded", std::nullopt);
  if (display.is_object()) {
    EXPECT_EQ(display["observed"]["degraded"], nlohmann::json::array({"display"})) << display.dump();
  }
}

TEST_F(VmRunTest, IdeOntoVirtioStops0x7B) { expect_outcome("ide-to-virtio.toml", "stop-0x7b", std::nullopt); }

TEST_F(VmRunTest, BiosBmrOntoUefiIsRefused) {
  expect_outcome("bmr-bios-to-uefi.toml", "restore-refused", std::nullopt);
}

TEST_F(VmRunTest, BmrWithAsrOntoAnotherControllerBoots) { expect_outcome("bmr-asr-ide-to-sata.toml", "boots", 1); }

// UEFI end to end: directly started guests on OVMF with an IDE source disk
// (the guest enables the IDE channels OVMF left off), and a destination that
// OVMF boots from SCSI (virtio-scsi on UEFI).
// The loader itself misses the kernel below the systemroot boot.ini names
// (images/README.md, "Outcomes: physical or emulated"): syslinux after a
// full-server restore that keeps the destination's boot.ini, systemd-boot
// after a system-state restore that brings the source's.
TEST_F(VmRunTest, FullServerOntoAnotherSystemrootMissesTheKernelInSyslinux) {
  expect_outcome("full-server-systemroot-differs.toml", "boot-file-missing", std::nullopt);
}

TEST_F(VmRunTest, UefiSystemStateOntoAnotherSystemrootMissesTheKernelInSystemdBoot) {
  expect_outcome("uefi-system-state-systemroot-differs.toml", "boot-file-missing", std::nullopt);
}

TEST_F(VmRunTest, NonAcpiHalOnAcpiFirmwareHangs) { expect_outcome("mps-on-acpi.toml", "hang", std::nullopt); }

TEST_F(VmRunTest, KilledQemuIsAnErrorAndLeavesNothing) {
  CliRun r;
  // --no-cache: a source VM reused from the cache would not run at all.
  std::thread cli([&] { r = run_cli({"--no-cache"}, "killed.toml"); });
  // Kill the source VM's QEMU as soon as its guest writes to the serial port
  // (the source's whole run takes about 3 s, so no fixed delay).
  std::vector<int> pids;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  auto source_talked = [&] {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(test_dir() / "runs", ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->path().filename() == "source.serial.log" && fs::file_size(it->path(), ec) > 0) return true;
    }
    return false;
  };
  while ((pids.empty() || !source_talked()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    pids = qemu_pids_using("vm-killed/source-system.img");
  }
  ASSERT_FALSE(pids.empty()) << "the source VM never started";
  for (int pid : pids) ::kill(pid, SIGKILL);
  cli.join();

  ASSERT_TRUE(r.line.is_object()) << r.output;
  EXPECT_EQ(r.line["verdict"], "error") << r.output;
  EXPECT_TRUE(r.line["observed"]["outcome"].is_null());
  EXPECT_NE(r.line["error"].get<std::string>().find("QEMU process died"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 3);
  // Nothing left: no QEMU, no domain, no disk.
  EXPECT_TRUE(qemu_pids_of("vm-killed").empty());
  EXPECT_TRUE(qemu_pids_using("vm-killed/").empty());
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(test_dir() / "work") || fs::is_empty(test_dir() / "work", ec));
  auto hv = libvirt::LibvirtHypervisor::open(libvirt::embed_uri(default_embed_root()));
  ASSERT_TRUE(hv) << hv.error().message;
  // Machines an earlier run kept (--keep) stay defined; none of this run's may.
  auto all = (*hv)->list_domains("rl-");
  ASSERT_TRUE(all);
  std::vector<std::string> left;
  for (const std::string& name : *all)
    if (name.find("vm-killed") != std::string::npos || name.starts_with("rl-warm-")) left.push_back(name);
  EXPECT_TRUE(left.empty()) << left.front();
}

}  // namespace
}  // namespace restorelab::run
