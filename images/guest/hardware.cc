#include "images/guest/hardware.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>

#include "images/guest/job_vocabulary.h"
#include "images/guest/kv.h"

namespace restorelab::guest {
namespace {

uint32_t ReadHex(const fs::path& file) {
  auto text = ReadFile(file);
  if (!text) return 0;
  std::string value = Trim(*text);
  if (value.starts_with("0x")) value = value.substr(2);
  uint32_t n = 0;
  std::from_chars(value.data(), value.data() + value.size(), n, 16);
  return n;
}

std::string LinkName(const fs::path& link) {
  std::error_code ec;
  fs::path target = fs::read_symlink(link, ec);
  return ec ? "" : target.filename().string();
}

std::string HexId(uint16_t vendor, uint16_t device) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "pci-%04x:%04x", vendor, device);
  return buffer;
}

std::string NicModel(const PciFunction& f) {
  if (f.vendor == 0x8086 && f.device == 0x100e) return "e1000";
  if (f.vendor == 0x10ec && f.device == 0x8139) return "rtl8139";
  if (f.vendor == 0x1af4 && (f.device == 0x1000 || f.device == 0x1041)) return "virtio";
  return HexId(f.vendor, f.device);
}

std::string DisplayModel(const PciFunction& f) {
  if (f.vendor == 0x1234 && f.device == 0x1111) return "vga";
  if (f.vendor == 0x1013 && f.device == 0x00b8) return "cirrus";
  if (f.vendor == 0x1b36 && f.device == 0x0100) return "qxl";
  if (f.vendor == 0x1af4 && f.device == 0x1050) return "virtio";
  return HexId(f.vendor, f.device);
}

std::string FirstMac(const fs::path& pci_dir) {
  std::error_code ec;
  fs::path net = pci_dir / "net";
  if (!fs::is_directory(net, ec)) {
    // virtio-net: the netdev hangs below the virtioN child device.
    for (const auto& child : fs::directory_iterator(pci_dir, ec)) {
      if (child.path().filename().string().starts_with("virtio") && fs::is_directory(child.path() / "net")) {
        net = child.path() / "net";
        break;
      }
    }
  }
  std::vector<fs::path> interfaces;
  for (const auto& entry : fs::directory_iterator(net, ec)) interfaces.push_back(entry.path());
  std::ranges::sort(interfaces);
  for (const auto& dir : interfaces) {
    auto mac = ReadFile(dir / "address");
    if (mac) return Trim(*mac);
  }
  return "";
}

/// Enabled processors in the ACPI MADT ("APIC" table): local APIC (type 0)
/// and local x2APIC (type 9) entries with the enabled bit; 0 without a MADT.
int CountMadtProcessors(const fs::path& root) {
  auto table = ReadFile(root / "sys/firmware/acpi/tables/APIC");
  if (!table || table->size() < 44) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(table->data());
  int count = 0;
  for (size_t at = 44; at + 2 <= table->size();) {
    unsigned type = bytes[at];
    unsigned length = bytes[at + 1];
    if (length < 2 || at + length > table->size()) break;
    if (type == 0 && length >= 8 && (bytes[at + 4] & 1)) ++count;
    if (type == 9 && length >= 16 && (bytes[at + 8] & 1)) ++count;
    at += length;
  }
  return count;
}

}  // namespace

int CountCpuList(std::string_view list) {
  int count = 0;
  for (const std::string& range : Split(list, ',')) {
    size_t dash = range.find('-');
    int first = 0;
    int last = 0;
    auto parse = [](std::string_view s, int& out) {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && end == s.data() + s.size();
    };
    if (dash == std::string::npos) {
      if (!parse(range, first)) return 0;
      last = first;
    } else if (!parse(std::string_view(range).substr(0, dash), first) ||
               !parse(std::string_view(range).substr(dash + 1), last) || last < first) {
      return 0;
    }
    count += last - first + 1;
  }
  return count;
}

