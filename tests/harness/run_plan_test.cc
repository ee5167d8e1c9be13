// The VMs and disks a scenario's run consists of (harness/run/run_plan.h).
#include "harness/run/run_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "images/guest/boot_config.h"
#include "images/guest/guest_run.h"
#include "images/guest/kv.h"

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

// A full-server restore keeps the destination's boot.ini: the destination is
// installed first and the recovery restores onto that disk, not a blank one.
TEST(RunPlanTest, AFullServerRestoreRestoresOntoTheDestinationsOwnInstallation) {
  Scenario s = scenario(RestoreKind::FullServer);
  s.backup = BackupKind::FullServer;
  s.destination.disk_bus = DiskBus::Sata;
  const RunPlan plan = plan_run(s, paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "reset", "recovery", "destination"));
  const PlannedVm& reset = plan.vms[1];
  const PlannedVm& recovery = plan.vms[2];
  EXPECT_EQ(plan.disks[reset.disks.front()].kind, DiskRequest::Kind::System);
  EXPECT_EQ(reset.spec.disks.front().bus, DiskBus::Sata);
  EXPECT_EQ(recovery.disks[1], reset.disks.front());
  EXPECT_EQ(plan.vms[3].disks.front(), reset.disks.front());
  // A bare-metal recovery still fills a blank disk.
  const RunPlan bmr = plan_run(scenario(RestoreKind::Bmr), paths());
  ASSERT_THAT(phases(bmr), ElementsAre("source", "recovery", "destination"));
  EXPECT_EQ(bmr.disks[bmr.vms[1].disks[1]].kind, DiskRequest::Kind::Blank);
}

/// The disk of the plan whose file is `file`.
DiskRequest plan_disk(const RunPlan& plan, const std::string& file) {
  for (const DiskRequest& d : plan.disks)
    if (d.path.filename() == file) return d;
  ADD_FAILURE() << "no disk " << file;
  return {};
}

const DiskRequest& initrd_of(const RunPlan& plan, const PlannedVm& vm) {
  const DiskRequest& d = plan.disks[vm.disks.back()];
  EXPECT_EQ(d.kind, DiskRequest::Kind::Initrd);
  return d;
}

std::string job_value(const PlannedVm& vm, const std::string& key) {
  const auto read = guest::KeyValues::Parse(vm.job, "job");
  EXPECT_TRUE(read.has_value());
  return read ? read->Get(key, "<absent>") : "";
}

// "System state recovery after a BMR": the BMR really runs (from the same
// backup, onto a blank disk), then the system-state restore runs in the OS
// the BMR left. That OS is the source's: its VM starts with the source's
// boot-start drivers and HAL, whatever the destination's scenario says.
TEST(RunPlanTest, SystemStateAfterABmrRunsTheBmrAndRestoresInTheOsItLeft) {
  Scenario s = scenario(RestoreKind::SystemState);
  s.restore.after = PriorRestore::Bmr;
  const RunPlan plan = plan_run(s, paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "recovery", "restore", "destination"));
  const PlannedVm& recovery = plan.vms[1];
  const PlannedVm& restore = plan.vms[2];
  EXPECT_EQ(job_value(plan.vms[0], "backup.kind"), "bmr");
  EXPECT_EQ(job_value(recovery, "restore.kind"), "bmr");
  EXPECT_EQ(job_value(recovery, "restore.offline"), "true");
  EXPECT_EQ(plan.disks[recovery.disks[1]].kind, DiskRequest::Kind::Blank);
  EXPECT_EQ(recovery.spec.disks[1].bus, DiskBus::Virtio);
  // The restore VM runs on the disk the BMR wrote, with the backup beside it.
  EXPECT_EQ(restore.disks[0], recovery.disks[1]);
  EXPECT_EQ(restore.spec.disks[0].bus, DiskBus::Virtio);
  EXPECT_EQ(restore.spec.disks[1].path, plan.disks[recovery.disks[0]].path.string());
  EXPECT_EQ(job_value(restore, "phase"), "boot,restore-system-state");
  EXPECT_EQ(job_value(restore, "os.version"), "<absent>");  // nothing is installed
  // The source's IDE driver only (the destination has virtio as well), and
  // the source's uniprocessor HAL: nosmp.
  EXPECT_THAT(initrd_of(plan, restore).drivers, ElementsAre(DiskBus::Ide));
  EXPECT_EQ(restore.spec.direct.cmdline, "console=ttyS0,115200 quiet loglevel=0 rl.disk=system nosmp rl.boot=direct");
  EXPECT_EQ(plan.vms[3].disks.front(), recovery.disks[1]);
}

