#include "harness/run/run_plan.h"

#include <optional>

#include "harness/output/text.h"

namespace restorelab::run {

namespace fs = std::filesystem;

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::Source: return "source";
    case Phase::Restore: return "restore";
    case Phase::Recovery: return "recovery";
    case Phase::Reset: return "reset";
    case Phase::Destination: return "destination";
  }
  return "source";
}

std::string_view timing_key(Phase p) {
  switch (p) {
    case Phase::Source: return "source";
    case Phase::Destination: return "destination";
    default: return "recovery";
  }
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::string buses(DiskBusSet set) {
  std::vector<std::string> names;
  for (DiskBus b : set.members()) names.emplace_back(name_of(b));
  return join(names);
}

void add(std::string& job, std::string_view key, std::string_view value) {
  job += text("{}={}\n", key, value);
}

void add_machine(std::string& job, const Machine& m) {
  add(job, "machine.hal", name_of(m.hal));
  add(job, "machine.cpus", std::to_string(m.cpus));
  add(job, "machine.storage_drivers", buses(m.storage_drivers));
}

void add_os(std::string& job, const Os& os) {
  add(job, "os.version", name_of(os.version));
  add(job, "os.edition", name_of(os.edition));
  add(job, "os.channel", name_of(os.channel));
  add(job, "os.service_pack", std::to_string(os.service_pack));
  add(job, "os.hotfixes", join(os.hotfixes));
  add(job, "os.systemdrive", os.systemdrive);
  add(job, "os.systemroot", os.systemroot);
  add(job, "os.roles", join(os.roles));
  add(job, "os.filter_drivers", join(os.filter_drivers));
  add(job, "os.apps", join(os.apps));
  if (os.upgraded_from) add(job, "os.upgraded_from", name_of(*os.upgraded_from));
  add(job, "os.ad.database", os.ad.database);
  add(job, "os.ad.logs", os.ad.logs);
  add(job, "os.ad.frs_database", os.ad.frs_database);
  add(job, "os.ad.frs_logs", os.ad.frs_logs);
}

bool nosmp(const Machine& m) { return hal_is_uniprocessor(m.hal) && is_nt5(m.os.version); }

}  // namespace

std::string direct_kernel_cmdline(std::string_view role, bool uniprocessor) {
  std::string line = text("console=ttyS0,115200 quiet loglevel=0 rl.disk={}", role);
  if (uniprocessor) line += " nosmp";
  return line + " rl.boot=direct";
}

std::string job_text(const Scenario& s, Phase phase) {
  std::string job = "# restorelab job: scenario " + s.name + ", phase " + std::string(phase_name(phase)) + "\n";
  add(job, "scenario", s.name);
  switch (phase) {
    case Phase::Source:
      add(job, "phase", "install,backup");
      add_machine(job, s.source);
      add_os(job, s.source.os);
      add(job, "backup.kind", name_of(s.backup == BackupKind::None ? BackupKind::SystemState : s.backup));
      break;
    case Phase::Restore:
      add(job, "phase", "install,restore-system-state");
      add_machine(job, s.destination);
      add_os(job, s.destination.os);
      add(job, "restore.kind", "system-state");
      break;
    case Phase::Recovery:
      add(job, "phase", "recover");
      add_machine(job, s.destination);
      add(job, "restore.kind", name_of(s.restore.kind));
      add(job, "restore.asr", s.restore.asr ? "true" : "false");
      add(job, "restore.offline", s.restore.offline ? "true" : "false");
      break;
    case Phase::Reset:
      add(job, "phase", "install");
      add_machine(job, s.destination);
      add_os(job, s.destination.os);
      break;
    case Phase::Destination:
      add(job, "phase", "boot");
      add(job, "machine.hal", name_of(s.destination.hal));
      add(job, "machine.cpus", std::to_string(s.destination.cpus));
      break;
  }
  return job;
}

