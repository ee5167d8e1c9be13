// The guest's restores agree with the backup kinds the scenario validation
// allows: every pairing of backup.kind and restore.kind runs the chain the
// harness plans (run::plan_run, run::job_text) on fake machines up to the
// destination boot, and the restore runs exactly when validate() accepts the
// scenario.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "harness/run/run_plan.h"
#include "images/guest/guest_run.h"
#include "images/guest/job_vocabulary.h"
#include "images/guest/recovery.h"
#include "rules/satisfy.h"
#include "rules/validate.h"
#include "tests/images/guest_fake_machine.h"

namespace restorelab::guest {
namespace {

namespace fs = std::filesystem;
using testing::FakeDisk;
using testing::FakeMachine;

/// The scenario of one pairing: the validation's baseline (same hardware on
/// both sides), with `backup` and `restore`.
Scenario Pairing(BackupKind backup, RestoreKind restore) {
  Scenario s = baseline_scenario();
  s.name = "pairing";
  s.backup = backup;
  s.restore.kind = restore;
  s.restore.offline = restore == RestoreKind::Bmr;  // the default (model.cc resolve_defaults)
  return s;
}

/// What the last VM before the destination boot reported on its `restore`
/// line, after the chain `plan` up to there ran on fake machines; fails the
/// test when a VM reported an error.
std::string RestoreLine(const run::RunPlan& plan, const fs::path& dir) {
  std::map<std::size_t, FakeDisk> disks;  // plan.disks index -> the disk, made on first use
  auto disk = [&](std::size_t index) -> const FakeDisk& {
    if (auto found = disks.find(index); found != disks.end()) return found->second;
    const fs::path at = dir / ("disk" + std::to_string(index));
    switch (plan.disks[index].kind) {
      case run::DiskRequest::Kind::System: return disks[index] = testing::MakeSystemDisk(at);
      case run::DiskRequest::Kind::Backup: return disks[index] = testing::MakeBackupDisk(at);
      default: return disks[index] = testing::MakeBlankDisk(at);
    }
  };
  std::string restore;
  for (const run::PlannedVm& vm : plan.vms) {
    if (vm.phase == run::Phase::Destination) break;
    FakeMachine machine(vm.job, vm.phase == run::Phase::Recovery ? "recovery" : "system");
    // spec.disks are the attached disks in order; vm.disks also names the initramfs.
    for (std::size_t i = 0; i < vm.spec.disks.size(); ++i)
      machine.Attach(disk(vm.disks[i]), name_of(vm.spec.disks[i].bus));
    RunGuest(machine);
    EXPECT_EQ(machine.LastEvent(vocabulary::kEventError), "") << phase_name(vm.phase) << ":\n" << machine.serial;
    restore = machine.LastEvent(vocabulary::kEventRestore);
  }
  return restore;
}

/// The plan of `s` with its disks and evidence below `dir`.
run::RunPlan Plan(const Scenario& s, const fs::path& dir) {
  run::PlanPaths paths;
  paths.disk_dir = dir / "disks";
  paths.evidence_dir = dir / "evidence";
  paths.artifacts = dir / "artifacts";  // only named in the VMs' specs
  return run::plan_run(s, paths);
}

std::string RefusedBecause(std::string_view reason) {
  return R"({"event":"restore","outcome":"restore-refused","reason":")" + std::string(reason) + "\"}";
}

TEST(GuestRestoreKindsTest, TheGuestRestoresExactlyThePairingsTheValidationAccepts) {
  int accepted = 0;
  for (std::size_t b = 0; b < enum_count<BackupKind>(); ++b) {
    for (std::size_t r = 0; r < enum_count<RestoreKind>(); ++r) {
      const auto backup = static_cast<BackupKind>(b);
      const auto restore = static_cast<RestoreKind>(r);
      if (backup == BackupKind::None || restore == RestoreKind::PushButtonReset) continue;  // no backup
      SCOPED_TRACE(std::string(name_of(backup)) + " backup, " + std::string(name_of(restore)) + " restore");
      const Scenario s = Pairing(backup, restore);
      const bool valid = is_valid(s);
      accepted += valid ? 1 : 0;
      testing::TempRoot dir;
      const run::RunPlan plan = Plan(s, dir.path());
      ASSERT_TRUE(plan.refused.empty());
      const std::string line = RestoreLine(plan, dir.path());
      if (valid) {
        EXPECT_TRUE(line.starts_with(R"({"event":"restore","outcome":"restored")")) << line;
      } else {
        EXPECT_EQ(line, RefusedBecause("a " + std::string(name_of(backup)) + " backup holds no volumes for a " +
                                       std::string(name_of(restore)) + " restore"));
      }
    }
  }
  // system-state from every kind, bmr from bmr and full-server, full-server from full-server.
  EXPECT_EQ(accepted, 6);
}

TEST(GuestRestoreKindsTest, SystemStateFromAFullServerBackupRestoresTheSourcesConfiguration) {
  Scenario s = Pairing(BackupKind::FullServer, RestoreKind::SystemState);
  s.source.os.hotfixes = {"810161"};  // not the destination's: which registry is there now tells
  ASSERT_TRUE(is_valid(s));
  testing::TempRoot dir;
  const run::RunPlan plan = Plan(s, dir.path());
  const std::string line = RestoreLine(plan, dir.path());
  EXPECT_TRUE(line.starts_with(R"({"event":"restore","outcome":"restored","kind":"system-state","restored":[)"))
      << line;
  EXPECT_NE(line.find(R"("skipped":[])"), std::string::npos) << line;
  // The destination's system volume now holds the source's registry.
  std::optional<std::size_t> destination_disk;
  for (const run::PlannedVm& vm : plan.vms)
    if (vm.phase == run::Phase::Restore) destination_disk = vm.disks.front();
  ASSERT_TRUE(destination_disk);
  auto registry = KeyValues::Load(dir.path() / ("disk" + std::to_string(*destination_disk)) /
                                  "volume2/WINDOWS/system32/config/SYSTEM");
  ASSERT_TRUE(registry) << registry.error().message;
  EXPECT_EQ(registry->Get("os.hotfixes"), "810161");
}

/// The restore VM of a restore.after chain on the disk the earlier restore
/// left: the source's own installation (what a BMR writes block for block;
/// the fake machine's volumes are folders, so the source's disk stands in
/// for its image). Returns the restore VM's machine after its run.
std::string ChainRestoreVm(const Scenario& s, const fs::path& dir, bool* panicked) {
  const FakeDisk system = testing::MakeSystemDisk(dir / "system");
  const FakeDisk backup = testing::MakeBackupDisk(dir / "backup");
  const run::RunPlan plan = Plan(s, dir);
  EXPECT_EQ(plan.vms.front().phase, run::Phase::Source);
  FakeMachine source(plan.vms.front().job);
  source.Attach(system, "ide");
  source.Attach(backup, "ide");
  RunGuest(source);
  EXPECT_NE(source.LastEvent(vocabulary::kEventBackup), "") << source.serial;
  for (const run::PlannedVm& vm : plan.vms) {
    if (vm.phase != run::Phase::Restore) continue;
    FakeMachine restore(vm.job);
    restore.Attach(system, "ide");
    restore.Attach(backup, "ide");
    RunGuest(restore);
    EXPECT_EQ(restore.LastEvent(vocabulary::kEventError), "") << restore.serial;
    *panicked = restore.panicked;
    return restore.serial;
  }
  ADD_FAILURE() << "no restore VM";
  return "";
}

// The OS a BMR left starts first, then restores the system state in that boot.
TEST(GuestRestoreKindsTest, AfterABmrTheRestoreVmStartsTheOsItLeftThenRestores) {
  Scenario s = Pairing(BackupKind::Bmr, RestoreKind::SystemState);
  s.restore.after = PriorRestore::Bmr;
  ASSERT_TRUE(is_valid(s));
  testing::TempRoot dir;
  bool panicked = false;
  const std::string serial = ChainRestoreVm(s, dir.path(), &panicked);
  // It starts (the fake machine has no processor online: degraded).
  const std::size_t boot = serial.find(R"(RESTORELAB {"event":"boot","outcome":"boots)");
  const std::size_t restore = serial.find(R"(RESTORELAB {"event":"restore","outcome":"restored","kind":"system-state")");
  ASSERT_NE(boot, std::string::npos) << serial;
  ASSERT_NE(restore, std::string::npos) << serial;
  EXPECT_LT(boot, restore);
  EXPECT_EQ(serial.find(R"("event":"installed")"), std::string::npos) << serial;  // nothing was installed
  EXPECT_FALSE(panicked);
}

// When the OS the BMR left cannot start (here a HAL that does not fit the
// destination), it stops as at a destination boot and restores nothing.
TEST(GuestRestoreKindsTest, AfterABmrAnOsThatCannotStartStopsBeforeTheRestore) {
  Scenario s = Pairing(BackupKind::Bmr, RestoreKind::SystemState);
  s.restore.after = PriorRestore::Bmr;
  s.source.hal = Hal::AcpiUniprocessor;
  s.source.cpus = 1;
  s.destination.hal = Hal::AcpiPc;  // ACPI without APIC: HAL_MISMATCH for an APIC HAL (NT 5.x)
  s.destination.cpus = 1;
  testing::TempRoot dir;
  bool panicked = false;
  const std::string serial = ChainRestoreVm(s, dir.path(), &panicked);
  EXPECT_NE(serial.find(R"(RESTORELAB {"event":"boot","outcome":"stop-0x79")"), std::string::npos) << serial;
  EXPECT_EQ(serial.find(R"("event":"restore")"), std::string::npos) << serial;
  EXPECT_TRUE(panicked);
}

TEST(GuestRestoreKindsTest, ASystemStateRestoreRefusesABackupWithoutSystemStateFiles) {
  // A full-server backup written before image backups carried the system state.
  KeyValues manifest = *KeyValues::Parse("backup.kind=full-server\nmember.count=1\nmember.0.disk_offset=0\n", "m");
  KeyValues running = *KeyValues::Parse("os.version=windows-server-2003\nos.edition=standard\n", "r");
  EXPECT_EQ(SystemStateRefusal(manifest, running), "the full-server backup holds no system state");
}

}  // namespace
}  // namespace restorelab::guest