// ASR re-detects the storage driver and the HAL: the OS the BMR left starts
// with the destination disk's bus and the destination's HAL.
TEST(RunPlanTest, SystemStateAfterABmrWithAsrStartsWithWhatAsrInstalled) {
  Scenario s = scenario(RestoreKind::SystemState);
  s.restore.after = PriorRestore::Bmr;
  s.restore.asr = true;
  s.backup = BackupKind::FullServer;  // a later kind is kept: it holds the image too
  const RunPlan plan = plan_run(s, paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "recovery", "restore", "destination"));
  EXPECT_EQ(job_value(plan.vms[0], "backup.kind"), "full-server");
  EXPECT_EQ(job_value(plan.vms[1], "restore.asr"), "true");
  const PlannedVm& restore = plan.vms[2];
  EXPECT_THAT(initrd_of(plan, restore).drivers, ElementsAre(DiskBus::Virtio));
  EXPECT_EQ(restore.spec.direct.cmdline, "console=ttyS0,115200 quiet loglevel=0 rl.disk=system rl.boot=direct");
}

// "System state recovery after a full server restore": the destination's own
// installation, the full-server restore onto it, then the system state.
TEST(RunPlanTest, SystemStateAfterAFullServerRestoreRunsResetRecoveryThenRestore) {
  Scenario s = scenario(RestoreKind::SystemState);
  s.restore.after = PriorRestore::FullServer;
  s.source.storage_drivers = {DiskBus::Ide, DiskBus::Sata};
  const RunPlan plan = plan_run(s, paths());
  ASSERT_THAT(phases(plan), ElementsAre("source", "reset", "recovery", "restore", "destination"));
  EXPECT_EQ(job_value(plan.vms[0], "backup.kind"), "full-server");
  const PlannedVm& reset = plan.vms[1];
  const PlannedVm& recovery = plan.vms[2];
  const PlannedVm& restore = plan.vms[3];
  EXPECT_EQ(plan.disks[reset.disks.front()].kind, DiskRequest::Kind::System);
  EXPECT_EQ(job_value(reset, "phase"), "install");
  EXPECT_EQ(job_value(recovery, "restore.kind"), "full-server");
  EXPECT_EQ(recovery.disks[1], reset.disks.front());
  EXPECT_EQ(restore.disks[0], reset.disks.front());
  // The reset installed the destination's drivers; the full-server restore
  // brought back the source's.
  EXPECT_THAT(initrd_of(plan, reset).drivers, ElementsAre(DiskBus::Ide, DiskBus::Virtio));
  EXPECT_THAT(initrd_of(plan, restore).drivers, ElementsAre(DiskBus::Ide, DiskBus::Sata));
  // One evidence set per VM, named by phase.
  for (const PlannedVm& vm : plan.vms) {
    const std::string name(phase_name(vm.phase));
    EXPECT_EQ(vm.spec.serial_log, "/w/runs/" + name + ".serial.log");
    EXPECT_EQ(vm.job_file, "/w/runs/" + name + ".job");
    EXPECT_EQ(vm.spec.name, "rl-t-plan-" + name);
  }
}

