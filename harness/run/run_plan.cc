#include "harness/run/run_plan.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "harness/output/text.h"
#include "images/guest/job_vocabulary.h"

namespace restorelab::run {

namespace fs = std::filesystem;

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::Source: return "source";
    case Phase::Restore: return "restore";
    case Phase::Recovery: return "recovery";
    case Phase::Reset: return "reset";
    case Phase::Destination: return "destination";
    case Phase::Remediate: return "remediate";
    case Phase::Remediated: return "remediated";
  }
  return "source";
}

bool is_test_boot(Phase p) { return p == Phase::Destination || p == Phase::Remediated; }

std::string_view timing_key(Phase p) {
  switch (p) {
    case Phase::Source: return "source";
    case Phase::Destination: return "destination";
    case Phase::Remediate: return "remediate";
    case Phase::Remediated: return "remediated";
    default: return "restore";
  }
}

namespace {

namespace vocab = vocabulary;

/// "U+000A"
std::string code_point(char c) { return text("U+{:04X}", static_cast<unsigned char>(c)); }

std::vector<std::string> bus_list(DiskBusSet set) {
  std::vector<std::string> names;
  for (DiskBus b : set.members()) names.emplace_back(name_of(b));
  return names;
}

}  // namespace

void JobWriter::refuse(std::string message, std::string suggestion) {
  refused_.push_back(Diagnostic{file_, 0, 0, std::move(message), std::move(suggestion)});
}

bool JobWriter::known(std::string_view key, bool list, std::string_view where) {
  const vocab::JobKey* entry = vocab::FindJobKey(key);
  if (entry == nullptr) {
    refuse(text("{}: job key \"{}\" is not in the job vocabulary", where, key),
           "add it to images/guest/job_vocabulary.h, where the guest reads it");
    return false;
  }
  if (entry->list != list) {
    refuse(text("{}: job key \"{}\" {} a list", where, key, entry->list ? "holds" : "does not hold"),
           entry->list ? "write it with JobWriter::list" : "write it with JobWriter::value");
    return false;
  }
  return true;
}

void JobWriter::comment(std::string_view line) {
  text_ += "# ";
  for (char c : line) text_ += vocab::IsControl(c) ? '?' : c;
  text_ += '\n';
}

namespace {

/// The refusal of one value (`what` names it: `source.os.systemroot`, or
/// `source.os.hotfixes item 2 "KB1,KB2"`), or nothing.
std::optional<std::pair<std::string, std::string>> fault_text(vocab::ValueCheck check, std::string_view what,
                                                              std::string_view value) {
  switch (check.fault) {
    case vocab::ValueFault::kNone: return std::nullopt;
    case vocab::ValueFault::kControlCharacter:
      return std::pair{text("{} holds a control character ({}) at byte {}; the job the guest reads is one "
                            "key=value per line",
                            what, code_point(value[check.at]), check.at + 1),
                       std::string("remove it")};
    case vocab::ValueFault::kSurroundingBlank:
      return std::pair{text("{} \"{}\" {} with a blank, which the guest would trim", what, value,
                            check.at == 0 ? "starts" : "ends"),
                       std::string("remove the blank")};
    case vocab::ValueFault::kSeparatorInItem:
      return std::pair{text("{} \"{}\" holds '{}', which separates list items in the job: the guest would "
                            "read more items",
                            what, value, vocab::kListSeparator),
                       std::string("make it separate items")};
    case vocab::ValueFault::kEmptyItem:
      return std::pair{text("{} is empty; the guest drops empty list items", what), std::string("remove it")};
  }
  return std::nullopt;
}

}  // namespace

void JobWriter::value(std::string_view key, std::string_view value, std::string_view where) {
  if (!known(key, false, where)) return;
  if (auto fault = fault_text(vocab::CheckValue(value), where, value)) return refuse(fault->first, fault->second);
  text_ += text("{}={}\n", key, value);
}

void JobWriter::list(std::string_view key, const std::vector<std::string>& items, std::string_view where) {
  if (!known(key, true, where)) return;
  bool ok = true;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string what = text("{} item {}", where, i + 1);
    if (auto fault = fault_text(vocab::CheckListItem(items[i]), what, items[i])) {
      refuse(fault->first, fault->second);
      ok = false;
    }
  }
  if (!ok) return;
  std::string joined;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += vocab::kListSeparator;
    joined += items[i];
  }
  text_ += text("{}={}\n", key, joined);
}

std::expected<std::string, Diagnostics> JobWriter::finish() const {
  if (!refused_.empty()) return std::unexpected(refused_);
  return text_;
}

