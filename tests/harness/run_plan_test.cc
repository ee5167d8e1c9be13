// The VMs and disks a scenario's run consists of (harness/run/run_plan.h).
#include "harness/run/run_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "images/guest/boot_config.h"
#include "images/guest/guest_run.h"

namespace restorelab::run {
namespace {

using ::testing::ElementsAre;

Scenario scenario(RestoreKind kind) {
  Scenario s;
  s.name = "plan";
  s.source.hal = Hal::AcpiUniprocessor;
  s.source.os.version = OsVersion::Xp;
  s.source.storage_drivers = {DiskBus::Ide};
  s.destination = s.source;
  s.destination.hal = Hal::AcpiMultiprocessor;
  s.destination.cpus = 4;
  s.destination.disk_bus = DiskBus::Virtio;
  s.destination.storage_drivers = {DiskBus::Ide, DiskBus::Virtio};
  s.backup = kind == RestoreKind::SystemState ? BackupKind::SystemState : BackupKind::Bmr;
  s.restore.kind = kind;
  return s;
}

PlanPaths paths() { return PlanPaths{"/w/disks", "/w/runs", "rl-t-", machines::DomainType::Qemu, "/img"}; }

std::vector<std::string> phases(const RunPlan& plan) {
  std::vector<std::string> out;
  for (const PlannedVm& vm : plan.vms) out.emplace_back(phase_name(vm.phase));
  return out;
}

TEST(RunPlanTest, OnlyTheDestinationBootGoesThroughFirmwareAndDisk) {
  const RunPlan plan = plan_run(scenario(RestoreKind::SystemState), paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "restore", "destination"));
  for (const PlannedVm& vm : plan.vms) {
    const bool destination = vm.phase == Phase::Destination;
    EXPECT_EQ(vm.spec.direct.kernel.empty(), destination) << phase_name(vm.phase);
    EXPECT_EQ(vm.spec.disks.front().boot_order, destination ? 1 : 0) << phase_name(vm.phase);
  }
}

TEST(RunPlanTest, ADirectlyStartedInstallationGetsItsOwnDriversAndProcessorSwitch) {
  const RunPlan plan = plan_run(scenario(RestoreKind::SystemState), paths());
  const machines::VmSpec& source = plan.vms[0].spec;
  EXPECT_EQ(source.direct.kernel, "/img/vmlinux");  // SeaBIOS: the uncompressed kernel (PVH)
  EXPECT_EQ(source.direct.initrd, "/w/disks/source.initrd");
  // An NT5 uniprocessor HAL starts the kernel on one processor.
  EXPECT_EQ(source.direct.cmdline, "console=ttyS0,115200 quiet loglevel=0 rl.disk=system nosmp rl.boot=direct");
  const machines::VmSpec& restore = plan.vms[1].spec;
  EXPECT_EQ(restore.direct.cmdline, "console=ttyS0,115200 quiet loglevel=0 rl.disk=system rl.boot=direct");

  // The initramfs is made with the disk's boot-start drivers.
  std::vector<DiskRequest> initrds;
  for (const DiskRequest& d : plan.disks)
    if (d.kind == DiskRequest::Kind::Initrd) initrds.push_back(d);
  ASSERT_EQ(initrds.size(), 2u);
  EXPECT_THAT(initrds[0].drivers, ElementsAre(DiskBus::Ide));
  EXPECT_THAT(initrds[1].drivers, ElementsAre(DiskBus::Ide, DiskBus::Virtio));
  EXPECT_FALSE(initrds[0].tools || initrds[1].tools);
}

TEST(RunPlanTest, TheRecoveryEnvironmentLoadsEveryDriverAndUefiGetsTheEfiStubKernel) {
  Scenario s = scenario(RestoreKind::Bmr);
  s.destination.firmware = Firmware::Uefi;
  const RunPlan plan = plan_run(s, paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "recovery", "destination"));
  const PlannedVm& recovery = plan.vms[1];
  EXPECT_EQ(recovery.spec.direct.kernel, "/img/vmlinuz");
  EXPECT_EQ(recovery.spec.direct.cmdline, "console=ttyS0,115200 quiet loglevel=0 rl.disk=recovery rl.boot=direct");
  const DiskRequest& initrd = plan.disks[recovery.disks.back()];
  EXPECT_EQ(initrd.kind, DiskRequest::Kind::Initrd);
  EXPECT_TRUE(initrd.tools);
  EXPECT_THAT(initrd.drivers, ElementsAre(DiskBus::Ide, DiskBus::Sata, DiskBus::Scsi, DiskBus::Virtio));
  // Backup on IDE, then the blank target on the destination's bus.
  ASSERT_EQ(recovery.spec.disks.size(), 2u);
  EXPECT_EQ(recovery.spec.disks[0].bus, DiskBus::Ide);
  EXPECT_EQ(recovery.spec.disks[1].bus, DiskBus::Virtio);
}

TEST(RunPlanTest, TheCommandLineIsTheLoadersPlusTheDirectBootWord) {
  for (const bool up : {false, true}) {
    for (const char* role : {"system", "recovery"}) {
      guest::BootConfig config;
      config.role = role;
      config.uniprocessor = up;
      const std::string line = direct_kernel_cmdline(role, up);
      EXPECT_EQ(line, guest::KernelCommandLine(config) + " " + std::string(guest::kDirectBootWord));
      EXPECT_TRUE(guest::StartedDirectly(line));
      EXPECT_EQ(guest::DiskRole(line), role);
    }
  }
  EXPECT_FALSE(guest::StartedDirectly(guest::KernelCommandLine({})));
}

}  // namespace
}  // namespace restorelab::run
