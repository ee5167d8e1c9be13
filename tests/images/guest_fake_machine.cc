#include "tests/images/guest_fake_machine.h"

#include <fstream>

#include "images/guest/job_vocabulary.h"
#include "images/guest/kv.h"

namespace restorelab::guest::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMiB = 1 << 20;

/// The first 4 KiB of a volume as ProbeVolume reads them.
std::string VolumeHeader(std::string_view fs_type, std::string_view label) {
  std::string data(4096, '\0');
  if (fs_type == "ext4") {
    data[1024 + 56] = '\x53';
    data[1024 + 57] = '\xEF';
    data.replace(1024 + 120, label.size(), label);
  } else {
    data[38] = '\x29';
    std::string padded(label);
    padded.resize(11, ' ');
    data.replace(43, 11, padded);
    data.replace(54, 8, "FAT16   ");
    data[510] = '\x55';
    data[511] = '\xAA';
  }
  return data;
}

FakeDisk Made(FakeDisk disk) {
  fs::create_directories(disk.dir);
  std::ofstream(disk.Image(), std::ios::binary).close();
  fs::resize_file(disk.Image(), disk.size);
  for (const FakeDisk::Volume& v : disk.volumes) fs::create_directories(disk.Contents(v.partition));
  return disk;
}

/// The PCI function, driver and device path below it of a controller of `bus`.
struct Controller {
  std::string function;  ///< "0000:00:01.1"
  std::string driver;    ///< "ata_piix"
  std::string below;     ///< path from the function to the disk's block dir
};

Controller ControllerOf(std::string_view bus, int index) {
  const std::string n = std::to_string(index);
  if (bus == "ide") return {"0000:00:01.1", "ata_piix", "ata" + n + "/host" + n + "/target" + n + ":0:0/" + n + ":0:0:0/block"};
  if (bus == "sata") return {"0000:00:06.0", "ahci", "ata" + n + "/host" + n + "/target" + n + ":0:0/" + n + ":0:0:0/block"};
  if (bus == "scsi") return {"0000:00:07.0", "sym53c8xx", "host" + n + "/target" + n + ":0:0/" + n + ":0:0:0/block"};
  return {"0000:00:0" + std::to_string(8 + index) + ".0", "virtio-pci", "virtio" + n + "/block"};
}

}  // namespace

FakeDisk MakeSystemDisk(const fs::path& dir) {
  return Made({dir, 4 * kMiB, {{1, "vfat", "RL-BOOT", kMiB, kMiB}, {2, "ext4", "RL-SYSTEM", 2 * kMiB, kMiB}}});
}

FakeDisk MakeBackupDisk(const fs::path& dir) { return Made({dir, 2 * kMiB, {{0, "ext4", "RL-BACKUP", 0, 2 * kMiB}}}); }

FakeDisk MakeBlankDisk(const fs::path& dir) { return Made({dir, 4 * kMiB, {}}); }

FakeMachine::FakeMachine(std::string job, std::string role) : job_(std::move(job)) {
  root_.Write("proc/cmdline", "console=ttyS0,115200 quiet loglevel=0 rl.disk=" + role + " rl.boot=direct\n");
  fs::create_directories(root_.path() / "sys/class/block");
  fs::create_directories(root_.path() / "dev");
  // The firmware has ACPI tables exactly when the machine's HAL has ACPI, as
  // the harness builds it (<acpi/> in the domain); a job without a machine
  // HAL is a Vista-or-later machine, which has them too.
  auto parsed = KeyValues::Parse(job_, "job");
  const std::string hal = parsed ? parsed->Get(vocabulary::kKeyMachineHal) : "";
  if (hal.empty() || hal.starts_with("acpi-")) root_.Write("sys/firmware/acpi/tables/FACP", "FACP");
}

void FakeMachine::Attach(const FakeDisk& disk, std::string_view bus) {
  const bool virtio = bus == "virtio";
  const int index = virtio ? virtio_disks_++ : disks_++;
  const std::string name = std::string(virtio ? "vd" : "sd") + static_cast<char>('a' + index);
  const Controller c = ControllerOf(bus, index);
  const std::string function_dir = "sys/devices/pci0000:00/" + c.function;
  const std::string block = function_dir + "/" + c.below + "/" + name;
  if (!fs::is_symlink(root_.path() / function_dir / "driver"))
    root_.Link(function_dir + "/driver", "../../../bus/pci/drivers/" + c.driver);
  if (virtio) root_.Link(function_dir + "/virtio" + std::to_string(index) + "/driver", "../../../../bus/virtio/drivers/virtio_blk");
  root_.Write(block + "/size", std::to_string(disk.size / 512) + "\n");
  root_.Link("sys/class/block/" + name, "../../" + block.substr(4));
  fs::create_symlink(disk.Image(), root_.path() / "dev" / name);
  for (const FakeDisk::Volume& v : disk.volumes) {
    std::string device = name;
    if (v.partition > 0) {
      device = name + std::to_string(v.partition);
      root_.Write(block + "/" + device + "/partition", std::to_string(v.partition) + "\n");
      root_.Write(block + "/" + device + "/start", std::to_string(v.start / 512) + "\n");
      root_.Write(block + "/" + device + "/size", std::to_string(v.size / 512) + "\n");
      root_.Link("sys/class/block/" + device, "../../" + block.substr(4) + "/" + device);
      root_.Write("dev/" + device, VolumeHeader(v.fs_type, v.label));
    } else {
      // The whole disk is the volume: its image starts with the superblock.
      std::fstream image(disk.Image(), std::ios::in | std::ios::out | std::ios::binary);
      const std::string header = VolumeHeader(v.fs_type, v.label);
      image.write(header.data(), static_cast<std::streamsize>(header.size()));
    }
    volumes_[root_.path() / "dev" / device] = disk.Contents(v.partition);
  }
}

Status FakeMachine::Mount(const fs::path& device, const fs::path& target, std::string_view, bool) {
  auto volume = volumes_.find(device);
  if (volume == volumes_.end()) return Fail("the fake machine has no volume on " + device.string());
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  fs::remove(target, ec);
  fs::create_directory_symlink(volume->second, target, ec);
  if (ec) return Fail("cannot mount " + device.string() + " on " + target.string() + ": " + ec.message());
  return {};
}

Status FakeMachine::Unmount(const fs::path& target) {
  std::error_code ec;
  if (!fs::is_symlink(target, ec)) return Fail(target.string() + " is not mounted");
  fs::remove(target, ec);
  return {};
}

std::string FakeMachine::LastEvent(std::string_view event) const {
  const std::string start = "RESTORELAB {\"event\":\"" + std::string(event) + "\"";
  std::string last;
  std::size_t at = 0;
  while ((at = serial.find(start, at)) != std::string::npos) {
    const std::size_t end = serial.find('\n', at);
    last = serial.substr(at + 11, end == std::string::npos ? std::string::npos : end - at - 11);
    at += start.size();
  }
  return last;
}

}  // namespace restorelab::guest::testing
