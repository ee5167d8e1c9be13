#include "harness/machines/domain_xml.h"

#include "harness/output/xml_text.h"

#include <array>
#include <cstdio>
#include "harness/output/text.h"

namespace restorelab::machines {
namespace {

constexpr int kStorageControllerSlot = 0x04;
constexpr int kFirstVirtioDiskSlot = 0x05;
constexpr int kFirstNicSlot = 0x10;
constexpr int kMaxNics = 8;
constexpr std::size_t kMaxFwCfgName = 55;  // fw_cfg names are 56 bytes with the NUL

/// Disks one controller of each bus takes, in target order.
constexpr int max_disks(DiskBus bus) {
  switch (bus) {
    case DiskBus::Ide: return 4;     // PIIX3: two channels, master + slave
    case DiskBus::Sata: return 6;    // AHCI ports
    case DiskBus::Scsi: return 7;    // units 0..6 on bus 0 (the LSI's limit)
    case DiskBus::Virtio: return 8;  // slots 0x05..0x0c
  }
  return 0;
}

std::string_view nic_model_name(NicModel m) {
  switch (m) {
    case NicModel::E1000: return "e1000";
    case NicModel::Rtl8139: return "rtl8139";
    case NicModel::Virtio: return "virtio";
  }
  return "e1000";
}

std::string_view video_model_name(Display d) {
  switch (d) {
    case Display::Vga: return "vga";
    case Display::Cirrus: return "cirrus";
    case Display::Qxl: return "qxl";
    case Display::Virtio: return "virtio";
  }
  return "vga";
}

std::string pci_address(int slot) {
  return text("<address type='pci' domain='0x0000' bus='0x00' slot='0x{:02x}' function='0x0'/>",
                     slot);
}

bool valid_uuid(std::string_view uuid) {
  if (uuid.size() != 36) return false;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// Target device names: hd* for ide, sd* shared by sata and scsi, vd* for virtio.
struct TargetNamer {
  int hd = 0, sd = 0, vd = 0;
  std::string next(DiskBus bus) {
    auto name = [](char prefix, int i) {
      return text("{}d{}", prefix, static_cast<char>('a' + i));
    };
    switch (bus) {
      case DiskBus::Ide: return name('h', hd++);
      case DiskBus::Sata:
      case DiskBus::Scsi: return name('s', sd++);
      case DiskBus::Virtio: return name('v', vd++);
    }
    return {};
  }
};

Status check(const VmSpec& spec) {
  const Machine& hw = spec.hardware;
  auto fail = [&](std::string what) {
    return std::unexpected(make_error(text("VM \"{}\": {}", spec.name, what)));
  };
  if (!valid_name(spec.name))
    return std::unexpected(make_error(text(
        "VM name \"{}\" must be non-empty and use only letters, digits, '.', '_' and '-'",
        spec.name)));
  if (!spec.uuid.empty() && !valid_uuid(spec.uuid))
    return fail(text("uuid \"{}\" is not 8-4-4-4-12 lower-case hexadecimal digits", spec.uuid));
  if (hw.firmware == Firmware::Uefi && !hal_has_acpi(hw.hal))
    return fail(text("firmware \"uefi\" needs ACPI, but hal \"{}\" has none "
                            "(libvirt: UEFI requires ACPI on this architecture)",
                            name_of(hw.hal)));
  if (hw.cpus < 1) return fail(text("cpus = {}: at least 1 is needed", hw.cpus));
  if (!hal_has_apic(hw.hal) && hw.cpus != 1)
    return fail(text("hal \"{}\" has no APIC, so it runs on exactly one processor, "
                            "not cpus = {}", name_of(hw.hal), hw.cpus));
  const int min_mem = hw.firmware == Firmware::Uefi ? kMinMemoryMibUefi : kMinMemoryMibBios;
  if (hw.memory_mib < min_mem)
    return fail(text("memory_mib = {}: firmware \"{}\" needs at least {} MiB",
                            hw.memory_mib, name_of(hw.firmware), min_mem));
  if (hw.nics < 0 || hw.nics > kMaxNics)
    return fail(text("nics = {}: 0 to {} are possible", hw.nics, kMaxNics));
  if (spec.serial_log.empty()) return fail("no serial log path");
  if (hw.firmware == Firmware::Uefi && spec.nvram.empty())
    return fail("firmware \"uefi\" needs a per-VM NVRAM path");
  std::array<int, 4> per_bus{};
  for (const DiskSpec& d : spec.disks) {
    if (d.path.empty()) return fail("a disk has no path");
    const int n = ++per_bus[static_cast<std::size_t>(d.bus)];
    if (n > max_disks(d.bus))
      return fail(text("more than {} {} disks", max_disks(d.bus), name_of(d.bus)));
    if (d.readonly && (d.bus == DiskBus::Ide || d.bus == DiskBus::Sata))
      return fail(text("disk {}: libvirt refuses read-only {} disks; "
                              "make it transient instead", d.path, name_of(d.bus)));
    if (d.readonly && d.transient)
      return fail(text("disk {}: a disk is read-only or transient, not both", d.path));
    if (d.transient && d.shareable)
      return fail(text("disk {}: a disk is transient or shareable, not both", d.path));
    if (d.boot_order < 0) return fail(text("disk {}: boot order below 0", d.path));
  }
  if (per_bus[static_cast<std::size_t>(DiskBus::Sata)] > 0 &&
      per_bus[static_cast<std::size_t>(DiskBus::Scsi)] > 0)
    return fail("sata and scsi disks cannot share one VM (both use controller slot 00:04.0)");
  if ((hw.disk_bus == DiskBus::Sata && per_bus[static_cast<std::size_t>(DiskBus::Scsi)] > 0) ||
      (hw.disk_bus == DiskBus::Scsi && per_bus[static_cast<std::size_t>(DiskBus::Sata)] > 0))
    return fail(text("disk_bus \"{}\" takes controller slot 00:04.0; "
                            "disks of the other of sata/scsi cannot be added",
                            name_of(hw.disk_bus)));
  for (const FwCfgEntry& e : spec.fw_cfg) {
    if (!e.name.starts_with("opt/") || e.name.size() > kMaxFwCfgName)
      return fail(text("fw_cfg name \"{}\" must start with \"opt/\" and have at most {} "
                              "characters", e.name, kMaxFwCfgName));
    if (e.host_file.empty()) return fail(text("fw_cfg \"{}\" has no host file", e.name));
  }
  if (spec.direct.kernel.empty() && (!spec.direct.initrd.empty() || !spec.direct.cmdline.empty()))
    return fail("an initrd or kernel command line without a kernel");
  return {};
}

void append_os(std::string& x, const VmSpec& spec) {
  x += "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n";
  if (spec.hardware.firmware == Firmware::Uefi) {
    x += text("    <loader readonly='yes' type='pflash'>{}</loader>\n",
                     xml_escape(spec.ovmf.code));
    x += text("    <nvram template='{}'>{}</nvram>\n", xml_escape(spec.ovmf.vars_template),
                     xml_escape(spec.nvram));
  } else {
    x += spec.stop_on_reboot ? "    <bios useserial='yes' rebootTimeout='0'/>\n"
                             : "    <bios useserial='yes'/>\n";
  }
  if (!spec.direct.kernel.empty()) {
    x += text("    <kernel>{}</kernel>\n", xml_escape(spec.direct.kernel));
    if (!spec.direct.initrd.empty()) x += text("    <initrd>{}</initrd>\n", xml_escape(spec.direct.initrd));
    if (!spec.direct.cmdline.empty()) x += text("    <cmdline>{}</cmdline>\n", xml_escape(spec.direct.cmdline));
  }
  x += "  </os>\n";
}

void append_cpu_and_features(std::string& x, const Machine& hw) {
  x += "  <features>\n";
  if (hal_has_acpi(hw.hal)) x += "    <acpi/>\n";
  if (hal_has_apic(hw.hal)) x += "    <apic/>\n";
  x += "  </features>\n";
  x += "  <cpu mode='custom' match='exact' check='none'>\n"
       "    <model fallback='forbid'>qemu64</model>\n";
  x += text("    <topology sockets='{}' dies='1' cores='1' threads='1'/>\n", hw.cpus);
  if (!hal_has_apic(hw.hal)) x += "    <feature policy='disable' name='apic'/>\n";
  x += "  </cpu>\n";
}

void append_disks(std::string& x, const VmSpec& spec) {
  const DiskBus controller_bus = spec.hardware.disk_bus;
  bool want_sata = controller_bus == DiskBus::Sata, want_scsi = controller_bus == DiskBus::Scsi;
  for (const DiskSpec& d : spec.disks) {
    want_sata |= d.bus == DiskBus::Sata;
    want_scsi |= d.bus == DiskBus::Scsi;
  }
  if (want_sata)
    x += "    <controller type='sata' index='0'>" + pci_address(kStorageControllerSlot) +
         "</controller>\n";
  if (want_scsi)
    x += text("    <controller type='scsi' index='0' model='{}'>",
              spec.hardware.firmware == Firmware::Uefi ? "virtio-scsi" : "lsilogic") +
         pci_address(kStorageControllerSlot) + "</controller>\n";

  TargetNamer names;
  int virtio_slot = kFirstVirtioDiskSlot;
  for (const DiskSpec& d : spec.disks) {
    x += "    <disk type='file' device='disk'>\n";
    // libvirt turns a shareable disk's default cache into cache=none
    // (O_DIRECT: every read from the host's disk, a BIOS boot 3 s slower
    // here); writeback is what every other disk gets by default. Both QEMUs
    // run on one host and share its page cache.
    x += text("      <driver name='qemu' type='{}'{}/>\n", d.format == DiskFormat::Qcow2 ? "qcow2" : "raw",
              d.shareable ? " cache='writeback'" : "");
    x += text("      <source file='{}'/>\n", xml_escape(d.path));
    x += text("      <target dev='{}' bus='{}'/>\n", names.next(d.bus), name_of(d.bus));
    if (d.readonly) x += "      <readonly/>\n";
    if (d.transient) x += "      <transient/>\n";
    if (d.shareable) x += "      <shareable/>\n";
    if (d.boot_order > 0) x += text("      <boot order='{}'/>\n", d.boot_order);
    if (d.bus == DiskBus::Virtio) x += "      " + pci_address(virtio_slot++) + "\n";
    x += "    </disk>\n";
  }
}

void append_nics(std::string& x, const VmSpec& spec) {
  for (int i = 0; i < spec.hardware.nics; ++i) {
    x += "    <interface type='user'>\n";
    x += text("      <mac address='{}'/>\n",
              mac_address(spec.mac_seed.empty() ? spec.name : spec.mac_seed, i));
    x += text("      <model type='{}'/>\n", nic_model_name(spec.hardware.nic_model));
    if (!spec.network) x += "      <link state='down'/>\n";
    x += "      <rom enabled='no'/>\n";
    x += "      " + pci_address(kFirstNicSlot + i) + "\n";
    x += "    </interface>\n";
  }
}

}  // namespace

std::string xml_escape(std::string_view s) { return xml_text(s); }

std::string mac_address(std::string_view vm_name, int index) {
  std::uint32_t h = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : vm_name) {
    h ^= c;
    h *= 16777619u;
  }
  return text("02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", (h >> 24) & 0xff, (h >> 16) & 0xff,
                     (h >> 8) & 0xff, h & 0xff, index & 0xff);
}

std::string_view domain_type_name(DomainType type) {
  return type == DomainType::Kvm ? "kvm" : "qemu";
}

Result<std::string> domain_xml(const VmSpec& spec) {
  if (auto ok = check(spec); !ok) return std::unexpected(ok.error());
  const Machine& hw = spec.hardware;
  std::string x;
  x += text("<domain type='{}'>\n", domain_type_name(spec.type));
  x += text("  <name>{}</name>\n", xml_escape(spec.name));
  if (!spec.uuid.empty()) x += text("  <uuid>{}</uuid>\n", spec.uuid);
  x += text("  <memory unit='MiB'>{}</memory>\n", hw.memory_mib);
  x += text("  <vcpu placement='static'>{}</vcpu>\n", hw.cpus);
  if (!spec.fw_cfg.empty()) {
    x += "  <sysinfo type='fwcfg'>\n";
    for (const FwCfgEntry& e : spec.fw_cfg)
      x += text("    <entry name='{}' file='{}'/>\n", xml_escape(e.name),
                       xml_escape(e.host_file));
    x += "  </sysinfo>\n";
  }
  append_os(x, spec);
  append_cpu_and_features(x, hw);
  x += "  <clock offset='utc'/>\n";
  x += "  <on_poweroff>destroy</on_poweroff>\n";
  x += text("  <on_reboot>{}</on_reboot>\n", spec.stop_on_reboot ? "destroy" : "restart");
  // preserve: a panicked guest stays (paused, state crashed) so the harness
  // can take its screenshot before destroying it.
  x += "  <on_crash>preserve</on_crash>\n";
  x += "  <devices>\n";
  x += "    <controller type='usb' model='none'/>\n";
  append_disks(x, spec);
  append_nics(x, spec);
  if (spec.serial_pty)
    x += text("    <serial type='pty'>\n      <log file='{}' append='off'/>\n"
                     "      <target port='0'/>\n    </serial>\n",
                     xml_escape(spec.serial_log));
  else
    x += text("    <serial type='file'>\n      <source path='{}' append='off'/>\n"
                     "      <target port='0'/>\n    </serial>\n",
                     xml_escape(spec.serial_log));
  x += text("    <video>\n      <model type='{}' heads='1' primary='yes'/>\n      {}\n"
                   "    </video>\n",
                   video_model_name(hw.display), pci_address(0x02));
  x += "    <memballoon model='none'/>\n";
  x += "    <panic model='isa'/>\n";
  x += "  </devices>\n";
  x += "</domain>\n";
  return x;
}

}  // namespace restorelab::machines
