#include "images/guest/guest_run.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "images/guest/backup.h"
#include "images/guest/boot_checks.h"
#include "images/guest/gpt.h"
#include "images/guest/hardware.h"
#include "images/guest/installation.h"
#include "images/guest/job_vocabulary.h"
#include "images/guest/recovery.h"
#include "images/guest/remediation.h"
#include "images/guest/report.h"
#include "images/guest/volumes.h"

namespace restorelab::guest {
namespace {

namespace vocab = vocabulary;

// Module initialisation waits for the driver's asynchronous probing, so the
// disks exist once the modules are loaded; the wait only covers stragglers.
constexpr int kDeviceWaitMs = 1500;
constexpr int kPollMs = 100;

/// State of one run, shared by the phases.
struct Run {
  Platform& platform;
  KeyValues job;
  std::string role;
  std::vector<std::string> drivers;
  fs::path mnt;
  std::vector<fs::path> mounts{};  ///< mounted by this run, unmounted before power-off
  bool stopped = false;  ///< a stop, hang or refusal ended the run early
  bool errored = false;  ///< the run itself failed (an `error` event was printed)

  void Emit(const Event& event) { platform.Emit(event.Line()); }
  fs::path Dev(const BlockDevice& d) const { return platform.Root() / "dev" / d.name; }
  Status Mount(const fs::path& device, const fs::path& target, std::string_view type, bool read_only) {
    auto status = platform.Mount(device, target, type, read_only);
    if (status) mounts.push_back(target);
    return status;
  }
  /// Unmounts everything this run mounted, newest first; errors are ignored
  /// (a volume may already be unmounted).
  void UnmountAll() {
    platform.Sync();
    for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) (void)platform.Unmount(*it);
    mounts.clear();
  }
};

std::string DiskJson(const BlockDevice& d) {
  return "{" + JsonString("name") + ":" + JsonString(d.name) + "," + JsonString("bus") + ":" + JsonString(d.bus) +
         "," + JsonString("fs") + ":" + JsonString(d.fs_type) + "," + JsonString("label") + ":" +
         JsonString(d.label) + "," + JsonString("size") + ":" + std::to_string(d.size_bytes) + "}";
}

std::string DiskListJson(const std::vector<BlockDevice>& devices) {
  std::string json = "[";
  for (const BlockDevice& d : devices) json += (json.size() > 1 ? "," : "") + DiskJson(d);
  return json + "]";
}

void ReportError(Run& run, std::string_view phase, const std::string& message) {
  run.Emit(Event(vocab::kEventError).Add(vocab::kFieldPhase, phase).Add(vocab::kFieldError, message));
  run.stopped = true;
  run.errored = true;
}

/// Polls until a volume labelled `label` appears or the wait ends.
std::optional<BlockDevice> WaitForVolume(Run& run, std::string_view label) {
  for (int waited = 0;; waited += kPollMs) {
    auto found = FindVolume(ScanBlockDevices(run.platform.Root()), label);
    if (found || waited >= kDeviceWaitMs) return found;
    run.platform.Sleep(kPollMs);
  }
}

std::string MachineHal(const Run& run) {
  std::string declared = run.job.Get(vocab::kKeyMachineHal);
  if (!declared.empty()) return declared;
  return DetectHal(ScanPlatform(run.platform.Root()), !IsNt5(run.job.Get(vocab::kKeyOsVersion)));
}

/// Mounts the system volume and its disk's first partition (the boot volume).
Result<Installation> MountInstallation(Run& run, const BlockDevice& system, std::string_view prefix) {
  auto devices = ScanBlockDevices(run.platform.Root());
  auto boot = FindPartition(devices, system.disk, 1);
  if (!boot || boot->fs_type != "vfat") return Fail("no FAT boot volume on " + system.disk);
  Installation inst{run.mnt / (std::string(prefix) + "system"), run.mnt / (std::string(prefix) + "boot")};
  if (auto s = run.Mount(run.Dev(system), inst.system_volume, "ext4", false); !s) return std::unexpected(s.error());
  if (auto s = run.Mount(run.Dev(*boot), inst.boot_volume, "vfat", false); !s) return std::unexpected(s.error());
  return inst;
}

void PhaseInstall(Run& run, const Installation& inst, const BlockDevice& system) {
  const fs::path& root = run.platform.Root();
  InstallHardware hw;
  hw.firmware = ScanFirmware(root);
  hw.hal = MachineHal(run);
  hw.storage_drivers = run.job.GetList(vocab::kKeyMachineStorageDrivers);
  if (hw.storage_drivers.empty()) hw.storage_drivers = {system.bus};
  hw.nics = ScanNetAdapters(root);
  hw.display = ScanDisplay(root);
  KeyValues registry = BuildRegistry(OsIdentity(run.job), hw);
  if (auto s = WriteInstallation(inst, registry); !s) return ReportError(run, vocab::kPhaseInstall, s.error().message);
  std::vector<std::string> nics;
  for (const NetAdapter& nic : hw.nics) nics.push_back(nic.model + "@" + nic.pci_slot + "=" + nic.mac);
  run.Emit(Event(vocab::kEventInstalled).Add("os_version", registry.Get(vocab::kKeyOsVersion))
               .Add("edition", registry.Get(vocab::kKeyOsEdition))
               .Add("hal", hw.hal).Add("firmware", hw.firmware)
               .Add("storage_drivers", registry.GetList("storage.boot_start")).Add("nics", nics)
               .Add("display", hw.display).Add("systemroot", registry.Get(vocab::kKeyOsSystemroot)));
}

std::vector<std::string> MissingAdFiles(const Installation& inst, const KeyValues& registry) {
  std::vector<std::string> missing;
  std::vector<std::string> roles = registry.GetList(vocab::kKeyOsRoles);
  if (std::ranges::find(roles, "domain-controller") == roles.end()) return missing;
  std::string drive = VolumeDrive(inst.system_volume);
  for (const AdFile& ad : AdFiles()) {
    std::string path = registry.Get(ad.key) + "\\" + ad.file_name;
    auto rel = MapWindowsPath(path, drive);
    std::error_code ec;
    if (!rel || !fs::exists(ResolveNoCase(inst.system_volume, *rel), ec)) missing.push_back(path);
  }
  return missing;
}

void ReportBoot(Run& run, const BootFacts& facts, const BootResult& result) {
  // The outcome first: a line cut short on the console still says it.
  Event event(vocab::kEventBoot);
  event.Add(vocab::kFieldOutcome, result.outcome);
  if (!result.stop_code.empty()) event.Add(vocab::kFieldStopCode, result.stop_code).Add("stop_name", result.stop_name);
  if (!result.detail.empty()) event.Add(vocab::kFieldDetail, result.detail);
  event.Add(vocab::kFieldCpusOnline, facts.cpus_online).Add(vocab::kFieldCpusPresent, facts.cpus_present)
      .Add("machine_hal", facts.machine_hal).Add("disk_bus", facts.disk_bus)
      .Add("drivers_loaded", facts.drivers_loaded);
  if (facts.registry) {
    event.Add("hal", facts.registry->Get("hal")).Add("hal_check", result.hal_check)
        .Add(vocab::kFieldNicsConfigured, result.nics.configured).Add(vocab::kFieldNicsOrphaned, result.nics.orphaned)
        .Add(vocab::kFieldNicsUnconfigured, result.nics.unconfigured)
        .Add(vocab::kFieldMacChanged, result.nics.mac_changed)
        .Add("orphaned_bindings", result.nics.orphaned_bindings)
        .Add("display_settings_lost", result.display_settings_lost).Add(vocab::kFieldDegraded, result.degraded);
  }
  // Windows' own text first (on the serial console and the screen), then
  // the structured line.
  std::string screen = "restorelab model guest: " + result.outcome + "\n";
  if (!result.stop_code.empty()) {
    run.platform.Emit(StopText(result) + "\n");
    screen = StopText(result) + "\n\n" + result.detail + "\n";
  }
  if (result.outcome == vocab::kOutcomeBootFileMissing) {
    const std::string missing =
        "Windows could not start because the following file is missing or corrupt: " + result.detail + "\n";
    run.platform.Emit(missing);
    screen = missing;
  }
  if (result.outcome == vocab::kOutcomeBoots || result.outcome == vocab::kOutcomeBootsDegraded)
    screen += std::to_string(facts.cpus_online) + " of " + std::to_string(facts.cpus_present) + " processors online\n";
  if (result.outcome != vocab::kOutcomeHang) run.platform.Show(screen);
  if (result.outcome != vocab::kOutcomeHang) run.Emit(event);
}

/// The boot phase: decides and reports the outcome; stops raise pvpanic,
/// a hang never returns in the guest.
void PhaseBoot(Run& run, const std::optional<BlockDevice>& system, const std::optional<Installation>& inst) {
  const fs::path& root = run.platform.Root();
  BootFacts facts;
  facts.system_volume_found = system.has_value() && inst.has_value();
  facts.disk_bus = system ? system->bus : "";
  facts.drivers_loaded = run.drivers;
  PlatformFacts platform = ScanPlatform(root);
  facts.cpus_online = CpusOnline(root);
  facts.cpus_present = std::max<int>(platform.processors, static_cast<int>(run.job.GetInt(vocab::kKeyMachineCpus, 1)));
  facts.machine_hal = MachineHal(run);
  facts.firmware_acpi = platform.acpi;
  facts.nics = ScanNetAdapters(root);
  facts.display = ScanDisplay(root);
  if (inst) {
    facts.registry = ReadRegistry(*inst);
    if (facts.registry) facts.missing_ad_files = MissingAdFiles(*inst, *facts.registry);
  }
  BootResult result = DecideBoot(facts);
  ReportBoot(run, facts, result);
  if (!result.stop_code.empty()) {
    run.stopped = true;
    // pvpanic ends the VM at once: the boot line must have left the UART.
    (void)run.platform.DrainConsole();
    run.platform.RaisePanic();
    run.platform.Sleep(1000);  // with a pvpanic device the domain is stopped by now
  } else if (result.outcome == vocab::kOutcomeHang) {
    run.stopped = true;
    run.platform.Hang();
  } else if (result.outcome == vocab::kOutcomeBootFileMissing) {
    run.stopped = true;
  }
}

Result<fs::path> MountBackup(Run& run, bool read_only) {
  auto backup = WaitForVolume(run, kBackupLabel);
  if (!backup) return Fail("no backup disk (ext4 volume labelled RL-BACKUP)");
  fs::path target = run.mnt / "backup";
  if (auto s = run.Mount(run.Dev(*backup), target, "ext4", read_only); !s) return std::unexpected(s.error());
  return target;
}

void PhaseBackup(Run& run, const Installation& inst, const BlockDevice& system) {
  std::string kind = run.job.Get(vocab::kKeyBackupKind, vocab::kKindSystemState);
  auto registry = ReadRegistry(inst);
  if (!registry) return ReportError(run, vocab::kPhaseBackup, "cannot read the registry: " + registry.error().message);
  auto target = MountBackup(run, false);
  if (!target) return ReportError(run, vocab::kPhaseBackup, target.error().message);
  std::string scenario = run.job.Get(vocab::kKeyScenario);
  Status status;
  if (kind == vocab::kKindSystemState) {
    status = CreateSystemStateBackup(inst, *registry, *target, scenario);
  } else {
    // An image backup holds the system state as well (backup.h); its files
    // are read before the volumes are quiesced.
    auto system_state = ReadSystemState(inst, *registry);
    if (!system_state) return ReportError(run, vocab::kPhaseBackup, system_state.error().message);
    run.platform.Sync();
    (void)run.platform.Unmount(inst.system_volume);  // quiesce, as VSS would
    (void)run.platform.Unmount(inst.boot_volume);
    const fs::path& root = run.platform.Root();
    std::vector<std::pair<uint64_t, uint64_t>> partitions;
    for (int n = 1;; ++n) {
      fs::path part = root / "sys/class/block" / system.disk / (system.disk + std::to_string(n));
      auto start = ReadFile(part / "start");
      if (!start) break;
      partitions.emplace_back(ParseInt(*start, 0) * 512, ParseInt(ReadFile(part / "size").value_or("0"), 0) * 512);
    }
    uint64_t size = ParseInt(ReadFile(root / "sys/class/block" / system.disk / "size").value_or("0"), 0) * 512;
    status = CreateImageBackup(root / "dev" / system.disk, size, ImageRegions(size, partitions), *system_state,
                               *registry, kind, *target, scenario);
  }
  if (!status) return ReportError(run, vocab::kPhaseBackup, status.error().message);
  run.platform.Sync();
  auto manifest = KeyValues::Load(*target / kBackupDir / "manifest.txt");
  std::error_code ec;
  const auto archive_bytes = fs::file_size(*target / kBackupDir / "backup.tar", ec);
  run.Emit(Event(vocab::kEventBackup).Add("kind", kind)
               .Add("members", manifest ? manifest->GetInt("member.count", 0) : 0)
               .Add("archive_bytes", ec ? int64_t{0} : static_cast<int64_t>(archive_bytes)));
  (void)run.platform.Unmount(*target);
}

void Refused(Run& run, const std::string& reason) {
  run.Emit(Event(vocab::kEventRestore).Add(vocab::kFieldOutcome, vocab::kOutcomeRestoreRefused)
               .Add(vocab::kFieldReason, reason));
  run.stopped = true;
}

void PhaseRestoreSystemState(Run& run, const Installation& inst) {
  auto running = ReadRegistry(inst);
  if (!running) {
    return ReportError(run, vocab::kPhaseRestoreSystemState, "cannot read this installation: " + running.error().message);
  }
  auto volume = MountBackup(run, true);
  if (!volume) return ReportError(run, vocab::kPhaseRestoreSystemState, volume.error().message);
  auto backup = OpenBackup(*volume);
  if (!backup) return ReportError(run, vocab::kPhaseRestoreSystemState, backup.error().message);
  if (std::string reason = SystemStateRefusal(backup->manifest, *running); !reason.empty()) return Refused(run, reason);
  auto result = RestoreSystemState(*backup, inst, *running);
  if (!result) return ReportError(run, vocab::kPhaseRestoreSystemState, result.error().message);
  run.platform.Sync();
  run.Emit(Event(vocab::kEventRestore).Add(vocab::kFieldOutcome, vocab::kRestored).Add("kind", vocab::kKindSystemState)
               .Add("restored", result->restored).Add("skipped", result->skipped));
}

/// Carries out the job's remediation actions on `inst` (on `system`'s disk):
/// in the started system, or from installation media.
void PhaseRemediate(Run& run, const Installation& inst, const BlockDevice& system) {
  const fs::path& root = run.platform.Root();
  RemediationHardware hw{MachineHal(run), system.bus, ScanNetAdapters(root), ScanDisplay(root)};
  auto report = Remediate(inst, run.job.GetList(vocab::kKeyRemediateActions), hw);
  if (!report) return ReportError(run, vocab::kPhaseRemediate, report.error().message);
  run.platform.Sync();
  run.Emit(Event(vocab::kEventRemediated).Add("from", run.role == "recovery" ? "installation-media" : "started-system")
               .Add(vocab::kFieldApplied, report->applied).Add(vocab::kFieldSkipped, report->skipped)
               .Add(vocab::kFieldChanges, report->changes));
}

/// Installation media: setup finds the installation on the one system disk
/// and remediates it offline.
void PhaseRemediateFromMedia(Run& run) {
  auto system = WaitForVolume(run, kSystemLabel);
  if (!system) return ReportError(run, vocab::kPhaseRemediate, "setup found no disk with a Windows system volume");
  auto inst = MountInstallation(run, *system, "target-");
  if (!inst) return ReportError(run, vocab::kPhaseRemediate, inst.error().message);
  PhaseRemediate(run, *inst, *system);
}

/// The system disk's run: find C:, then install/boot/backup/restore.
void RunSystem(Run& run, const std::vector<std::string>& phases) {
  auto system = WaitForVolume(run, kSystemLabel);
  std::optional<Installation> inst;
  if (system) {
    auto mounted = MountInstallation(run, *system, "");
    if (!mounted) return ReportError(run, "mount", mounted.error().message);
    inst = *mounted;
  }
  for (const std::string& phase : phases) {
    if (run.stopped) return;
    if (phase == vocab::kPhaseBoot) {
      PhaseBoot(run, system, inst);
      continue;
    }
    if (!inst) {
      // Setup and the backup tools run inside a started system; without the
      // disk it never starts: report it the way the start would.
      PhaseBoot(run, system, inst);
      return;
    }
    if (phase == vocab::kPhaseInstall) {
      PhaseInstall(run, *inst, *system);
    } else if (phase == vocab::kPhaseBackup) {
      PhaseBackup(run, *inst, *system);
    } else if (phase == vocab::kPhaseRestoreSystemState) {
      PhaseRestoreSystemState(run, *inst);
    } else if (phase == vocab::kPhaseRemediate) {
      PhaseRemediate(run, *inst, *system);
    } else {
      ReportError(run, phase, "phase '" + phase + "' does not run from a system disk");
    }
  }
}

/// The boot.ini of `target`'s boot volume (its first partition, FAT), or
/// nullopt when it has none (a blank disk). Mounts it only while reading.
std::optional<std::string> TargetBootIni(Run& run, const std::vector<BlockDevice>& devices, const BlockDevice& target) {
  auto boot = FindPartition(devices, target.disk, 1);
  if (!boot || boot->fs_type != "vfat") return std::nullopt;
  const fs::path at = run.mnt / "kept-boot";
  if (!run.platform.Mount(run.Dev(*boot), at, "vfat", true)) return std::nullopt;
  auto text = ReadFile(at / "boot.ini");
  (void)run.platform.Unmount(at);
  if (!text) return std::nullopt;
  return *text;
}

/// The recovery environment's run (Windows RE): restore an image onto the
/// one disk that is not the backup disk.
void PhaseRecover(Run& run) {
  RestoreRequest request = RestoreRequestFrom(run.job);
  if (request.kind == vocab::kKindSystemState) {
    return ReportError(run, vocab::kPhaseRecover, "a system-state restore runs from the installed system (phase restore-system-state)");
  }
  auto volume = MountBackup(run, true);
  if (!volume) return ReportError(run, vocab::kPhaseRecover, volume.error().message);
  auto backup = OpenBackup(*volume);
  if (!backup) return ReportError(run, vocab::kPhaseRecover, backup.error().message);
  const fs::path& root = run.platform.Root();
  auto devices = ScanBlockDevices(root);
  auto backup_disk = FindVolume(devices, kBackupLabel);
  std::vector<BlockDevice> targets;
  for (const BlockDevice& d : devices) {
    if (d.partition == 0 && (!backup_disk || d.disk != backup_disk->disk)) {
      targets.push_back(d);
    }
  }
  if (targets.size() != 1) {
    return ReportError(run, vocab::kPhaseRecover, "expected exactly one target disk, found " + std::to_string(targets.size()) + ": " +
                                     DiskListJson(devices));
  }
  const BlockDevice target = targets.front();
  std::string firmware = ScanFirmware(root);
  std::string reason = ImageRestoreRefusal(backup->manifest, request, firmware, target.size_bytes);
  if (!reason.empty()) return Refused(run, reason);
  // A full-server restore keeps the destination's boot.ini (the rulebook's
  // systemroot-differs): read it before the image overwrites it.
  std::optional<std::string> kept_boot_ini;
  if (request.kind == vocab::kKindFullServer) kept_boot_ini = TargetBootIni(run, devices, target);
  if (auto s = RestoreImage(*backup, run.Dev(target)); !s) return ReportError(run, vocab::kPhaseRecover, s.error().message);
  // Block for block: on a larger disk the partitions stay as they were and
  // the rest is unallocated; a GPT's backup table moves to the disk's end.
  auto gpt = FitGptToDisk(run.Dev(target), target.size_bytes);
  if (!gpt) return ReportError(run, vocab::kPhaseRecover, gpt.error().message);
  if (auto s = run.platform.RereadPartitions(run.Dev(target)); !s) return ReportError(run, vocab::kPhaseRecover, s.error().message);
  const int64_t image_bytes = backup->manifest.GetInt("disk.size_bytes", 0);
  Event event(vocab::kEventRestore);
  event.Add(vocab::kFieldOutcome, vocab::kRestored).Add("kind", request.kind).Add("target", target.name).Add("target_bus", target.bus)
      .Add("asr", request.asr).Add("image_bytes", image_bytes)
      .Add("unallocated_bytes", static_cast<int64_t>(target.size_bytes) - image_bytes)
      .Add("gpt_backup_moved", *gpt == GptFit::kMoved);
  std::optional<Installation> inst;
  if (request.asr || kept_boot_ini) {
    auto restored = WaitForVolume(run, kSystemLabel);
    if (!restored) return ReportError(run, vocab::kPhaseRecover, "the restored disk has no system volume");
    auto mounted = MountInstallation(run, *restored, "target-");
    if (!mounted) return ReportError(run, vocab::kPhaseRecover, mounted.error().message);
    inst = *mounted;
  }
  if (request.asr) {
    std::string hal = MachineHal(run);
    if (auto s = ApplyAsr(*inst, hal, target.bus); !s) return ReportError(run, vocab::kPhaseRecover, s.error().message);
    event.Add("hal", hal).Add("storage_drivers", std::vector<std::string>{target.bus});
  }
  if (kept_boot_ini) {
    if (auto s = KeepBootIni(*inst, *kept_boot_ini); !s) return ReportError(run, vocab::kPhaseRecover, s.error().message);
    event.Add("boot_ini_kept", ReadBootIni(inst->boot_volume).value_or(""));
  }
  run.platform.Sync();
  run.Emit(event);
}

/// Loads every module of `list_file`; appends one error per module that
/// failed. With `loaded`: skips the modules in it and adds those it loads.
void LoadModuleList(Platform& platform, const fs::path& list_file, std::vector<std::string>& errors,
                    std::set<fs::path>* loaded = nullptr) {
  for (const fs::path& module : ModuleFiles(platform.Root(), list_file)) {
    if (loaded && loaded->contains(module)) continue;
    if (auto s = platform.LoadModule(module); !s) errors.push_back(s.error().message);
    else if (loaded) loaded->insert(module);
  }
}

/// What touches no disk: base.modules (file systems, the virtio core), and
/// nic.modules alongside it on a second thread (NIC probing is slow under
/// emulation). A NIC driver may need a base module (virtio_net needs the
/// virtio core), and the kernel refuses a module whose dependency is not in
/// yet (Unknown symbol: ENOENT): which thread wins depends on the host's
/// load, so each NIC driver refused on the second thread is tried once more,
/// in list order, after the base list is in. Returns the errors, one per
/// module that failed for good.
std::vector<std::string> LoadDisklessModules(Platform& platform) {
  const fs::path lists = platform.Root() / kModuleListDir;
  std::vector<std::string> errors;
  std::vector<fs::path> nics_refused;
  std::thread nics([&] {
    for (const fs::path& module : ModuleFiles(platform.Root(), lists / "nic.modules"))
      if (!platform.LoadModule(module)) nics_refused.push_back(module);
  });
  LoadModuleList(platform, lists / "base.modules", errors);
  nics.join();
  for (const fs::path& module : nics_refused)
    if (auto s = platform.LoadModule(module); !s) errors.push_back(s.error().message);
  return errors;
}

/// Each boot-start storage driver's list in `folder`, <bus>.modules, once
/// per module (`loaded`). "storage-core": the part of a driver's list that
/// drives no controller (the SCSI core, libata, sd_mod), which finds no disk
/// by itself and so goes before the ready point; "drivers": the whole list.
void LoadStorageLists(Platform& platform, const std::vector<std::string>& drivers, std::string_view folder,
                      std::set<fs::path>& loaded, std::vector<std::string>& errors) {
  for (const std::string& bus : drivers)
    LoadModuleList(platform, platform.Root() / kModuleListDir / folder / (bus + ".modules"), errors, &loaded);
}

}  // namespace

