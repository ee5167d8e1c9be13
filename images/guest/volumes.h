// Disks and volumes: which block devices exist, which controller (disk bus)
// each disk sits behind, and what file system and label each volume carries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace restorelab::guest {

namespace fs = std::filesystem;

/// Volume labels that make-disk.sh writes and the guest looks for.
inline constexpr std::string_view kSystemLabel = "RL-SYSTEM";    ///< ext4, the "C:" volume
inline constexpr std::string_view kBootLabel = "RL-BOOT";        ///< FAT, loader + kernel
inline constexpr std::string_view kBackupLabel = "RL-BACKUP";    ///< ext4, backup target

/// One entry of /sys/class/block.
struct BlockDevice {
  std::string name;        ///< "sda1"
  std::string disk;        ///< the whole disk: "sda" (== name for a disk)
  int partition = 0;       ///< 0 for a whole disk
  uint64_t size_bytes = 0;
  std::string bus;         ///< disk bus of the controller: ide|sata|scsi|virtio|"" (unknown)
  std::string fs_type;     ///< "ext4" | "vfat" | ""
  std::string label;       ///< volume label, "" when none
};

/// Maps a Linux storage driver to the disk bus it drives: ata_piix/pata_* ->
/// ide, ahci -> sata, sym53c8xx/virtio_scsi -> scsi, virtio_blk -> virtio.
/// Unknown drivers give "".
std::string BusOfDriver(std::string_view driver);

/// The disk bus of the controller holding `disk`: walks up the device path of
/// sys/class/block/<disk> until a bound driver maps to a bus.
std::string BusOfDisk(const fs::path& root, std::string_view disk);

/// File system type and label of the device file `device` ("" when unknown).
/// Reads the ext2/3/4 superblock or the FAT boot sector.
void ProbeVolume(const fs::path& device, std::string& fs_type, std::string& label);

/// Every disk and partition under sys/class/block (loop/ram devices skipped),
/// probed through the device files in root/dev.
std::vector<BlockDevice> ScanBlockDevices(const fs::path& root);

/// The first volume with `label`, if any.
std::optional<BlockDevice> FindVolume(const std::vector<BlockDevice>& devices, std::string_view label);

/// Partition `number` of `disk`, if present.
std::optional<BlockDevice> FindPartition(const std::vector<BlockDevice>& devices, std::string_view disk,
                                         int number);

}  // namespace restorelab::guest