namespace {

/// The keys of one machine; `side` is "source" or "destination".
void add_machine(JobWriter& job, const Machine& m, const std::string& side) {
  job.value(vocab::kKeyMachineHal, name_of(m.hal), side + ".hal");
  job.value(vocab::kKeyMachineCpus, std::to_string(m.cpus), side + ".cpus");
  job.list(vocab::kKeyMachineStorageDrivers, bus_list(m.storage_drivers), side + ".storage_drivers");
}

void add_os(JobWriter& job, const Os& os, const std::string& side) {
  const std::string at = side + ".os.";
  job.value(vocab::kKeyOsVersion, name_of(os.version), at + "version");
  job.value(vocab::kKeyOsEdition, name_of(os.edition), at + "edition");
  job.value(vocab::kKeyOsChannel, name_of(os.channel), at + "channel");
  job.value(vocab::kKeyOsServicePack, std::to_string(os.service_pack), at + "service_pack");
  job.list(vocab::kKeyOsHotfixes, os.hotfixes, at + "hotfixes");
  job.value(vocab::kKeyOsSystemdrive, os.systemdrive, at + "systemdrive");
  job.value(vocab::kKeyOsSystemroot, os.systemroot, at + "systemroot");
  job.list(vocab::kKeyOsRoles, os.roles, at + "roles");
  job.list(vocab::kKeyOsFilterDrivers, os.filter_drivers, at + "filter_drivers");
  job.list(vocab::kKeyOsApps, os.apps, at + "apps");
  if (os.upgraded_from) job.value(vocab::kKeyOsUpgradedFrom, name_of(*os.upgraded_from), at + "upgraded_from");
  job.value(vocab::kKeyOsAdDatabase, os.ad.database, at + "ad.database");
  job.value(vocab::kKeyOsAdLogs, os.ad.logs, at + "ad.logs");
  job.value(vocab::kKeyOsAdFrsDatabase, os.ad.frs_database, at + "ad.frs_database");
  job.value(vocab::kKeyOsAdFrsLogs, os.ad.frs_logs, at + "ad.frs_logs");
}

void add_phases(JobWriter& job, std::vector<std::string_view> phases) {
  job.list(vocab::kKeyPhase, std::vector<std::string>(phases.begin(), phases.end()), "phase");
}

std::string_view flag(bool b) { return b ? vocab::kTrue : vocab::kFalse; }

bool nosmp(const Machine& m) { return hal_is_uniprocessor(m.hal) && is_nt5(m.os.version); }

/// The restore of a chain's recovery VM: the scenario's own (bmr,
/// full-server), or the earlier restore of a system-state restore
/// (`restore.after`).
RestoreKind image_restore(const Scenario& s) {
  if (s.restore.kind != RestoreKind::SystemState) return s.restore.kind;
  return s.restore.after == PriorRestore::FullServer ? RestoreKind::FullServer : RestoreKind::Bmr;
}

/// The backup the source takes. A chain's earlier restore restores the same
/// backup's image, so it holds at least the image that restore needs (every
/// image backup holds the system state as well: images/guest/backup.h).
BackupKind source_backup(const Scenario& s) {
  const BackupKind kind = s.backup == BackupKind::None ? BackupKind::SystemState : s.backup;
  if (s.restore.kind != RestoreKind::SystemState || s.restore.after == PriorRestore::None) return kind;
  const BackupKind needed = s.restore.after == PriorRestore::FullServer ? BackupKind::FullServer : BackupKind::Bmr;
  return std::max(kind, needed);
}

}  // namespace

std::string direct_kernel_cmdline(std::string_view role, bool uniprocessor) {
  std::string line = text("console=ttyS0,115200 quiet loglevel=0 rl.disk={}", role);
  if (uniprocessor) line += " nosmp";
  return line + " rl.boot=direct";
}

