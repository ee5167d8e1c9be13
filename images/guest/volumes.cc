#include "images/guest/volumes.h"

#include <algorithm>
#include <array>
#include <fstream>

#include "images/guest/job_vocabulary.h"
#include "images/guest/kv.h"

namespace restorelab::guest {
namespace {

std::string FixedString(const char* data, size_t size) {
  std::string text(data, size);
  size_t end = text.find('\0');
  if (end != std::string::npos) text.resize(end);
  return Trim(text);
}

}  // namespace

std::string BusOfDriver(std::string_view driver) {
  if (driver == "ata_piix" || driver.starts_with("pata_")) return std::string(vocabulary::kBusIde);
  if (driver == "ahci") return std::string(vocabulary::kBusSata);
  if (driver == "sym53c8xx" || driver == "virtio_scsi") return std::string(vocabulary::kBusScsi);
  if (driver == "virtio_blk") return std::string(vocabulary::kBusVirtio);
  return "";
}

std::string BusOfDisk(const fs::path& root, std::string_view disk) {
  std::error_code ec;
  fs::path sys_devices = fs::weakly_canonical(root / "sys/devices", ec);
  fs::path dir = fs::canonical(root / "sys/class/block" / disk, ec);
  if (ec) return "";
  while (dir.has_parent_path() && dir != dir.parent_path()) {
    if (!dir.string().starts_with(sys_devices.string())) break;
    std::error_code link_ec;
    fs::path driver = fs::read_symlink(dir / "driver", link_ec);
    if (!link_ec) {
      std::string bus = BusOfDriver(driver.filename().string());
      if (!bus.empty()) return bus;
    }
    dir = dir.parent_path();
  }
  return "";
}

void ProbeVolume(const fs::path& device, std::string& fs_type, std::string& label) {
  fs_type.clear();
  label.clear();
  std::array<char, 2048> block{};
  std::ifstream in(device, std::ios::binary);
  if (!in) return;
  in.read(block.data(), block.size());
  if (in.gcount() < 1024 + 136) {
    if (in.gcount() < 512) return;
  }
  const auto* u = reinterpret_cast<const unsigned char*>(block.data());
  if (u[1024 + 56] == 0x53 && u[1024 + 57] == 0xEF) {
    fs_type = "ext4";
    label = FixedString(block.data() + 1024 + 120, 16);
    return;
  }
  if (u[510] == 0x55 && u[511] == 0xAA) {
    if (u[38] == 0x29 && std::string(block.data() + 54, 3) == "FAT") {
      fs_type = "vfat";
      label = FixedString(block.data() + 43, 11);
    } else if (u[66] == 0x29 && std::string(block.data() + 82, 5) == "FAT32") {
      fs_type = "vfat";
      label = FixedString(block.data() + 71, 11);
    }
  }
}

std::vector<BlockDevice> ScanBlockDevices(const fs::path& root) {
  std::vector<BlockDevice> devices;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "sys/class/block", ec)) {
    BlockDevice d;
    d.name = entry.path().filename().string();
    if (d.name.starts_with("loop") || d.name.starts_with("ram") || d.name.starts_with("sr")) continue;
    d.partition = static_cast<int>(ParseInt(ReadFile(entry.path() / "partition").value_or("0"), 0));
    d.disk = d.name;
    if (d.partition > 0) {
      std::error_code link_ec;
      fs::path real = fs::canonical(entry.path(), link_ec);
      if (!link_ec) d.disk = real.parent_path().filename().string();
    }
    d.size_bytes = static_cast<uint64_t>(ParseInt(ReadFile(entry.path() / "size").value_or("0"), 0)) * 512;
    d.bus = BusOfDisk(root, d.disk);
    ProbeVolume(root / "dev" / d.name, d.fs_type, d.label);
    devices.push_back(std::move(d));
  }
  std::ranges::sort(devices, {}, &BlockDevice::name);
  return devices;
}

std::optional<BlockDevice> FindVolume(const std::vector<BlockDevice>& devices, std::string_view label) {
  for (const BlockDevice& d : devices) {
    if (d.label == label) return d;
  }
  return std::nullopt;
}

std::optional<BlockDevice> FindPartition(const std::vector<BlockDevice>& devices, std::string_view disk,
                                         int number) {
  for (const BlockDevice& d : devices) {
    if (d.disk == disk && d.partition == number) return d;
  }
  return std::nullopt;
}

}  // namespace restorelab::guest
