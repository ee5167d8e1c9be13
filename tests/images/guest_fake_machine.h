// A whole model-guest machine on the host, for tests that run RunGuest's
// phases end to end: disks that outlive the machines they are attached to
// (an image file for what a disk-image backup reads and a restore writes, a
// directory per volume for what a mount shows), a fake sysfs that places each
// disk behind the controller of its bus, and a Platform whose Mount links the
// target to the volume's directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "images/guest/platform.h"
#include "tests/images/guest_test_util.h"

namespace restorelab::guest::testing {

/// One disk: an image file and the volumes on it.
struct FakeDisk {
  struct Volume {
    int partition = 0;      ///< 0: the whole disk is the volume
    std::string fs_type;    ///< "ext4" | "vfat"
    std::string label;
    uint64_t start = 0;     ///< bytes
    uint64_t size = 0;      ///< bytes
  };
  std::filesystem::path dir;  ///< dir/image, dir/volume<N> (N: the partition, 0 for the whole disk)
  uint64_t size = 0;
  std::vector<Volume> volumes;

  std::filesystem::path Image() const { return dir / "image"; }
  std::filesystem::path Contents(int partition) const { return dir / ("volume" + std::to_string(partition)); }
};

/// A system disk as make-disk.sh lays it out: p1 FAT "RL-BOOT", p2 ext4
/// "RL-SYSTEM" (scaled down: 4 MiB).
FakeDisk MakeSystemDisk(const std::filesystem::path& dir);
/// A backup disk: ext4 "RL-BACKUP" on the whole disk.
FakeDisk MakeBackupDisk(const std::filesystem::path& dir);
/// A blank disk of the system disk's size: the target of a bare-metal recovery.
FakeDisk MakeBlankDisk(const std::filesystem::path& dir);

/// A machine: a root with the fake sysfs, /dev and /proc of the disks
/// attached to it, running one job. Records what the guest printed.
class FakeMachine final : public Platform {
 public:
  /// `role`: rl.disk= on the command line ("system" or "recovery").
  FakeMachine(std::string job, std::string role = "system");

  /// Attaches `disk` behind a controller of `bus` (ide, sata, scsi, virtio),
  /// in attach order (sda, sdb, ... or vda, vdb, ...).
  void Attach(const FakeDisk& disk, std::string_view bus);

  const fs::path& Root() const override { return root_.path(); }
  void Emit(std::string_view text) override { serial += text; }
  Status DrainConsole() override { return {}; }
  Result<std::string> ReadJob() override { return job_; }
  Status LoadModule(const fs::path&) override { return {}; }
  Status Mount(const fs::path& device, const fs::path& target, std::string_view type, bool read_only) override;
  Status Unmount(const fs::path& target) override;
  Status RereadPartitions(const fs::path&) override { return {}; }
  void Sync() override {}
  void Sleep(int) override {}
  void RaisePanic() override { panicked = true; }
  void Hang() override {}
  void PowerOff() override {}

  /// The last `RESTORELAB` line whose event is `event`, without the prefix
  /// (the JSON object), or "" when there is none.
  std::string LastEvent(std::string_view event) const;

  std::string serial;  ///< everything the guest printed
  bool panicked = false;

 private:
  TempRoot root_;
  std::string job_;
  std::map<fs::path, fs::path> volumes_;  ///< device file -> the volume's directory
  int disks_ = 0;
  int virtio_disks_ = 0;
};

}  // namespace restorelab::guest::testing