std::expected<std::string, Diagnostics> job_text(const Scenario& s, Phase phase,
                                                 const std::vector<std::string>& remediate) {
  JobWriter job(s.file);
  job.comment(text("restorelab job: scenario {}, phase {}", s.name, phase_name(phase)));
  job.value(vocab::kKeyScenario, s.name, "scenario.name");
  switch (phase) {
    case Phase::Source:
      add_phases(job, {vocab::kPhaseInstall, vocab::kPhaseBackup});
      add_machine(job, s.source, "source");
      add_os(job, s.source.os, "source");
      job.value(vocab::kKeyBackupKind, name_of(source_backup(s)), "backup.kind");
      break;
    case Phase::Restore:
      if (s.restore.after == PriorRestore::None) {
        add_phases(job, {vocab::kPhaseInstall, vocab::kPhaseRestoreSystemState});
        add_machine(job, s.destination, "destination");
        add_os(job, s.destination.os, "destination");
      } else {
        // The OS the earlier restore left must start before it can restore
        // anything: the boot checks first, as at the destination's boot.
        add_phases(job, {vocab::kPhaseBoot, vocab::kPhaseRestoreSystemState});
        job.value(vocab::kKeyMachineHal, name_of(s.destination.hal), "destination.hal");
        job.value(vocab::kKeyMachineCpus, std::to_string(s.destination.cpus), "destination.cpus");
      }
      job.value(vocab::kKeyRestoreKind, vocab::kKindSystemState, "restore.kind");
      break;
    case Phase::Recovery:
      add_phases(job, {vocab::kPhaseRecover});
      add_machine(job, s.destination, "destination");
      if (s.restore.kind == RestoreKind::SystemState) {
        // The earlier restore of a chain runs from the recovery environment.
        job.value(vocab::kKeyRestoreKind, name_of(image_restore(s)), "restore.after");
        job.value(vocab::kKeyRestoreAsr, flag(s.restore.asr), "restore.asr");
        job.value(vocab::kKeyRestoreOffline, vocab::kTrue, "restore.after");
      } else {
        job.value(vocab::kKeyRestoreKind, name_of(s.restore.kind), "restore.kind");
        job.value(vocab::kKeyRestoreAsr, flag(s.restore.asr), "restore.asr");
        job.value(vocab::kKeyRestoreOffline, flag(s.restore.offline), "restore.offline");
      }
      break;
    case Phase::Reset:
      add_phases(job, {vocab::kPhaseInstall});
      add_machine(job, s.destination, "destination");
      add_os(job, s.destination.os, "destination");
      break;
    case Phase::Remediate:
      add_phases(job, {vocab::kPhaseRemediate});
      add_machine(job, s.destination, "destination");
      job.list(vocab::kKeyRemediateActions, remediate, "--remediate");
      break;
    case Phase::Destination:
    case Phase::Remediated:
      add_phases(job, {vocab::kPhaseBoot});
      job.value(vocab::kKeyMachineHal, name_of(s.destination.hal), "destination.hal");
      job.value(vocab::kKeyMachineCpus, std::to_string(s.destination.cpus), "destination.cpus");
      break;
  }
  return job.finish();
}

namespace {

/// What a directly started system VM runs, as far as its start depends on
/// it: the boot-start drivers its loader would load (the initramfs) and
/// whether the loader's line says `nosmp`.
struct StartedSystem {
  std::vector<DiskBus> drivers;
  bool uniprocessor = false;
};

StartedSystem started(const DiskRequest& system) { return {system.drivers, system.uniprocessor}; }

/// What the earlier image restore of a chain leaves on the destination's
/// disk, as the guest's recover phase writes it (images/README.md): the
/// source's disk block for block, so the source's boot-start drivers and
/// HAL; with ASR, setup re-detected both (the destination disk's bus, the
/// destination's HAL). The OS is the source's, so `nosmp` follows its
/// version. A full-server restore keeps the destination's boot.ini, which
/// changes where the files are looked for, not which drivers load.
StartedSystem restored_system(const Scenario& s) {
  StartedSystem sys;
  sys.drivers = s.restore.asr ? std::vector<DiskBus>{s.destination.disk_bus} : s.source.storage_drivers.members();
  const Hal hal = s.restore.asr ? s.destination.hal : s.source.hal;
  sys.uniprocessor = is_nt5(s.source.os.version) && hal_is_uniprocessor(hal);
  return sys;
}

/// A scenario's plan as it is put together: its disks, then its VMs in boot
/// order, each VM's disks named by index (plan.disks grows, so no pointer
/// into it lives on).
class PlanBuilder {
 public:
  PlanBuilder(const Scenario& scenario, const PlanPaths& plan_paths, const std::vector<std::string>& remediate)
      : s(scenario), paths(plan_paths), remediate_(remediate), disks(fs::absolute(plan_paths.disk_dir)),
        artifacts(fs::absolute(plan_paths.artifacts)), evidence(fs::absolute(plan_paths.evidence_dir)),
        destination_seed(scenario.restore.to_same_computer ? source_seed : "destination-computer") {
    plan.disk_dir = disks;
    plan.evidence_dir = evidence;
  }

