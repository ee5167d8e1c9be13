// What the running machine offers, read from a /sys and /proc tree under
// `root` ("/" in the guest, a fake tree in tests).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "images/guest/hal.h"

namespace restorelab::guest {

namespace fs = std::filesystem;

/// One PCI function from /sys/bus/pci/devices.
struct PciFunction {
  std::string address;      ///< "0000:00:03.0"
  uint16_t vendor = 0;
  uint16_t device = 0;
  uint32_t class_code = 0;  ///< 24-bit class, e.g. 0x020000 for Ethernet
  std::string driver;       ///< bound driver name, "" when none
};

/// A network adapter as Windows binds its configuration: by model and slot.
struct NetAdapter {
  std::string model;     ///< "e1000" | "rtl8139" | "virtio" | "pci-VVVV:DDDD"
  std::string pci_slot;  ///< PCI address
  std::string mac;       ///< "52:54:00:..."; "" when no driver is bound
};

std::vector<PciFunction> ScanPci(const fs::path& root);
std::vector<NetAdapter> ScanNetAdapters(const fs::path& root);
/// The graphics adapter model: "vga" | "cirrus" | "qxl" | "virtio" | "none" |
/// "pci-VVVV:DDDD".
std::string ScanDisplay(const fs::path& root);

/// ACPI tables (sys/firmware/acpi/tables/FACP), APIC (cpuinfo flag) and the
/// processors the firmware describes: the larger of sys/devices/system/cpu/present
/// and the enabled entries of the ACPI MADT (sys/firmware/acpi/tables/APIC).
PlatformFacts ScanPlatform(const fs::path& root);
/// Processors the kernel really runs on (sys/devices/system/cpu/online).
int CpusOnline(const fs::path& root);
/// "uefi" when the kernel was started by UEFI firmware (sys/firmware/efi),
/// "bios" otherwise.
std::string ScanFirmware(const fs::path& root);

/// Enables the decoding of both channels of every PIIX IDE function (PCI
/// config bytes 0x41 and 0x43, bit 7) that has a channel disabled, and returns
/// their addresses. Firmware that boots from IDE enables them; OVMF starting
/// a kernel itself leaves them off, and Linux's ata_piix then skips the
/// channels. Called only when the host started the kernel directly.
std::vector<std::string> EnableIdeChannels(const fs::path& root);

/// Counts a Linux CPU list such as "0-3,6" (4 + 1 = 5); malformed gives 0.
int CountCpuList(std::string_view list);

}  // namespace restorelab::guest