RunPlan plan_run(const Scenario& s, const PlanPaths& paths) {
  const fs::path disks = fs::absolute(paths.disk_dir);
  const fs::path artifacts = fs::absolute(paths.artifacts);
  const fs::path evidence = fs::absolute(paths.evidence_dir);
  RunPlan plan;
  plan.disk_dir = disks;
  plan.evidence_dir = evidence;
  auto disk = [&](DiskRequest::Kind kind, std::string file, const Machine* m) {
    DiskRequest d;
    d.kind = kind;
    d.path = disks / file;
    if (m != nullptr) {
      d.firmware = m->firmware;
      d.drivers = m->storage_drivers.members();
      d.uniprocessor = nosmp(*m);
    }
    plan.disks.push_back(std::move(d));
    return plan.disks.size() - 1;
  };
  const std::string source_seed = s.name + "/source";
  const std::string destination_seed = s.restore.to_same_computer ? source_seed : s.name + "/destination";

  // The initramfs of a directly started VM: that of `system` (its boot-start
  // drivers), or the recovery environment's (every driver and the tools).
  // Disks are named by index: plan.disks grows, so no pointer into it lives on.
  auto initrd = [&](const std::string& vm_name, std::optional<std::size_t> system) {
    DiskRequest d;
    d.kind = DiskRequest::Kind::Initrd;
    d.path = disks / (vm_name + ".initrd");
    if (system) {
      d.drivers = plan.disks[*system].drivers;
    } else {
      for (std::size_t b = 0; b < enum_count<DiskBus>(); ++b) d.drivers.push_back(static_cast<DiskBus>(b));
    }
    d.tools = !system;
    plan.disks.push_back(std::move(d));
    return plan.disks.size() - 1;
  };

  // `system`: the disk whose installation a directly started VM runs (its
  // initramfs and `nosmp`); null for the recovery environment. Never used
  // for the destination boot, which boots from its disk.
  auto vm = [&](Phase phase, const Machine& hw, const std::string& seed,
                std::vector<std::pair<std::size_t, DiskBus>> attached, std::optional<std::size_t> system) {
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
    v.job = job_text(s, phase);
    v.job_file = evidence / (name + ".job");
    v.xml_file = evidence / (name + ".xml");
    v.screenshot = evidence / (name + ".png");
    v.spec.fw_cfg.push_back({"opt/org.restorelab/job", v.job_file.string()});
    const bool direct = phase != Phase::Destination;
    int order = 1;
    for (auto [index, bus] : attached) {
      machines::DiskSpec d;
      d.path = plan.disks[index].path.string();
      d.bus = bus;
      d.boot_order = direct ? 0 : order++;
      v.spec.disks.push_back(std::move(d));
      v.disks.push_back(index);
    }
    if (direct) {
      const std::size_t image = initrd(name, system);
      const bool uniprocessor = system && plan.disks[*system].uniprocessor;
      v.spec.direct.kernel = (artifacts / (hw.firmware == Firmware::Uefi ? "vmlinuz" : "vmlinux")).string();
      v.spec.direct.initrd = plan.disks[image].path.string();
      v.spec.direct.cmdline = direct_kernel_cmdline(system ? "system" : "recovery", uniprocessor);
      v.disks.push_back(image);
    }
    plan.vms.push_back(std::move(v));
  };

  const Machine& src = s.source;
  const Machine& dst = s.destination;
  switch (s.restore.kind) {
    case RestoreKind::SystemState: {
      const auto src_sys = disk(DiskRequest::Kind::System, "source-system.img", &src);
      const auto backup = disk(DiskRequest::Kind::Backup, "backup.img", nullptr);
      const auto dst_sys = disk(DiskRequest::Kind::System, "destination-system.img", &dst);
      vm(Phase::Source, src, source_seed, {{src_sys, src.disk_bus}, {backup, src.disk_bus}}, src_sys);
      vm(Phase::Restore, dst, destination_seed, {{dst_sys, dst.disk_bus}, {backup, dst.disk_bus}}, dst_sys);
      vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
      break;
    }
    case RestoreKind::Bmr:
    case RestoreKind::FullServer: {
      const auto src_sys = disk(DiskRequest::Kind::System, "source-system.img", &src);
      const auto backup = disk(DiskRequest::Kind::Backup, "backup.img", nullptr);
      const auto dst_sys = disk(DiskRequest::Kind::Blank, "destination-system.img", nullptr);
      vm(Phase::Source, src, source_seed, {{src_sys, src.disk_bus}, {backup, src.disk_bus}}, src_sys);
      vm(Phase::Recovery, dst, destination_seed, {{backup, DiskBus::Ide}, {dst_sys, dst.disk_bus}}, std::nullopt);
      vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
      break;
    }
    case RestoreKind::PushButtonReset: {
      const auto dst_sys = disk(DiskRequest::Kind::System, "destination-system.img", &dst);
      vm(Phase::Reset, dst, destination_seed, {{dst_sys, dst.disk_bus}}, dst_sys);
      vm(Phase::Destination, dst, destination_seed, {{dst_sys, dst.disk_bus}}, std::nullopt);
      break;
    }
  }
  return plan;
}

}  // namespace restorelab::run