std::vector<fs::path> ModuleFiles(const fs::path& root, const fs::path& list_file) {
  std::vector<fs::path> files;
  auto text = ReadFile(list_file);
  if (!text) return files;
  for (const std::string& name : Split(*text, '\n')) files.push_back(root / kModuleDir / name);
  return files;
}

std::vector<std::string> LoadedDriverImages(const fs::path& root) {
  std::vector<std::string> buses;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / kModuleListDir / "drivers", ec)) {
    if (entry.path().extension() == ".modules") buses.push_back(entry.path().stem().string());
  }
  std::ranges::sort(buses);
  return buses;
}

bool StartedDirectly(const std::string& cmdline) {
  for (const std::string& word : Split(cmdline, ' ')) {
    if (Trim(word) == kDirectBootWord) return true;
  }
  return false;
}

std::string DiskRole(const std::string& cmdline) {
  for (const std::string& word : Split(cmdline, ' ')) {
    if (word.starts_with("rl.disk=")) return Trim(word.substr(8));
  }
  return "system";
}

/// True when the guest waited there (a warm start's restored VM goes on).
bool WaitAtReadyPoint(Platform& platform) {
  auto job = platform.ReadJob();
  if (!job || *job != vocab::kWarmWaitJob) return false;
  platform.Emit(Event(vocab::kEventReady).Line());
  (void)platform.DrainConsole();
  // The host saves the VM here; the VM restored from it reads its own job.
  while (true) {
    platform.Sleep(vocab::kWarmPollMilliseconds);
    job = platform.ReadJob();
    if (!job || *job != vocab::kWarmWaitJob) return true;
  }
}

