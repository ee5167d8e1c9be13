// What a warm start's state is keyed on (harness/run/warm_start.h): two VMs
// share a state only when the guest could not tell them apart at its ready
// point, and a new QEMU or libvirt never restores an old state.
#include "harness/run/warm_start.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/fake_hypervisor.h"
#include "tests/support/up_on_mp.h"

namespace restorelab::run {
namespace {

namespace fs = std::filesystem;
using machines::FakeHypervisor;

class WarmKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("restorelab-warm-key-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    write("vmlinux", "kernel");
    write("a.initrd", "initramfs");
    write("b.initrd", "initramfs");
    write("a.img", std::string(4096, 'a'));
    write("b.img", std::string(4096, 'b'));
    spec = vm("a");
  }
  void TearDown() override { fs::remove_all(root); }
  void write(const std::string& name, const std::string& content) {
    std::ofstream(root / name, std::ios::binary | std::ios::trunc) << content;
  }
  /// A directly started VM whose files are named `tag`.
  machines::VmSpec vm(const std::string& tag) const {
    machines::VmSpec s;
    s.name = "rl-x-" + tag + "-source";
    s.hardware.cpus = 2;
    s.hardware.hal = Hal::AcpiMultiprocessor;
    s.mac_seed = "source-computer";
    s.serial_log = (root / (tag + ".serial.log")).string();
    s.disks.push_back({.path = (root / (tag + ".img")).string()});
    s.fw_cfg.push_back({"opt/org.restorelab/job", (root / (tag + ".job")).string()});
    s.direct = {(root / "vmlinux").string(), (root / (tag + ".initrd")).string(), "console=ttyS0 rl.boot=direct"};
    return s;
  }
  std::string key(const machines::VmSpec& s) {
    auto k = states.key(s, fake);
    EXPECT_TRUE(k.has_value()) << k.error().message;
    return k.value_or("");
  }

  fs::path root;
  machines::VmSpec spec;
  FakeHypervisor fake;
  WarmStates states{WarmOptions{.dir = fs::temp_directory_path() / "unused"}};
};

TEST_F(WarmKeyTest, TwoVmsOfOneShapeWithTheirOwnNamesAndFilesShareAState) {
  EXPECT_EQ(key(spec), key(vm("b")));
  EXPECT_EQ(key(spec).size(), 32u);
}

TEST_F(WarmKeyTest, WhatTheGuestCouldSeeAtItsReadyPointMakesAnotherShape) {
  const std::string base = key(spec);
  auto changed = [&](auto change) {
    machines::VmSpec s = spec;
    change(s);
    return key(s);
  };
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.hardware.cpus = 4; }));
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.hardware.hal = Hal::AcpiUniprocessor; s.hardware.cpus = 1; }));
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.mac_seed = "destination-computer"; }));
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.disks[0].bus = DiskBus::Sata; }));
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.direct.cmdline += " nosmp"; }));
  EXPECT_NE(base, changed([](machines::VmSpec& s) { s.hardware.memory_mib = 1024; }));
  // The initramfs's content, not its name; the disk's size, not its content.
  write("b.initrd", "another initramfs");
  EXPECT_NE(base, key(vm("b")));
  write("b.initrd", "initramfs");
  write("b.img", std::string(8192, 'b'));
  EXPECT_NE(base, key(vm("b")));
  write("b.img", std::string(4096, 'c'));
  EXPECT_EQ(base, key(vm("b")));
}

TEST_F(WarmKeyTest, AnotherLibvirtOrQemuVersionNeverUsesAnOldState) {
  const std::string before = key(spec);
  FakeHypervisor upgraded;
  upgraded.set_versions("libvirt 9000000, hypervisor 8002000");
  WarmStates fresh{WarmOptions{.dir = root / "states"}};
  auto after = fresh.key(spec, upgraded);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_NE(before, *after);
}

TEST_F(WarmKeyTest, AVmWhoseFirmwareStartsItsKernelNeverStartsWarm) {
  machines::VmSpec s = spec;
  s.direct = {};
  EXPECT_FALSE(WarmStates::warmable(s));
  EXPECT_TRUE(WarmStates::warmable(spec));
  std::atomic<int> interrupt{0};
  auto w = states.prepare(s, fake, interrupt, VmLimits{});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message, "its kernel is started by its firmware");
}

TEST_F(WarmKeyTest, AMissingKernelIsAnErrorNotAKey) {
  fs::remove(root / "vmlinux");
  auto k = states.key(spec, fake);
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().message.find("vmlinux"), std::string::npos) << k.error().message;
}

/// A campaign counts its VMs by shape before it starts (WarmDemand), so it
/// builds a saved state only where another VM of the shape is still to come.
class WarmDemandTest : public ::testing::Test {
 protected:
  RunPlan plan(const Scenario& s) const {
    return plan_run(s, PlanPaths{.disk_dir = root / "work" / s.name, .evidence_dir = root / "runs" / s.name,
                                 .artifacts = root / "images"});
  }
  const fs::path root = fs::temp_directory_path() / "restorelab-warm-demand-test";
};

TEST_F(WarmDemandTest, TwoScenariosOnOneHardwareStartVmsOfOneShapeAndOtherHardwareIsAnother) {
  Scenario other = up_on_mp("b");
  other.source.cpus = 2;
  other.source.hal = Hal::AcpiMultiprocessor;
  const RunPlan a = plan(up_on_mp("a")), b = plan(up_on_mp("b")), c = plan(other);
  ASSERT_NE(a.vms[0].spec.name, b.vms[0].spec.name);
  EXPECT_EQ(WarmDemand::shape(a, a.vms[0]), WarmDemand::shape(b, b.vms[0])) << "names and paths are no shape";
  EXPECT_NE(WarmDemand::shape(a, a.vms[0]), WarmDemand::shape(c, c.vms[0]));
  EXPECT_NE(WarmDemand::shape(a, a.vms[0]), WarmDemand::shape(a, a.vms[1])) << "the source and the restore VM";
}

TEST_F(WarmDemandTest, AStateIsWorthBuildingWhileAnotherVmOfItsShapeIsToCome) {
  Scenario other = up_on_mp("c");
  other.source.cpus = 2;
  other.source.hal = Hal::AcpiMultiprocessor;
  const RunPlan a = plan(up_on_mp("a")), b = plan(up_on_mp("b")), c = plan(other);
  WarmDemand demand;
  for (const RunPlan* p : {&a, &b, &c}) demand.expect(*p);
  EXPECT_TRUE(demand.take(a, a.vms[0])) << "b's source is to come";
  EXPECT_FALSE(demand.take(b, b.vms[0])) << "the last of its shape";
  EXPECT_FALSE(demand.take(c, c.vms[0])) << "a shape of its own";
  EXPECT_FALSE(demand.take(b, b.vms[0])) << "taken again, still none to come";
  EXPECT_FALSE(WarmDemand{}.take(a, a.vms[0])) << "a VM the campaign was not told of";
}

}  // namespace
}  // namespace restorelab::run