std::vector<PciFunction> ScanPci(const fs::path& root) {
  std::vector<PciFunction> functions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "sys/bus/pci/devices", ec)) {
    PciFunction f;
    f.address = entry.path().filename().string();
    f.vendor = static_cast<uint16_t>(ReadHex(entry.path() / "vendor"));
    f.device = static_cast<uint16_t>(ReadHex(entry.path() / "device"));
    f.class_code = ReadHex(entry.path() / "class");
    f.driver = LinkName(entry.path() / "driver");
    functions.push_back(std::move(f));
  }
  std::ranges::sort(functions, {}, &PciFunction::address);
  return functions;
}

std::vector<std::string> EnableIdeChannels(const fs::path& root) {
  constexpr std::array<std::streamoff, 2> kChannelTiming = {0x41, 0x43};  // high bytes of IDETIM
  constexpr char kDecodeEnable = static_cast<char>(0x80);
  std::vector<std::string> enabled;
  for (const PciFunction& f : ScanPci(root)) {
    const bool piix_ide = f.vendor == 0x8086 && (f.device == 0x7010 || f.device == 0x7111);  // PIIX3, PIIX4
    if (!piix_ide) continue;
    std::fstream config(root / "sys/bus/pci/devices" / f.address / "config", std::ios::in | std::ios::out | std::ios::binary);
    bool changed = false;
    for (std::streamoff offset : kChannelTiming) {
      char byte = 0;
      if (!config.seekg(offset) || !config.read(&byte, 1)) break;
      if ((byte & kDecodeEnable) != 0) continue;
      byte = static_cast<char>(byte | kDecodeEnable);
      if (!config.seekp(offset) || !config.write(&byte, 1) || !config.flush()) break;
      changed = true;
    }
    if (changed) enabled.push_back(f.address);
  }
  return enabled;
}

std::vector<NetAdapter> ScanNetAdapters(const fs::path& root) {
  std::vector<NetAdapter> adapters;
  for (const PciFunction& f : ScanPci(root)) {
    if ((f.class_code >> 8) != 0x0200) continue;
    adapters.push_back({NicModel(f), f.address, FirstMac(root / "sys/bus/pci/devices" / f.address)});
  }
  return adapters;
}

std::string ScanDisplay(const fs::path& root) {
  for (const PciFunction& f : ScanPci(root)) {
    if ((f.class_code >> 16) == 0x03) return DisplayModel(f);
  }
  return "none";
}

PlatformFacts ScanPlatform(const fs::path& root) {
  PlatformFacts facts;
  std::error_code ec;
  facts.acpi = fs::exists(root / "sys/firmware/acpi/tables/FACP", ec);
  auto cpuinfo = ReadFile(root / "proc/cpuinfo");
  if (cpuinfo) {
    for (const std::string& line : Split(*cpuinfo, '\n')) {
      if (!line.starts_with("flags")) continue;
      std::string flags = " " + line.substr(line.find(':') + 1) + " ";
      facts.apic = flags.find(" apic ") != std::string::npos;
      break;
    }
  }
  auto present = ReadFile(root / "sys/devices/system/cpu/present");
  // `nosmp` hides the other processors from sysfs; the MADT still lists them.
  int listed = present ? CountCpuList(Trim(*present)) : 0;
  facts.processors = std::max({1, listed, CountMadtProcessors(root)});
  return facts;
}

int CpusOnline(const fs::path& root) {
  auto online = ReadFile(root / "sys/devices/system/cpu/online");
  return online ? CountCpuList(Trim(*online)) : 0;
}

std::string ScanFirmware(const fs::path& root) {
  std::error_code ec;
  return std::string(fs::is_directory(root / "sys/firmware/efi", ec) ? vocabulary::kFirmwareUefi
                                                                     : vocabulary::kFirmwareBios);
}

}  // namespace restorelab::guest