namespace {

/// After a warm start's resume: the controllers probed the disks of the VM
/// that built the state; this VM's are other images of the same sizes. Drops
/// what the kernel read from each disk and reads its partition table again,
/// before anything looks at a disk.
Status RereadDisks(Platform& platform) {
  std::vector<std::string> disks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(platform.Root() / "sys/block", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("loop") || name.starts_with("ram") || name.starts_with("sr") || name.starts_with("fd")) continue;
    disks.push_back(name);
  }
  std::ranges::sort(disks);
  for (const std::string& disk : disks)
    if (auto s = platform.RereadPartitions(platform.Root() / "dev" / disk); !s) return s;
  return {};
}

/// Where the guest's own time went, step by step, for the `done` line: the
/// host sees only when lines arrive, not what the guest did in between.
/// A warm start's steps before the ready point are those of the boot that
/// built its state; the wait there is no step, and its own begin with
/// `disk_reread`.
class StepClock {
 public:
  void Step(std::string_view name) {
    const auto now = std::chrono::steady_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    json_ += (json_.size() > 1 ? "," : "") + JsonString(name) + ":" + std::to_string(ms);
    last_ = now;
  }
  void Restart() { last_ = std::chrono::steady_clock::now(); }
  std::string Json() const { return json_ + "}"; }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string json_ = "{";
};

