// The domain XML of one virtual machine: a pure function from a VmSpec (the
// hardware of a scenario machine plus the files the harness attaches) to the
// text libvirt defines. No I/O; every refusal is an Error value.
//
// Hardware decisions (the same for every VM, so that only what a scenario
// varies differs between two VMs):
//  - Chipset: always `pc` (i440fx + PIIX3). ide disks use the PIIX3 IDE
//    controller built into the chipset; sata disks get an explicit AHCI
//    controller (`<controller type='sata'/>`, QEMU ich9-ahci) at 00:04.0;
//    scsi disks an LSI 53C895A (`model='lsilogic'`, Linux sym53c8xx) on
//    BIOS machines, a virtio-scsi controller on UEFI ones (OVMF has no LSI
//    driver; a real UEFI server's HBA brings its own), either one at
//    00:04.0; virtio disks are virtio-blk functions at 00:05.0 and up.
//    q35 was not chosen because it has no IDE at all and would change the
//    chipset together with the disk bus.
//  - Firmware: SeaBIOS printing to the serial port (`<bios useserial='yes'/>`),
//    or OVMF without Secure Boot (explicit OVMF_CODE_4M.fd loader plus a
//    per-VM copy of OVMF_VARS_4M.fd, the build without enrolled keys).
//  - HAL: ACPI on or off (`<acpi/>`); a HAL without APIC gets a CPU without a
//    local APIC (`<feature policy='disable' name='apic'/>`), which QEMU only
//    runs with one vCPU.
//  - CPU model qemu64 for both accelerators, USB and memory balloon removed,
//    pvpanic on ISA port 0x505 with on_crash=preserve, serial port 0 to a file.
//    A guest reports a crash by writing 1 to port 0x505; that works without
//    ACPI too (Linux's pvpanic driver only finds the device through ACPI).
//    fw_cfg is at I/O port 0x510 with or without ACPI (Linux without ACPI:
//    `qemu_fw_cfg.ioport=0x0c@0x510:0:1`).
//  - NICs at 00:10.0 + i with deterministic locally administered MACs on
//    user-mode networking (slirp). Their link is down unless `network` is set:
//    slirp NATs outbound connections through the host, so only a down link
//    keeps the guest off every network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/machines/error.h"
#include "rules/model.h"

namespace restorelab::machines {

enum class DiskFormat : std::uint8_t { Raw, Qcow2 };

/// One disk image attached to the VM.
struct DiskSpec {
  std::string path;                  ///< host path of the image (absolute)
  DiskFormat format = DiskFormat::Raw;
  DiskBus bus = DiskBus::Ide;
  /// `<readonly/>`: the guest cannot write. libvirt refuses read-only ide and
  /// sata disks; use `transient` for those.
  bool readonly = false;
  /// `<transient/>`: guest writes go to a throwaway overlay next to the image
  /// and the image itself stays unchanged. Works on every bus.
  bool transient = false;
  int boot_order = 0;                ///< 1 = tried first; 0 = not a boot device
  /// `<shareable/>`: QEMU lets another VM have the image open for writing at
  /// the same time (share-rw). A chain's next VM is restored, paused,
  /// while the VM before it still writes a disk they share, and the test
  /// boot starts while the last chain VM powers off (orchestrator.h).
  bool shareable = false;
};

/// One QEMU fw_cfg file, readable by the guest firmware and (via
/// /sys/firmware/qemu_fw_cfg) by a Linux guest.
struct FwCfgEntry {
  std::string name;       ///< must start with "opt/" and be at most 55 bytes
  std::string host_file;  ///< host path whose content becomes the entry
};

/// A kernel the hypervisor starts itself (`<kernel>`, `<initrd>`, `<cmdline>`),
/// instead of the firmware booting a disk. With SeaBIOS the kernel may be an
/// uncompressed ELF with a PVH entry note (QEMU's pvh.bin option ROM starts
/// it); OVMF starts only a bzImage with an EFI stub.
struct DirectKernel {
  std::string kernel;   ///< host path (absolute)
  std::string initrd;   ///< host path (absolute); may be empty
  std::string cmdline;
};

/// libvirt's domain type: which accelerator QEMU uses.
enum class DomainType : std::uint8_t { Kvm, Qemu };

/// Where OVMF lives (Debian 12's ovmf package by default).
struct OvmfPaths {
  std::string code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  std::string vars_template = "/usr/share/OVMF/OVMF_VARS_4M.fd";
};

/// Everything the domain XML is made from.
struct VmSpec {
  std::string name;              ///< the libvirt domain name: [A-Za-z0-9._-]+
  /// The hardware: hal, firmware, cpus, nics, nic_model, display, disk_bus
  /// (the controller type added for disks) and memory_mib are used; the OS
  /// is not.
  Machine hardware;
  std::vector<DiskSpec> disks;
  std::vector<FwCfgEntry> fw_cfg;
  std::string serial_log;        ///< host file receiving serial port 0 (required)
  /// Serial port 0 on a pseudo-terminal, so that `virsh console` attaches,
  /// still logged to `serial_log` (how a kept machine is left: its console
  /// reachable, the run's evidence untouched).
  bool serial_pty = false;
  std::string nvram;             ///< per-VM UEFI variable store (required for uefi)
  DomainType type = DomainType::Qemu;
  OvmfPaths ovmf;
  bool network = false;          ///< NIC links up on slirp (see the file comment)
  /// `<on_reboot>destroy</on_reboot>` instead of restart; with SeaBIOS also
  /// `rebootTimeout='0'`, so a BIOS that finds nothing to boot resets at once
  /// (and the domain stops) instead of waiting forever.
  bool stop_on_reboot = false;
  /// What the NIC MACs are derived from (mac_address()); empty: `name`. Two
  /// VMs that model one physical computer share it, so they share MACs.
  std::string mac_seed;
  /// The domain's UUID (8-4-4-4-12 lower-case hex digits); empty: libvirt
  /// picks one. A VM restored from a saved state must carry the saved one.
  std::string uuid;
  /// Empty kernel: the firmware boots the disks by their boot order.
  DirectKernel direct;
};

/// Smallest memory each firmware starts with.
inline constexpr int kMinMemoryMibBios = 128;
inline constexpr int kMinMemoryMibUefi = 256;

/// The domain XML for `spec`, or an Error naming the field that cannot be
/// turned into a VM libvirt accepts (UEFI without ACPI, several vCPUs without
/// APIC, too little memory, too many disks on a bus, a read-only ide/sata
/// disk, a bad name, ...).
Result<std::string> domain_xml(const VmSpec& spec);

/// The MAC of NIC `index` of VM `vm_name`: `02:` (locally administered,
/// unicast) then 32 bits of FNV-1a of the name, then the index. Deterministic.
std::string mac_address(std::string_view vm_name, int index);

/// `s` with & < > " ' replaced by entities; safe in text and attribute values.
std::string xml_escape(std::string_view s);

/// libvirt's name of a domain type: "kvm" or "qemu".
std::string_view domain_type_name(DomainType type);

}  // namespace restorelab::machines