  /// The chain of s.restore.kind: its disks and VMs up to the destination's boot.
  void add_chain() {
    const Machine& src = s.source;
    const Machine& dst = s.destination;
    switch (s.restore.kind) {
      case RestoreKind::SystemState: {
        // restore.after: the earlier restore really runs first (a bare-metal
        // recovery onto a blank disk, or a full-server restore onto the
        // destination's own installation), and the system-state restore runs
        // in the OS it left, started with that OS's drivers.
        const PriorRestore after = s.restore.after;
        const auto src_sys = disk(DiskRequest::Kind::System, "source-system.img", &src);
        const auto backup = disk(DiskRequest::Kind::Backup, "backup.img", nullptr);
        const auto dst_sys = after == PriorRestore::Bmr
                                 ? disk(DiskRequest::Kind::Blank, "destination-system.img", &dst)
                                 : disk(DiskRequest::Kind::System, "destination-system.img", &dst);
        vm(Phase::Source, src, source_seed, {{src_sys, src.disk_bus}, {backup, src.disk_bus}}, started(plan.disks[src_sys]));
        if (after == PriorRestore::FullServer)
          vm(Phase::Reset, dst, destination_seed, {{dst_sys, dst.disk_bus}}, started(plan.disks[dst_sys]));
        if (after != PriorRestore::None)
          vm(Phase::Recovery, dst, destination_seed, {{backup, DiskBus::Ide}, {dst_sys, dst.disk_bus}}, std::nullopt);
        const StartedSystem restore_runs = after == PriorRestore::None ? started(plan.disks[dst_sys]) : restored_system(s);
        vm(Phase::Restore, dst, destination_seed, {{dst_sys, dst.disk_bus}, {backup, dst.disk_bus}}, restore_runs);
        vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
        break;
      }
      case RestoreKind::Bmr:
      case RestoreKind::FullServer: {
        // A full-server restore keeps the destination's boot.ini, so the
        // destination first gets its own installation; a bare-metal recovery
        // fills a blank disk.
        const bool full_server = s.restore.kind == RestoreKind::FullServer;
        const auto src_sys = disk(DiskRequest::Kind::System, "source-system.img", &src);
        const auto backup = disk(DiskRequest::Kind::Backup, "backup.img", nullptr);
        const auto dst_sys = full_server ? disk(DiskRequest::Kind::System, "destination-system.img", &dst)
                                         : disk(DiskRequest::Kind::Blank, "destination-system.img", &dst);
        vm(Phase::Source, src, source_seed, {{src_sys, src.disk_bus}, {backup, src.disk_bus}}, started(plan.disks[src_sys]));
        if (full_server) vm(Phase::Reset, dst, destination_seed, {{dst_sys, dst.disk_bus}}, started(plan.disks[dst_sys]));
        vm(Phase::Recovery, dst, destination_seed, {{backup, DiskBus::Ide}, {dst_sys, dst.disk_bus}}, std::nullopt);
        vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
        break;
      }
      case RestoreKind::PushButtonReset: {
        const auto dst_sys = disk(DiskRequest::Kind::System, "destination-system.img", &dst);
        vm(Phase::Reset, dst, destination_seed, {{dst_sys, dst.disk_bus}}, started(plan.disks[dst_sys]));
        vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
        break;
      }
    }
  }