/// The `done` line, then power-off; the guest's exit status.
int Finish(Run& run, const StepClock& steps) {
  // A stop has already raised pvpanic; "done" still follows for hosts without it.
  run.Emit(Event(vocab::kEventDone).Add("stopped", run.stopped).Add(vocab::kFieldError, run.errored)
               .AddRaw(vocab::kFieldStepMs, steps.Json()));
  run.platform.Sync();
  // Power-off ends the VM at once: `done` must have left the UART.
  (void)run.platform.DrainConsole();
  run.platform.PowerOff();
  return run.errored ? 1 : 0;
}

}  // namespace

int RunGuest(Platform& platform) {
  StepClock steps;
  // Drivers that read no disk, then a warm start's ready point: nothing
  // has looked at a disk or the IDE channels yet.
  const fs::path& root = platform.Root();
  const std::vector<std::string> drivers = LoadedDriverImages(root);
  std::vector<std::string> module_errors = LoadDisklessModules(platform);
  std::set<fs::path> loaded;
  LoadStorageLists(platform, drivers, "storage-core", loaded, module_errors);
  steps.Step("diskless_modules");
  const std::string cmdline = ReadFile(root / "proc/cmdline").value_or("");
  Run run{platform, {}, DiskRole(cmdline), drivers, root / "mnt"};
  // Started by the host, not by firmware from IDE: the IDE channels may still
  // be off (EnableIdeChannels); before ata_piix loads.
  const bool started_directly = StartedDirectly(cmdline);
  std::vector<std::string> ide_enabled;
  if (started_directly) ide_enabled = EnableIdeChannels(root);
  LoadStorageLists(platform, run.drivers, "drivers", loaded, module_errors);
  steps.Step("storage_drivers");
  // A warm start's ready point: the VM restored here has disks of its own.
  if (WaitAtReadyPoint(platform)) {
    steps.Restart();
    if (auto reread = RereadDisks(platform); !reread) {
      ReportError(run, "resume", reread.error().message);
      return Finish(run, steps);
    }
    steps.Step("disk_reread");
  }
  PlatformFacts facts = ScanPlatform(root);
  steps.Step("platform_scan");
  run.Emit(Event(vocab::kEventKernelStart).Add("disk", run.role).Add("firmware", ScanFirmware(root))
               .Add("acpi", facts.acpi).Add("apic", facts.apic).Add("cpus_present", facts.processors)
               .Add("cpus_online", CpusOnline(root)).Add("drivers_loaded", run.drivers)
               .Add(vocab::kFieldModuleErrors, module_errors).Add("started_directly", started_directly)
               .Add("ide_channels_enabled", ide_enabled));
  auto text = platform.ReadJob();
  auto job = text ? KeyValues::Parse(*text, "job") : std::unexpected(text.error());
  if (!job) {
    ReportError(run, "job", job.error().message);
  } else {
    run.job = *job;
    std::vector<std::string> phases = run.job.GetList(vocab::kKeyPhase);
    run.Emit(Event(vocab::kEventJob).Add("scenario", run.job.Get(vocab::kKeyScenario)).Add(vocab::kFieldPhases, phases)
                 .Add("disk", run.role));
    if (phases.empty()) {
      // The harness writes no phase into a job it refused.
      ReportError(run, "job", "the job names no phase (key " + std::string(vocab::kKeyPhase) + ")");
    } else if (run.role == "recovery") {
      if (phases == std::vector<std::string>{std::string(vocab::kPhaseRecover)}) {
        PhaseRecover(run);
      } else if (phases == std::vector<std::string>{std::string(vocab::kPhaseRemediate)}) {
        PhaseRemediateFromMedia(run);
      } else {
        ReportError(run, "job", "the recovery environment runs phase=recover or phase=remediate only");
      }
    } else {
      RunSystem(run, phases);
    }
    steps.Step("job");
    run.Emit(Event(vocab::kEventDisks).AddRaw("disks", DiskListJson(ScanBlockDevices(root))));
  }
  run.UnmountAll();
  steps.Step("disks_and_unmount");
  return Finish(run, steps);
}

}  // namespace restorelab::guest