// disk_mib sizes each machine's system disk: the source's, the blank disk a
// BMR fills, and the destination's own installation before a full-server
// restore; make-disk.sh makes them so.
TEST(RunPlanTest, EachSystemDiskIsMadeAtItsMachinesDiskSize) {
  Scenario bmr = scenario(RestoreKind::Bmr);
  bmr.source.disk_mib = 48;
  bmr.destination.disk_mib = 64;
  const RunPlan plan = plan_run(bmr, paths());
  const DiskRequest blank = plan.disks[plan.vms[1].disks[1]];
  ASSERT_EQ(blank.kind, DiskRequest::Kind::Blank);
  EXPECT_THAT(make_disk_argv("/src/images", "/img", blank),
              ElementsAre("/src/images/make-disk.sh", "blank", "/img", "/w/disks/destination-system.img", "--size", "64"));
  const DiskRequest system = plan.disks[plan.vms[0].disks[0]];
  EXPECT_THAT(make_disk_argv("/src/images", "/img", system),
              ElementsAre("/src/images/make-disk.sh", "system", "/img", "/w/disks/source-system.img", "--firmware",
                          "bios", "--drivers", "ide", "--uniprocessor", "--size", "48"));
  // The backup disk keeps make-disk.sh's own size.
  const DiskRequest backup = plan.disks[plan.vms[0].disks[1]];
  ASSERT_EQ(backup.kind, DiskRequest::Kind::Backup);
  EXPECT_EQ(std::ranges::count(make_disk_argv("/src/images", "/img", backup), "--size"), 0);

  Scenario full_server = scenario(RestoreKind::FullServer);
  full_server.destination.disk_mib = 96;
  const RunPlan fs_plan = plan_run(full_server, paths());
  const DiskRequest installed = plan_disk(fs_plan, "destination-system.img");
  EXPECT_EQ(installed.kind, DiskRequest::Kind::System);
  EXPECT_EQ(installed.size_mib, 96u);

  // An initramfs has no size.
  DiskRequest initrd = plan.disks[plan.vms[0].disks.back()];
  initrd.size_mib = 64;
  EXPECT_EQ(std::ranges::count(make_disk_argv("/src/images", "/img", initrd), "--size"), 0);
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

// ---- the job: what the guest reads back --------------------------------------

/// What the harness means to hand the guest in one phase: whole values and
/// lists, keyed by job key (images/README.md, "The job").
struct Meant {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;
};

void meant_machine(Meant& m, const Machine& machine) {
  m.values["machine.hal"] = std::string(name_of(machine.hal));
  m.values["machine.cpus"] = std::to_string(machine.cpus);
  for (DiskBus b : machine.storage_drivers.members()) m.lists["machine.storage_drivers"].emplace_back(name_of(b));
  m.lists["machine.storage_drivers"];  // present even when empty
}

void meant_os(Meant& m, const Os& os) {
  m.values["os.version"] = std::string(name_of(os.version));
  m.values["os.edition"] = std::string(name_of(os.edition));
  m.values["os.channel"] = std::string(name_of(os.channel));
  m.values["os.service_pack"] = std::to_string(os.service_pack);
  m.values["os.systemdrive"] = os.systemdrive;
  m.values["os.systemroot"] = os.systemroot;
  if (os.upgraded_from) m.values["os.upgraded_from"] = std::string(name_of(*os.upgraded_from));
  m.values["os.ad.database"] = os.ad.database;
  m.values["os.ad.logs"] = os.ad.logs;
  m.values["os.ad.frs_database"] = os.ad.frs_database;
  m.values["os.ad.frs_logs"] = os.ad.frs_logs;
  m.lists["os.hotfixes"] = os.hotfixes;
  m.lists["os.roles"] = os.roles;
  m.lists["os.filter_drivers"] = os.filter_drivers;
  m.lists["os.apps"] = os.apps;
}

Meant meant(const Scenario& s, Phase phase) {
  Meant m;
  m.values["scenario"] = s.name;
  switch (phase) {
    case Phase::Source:
      m.lists["phase"] = {"install", "backup"};
      meant_machine(m, s.source);
      meant_os(m, s.source.os);
      m.values["backup.kind"] = std::string(name_of(s.backup == BackupKind::None ? BackupKind::SystemState : s.backup));
      // A chain's backup also holds the image its earlier restore needs.
      if (s.restore.after == PriorRestore::Bmr && s.backup == BackupKind::SystemState) m.values["backup.kind"] = "bmr";
      if (s.restore.after == PriorRestore::FullServer) m.values["backup.kind"] = "full-server";
      break;
    case Phase::Restore:
      if (s.restore.after == PriorRestore::None) {
        m.lists["phase"] = {"install", "restore-system-state"};
        meant_machine(m, s.destination);
        meant_os(m, s.destination.os);
      } else {
        m.lists["phase"] = {"boot", "restore-system-state"};
        m.values["machine.hal"] = std::string(name_of(s.destination.hal));
        m.values["machine.cpus"] = std::to_string(s.destination.cpus);
      }
      m.values["restore.kind"] = "system-state";
      break;
    case Phase::Recovery:
      m.lists["phase"] = {"recover"};
      meant_machine(m, s.destination);
      m.values["restore.kind"] = std::string(name_of(s.restore.kind));
      m.values["restore.asr"] = s.restore.asr ? "true" : "false";
      m.values["restore.offline"] = s.restore.offline ? "true" : "false";
      if (s.restore.kind == RestoreKind::SystemState) {  // the earlier restore of a chain, from Windows RE
        m.values["restore.kind"] = std::string(name_of(s.restore.after == PriorRestore::FullServer ? RestoreKind::FullServer
                                                                                                   : RestoreKind::Bmr));
        m.values["restore.offline"] = "true";
      }
      break;
    case Phase::Reset:
      m.lists["phase"] = {"install"};
      meant_machine(m, s.destination);
      meant_os(m, s.destination.os);
      break;
    case Phase::Remediate:
      m.lists["phase"] = {"remediate"};
      meant_machine(m, s.destination);
      break;
    case Phase::Destination:
    case Phase::Remediated:
      m.lists["phase"] = {"boot"};
      m.values["machine.hal"] = std::string(name_of(s.destination.hal));
      m.values["machine.cpus"] = std::to_string(s.destination.cpus);
      break;
  }
  return m;
}

/// Every value a person may write in a scenario that the job must carry as is.
Scenario awkward(RestoreKind kind) {
  Scenario s = scenario(kind);
  s.name = "awkward name: \u00fcn\u00efc\u00f8d\u00e9 = yes # not a comment";
  for (Machine* m : {&s.source, &s.destination}) {
    m->os.systemdrive = "D:";
    m->os.systemroot = "D:\\Program Files\\W\u00efndows=2003 #1";
    m->os.hotfixes = {"KB 810161", "=leading-equals", "#hash", "\u6f22\u5b57"};
    m->os.apps = {"office 2003", "a=b=c"};
    m->os.filter_drivers = {"acme\\av filter"};
    m->os.roles = {"domain-controller"};
    m->os.upgraded_from = OsVersion::Nt4;
    m->os.service_pack = 2;
    m->os.ad = {"D:\\NTDS data", "E:\\logs\\", "D:\\ntfrs\\jet", ""};
  }
  s.destination.storage_drivers = {};
  s.restore.asr = true;
  return s;
}

/// job_text -> the guest's parser, for every phase of every chain.
void expect_round_trip(const Scenario& s) {
  for (Phase phase : {Phase::Source, Phase::Restore, Phase::Recovery, Phase::Reset, Phase::Destination}) {
    SCOPED_TRACE(std::string(phase_name(phase)));
    const auto job = job_text(s, phase);
    ASSERT_TRUE(job.has_value()) << format_diagnostics(job.error());
    const auto read = guest::KeyValues::Parse(*job, "job");
    ASSERT_TRUE(read.has_value()) << read.error().message;
    const Meant m = meant(s, phase);
    std::set<std::string> written, expected;
    for (const auto& [key, value] : read->entries()) written.insert(key);
    for (const auto& [key, value] : m.values) {
      expected.insert(key);
      EXPECT_EQ(read->Get(key, "<absent>"), value) << key;
    }
    for (const auto& [key, items] : m.lists) {
      expected.insert(key);
      EXPECT_EQ(read->GetList(key), items) << key;
    }
    EXPECT_EQ(written, expected) << *job;
  }
}

TEST(JobTextTest, TheGuestReadsBackEveryValueOfPlainScenarios) {
  for (RestoreKind kind : {RestoreKind::SystemState, RestoreKind::Bmr, RestoreKind::FullServer,
                           RestoreKind::PushButtonReset})
    expect_round_trip(scenario(kind));
}

TEST(JobTextTest, TheGuestReadsBackEveryValueOfChains) {
  for (PriorRestore after : {PriorRestore::Bmr, PriorRestore::FullServer}) {
    SCOPED_TRACE(std::string(name_of(after)));
    Scenario s = scenario(RestoreKind::SystemState);
    s.restore.after = after;
    expect_round_trip(s);
    s.restore.asr = true;
    expect_round_trip(s);
  }
}

TEST(JobTextTest, TheGuestReadsBackSpacesBackslashesUnicodeAndEqualsSigns) {
  for (RestoreKind kind : {RestoreKind::SystemState, RestoreKind::Bmr}) expect_round_trip(awkward(kind));
}

TEST(JobTextTest, TheGuestReadsBackEmptyValuesAndLists) {
  Scenario s = scenario(RestoreKind::SystemState);
  s.source.os.ad = {};
  s.source.os.hotfixes.clear();
  s.source.storage_drivers = {};
  expect_round_trip(s);
}

Scenario with_file(Scenario s) {
  s.file = "scenarios/injected.toml";
  return s;
}

TEST(JobTextTest, RefusesANewlineThatWouldAddKeys) {
  Scenario s = with_file(scenario(RestoreKind::SystemState));
  s.source.os.systemroot = "C:\\WINDOWS\nmachine.cpus=64";
  const auto job = job_text(s, Phase::Source);
  ASSERT_FALSE(job.has_value()) << *job;
  EXPECT_EQ(format_diagnostics(job.error()),
            "scenarios/injected.toml: error: source.os.systemroot holds a control character (U+000A) at byte 11; "
            "the job the guest reads is one key=value per line; remove it\n");
}

TEST(JobTextTest, RefusesEveryValueTheGuestWouldReadOtherwiseAtOnce) {
  Scenario s = with_file(scenario(RestoreKind::SystemState));
  s.name = "two\rlines";
  s.source.os.systemdrive = " C:";
  s.source.os.hotfixes = {"KB1,KB2", "KB3"};
  s.source.os.apps = {"office", ""};
  s.source.os.ad.logs = "C:\\logs\t";
  const auto job = job_text(s, Phase::Source);
  ASSERT_FALSE(job.has_value()) << *job;
  EXPECT_EQ(format_diagnostics(job.error()),
            "scenarios/injected.toml: error: scenario.name holds a control character (U+000D) at byte 4; the job the "
            "guest reads is one key=value per line; remove it\n"
            "scenarios/injected.toml: error: source.os.hotfixes item 1 \"KB1,KB2\" holds ',', which separates list "
            "items in the job: the guest would read more items; make it separate items\n"
            "scenarios/injected.toml: error: source.os.systemdrive \" C:\" starts with a blank, which the guest would "
            "trim; remove the blank\n"
            "scenarios/injected.toml: error: source.os.apps item 2 is empty; the guest drops empty list items; remove "
            "it\n"
            "scenarios/injected.toml: error: source.os.ad.logs holds a control character (U+0009) at byte 8; the job "
            "the guest reads is one key=value per line; remove it\n");
}

TEST(JobTextTest, APlanWithARefusedJobSaysSoAndHandsTheGuestNoKey) {
  Scenario s = with_file(scenario(RestoreKind::Bmr));
  s.destination.os.systemroot = "C:\\WINDOWS\nphase=boot";  // the destination's OS is not in a bmr job
  s.source.os.systemroot = "C:\\WINDOWS\nphase=boot";
  const RunPlan plan = plan_run(s, paths());
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].message,
            "source.os.systemroot holds a control character (U+000A) at byte 11; the job the guest reads is one "
            "key=value per line");
  ASSERT_THAT(phases(plan), ElementsAre("source", "recovery", "destination"));
  const auto source = guest::KeyValues::Parse(plan.vms[0].job, "job");
  ASSERT_TRUE(source.has_value());
  EXPECT_TRUE(source->entries().empty()) << plan.vms[0].job;
  EXPECT_TRUE(guest::KeyValues::Parse(plan.vms[1].job, "job")->Has("phase"));  // its own values were fine
  EXPECT_TRUE(plan_run(scenario(RestoreKind::Bmr), paths()).refused.empty());
}

TEST(JobWriterTest, RefusesAKeyOutsideTheVocabularyAndAListWrittenAsAValue) {
  JobWriter job("s.toml");
  job.value("machine.cpu", "4", "destination.cpus");
  job.value("phase", "boot", "phase");
  job.list("os.systemroot", {"C:"}, "source.os.systemroot");
  job.value("machine.cpus", "4", "destination.cpus");
  const auto text = job.finish();
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(format_diagnostics(text.error()),
            "s.toml: error: destination.cpus: job key \"machine.cpu\" is not in the job vocabulary; add it to "
            "images/guest/job_vocabulary.h, where the guest reads it\n"
            "s.toml: error: phase: job key \"phase\" holds a list; write it with JobWriter::list\n"
            "s.toml: error: source.os.systemroot: job key \"os.systemroot\" does not hold a list; write it with "
            "JobWriter::value\n");
}

TEST(JobWriterTest, ACommentStaysOneLine) {
  JobWriter job("");
  job.comment("scenario a\nphase=boot");
  job.value("machine.cpus", "4", "destination.cpus");
  EXPECT_EQ(job.finish().value(), "# scenario a?phase=boot\nmachine.cpus=4\n");
}

}  // namespace
}  // namespace restorelab::run