  /// With --remediate: the remediate VM (in the started system, or from
  /// media) and the remediated boot, on the destination's system disk.
  void add_remediation() {
    if (remediate_.empty()) return;
    const Machine& dst = s.destination;
    // The destination's system disk is the one its boot attached.
    const std::size_t dst_sys = plan.vms.back().disks.front();
    RemediationPlan r;
    r.actions = remediate_;
    vm(Phase::Remediate, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt, true);
    r.in_system = std::move(plan.vms.back());
    plan.vms.pop_back();
    vm(Phase::Remediate, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
    r.from_media = std::move(plan.vms.back());
    plan.vms.pop_back();
    vm(Phase::Remediated, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt, true);
    r.boot = std::move(plan.vms.back());
    plan.vms.pop_back();
    plan.remediation = std::move(r);
  }

  RunPlan plan;

 private:
  /// A disk of `kind` at disks/`file`, shaped after machine `m` (null: the backup).
  std::size_t disk(DiskRequest::Kind kind, std::string file, const Machine* m) {
    DiskRequest d;
    d.kind = kind;
    d.path = disks / file;
    if (m != nullptr) {
      d.firmware = m->firmware;
      d.drivers = m->storage_drivers.members();
      d.uniprocessor = nosmp(*m);
      d.size_mib = static_cast<std::uint32_t>(m->disk_mib);
    }
    plan.disks.push_back(std::move(d));
    return plan.disks.size() - 1;
  }

  /// The initramfs of a directly started VM: that of `system` (its boot-start
  /// drivers), or the recovery environment's (every driver and the tools).
  std::size_t initrd(const std::string& vm_name, const std::optional<StartedSystem>& system) {
    DiskRequest d;
    d.kind = DiskRequest::Kind::Initrd;
    d.path = disks / (vm_name + ".initrd");
    if (system) {
      d.drivers = system->drivers;
    } else {
      for (std::size_t b = 0; b < enum_count<DiskBus>(); ++b) d.drivers.push_back(static_cast<DiskBus>(b));
    }
    d.tools = !system;
    plan.disks.push_back(std::move(d));
    return plan.disks.size() - 1;
  }

  /// Adds the VM of `phase`. `system`: the installation a directly started
  /// VM runs (its initramfs and `nosmp`); null for the recovery environment.
  /// Never used for the destination boot, which boots from its disk.
  /// `from_disk`: through firmware and the loader on the first disk (the test
  /// boots, and a remediation in the started system); else started directly.
  void vm(Phase phase, const Machine& hw, const std::string& seed,
          std::vector<std::pair<std::size_t, DiskBus>> attached, std::optional<StartedSystem> system,
          bool from_disk = false) {
    PlannedVm v;
    v.phase = phase;
    const std::string name(phase_name(phase));
    v.spec.name = paths.domain_prefix + s.name + "-" + name;
    v.spec.hardware = hw;
    v.spec.type = paths.type;
    v.spec.mac_seed = seed;
    v.spec.stop_on_reboot = true;
    v.spec.serial_log = (evidence / (name + ".serial.log")).string();
    if (hw.firmware == Firmware::Uefi) v.spec.nvram = (disks / (name + ".nvram.fd")).string();
    if (auto job = job_text(s, phase, remediate_)) {
      v.job = std::move(*job);
    } else {
      // Nothing of a refused job reaches the guest; plan.refused says why.
      v.job = "# restorelab refused this job: see the run's error\n";
      for (const Diagnostic& d : job.error())
        if (std::ranges::find(plan.refused, d) == plan.refused.end()) plan.refused.push_back(d);
    }
    v.job_file = evidence / (name + ".job");
    v.xml_file = evidence / (name + ".xml");
    v.screenshot = evidence / (name + ".png");
    v.spec.fw_cfg.push_back({"opt/org.restorelab/job", v.job_file.string()});
    const bool direct = phase != Phase::Destination && !from_disk;
    int order = 1;
    for (auto [index, bus] : attached) {
      machines::DiskSpec d;
      d.path = plan.disks[index].path.string();
      d.bus = bus;
      d.boot_order = direct ? 0 : order++;
      // A chain VM is restored (paused) while the one before it still runs,
      // and the test boot starts while the last one powers off
      // (orchestrator.h); a remediation's VMs start in their turn.
      d.shareable = direct || phase == Phase::Destination;
      v.spec.disks.push_back(std::move(d));
      v.disks.push_back(index);
    }
    if (direct) {
      const std::size_t image = initrd(name, system);
      const bool uniprocessor = system && system->uniprocessor;
      v.spec.direct.kernel = (artifacts / (hw.firmware == Firmware::Uefi ? "vmlinuz" : "vmlinux")).string();
      v.spec.direct.initrd = plan.disks[image].path.string();
      v.spec.direct.cmdline = direct_kernel_cmdline(system ? "system" : "recovery", uniprocessor);
      v.disks.push_back(image);
    }
    plan.vms.push_back(std::move(v));
  }

  const Scenario& s;
  const PlanPaths& paths;
  const std::vector<std::string>& remediate_;
  const fs::path disks;
  const fs::path artifacts;
  const fs::path evidence;
  // The MACs name the computer, not the scenario: every scenario's source has
  // the same ones, so machines of one shape are alike across scenarios (a
  // warm start's saved state carries its NICs' MACs; warm_start.h). The
  // guests never share a network, so equal MACs meet nowhere.
  const std::string source_seed = "source-computer";
  const std::string destination_seed;
};

}  // namespace

RunPlan plan_run(const Scenario& s, const PlanPaths& paths, const std::vector<std::string>& remediate) {
  PlanBuilder builder(s, paths, remediate);
  builder.add_chain();
  builder.add_remediation();
  return std::move(builder.plan);
}

}  // namespace restorelab::run
